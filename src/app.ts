import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { DatabaseHandle } from '#src/storage/dialect';
import { HttpError, installErrorHandlers } from '#src/http/errors';
import { answerClientError, SECURITY_HEADERS } from '#src/http/security-headers';
import { loggerOptions } from '#src/http/logging';
import { RateLimiter, type SharedCounterStore } from '#src/http/rate-limit';
import { registerApiPlumbing } from '#src/http/api';
import { registerHomePage } from '#src/features/home/home.page';
import { registerTechnologyRoutes } from '#src/features/technologies/technologies.routes';
import { loadTechnologyVocabulary } from '#src/features/technologies/technologies.repository';
import { DatasetVersionCache } from '#src/storage/dataset-version';
import { registerDeploymentRoutes } from '#src/features/deployments/deployments.routes';
import { registerAgencyRoutes } from '#src/features/agencies/agencies.routes';
import { registerPlaceRoutes } from '#src/features/places/places.routes';
import { registerPolicyRoutes } from '#src/features/policies/policies.routes';
import { registerSourceRoutes } from '#src/features/sources/sources.routes';
import { registerVendorRoutes } from '#src/features/vendors/vendors.routes';
import { registerOfficialRoutes } from '#src/features/officials/officials.routes';
import { registerStatsRoutes } from '#src/features/stats/stats.routes';
import { registerExportRoute } from '#src/features/export/export.routes';
import { registerTileRoutes } from '#src/features/tiles/tiles.routes';
import { registerApiDocsPage } from '#src/features/home/api-docs.page';
import { registerStaticAssets } from '#src/http/static-assets';
import { registerCompression } from '#src/http/compression';
import { registerDeploymentListPage } from '#src/features/deployments/deployments-list.page';
import { registerDeploymentPage } from '#src/features/deployments/deployment.page';
import { registerAgencyPage } from '#src/features/agencies/agency.page';
import { registerPlacePage } from '#src/features/places/place.page';
import { registerPolicyPages } from '#src/features/policies/policy.page';
import { registerTechnologyPages } from '#src/features/technologies/technology.page';
import { registerVendorPage } from '#src/features/vendors/vendor.page';
import { registerSourcePage } from '#src/features/sources/source.page';
import { registerOfficialPage } from '#src/features/officials/official.page';
import { registerSearchPage } from '#src/features/search/search.page';
import { registerAboutPage } from '#src/features/about/about.page';
import { registerMapPage } from '#src/features/map/map.page';
import { registerAreaRoutes } from '#src/features/map/areas.routes';
import { registerTownRoutes } from '#src/features/map/towns.routes';
import { registerChangeRoutes } from '#src/features/changes/changes.routes';
import { registerChangesPage } from '#src/features/changes/changes.page';
import { registerDatasetRoutes } from '#src/sync/datasets.routes';
import { randomBytes } from 'node:crypto';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { FormGuard, registerFormParser } from '#src/http/forms';
import { CampaignActions } from '#src/features/campaigns/campaign-actions.service';
import { registerCampaignPages } from '#src/features/campaigns/campaign.page';
import { registerCampaignRoutes } from '#src/features/campaigns/campaigns.routes';
import { Operators } from '#src/features/operators/operators.service';
import { ProofOfWork, type SpentChallenges } from '#src/security/proof-of-work';
import { registerOperatorPages } from '#src/features/operators/operator.pages';

declare module 'fastify' {
  interface FastifyInstance {
    /** The campaign actions service (the server's housekeeping timer and tests use it). */
    campaignActions: CampaignActions;
  }
}

export interface CampaignOptions {
  readonly crypto: SupporterCrypto;
  readonly mailer: Mailer;
  /** The site's address for links in emails. */
  readonly publicUrl: string;
  readonly perAddressPerMinute?: number;
  readonly perDomainPerMinute?: number;
  readonly perAddressWithoutProofPerMinute?: number;
  /** Days a supporter's personal data is kept after their latest action (default 730). */
  readonly retentionDays?: number;
}

export interface AppOptions {
  /** Supporters' data key, mail and links. Without it: a throwaway key and mail kept in the outbox (tests). */
  readonly campaigns?: CampaignOptions;
  /** Structured logs at this level (pino); none when not given. */
  readonly logLevel?: string;
  /** Where the logs go (standard output by default; tests read them). */
  readonly logStream?: NodeJS.WritableStream;
  /** Requests (API and pages) per minute per client address (default 600). */
  readonly rateLimitPerMinute?: number;
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); none by default. */
  readonly trustProxy?: readonly string[];
  /** Rate-limit counts shared with the other server processes on the same PostgreSQL database. */
  readonly sharedCounters?: SharedCounterStore | null;
  /** The proof-of-work challenges used, shared likewise (without it, each process remembers its own). */
  readonly spentChallenges?: SpentChallenges | null;
  /** How long a read of the dataset version is trusted, in ms (default 1000; tests use 0). */
  readonly versionTtlMs?: number;
}

/** Requests no rate limit counts: built files, tiles and the health check. */
const UNLIMITED = /^\/(assets\/|api\/v1\/tiles\/|favicon\.|robots\.txt|healthz)/;

/** The 400 for an address holding a NUL character, naming the query parameter that holds it. */
function nulCharacterError(url: string): HttpError {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  let parameter: string | undefined;
  try {
    for (const [name, value] of new URLSearchParams(query)) if (`${name}${value}`.includes('\0')) parameter ??= name;
  } catch {
    // Not a query string URLSearchParams reads: the parameter stays unnamed.
  }
  const where = parameter ? `"${parameter}"` : path.includes('%00') ? 'The path' : 'The query';
  return new HttpError(
    400,
    'invalid_parameter',
    `${where} holds a NUL character (%00), which no id, cursor or search can contain`,
    parameter,
  );
}

/** Builds the web app over an open, migrated database. The caller owns the database handle. */
export async function buildApp(handle: DatabaseHandle, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel ? loggerOptions(options.logLevel, options.logStream) : false,
    // Without a list of proxies, X-Forwarded-For is ignored: anyone could send one.
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    // Ids are validated by the routes (up to 300 characters); longer path segments are a 414.
    routerOptions: { maxParamLength: 1000 },
    clientErrorHandler: answerClientError,
    // A URL the router cannot read (bad escapes: 400; a path segment over 1,000 characters: 414) is
    // answered before any hook runs: with the security headers too.
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      void (reply as FastifyReply)
        .code(status)
        .headers(SECURITY_HEADERS)
        .type('application/json; charset=utf-8')
        .send(
          JSON.stringify({
            error: {
              code: status === 414 ? 'uri_too_long' : 'bad_request',
              message: status === 414 ? 'A part of this address is too long' : 'This address is not a valid URL',
            },
          }),
        );
    },
  });
  // First of all hooks, so that every answer carries them: 304s, 429s, errors and remembered answers too.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  installErrorHandlers(app);
  // No id, cursor or search holds a NUL character (PostgreSQL refuses them in text): a 400 before any route.
  app.addHook('onRequest', (request, _reply, done) =>
    done(/%00/.test(request.url) ? nulCharacterError(request.url) : undefined),
  );
  // Pages and API alike, per client address (shared between processes when counts are shared). Built
  // files, tiles (drawn from memory) and the health check are not counted.
  const limiter = new RateLimiter(
    options.rateLimitPerMinute ?? 600,
    60_000,
    options.sharedCounters ? { store: options.sharedCounters, bucket: 'requests' } : null,
  );
  const limit = limiter.hook();
  app.addHook('onRequest', (request, reply, done) =>
    UNLIMITED.test(request.url) ? done() : limit(request, reply, done),
  );
  await registerApiPlumbing(app, handle.db, {
    versionTtlMs: options.versionTtlMs ?? 1000,
    responseCacheBytes: 64 * 1024 * 1024,
  });
  registerCompression(app);
  // The technology vocabulary is data that imports and editors change, perhaps in another process (the CLI):
  // it is read again whenever the dataset version changes.
  const vocabularyVersions = new DatasetVersionCache(handle.db, options.versionTtlMs ?? 1000);
  let vocabularyOf: string | null = null;
  // Callback style, with no promise while the version is fresh: this runs on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'GET' || vocabularyVersions.peek() === vocabularyOf) return done();
    vocabularyVersions
      .get()
      .then(async (version) => {
        if (version === vocabularyOf) return;
        await loadTechnologyVocabulary(handle.db);
        vocabularyOf = version;
      })
      .then(() => done(), done);
  });
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await handle.db.selectFrom('meta').select('key').limit(1).execute();
    return { status: 'ok', database: handle.dialect };
  });
  registerHomePage(app, handle.db);
  registerTechnologyRoutes(app, handle.db);
  registerDeploymentRoutes(app, handle.db);
  registerAgencyRoutes(app, handle.db);
  registerPlaceRoutes(app, handle.db);
  registerPolicyRoutes(app, handle.db);
  registerSourceRoutes(app, handle.db);
  registerVendorRoutes(app, handle.db);
  registerOfficialRoutes(app, handle.db);
  registerStatsRoutes(app, handle.db);
  registerExportRoute(app, handle.db);
  registerTileRoutes(app, handle.db);
  registerAreaRoutes(app, handle.db);
  registerTownRoutes(app, handle.db);
  registerCampaignRoutes(app, handle.db);
  registerChangeRoutes(app, handle.db, options.campaigns?.publicUrl ?? 'http://127.0.0.1:3000');
  registerDatasetRoutes(app, handle.db);
  registerApiDocsPage(app);
  // Pages (server-rendered HTML that works without JavaScript).
  await registerStaticAssets(app);
  registerMapPage(app, handle.db);
  registerDeploymentListPage(app, handle.db);
  registerDeploymentPage(app, handle.db);
  registerAgencyPage(app, handle.db);
  registerPlacePage(app, handle.db);
  registerPolicyPages(app, handle.db);
  registerTechnologyPages(app, handle.db);
  registerVendorPage(app, handle.db);
  registerSourcePage(app, handle.db);
  registerOfficialPage(app, handle.db);
  registerSearchPage(app, handle.db);
  registerAboutPage(app, handle.db);
  registerChangesPage(app, handle.db);
  // Campaigns: forms with CSRF protection and a honeypot; actions count after double opt-in.
  registerFormParser(app);
  const crypto = options.campaigns?.crypto ?? new SupporterCrypto(randomBytes(32));
  const mailer =
    options.campaigns?.mailer ?? new Mailer(handle.db, crypto, { smtpUrl: null, from: 'test@counterwatch.invalid' });
  const publicUrl = options.campaigns?.publicUrl ?? 'http://127.0.0.1:3000';
  const actions = new CampaignActions(
    handle.db,
    crypto,
    mailer,
    publicUrl,
    options.campaigns?.retentionDays,
    handle.dialect,
  );
  const guard = new FormGuard(crypto, publicUrl.startsWith('https:'));
  registerCampaignPages(app, handle.db, {
    publicUrl,
    actions,
    guard,
    pow: new ProofOfWork(crypto, undefined, undefined, options.spentChallenges ?? null),
    perAddressWithoutProofPerMinute: options.campaigns?.perAddressWithoutProofPerMinute,
    perAddressPerMinute: options.campaigns?.perAddressPerMinute,
    perDomainPerMinute: options.campaigns?.perDomainPerMinute,
    sharedCounters: options.sharedCounters,
  });
  app.decorate('campaignActions', actions);
  registerOperatorPages(app, handle.db, {
    operators: new Operators(handle.db),
    guard,
    crypto,
    secureCookies: publicUrl.startsWith('https:'),
    sharedCounters: options.sharedCounters,
  });
  return app;
}

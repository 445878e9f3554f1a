import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { DatabaseHandle } from '#src/storage/dialect';
import { HttpError, installErrorHandlers } from '#src/http/errors';
import { answerClientError, SECURITY_HEADERS } from '#src/http/security-headers';
import { loggerOptions } from '#src/http/logging';
import { RateLimiter, type SharedCounterStore } from '#src/http/rate-limit';
import { registerApiPlumbing } from '#src/http/api';
import { loadTechnologyVocabulary } from '#src/features/technologies/technologies.repository';
import { DatasetVersionCache } from '#src/storage/dataset-version';
import { registerStaticAssets } from '#src/http/static-assets';
import { registerCompression } from '#src/http/compression';
import { FEATURES } from '#src/features/features';
import type { FeatureContext } from '#src/features/feature';
import { randomBytes } from 'node:crypto';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { FormGuard, registerFormParser } from '#src/http/forms';
import { CampaignActions } from '#src/features/campaigns/campaign-actions.service';
import { Operators } from '#src/features/operators/operators.service';
import { ProofOfWork, type SpentChallenges } from '#src/security/proof-of-work';
import { Reports } from '#src/features/reports/reports.service';
import { Watchers } from '#src/features/watchers/watchers.service';
import { DeploymentIndex } from '#src/features/deployments/deployment-index';
import { DeploymentJson } from '#src/features/deployments/deployment-json';

declare module 'fastify' {
  interface FastifyInstance {
    /** The campaign actions service (the server's housekeeping timer and tests use it). */
    campaignActions: CampaignActions;
    /** Watchers of places (the server's housekeeping sends their digests; tests call it). */
    watchers: Watchers;
    /** Residents' reports and their moderation (tests use it). */
    reports: Reports;
    /** The deployments held in memory for list questions (tests read what it holds). */
    deploymentIndex: DeploymentIndex;
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
  /** The most deployments held in memory for list questions (default 1,000,000; 0: every list asks the database). */
  readonly deploymentIndexMax?: number;
  /** Memory for deployments' records read ahead as JSON, in bytes (default 256 MB; all of them at 300k or so). */
  readonly recordsMemoryBytes?: number;
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
    // What the lists hold in memory: a fresh server answers from the database until the index is built.
    return {
      status: 'ok',
      database: handle.dialect,
      lists: {
        deployments_in_memory: deploymentIndex.stats().deployments,
        records_in_memory: deploymentRecords.stats().entries,
        reading_ahead: deploymentIndex.isBuilding() || deploymentRecords.isFilling(),
      },
    };
  });
  // The plumbing every feature shares: built files, and the form parser (CSRF and honeypot are checked
  // per form by the FormGuard).
  await registerStaticAssets(app);
  registerFormParser(app);
  // Services built once: campaign actions (double opt-in), the forms' guard and proof of work, operators.
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
  app.decorate('campaignActions', actions);
  const guard = new FormGuard(crypto, publicUrl.startsWith('https:'));
  const pow = new ProofOfWork(crypto, undefined, undefined, options.spentChallenges ?? null);
  const reports = new Reports(handle.db, crypto, mailer, publicUrl);
  const watchers = new Watchers(handle.db, crypto, mailer, publicUrl);
  app.decorate('reports', reports);
  app.decorate('watchers', watchers);
  // A list question never asked before is answered from memory once the index holds the dataset version,
  // and made of records read ahead.
  const deploymentRecords = new DeploymentJson(handle.db, options.recordsMemoryBytes ?? 256 * 1024 * 1024);
  let filling: Promise<void> = Promise.resolve();
  const deploymentIndex = new DeploymentIndex(handle.db, {
    maxDeployments: options.deploymentIndexMax ?? 1_000_000,
    onError: (error) =>
      app.log.warn({ err: error }, 'the deployment index could not be built; lists are answered by the database'),
    onBuilt: (version) => {
      filling = deploymentRecords
        .fill(version, () => deploymentIndex.stats().version)
        .catch((error: unknown) => app.log.warn({ err: error }, 'deployment records could not be read ahead'));
    },
  });
  app.decorate('deploymentIndex', deploymentIndex);
  app.addHook('onReady', async () => {
    void deploymentIndex.ready();
  });
  app.addHook('onClose', async () => {
    await deploymentIndex.settled();
    await filling;
  });
  const context: FeatureContext = {
    db: handle.db,
    publicUrl,
    campaigns: {
      publicUrl,
      actions,
      guard,
      pow,
      perAddressWithoutProofPerMinute: options.campaigns?.perAddressWithoutProofPerMinute,
      perAddressPerMinute: options.campaigns?.perAddressPerMinute,
      perDomainPerMinute: options.campaigns?.perDomainPerMinute,
      sharedCounters: options.sharedCounters,
    },
    operators: {
      operators: new Operators(handle.db),
      guard,
      crypto,
      secureCookies: publicUrl.startsWith('https:'),
      sharedCounters: options.sharedCounters,
    },
    forms: { guard, pow, sharedCounters: options.sharedCounters },
    reports,
    watchers,
    deployments: { index: deploymentIndex, records: deploymentRecords },
  };
  // Every feature, each one plugin (features/features.ts).
  for (const feature of FEATURES) await app.register(feature, context);
  return app;
}

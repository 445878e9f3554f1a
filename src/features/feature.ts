import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { CampaignPageDeps } from './campaigns/campaign.page';
import type { OperatorDeps } from './operators/operator.pages';
import type { Reports } from './reports/reports.service';
import type { Watchers } from './watchers/watchers.service';
import type { DeploymentIndex } from './deployments/deployment-index';
import type { DeploymentJson } from './deployments/deployment-json';
import type { FormGuard } from '#src/http/forms';
import type { SharedCounterStore } from '#src/http/rate-limit';
import type { ProofOfWork } from '#src/security/proof-of-work';

/** What every feature is given: the database, the site's address, and the services built once for the app. */
export interface FeatureContext {
  readonly db: Kysely<Database>;
  /** The site's address for links in emails and feeds. */
  readonly publicUrl: string;
  readonly campaigns: CampaignPageDeps;
  readonly operators: OperatorDeps;
  /** What every public form shares: the CSRF guard and honeypot, the proof of work, counts across processes. */
  readonly forms: {
    readonly guard: FormGuard;
    readonly pow: ProofOfWork;
    readonly sharedCounters?: SharedCounterStore | null;
  };
  readonly reports: Reports;
  readonly watchers: Watchers;
  /** The deployments held in memory, and their records as JSON, for list questions never asked before. */
  readonly deployments: { readonly index: DeploymentIndex; readonly records: DeploymentJson };
}

/**
 * A feature: one Fastify plugin that registers its API routes and pages. Registered in order by
 * `features/features.ts`; each runs in its own encapsulated context, so hooks it adds touch only its routes.
 */
export type Feature = FastifyPluginAsync<FeatureContext>;

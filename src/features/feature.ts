import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { CampaignPageDeps } from './campaigns/campaign.page';
import type { OperatorDeps } from './operators/operator.pages';

/** What every feature is given: the database, the site's address, and the services built once for the app. */
export interface FeatureContext {
  readonly db: Kysely<Database>;
  /** The site's address for links in emails and feeds. */
  readonly publicUrl: string;
  readonly campaigns: CampaignPageDeps;
  readonly operators: OperatorDeps;
}

/**
 * A feature: one Fastify plugin that registers its API routes and pages. Registered in order by
 * `features/features.ts`; each runs in its own encapsulated context, so hooks it adds touch only its routes.
 */
export type Feature = FastifyPluginAsync<FeatureContext>;

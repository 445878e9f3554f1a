import type { DatabaseHandle } from '#src/storage/dialect';
import { migrateToLatest } from '#src/storage/migrate';
import { refreshPlannerStatistics } from '#src/storage/planner-statistics';
import { seedTechnologies } from '#src/features/technologies/technologies.repository';
import { syncCampaigns } from '#src/features/campaigns/default-campaigns';
import { registerBundledSources } from '#src/sync/data-sources.repository';

/**
 * Migrates the schema, seeds the technologies, the shipped campaigns and the bundled sources, and brings
 * the query planner's statistics up to date. Idempotent.
 */
export async function prepareDatabase(handle: DatabaseHandle): Promise<string[]> {
  const applied = await migrateToLatest(handle);
  await seedTechnologies(handle.db);
  await syncCampaigns(handle.db);
  await registerBundledSources(handle.db, new Date().toISOString());
  await refreshPlannerStatistics(handle.db);
  return applied;
}

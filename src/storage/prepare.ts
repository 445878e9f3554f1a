import type { DatabaseHandle } from './dialect';
import { migrateToLatest } from './migrate';
import { seedTechnologies } from '#src/features/technologies/technologies.repository';
import { syncCampaigns } from '#src/features/campaigns/default-campaigns';

/** Migrates the schema and seeds the controlled vocabularies and the shipped campaigns. Idempotent. */
export async function prepareDatabase(handle: DatabaseHandle): Promise<string[]> {
  const applied = await migrateToLatest(handle);
  await seedTechnologies(handle.db);
  await syncCampaigns(handle.db);
  return applied;
}

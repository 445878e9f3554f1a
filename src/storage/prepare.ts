import type { DatabaseHandle } from './dialect';
import { migrateToLatest } from './migrate';
import { syncTechnologies } from '#src/features/technologies/technologies.repository';

/** Migrates the schema and seeds the controlled vocabularies. Idempotent. */
export async function prepareDatabase(handle: DatabaseHandle): Promise<string[]> {
  const applied = await migrateToLatest(handle);
  await syncTechnologies(handle.db);
  return applied;
}

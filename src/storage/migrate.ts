import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './dialect';
import * as evidenceModel from './migrations/0001-evidence-model';
import * as search from './migrations/0002-search';
import * as campaigns from './migrations/0003-campaigns';
import * as deliveries from './migrations/0004-deliveries';
import * as operators from './migrations/0005-operators';
import * as campaignPrompts from './migrations/0006-campaign-prompts';
import * as dataTruth from './migrations/0007-data-truth';
import * as livingData from './migrations/0008-living-data';
import * as instances from './migrations/0009-instances';
import * as spatial from './migrations/0010-spatial';
import * as pageKeys from './migrations/0011-page-keys';
import * as operatorRoles from './migrations/0012-operator-roles';
import * as reportsAndWatchers from './migrations/0013-reports-and-watchers';

/** Every migration, in order. Each receives the dialect so one file serves both databases. */
const MIGRATIONS: Record<string, { up: typeof evidenceModel.up }> = {
  '0001-evidence-model': evidenceModel,
  '0002-search': search,
  '0003-campaigns': campaigns,
  '0004-deliveries': deliveries,
  '0005-operators': operators,
  '0006-campaign-prompts': campaignPrompts,
  '0007-data-truth': dataTruth,
  '0008-living-data': livingData,
  '0009-instances': instances,
  '0010-spatial': spatial,
  '0011-page-keys': pageKeys,
  '0012-operator-roles': operatorRoles,
  '0013-reports-and-watchers': reportsAndWatchers,
};

/** Brings the schema up to date; returns the names of the migrations it applied. Throws on failure. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (db) => m.up(db, handle.dialect) };
  }
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Living data: an open vocabulary of technologies, sources that sync, a public change history, and
 * officials who are current or not.
 *
 * - Technologies keep their other spellings (synonyms) and whether an editor has reviewed them: a value
 *   never seen before creates an unreviewed technology instead of rejecting its row.
 * - `data_sources` is the registry of every dataset the app knows (bundled or added by an operator): its
 *   kind, where it is fetched from, its licence, how its as-of date is found, its sync schedule, and what
 *   the last fetch saw (ETag, Last-Modified, SHA-256, the raw file kept).
 * - `changes` is the public change history: one entry per change of a record (or one per dataset for a
 *   first load), with the place, state, agency and technology it concerns, and its evidence.
 * - Import runs say which source they read and whether they were a first load.
 * - A deployment a source no longer lists keeps its status, with the day and the source (`unlisted_on/by`).
 * - Officials are current or not, with the day a newer source showed they left, and every listing of
 *   them by a source (`official_listings`). `ocd_divisions` maps Open Civic Data division ids to places.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';

  await db.schema.alterTable('deployments').addColumn('unlisted_on', 'text').execute();
  await db.schema.alterTable('deployments').addColumn('unlisted_by', 'text').execute();

  await db.schema
    .alterTable('technologies')
    .addColumn('synonyms', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('technologies')
    .addColumn('reviewed', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('technologies').addColumn('created_at', 'text').execute();

  await db.schema
    .createTable('data_sources')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('licence', 'text', (c) => c.notNull())
    .addColumn('as_of_rule', 'text', (c) => c.notNull())
    .addColumn('bundled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('schedule_hours', 'integer')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('sha256', 'text')
    .addColumn('raw_path', 'text')
    .addColumn('as_of', 'text')
    .addColumn('as_of_precision', 'text')
    .addColumn('fetched_at', 'text')
    .addColumn('checked_at', 'text')
    .addColumn('last_run_id', 'text')
    .addColumn('last_outcome', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // A run's change entries are read from its revisions.
  await db.schema.createIndex('revisions_actor').on('revisions').columns(['actor', 'id']).execute();
  await db.schema.alterTable('import_runs').addColumn('source_name', 'text').execute();
  await db.schema
    .alterTable('import_runs')
    .addColumn('first_load', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // What each source's rows looked like when last imported: an unchanged row is skipped on the next import.
  await db.schema
    .createTable('row_fingerprints')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('dataset', text, (c) => c.notNull())
    .addColumn('row_key', text, (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('row_fingerprints_dataset')
    .on('row_fingerprints')
    .columns(['dataset', 'row_key'])
    .execute();

  await db.schema
    .createTable('changes')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', text, (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('state_code', 'text')
    .addColumn('place_id', text)
    .addColumn('agency_id', text)
    .addColumn('technology_slug', text)
    .addColumn('run_id', 'text')
    .addColumn('source_name', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('fields', 'text')
    .execute();
  for (const column of ['entity_id', 'state_code', 'place_id', 'agency_id', 'technology_slug', 'occurred_at']) {
    await db.schema.createIndex(`changes_${column}`).on('changes').columns([column, 'id']).execute();
  }

  await db.schema
    .alterTable('officials')
    .addColumn('current', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('officials').addColumn('ended_on', 'text').execute();
  await db.schema.alterTable('officials').addColumn('started_on', 'text').execute();
  await db.schema.alterTable('officials').addColumn('ocd_id', 'text').execute();
  await db.schema
    .createTable('ocd_divisions')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('place_id', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('official_listings')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('official_id', text, (c) => c.notNull())
    .addColumn('dataset', text, (c) => c.notNull())
    .addColumn('as_of', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('term_ends_on', 'text')
    .execute();
  await db.schema.createIndex('official_listings_official').on('official_listings').column('official_id').execute();
}

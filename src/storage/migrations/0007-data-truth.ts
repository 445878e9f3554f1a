import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Dates with meaning and precision, agencies placed and matched by county, policies as they are.
 *
 * - Every date keeps its precision (day, month, year) beside its first day.
 * - A deployment's evidence says what its date means (a transition, a dated document, a dataset's
 *   listing as of a date) and how much it counts; a deployment keeps when it started, when it was first
 *   documented and when it was last seen, and the span it is known to have been in use.
 * - Agencies keep the counties they serve, their level (city, county, state, …) and any doubt about
 *   their place; merged agencies leave redirects.
 * - Policies keep the body that made them, their scope, and dated events of their own status.
 * - Technologies have dated context events (what changed what a status means), each cited.
 * - Import runs keep their as-of date.
 *
 * The evidence imported under the old meaning of dates is removed, together with its history, and the
 * bundled data is loaded again on the next start: an old "started" date cannot be told apart from a
 * document's date after the fact. Places, officials, campaigns, supporters and operators are kept.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';

  const tables = [
    'deployment_vendors',
    'deployment_events',
    'citations',
    'deployments',
    'policy_technologies',
    'policy_events',
    'policies',
    'agency_aliases',
    'agencies',
    'sources',
    'vendors',
  ];
  for (const table of tables) await db.deleteFrom(table).execute();
  const evidence = [
    'deployment',
    'deployment_event',
    'deployment_vendor',
    'citation',
    'agency',
    'agency_alias',
    'policy',
    'policy_event',
    'policy_technology',
    'source',
    'vendor',
  ];
  await db.deleteFrom('origins').where('entity_type', 'in', ['deployment', 'agency', 'policy']).execute();
  await db.deleteFrom('revisions').where('entity_type', 'in', evidence).execute();
  await db
    .deleteFrom('import_runs')
    .where('kind', 'not in', ['census-states', 'census-counties', 'census-places', 'uscm-mayors'])
    .execute();
  await db.deleteFrom('meta').where('key', '=', 'bundled_data').execute();
  await db.deleteFrom('deployment_search').execute();
  // An independent city ("St. Louis city") is no longer found under its county namesake's name ("saint louis").
  await db
    .deleteFrom('place_aliases')
    .where('kind', '=', 'county')
    .where(
      'place_id',
      'in',
      db
        .selectFrom('places')
        .select('id')
        .where('kind', '=', 'county')
        .where(sql`lower(full_name)`, 'like', '% city'),
    )
    .where('name_key', 'not like', '% city')
    .execute();

  await db.schema.alterTable('deployments').renameColumn('last_verified_on', 'last_seen_on').execute();
  for (const column of [
    'started_precision',
    'first_documented_on',
    'first_documented_precision',
    'last_seen_precision',
    'ended_precision',
    'active_from',
    'active_until',
  ]) {
    await db.schema.alterTable('deployments').addColumn(column, 'text').execute();
  }
  await db.schema
    .createIndex('deployments_technology_active')
    .on('deployments')
    .columns(['technology_slug', 'active_from'])
    .execute();

  await db.schema
    .alterTable('deployment_events')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('transition'))
    .execute();
  await db.schema
    .alterTable('deployment_events')
    .addColumn('standing', 'text', (c) => c.notNull().defaultTo('reported'))
    .execute();
  await db.schema.alterTable('deployment_events').addColumn('precision', 'text').execute();
  await db.schema.alterTable('deployment_events').addColumn('as_of', 'text').execute();
  await db.schema.alterTable('citations').addColumn('cited_precision', 'text').execute();

  await db.schema.alterTable('agencies').addColumn('county_geoids', 'text').execute();
  await db.schema.alterTable('agencies').addColumn('level', 'text').execute();
  await db.schema.alterTable('agencies').addColumn('placement_issue', 'text').execute();

  await db.schema
    .createTable('redirects')
    .addColumn('entity_type', text, (c) => c.notNull())
    .addColumn('from_id', text, (c) => c.notNull())
    .addColumn('to_id', text, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('redirects_pk', ['entity_type', 'from_id'])
    .execute();

  for (const column of ['status_precision', 'level', 'body', 'scope', 'scope_note', 'described_by']) {
    await db.schema.alterTable('policies').addColumn(column, 'text').execute();
  }
  await db.schema
    .alterTable('policy_events')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('transition'))
    .execute();
  await db.schema.alterTable('policy_events').addColumn('precision', 'text').execute();
  await db.schema.alterTable('policy_events').addColumn('note', 'text').execute();

  await db.schema
    .createTable('technology_events')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('technology_slug', text, (c) => c.notNull().references('technologies.slug'))
    .addColumn('occurred_on', 'text', (c) => c.notNull())
    .addColumn('precision', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('technology_events_technology')
    .on('technology_events')
    .columns(['technology_slug', 'occurred_on'])
    .execute();

  await db.schema.alterTable('import_runs').addColumn('as_of', 'text').execute();
  await db.schema.alterTable('import_runs').addColumn('as_of_precision', 'text').execute();
}

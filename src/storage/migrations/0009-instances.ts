import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';
import { textWords } from '../search-index';

/**
 * Several server processes on one database:
 * - `job_leases`: a background job (digests, reminders, retention, mail retries, syncs) runs only in the
 *   process that claims its lease; a lease that is not given back (a process killed mid-job) expires.
 * - `rate_limit_counts`: request counts per limit, client (a keyed hash, never the address) and window,
 *   shared by the processes; `spent_challenges`: the proof-of-work challenges already used, by any process.
 * - `deliveries.outbox_id`: the outbox copy of each digest, so that a supporter who withdraws is also
 *   removed from the copies of the digests that carried their name or letter.
 * - Places are found by the start of their name through an index on the lower-case name (a range, not a
 *   scan of every place); agencies by the words of their name, through a full-text index of the names of
 *   the agencies that have deployments (`agency_search`, kept with `deployment_search`).
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema
    .createTable('job_leases')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('holder', 'text')
    // Milliseconds since the epoch: until then no other process may start the job.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_started_at', 'text')
    .addColumn('last_finished_at', 'text')
    .addColumn('last_outcome', 'text')
    .execute();
  await db.schema
    .createTable('rate_limit_counts')
    .addColumn('bucket', text, (c) => c.notNull())
    .addColumn('client', text, (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counts_pk', ['bucket', 'client', 'window_start'])
    .execute();
  await db.schema
    .createTable('spent_challenges')
    .addColumn('challenge', text, (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('deliveries').addColumn('outbox_id', 'text').execute();
  await db.schema
    .createIndex('places_lower_name')
    .on('places')
    .expression(sql`lower(name)`)
    .execute();
  await db.schema
    .createIndex('places_lower_full_name')
    .on('places')
    .expression(sql`lower(full_name)`)
    .execute();
  if (dialect === 'sqlite') {
    await sql`create virtual table agency_search using fts5(agency_id unindexed, body, tokenize = 'unicode61 \
remove_diacritics 2')`.execute(db);
  } else {
    await sql`create table agency_search (
      agency_id text collate "C" primary key,
      body text not null,
      tsv tsvector generated always as (to_tsvector('simple', body)) stored
    )`.execute(db);
    await sql`create index agency_search_tsv on agency_search using gin (tsv)`.execute(db);
  }
  const agencies = await db
    .selectFrom('agencies as a')
    .select(['a.id', 'a.name'])
    .where('a.id', 'in', db.selectFrom('deployments').select('agency_id'))
    .execute();
  for (let i = 0; i < agencies.length; i += 500) {
    const rows = agencies
      .slice(i, i + 500)
      .map((a: { id: string; name: string }) => ({ agency_id: a.id, body: textWords(a.name).join(' ') }));
    await db.insertInto('agency_search').values(rows).execute();
  }
}

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/** Full-text search over deployments: SQLite FTS5, PostgreSQL tsvector with a GIN index. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create virtual table deployment_search using fts5(deployment_id unindexed, body, tokenize = 'unicode61 \
remove_diacritics 2')`.execute(db);
    return;
  }
  await sql`create table deployment_search (
    deployment_id text collate "C" primary key,
    body text not null,
    tsv tsvector generated always as (to_tsvector('simple', body)) stored
  )`.execute(db);
  await sql`create index deployment_search_tsv on deployment_search using gin (tsv)`.execute(db);
}

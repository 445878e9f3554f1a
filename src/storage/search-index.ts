import { SqliteAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import { bulkRowsFor } from './bulk-writes';

/** The words of a text as both databases index them: runs of letters and digits, lower-case, without accents. */
export function textWords(text: string): string[] {
  return (
    foldAccents(text)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The words of a search (at most 20); empty when the text holds no word. */
export function searchWords(text: string): string[] {
  return textWords(text).slice(0, 20);
}

function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * A subquery of the ids of deployments whose text holds every word (FTS5 MATCH / tsquery); with
 * `prefixLast`, the last word may be the start of a word (search as you type).
 */
export function deploymentsMatching(
  db: Kysely<any>,
  words: readonly string[],
  options: { prefixLast?: boolean } = {},
): RawBuilder<unknown> {
  return matching(db, 'deployment', words, options);
}

/** A subquery of the ids of agencies (with deployments) whose name holds every word; see `deploymentsMatching`. */
export function agenciesMatching(
  db: Kysely<any>,
  words: readonly string[],
  options: { prefixLast?: boolean } = {},
): RawBuilder<unknown> {
  return matching(db, 'agency', words, options);
}

function matching(
  db: Kysely<any>,
  subject: 'deployment' | 'agency',
  words: readonly string[],
  options: { prefixLast?: boolean },
): RawBuilder<unknown> {
  const last = words.length - 1;
  const table = sql.table(`${subject}_search`);
  const id = sql.ref(`${subject}_id`);
  if (isSqlite(db)) {
    const match = words.map((w, i) => (options.prefixLast && i === last ? `"${w}"*` : `"${w}"`)).join(' ');
    return sql`(select ${id} from ${table} where ${table} match ${match})`;
  }
  const query = words.map((w, i) => (options.prefixLast && i === last ? `${w}:*` : w)).join(' & ');
  return sql`(select ${id} from ${table} where tsv @@ to_tsquery('simple', ${query}))`;
}

/** How many deployments' text holds every word, counted up to `cap` (a search page says "1,000 or more"). */
export async function countMatchingDeployments(
  db: Kysely<any>,
  words: readonly string[],
  cap: number,
): Promise<number> {
  const { rows } = await sql<{
    n: number | string;
  }>`select count(*) as n from (select 1 from ${deploymentsMatching(db, words)} as m limit ${cap}) as capped`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Rebuilds the search text of every deployment (agency, place, state, technology, vendors, summary and
 * the publishers and titles of its sources) and the names of the agencies with deployments. Runs after
 * an import that changed much.
 */
export async function rebuildSearchIndex(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await emptySearchIndex(trx, 'deployment_search');
    await emptySearchIndex(trx, 'agency_search');
    const bulk = bulkRowsFor(db, trx);
    let after = '';
    while (true) {
      const ids = await writeSearchDocuments(trx, bulk, (q) => q.where('d.id', '>', after).orderBy('d.id').limit(2000));
      if (ids.length === 0) break;
      after = ids.at(-1)!;
    }
    after = '';
    while (true) {
      const ids = await writeAgencyDocuments(trx, bulk, (q) => q.where('a.id', '>', after).orderBy('a.id').limit(2000));
      if (ids.length === 0) return;
      after = ids.at(-1)!;
    }
  });
}

/** Writes the search text of these deployments again (after an import that changed a few). */
export async function updateSearchIndex(db: Kysely<any>, deploymentIds: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const bulk = bulkRowsFor(db, trx);
    for (let i = 0; i < deploymentIds.length; i += 500) {
      const chunk = deploymentIds.slice(i, i + 500);
      await trx.deleteFrom('deployment_search').where('deployment_id', 'in', chunk).execute();
      await writeSearchDocuments(trx, bulk, (q) => q.where('d.id', 'in', chunk));
      const agencies = (
        await trx.selectFrom('deployments').select('agency_id').distinct().where('id', 'in', chunk).execute()
      ).map((r: { agency_id: string }) => r.agency_id);
      if (agencies.length === 0) continue;
      await trx.deleteFrom('agency_search').where('agency_id', 'in', agencies).execute();
      await writeAgencyDocuments(trx, bulk, (q) => q.where('a.id', 'in', agencies));
    }
  });
}

/** Inserts the name documents of the agencies `filter` selects that have deployments; returns their ids. */
async function writeAgencyDocuments(
  trx: Kysely<any>,
  bulk: ReturnType<typeof bulkRowsFor>,
  filter: (query: any) => any,
): Promise<string[]> {
  const rows: Array<{ id: string; name: string }> = await filter(
    trx
      .selectFrom('agencies as a')
      .select(['a.id', 'a.name'])
      .where(({ exists, selectFrom }: any) =>
        exists(selectFrom('deployments as d').select('d.id').whereRef('d.agency_id', '=', 'a.id')),
      ),
  ).execute();
  if (rows.length === 0) return [];
  await bulk.insert(
    'agency_search',
    rows.map((r) => ({ agency_id: r.id, body: textWords(r.name).join(' ') })),
  );
  return rows.map((r) => r.id);
}

/** Inserts the search documents of the deployments `filter` selects; returns their ids. */
async function writeSearchDocuments(
  trx: Kysely<any>,
  bulk: ReturnType<typeof bulkRowsFor>,
  filter: (query: any) => any,
): Promise<string[]> {
  const rows = await filter(
    trx
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .leftJoin('places as p', 'p.id', 'a.place_id')
      .leftJoin('technologies as t', 't.slug', 'd.technology_slug')
      .select(['d.id', 'a.name as agency', 'p.name as place', 'a.state_code', 't.name as technology', 'd.summary']),
  ).execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r: { id: string }) => r.id);
  const [vendors, sources] = await Promise.all([
    trx
      .selectFrom('deployment_vendors as dv')
      .innerJoin('vendors as v', 'v.id', 'dv.vendor_id')
      .select(['dv.deployment_id', 'v.name'])
      .where('dv.deployment_id', 'in', ids)
      .execute(),
    trx
      .selectFrom('citations as c')
      .innerJoin('sources as s', 's.id', 'c.source_id')
      .select(['c.subject_id', 's.publisher', 's.title'])
      .where('c.subject_type', '=', 'deployment')
      .where('c.subject_id', 'in', ids)
      .execute(),
  ]);
  const extra = new Map<string, string[]>();
  for (const v of vendors) extra.set(v.deployment_id, [...(extra.get(v.deployment_id) ?? []), v.name]);
  for (const s of sources)
    extra.set(s.subject_id, [...(extra.get(s.subject_id) ?? []), s.publisher ?? '', s.title ?? '']);
  const docs = rows.map((r: Record<string, string | null>) => ({
    deployment_id: r.id,
    // Stored as the words themselves, so that FTS5 and PostgreSQL (whose parser would keep
    // "boston.com" as one token) index exactly the same words.
    body: textWords(
      [r.agency, r.place, r.state_code, r.technology, r.summary, ...(extra.get(r.id as string) ?? [])]
        .filter(Boolean)
        .join(' '),
    ).join(' '),
  }));
  await bulk.insert('deployment_search', docs);
  return ids;
}

/**
 * Deletes every search document. FTS5 deletes row by row (1.5 s for 100k documents), so on SQLite the
 * table is dropped and made again from its own stored definition, which takes milliseconds.
 */
async function emptySearchIndex(trx: Kysely<any>, table: 'deployment_search' | 'agency_search'): Promise<void> {
  if (!isSqlite(trx)) {
    await trx.deleteFrom(table).execute();
    return;
  }
  const { rows } = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(trx);
  await sql`drop table ${sql.table(table)}`.execute(trx);
  await sql.raw(rows[0]!.sql).execute(trx);
}

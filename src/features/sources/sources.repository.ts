import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';

export interface CitedSource {
  url: string;
  publisher: string | null;
  kind: string;
  archive_url: string | null;
  /** The date the citing dataset gives for this source (e.g. Ring's "Active Date"). */
  cited_on: string | null;
}

/** The sources cited by each of the given deployments or policies, by subject id, in URL order. */
export async function findCitedSources(
  db: Kysely<Database>,
  subjectType: 'deployment' | 'policy',
  ids: readonly string[],
): Promise<Map<string, CitedSource[]>> {
  const bySubject = new Map<string, CitedSource[]>();
  if (ids.length === 0) return bySubject;
  const rows = await db
    .selectFrom('citations as c')
    .innerJoin('sources as s', 's.id', 'c.source_id')
    .select(['c.subject_id', 's.url', 's.publisher', 's.kind', 's.archive_url', 'c.cited_on'])
    .where('c.subject_type', '=', subjectType)
    .where('c.subject_id', 'in', ids)
    .orderBy('c.subject_id')
    .orderBy('s.url')
    .execute();
  for (const r of rows) {
    const list = bySubject.get(r.subject_id) ?? [];
    list.push({ url: r.url, publisher: r.publisher ?? null, kind: r.kind, archive_url: r.archive_url ?? null, cited_on: r.cited_on ?? null });
    bySubject.set(r.subject_id, list);
  }
  return bySubject;
}

/** Groups rows by one of their fields, keeping their order. */
export function groupBy<T, K extends keyof T>(rows: readonly T[], key: K): Map<T[K], T[]> {
  const groups = new Map<T[K], T[]>();
  for (const row of rows) {
    const list = groups.get(row[key]) ?? [];
    list.push(row);
    groups.set(row[key], list);
  }
  return groups;
}

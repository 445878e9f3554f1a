import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { DatePrecision } from '#src/domain/dates';
import { apiDate, apiPrecision } from '#src/http/dates.schema';

export interface CitedSource {
  url: string;
  publisher: string | null;
  kind: string;
  archive_url: string | null;
  /** The date of the cited document, at its precision ("2019", "2019-07-26"). */
  cited_on: string | null;
  cited_precision: DatePrecision | null;
}

/** The sources cited by each of the given deployments, policies or officials, by subject id, in URL order. */
export async function findCitedSources(
  db: Kysely<Database>,
  subjectType: 'deployment' | 'policy' | 'official' | 'technology_event',
  ids: readonly string[],
): Promise<Map<string, CitedSource[]>> {
  const bySubject = new Map<string, CitedSource[]>();
  if (ids.length === 0) return bySubject;
  const rows = await db
    .selectFrom('citations as c')
    .innerJoin('sources as s', 's.id', 'c.source_id')
    .select(['c.subject_id', 's.url', 's.publisher', 's.kind', 's.archive_url', 'c.cited_on', 'c.cited_precision'])
    .where('c.subject_type', '=', subjectType)
    .where('c.subject_id', 'in', ids)
    .orderBy('c.subject_id')
    .orderBy('s.url')
    .execute();
  for (const r of rows) {
    const list = bySubject.get(r.subject_id) ?? [];
    list.push({
      url: r.url,
      publisher: r.publisher ?? null,
      kind: r.kind,
      archive_url: r.archive_url ?? null,
      cited_on: apiDate(r.cited_on, r.cited_precision),
      cited_precision: apiPrecision(r.cited_on, r.cited_precision),
    });
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

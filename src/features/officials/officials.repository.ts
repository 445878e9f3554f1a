import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from '#src/features/places/place-record';

export interface OfficialRecord {
  id: string;
  role: string;
  name: string;
  jurisdiction: string;
  state: string;
  place: PlaceRecord | null;
  email: string | null;
  phone: string | null;
  website_url: string | null;
  bio_url: string | null;
  source_url: string | null;
  verified_on: string | null;
  /** Whether the newest source that lists this office lists this person in it. */
  current: boolean;
  /** The as-of date of the first source that showed someone else in the office. */
  ended_on: string | null;
  started_on: string | null;
}

export interface OfficialListing {
  /** The source (dataset) that lists them. */
  source: string;
  as_of: string;
  /** `current`: listed in office; `retired`: listed as having left (a reason to re-verify, not proof). */
  status: string;
  source_url: string | null;
  term_ends_on: string | null;
}

/** Every source's listing of these officials, newest first. */
export async function findOfficialListings(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, OfficialListing[]>> {
  const byOfficial = new Map<string, OfficialListing[]>();
  if (ids.length === 0) return byOfficial;
  const rows = await db
    .selectFrom('official_listings')
    .selectAll()
    .where('official_id', 'in', [...ids])
    .orderBy('as_of', 'desc')
    .orderBy('dataset')
    .execute();
  for (const r of rows) {
    byOfficial.set(r.official_id, [
      ...(byOfficial.get(r.official_id) ?? []),
      { source: r.dataset, as_of: r.as_of, status: r.status, source_url: r.source_url, term_ends_on: r.term_ends_on },
    ]);
  }
  return byOfficial;
}

/** Why a current official's contact should be checked again, in words; null when nothing says so. */
export function reverifyReason(
  o: { current: boolean; verified_on: string | null },
  listings: readonly OfficialListing[],
): string | null {
  if (!o.current) return null;
  const retired = listings.find((l) => l.status === 'retired');
  if (retired)
    return `${retired.source} lists this role as ended${retired.term_ends_on ? ` on ${retired.term_ends_on}` : ''} (as \
of ${retired.as_of}); that may be one term of several.`;
  const ended = listings.find((l) => l.status === 'current' && l.term_ends_on !== null && l.term_ends_on < l.as_of);
  if (ended)
    return `${ended.source} gives the term's end as ${ended.term_ends_on}, before its own date (${ended.as_of}).`;
  return null;
}

/** Every official in id order, a page at a time. */
export async function* iterateOfficials(db: Kysely<Database>, pageSize = 1000): AsyncGenerator<OfficialRecord> {
  let after = '';
  while (true) {
    const rows = await officialQuery(db).where('o.id', '>', after).orderBy('o.id').limit(pageSize).execute();
    if (rows.length === 0) return;
    for (const r of rows) yield toOfficialRecord(r);
    after = rows.at(-1)!.id;
  }
}

/** Officials with their place, ready for `toOfficialRecord`. Campaigns address only `current` ones. */
export function officialQuery(db: Kysely<Database>) {
  return db
    .selectFrom('officials as o')
    .leftJoin('places as p', 'p.id', 'o.place_id')
    .select([
      'o.id',
      'o.role',
      'o.name',
      'o.jurisdiction',
      'o.state_code',
      'o.email',
      'o.phone',
      'o.website_url',
      'o.bio_url',
      'o.source_url',
      'o.verified_on',
      'o.current',
      'o.ended_on',
      'o.started_on',
      ...PLACE_COLUMNS,
    ]);
}

export function toOfficialRecord(r: Record<string, any>): OfficialRecord {
  return {
    id: r.id,
    role: r.role,
    name: r.name,
    jurisdiction: r.jurisdiction,
    state: r.state_code,
    place: toPlaceRecord(r),
    email: r.email ?? null,
    phone: r.phone ?? null,
    website_url: r.website_url ?? null,
    bio_url: r.bio_url ?? null,
    source_url: r.source_url ?? null,
    verified_on: r.verified_on ?? null,
    current: Number(r.current ?? 1) === 1,
    ended_on: r.ended_on ?? null,
    started_on: r.started_on ?? null,
  };
}

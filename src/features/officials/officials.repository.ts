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
}

/** Every official in id order, a page at a time. */
export async function* iterateOfficials(db: Kysely<Database>, pageSize = 1000): AsyncGenerator<OfficialRecord> {
  let after = '';
  while (true) {
    const rows = await officialQuery(db)
      .where('o.id', '>', after)
      .orderBy('o.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    for (const r of rows) yield toOfficialRecord(r);
    after = rows.at(-1)!.id;
  }
}

/** Officials with their place, ready for `toOfficialRecord`. */
export function officialQuery(db: Kysely<Database>) {
  return db
    .selectFrom('officials as o')
    .leftJoin('places as p', 'p.id', 'o.place_id')
    .select(['o.id', 'o.role', 'o.name', 'o.jurisdiction', 'o.state_code', 'o.email', 'o.phone', 'o.website_url', 'o.bio_url', 'o.source_url', 'o.verified_on', ...PLACE_COLUMNS]);
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
  };
}

/** Contacts not verified for this long are flagged as stale wherever they are shown. */
export const STALE_AFTER_DAYS = 365;

export function isStale(verifiedOn: string | null, today = new Date()): boolean {
  if (!verifiedOn) return true;
  return today.getTime() - Date.parse(`${verifiedOn}T00:00:00Z`) > STALE_AFTER_DAYS * 86_400_000;
}

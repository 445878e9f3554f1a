import { createRequire } from 'node:module';
import { sql, type Kysely } from 'kysely';
import { findStateByCode, findStateByName } from '#src/domain/states';
import type { Database } from '#src/storage/schema';
import { agenciesMatching, searchWords } from '#src/storage/search-index';
import { PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from '#src/features/places/place-record';

export interface ZipMatch {
  zip: string;
  city: string;
  state: string;
  lat: number;
  lon: number;
}

type ZipcodesModule = {
  lookup(
    zip: string,
  ): { zip: string; city: string; state: string; latitude: number; longitude: number; country: string } | undefined;
};
let zipcodes: ZipcodesModule | null = null;

/** A US ZIP code's city, state and centre (the `zipcodes` package's table, loaded on first use: ~90 MB). */
export function lookupZip(zip: string): ZipMatch | null {
  zipcodes ??= createRequire(import.meta.url)('zipcodes') as ZipcodesModule;
  const hit = zipcodes.lookup(zip);
  if (!hit || hit.country !== 'US') return null;
  return { zip: hit.zip, city: hit.city, state: hit.state, lat: hit.latitude, lon: hit.longitude };
}

/** "Cambridge, MA" or "Cambridge Massachusetts" → name "cambridge" and state MA. */
export function splitPlaceQuery(text: string): { name: string; state: string | null } {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const comma = trimmed.match(/^(.*?),\s*([^,]+)$/);
  if (comma) {
    const state = findStateByCode(comma[2]!) ?? findStateByName(comma[2]!);
    if (state) return { name: comma[1]!.toLowerCase(), state: state.code };
  }
  const code = trimmed.match(/^(.*)\s([A-Za-z]{2})$/);
  if (code && findStateByCode(code[2]!)) return { name: code[1]!.toLowerCase(), state: code[2]!.toUpperCase() };
  return { name: trimmed.toLowerCase(), state: null };
}

/** Places whose name starts with the text (states, then counties, then towns, larger first). */
export async function searchPlaces(db: Kysely<Database>, text: string, limit = 20): Promise<PlaceRecord[]> {
  const { name, state } = splitPlaceQuery(text);
  if (!name) return [];
  // A range over the index of lower-case names ("bost" ≤ name < "bost" followed by the last character
  // there is), never a scan of every place.
  const end = `${name}\u{10ffff}`;
  let query = db
    .selectFrom('places as p')
    .select([...PLACE_COLUMNS])
    .where((eb) =>
      eb.or([
        eb.and([eb(sql`lower(p.name)`, '>=', name), eb(sql`lower(p.name)`, '<', end)]),
        eb.and([eb(sql`lower(p.full_name)`, '>=', name), eb(sql`lower(p.full_name)`, '<', end)]),
      ]),
    );
  if (state) query = query.where('p.state_code', '=', state);
  const rows = await query
    .orderBy(sql`case when lower(p.name) = ${name} then 0 else 1 end`)
    .orderBy(sql`case p.kind when 'state' then 0 when 'city' then 1 else 2 end`)
    .orderBy(sql`coalesce(p.population, 0)`, 'desc')
    .orderBy('p.id')
    .limit(limit)
    .execute();
  return rows.map((r) => toPlaceRecord(r)!);
}

/** Towns within `km` of a point, nearest first (for a ZIP code that spans several). */
export async function placesNear(
  db: Kysely<Database>,
  lat: number,
  lon: number,
  km: number,
  limit = 8,
): Promise<PlaceRecord[]> {
  const dLat = km / 111;
  const dLon = km / (111 * Math.cos((lat * Math.PI) / 180));
  const rows = await db
    .selectFrom('places as p')
    .select([...PLACE_COLUMNS])
    .where('p.kind', '=', 'city')
    .where('p.lat', '>=', lat - dLat)
    .where('p.lat', '<=', lat + dLat)
    .where('p.lon', '>=', lon - dLon)
    .where('p.lon', '<=', lon + dLon)
    .execute();
  const distance = (p: PlaceRecord) => (p.lat! - lat) ** 2 + ((p.lon! - lon) * Math.cos((lat * Math.PI) / 180)) ** 2;
  return rows
    .map((r) => toPlaceRecord(r)!)
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, limit);
}

/**
 * The towns a ZIP code may mean: the one it is named after, then those within 8 km of its centre, nearest
 * first (a ZIP code can span several; the person picks).
 */
export async function townsOfZip(db: Kysely<Database>, zip: ZipMatch): Promise<PlaceRecord[]> {
  const [named, nearby] = await Promise.all([
    searchPlaces(db, `${zip.city}, ${zip.state}`, 5),
    placesNear(db, zip.lat, zip.lon, 8),
  ]);
  return [...named.filter((p) => p.kind === 'city'), ...nearby].filter(
    (p, i, all) => all.findIndex((x) => x.id === p.id) === i,
  );
}

/**
 * Agencies with deployments whose name holds every word of the text (the last word may be the start of
 * one: "bost" finds Boston), through the full-text index of agency names.
 */
export async function searchAgencies(db: Kysely<Database>, text: string, limit = 20) {
  const { name, state } = splitPlaceQuery(text);
  const words = searchWords(name);
  if (words.length === 0 || name.length < 2) return [];
  let query = db
    .selectFrom('agencies as a')
    .select(['a.id', 'a.name', 'a.state_code'])
    .where('a.id', 'in', agenciesMatching(db, words, { prefixLast: true }) as never);
  if (state) query = query.where('a.state_code', '=', state);
  return query.orderBy('a.name').orderBy('a.id').limit(limit).execute();
}

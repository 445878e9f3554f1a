/** A place as the API and exports show it. */
export interface PlaceRecord {
  id: string;
  url: string;
  kind: 'state' | 'county' | 'city';
  name: string;
  full_name: string;
  state: string;
  geoid: string | null;
  county_geoid: string | null;
  lat: number | null;
  lon: number | null;
  population: number | null;
}

/** Columns to select (joined as `p`) to build a PlaceRecord with `toPlaceRecord`. */
export const PLACE_COLUMNS = [
  'p.id as place_id',
  'p.kind as place_kind',
  'p.name as place_name',
  'p.full_name as place_full_name',
  'p.state_code as place_state',
  'p.geoid as place_geoid',
  'p.county_geoid as place_county_geoid',
  'p.lat as place_lat',
  'p.lon as place_lon',
  'p.population as place_population',
] as const;

/**
 * A place as a list names it, with its state: "Springfield, IL", "Hampden County, MA", "Massachusetts".
 * (Census names of towns carry their legal kind, "Springfield city"; lists give it apart, see `placeType`.)
 */
export function placeLabel(place: Pick<PlaceRecord, 'kind' | 'name' | 'full_name' | 'state'>): string {
  if (place.kind === 'state') return place.full_name;
  return `${place.kind === 'county' ? place.full_name : place.name}, ${place.state}`;
}

/**
 * The kind of place in words: "state", "county", or a town's legal kind from its Census name ("city", "town",
 * "village", ...).
 */
export function placeType(place: Pick<PlaceRecord, 'kind' | 'name' | 'full_name'>): string {
  if (place.kind !== 'city') return place.kind;
  const suffix = place.full_name.startsWith(place.name) ? place.full_name.slice(place.name.length).trim() : '';
  return suffix === '' ? 'city or town' : suffix;
}

export function toPlaceRecord(row: Record<string, unknown>): PlaceRecord | null {
  if (row.place_id == null) return null;
  return {
    id: row.place_id as string,
    url: `/places/${row.place_id as string}`,
    kind: row.place_kind as PlaceRecord['kind'],
    name: row.place_name as string,
    full_name: row.place_full_name as string,
    state: row.place_state as string,
    geoid: (row.place_geoid as string | null) ?? null,
    county_geoid: (row.place_county_geoid as string | null) ?? null,
    lat: numberOrNull(row.place_lat),
    lon: numberOrNull(row.place_lon),
    population: numberOrNull(row.place_population),
  };
}

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

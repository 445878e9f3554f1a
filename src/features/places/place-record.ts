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

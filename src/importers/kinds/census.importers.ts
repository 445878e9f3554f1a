import { normalizeCountyName, normalizePlaceName, slugify } from '#src/domain/names';
import { findStateByCode, findStateByFips } from '#src/domain/states';
import { countyLookup } from '#src/geo/county-lookup';
import type { BatchContext, ImportKind, ParseResult } from '../import-kind';
import { writeOrigins, originItem, upsertLinks } from '../evidence.writes';

type Values = Record<string, unknown>;

interface PlaceInput {
  readonly values: Values;
  readonly aliases: readonly string[];
  readonly key: string;
}

/** Writes places with their lookup aliases and origins. */
async function writePlaces(
  ctx: BatchContext,
  rows: ReadonlyArray<{ index: number; line: number; row: PlaceInput }>,
  mergeDuplicates?: (a: Values, b: Values) => Values,
): Promise<void> {
  let merge: ((a: Values, b: Values) => Values) | undefined;
  if (mergeDuplicates) {
    // A place described by several rows of the file is merged by a rule that ignores row order; a
    // place with one row takes that row's values, so a changed value is an update.
    const rowKeys = new Map<string, Set<string>>();
    for (const r of rows) {
      const id = String(r.row.values.id);
      rowKeys.set(id, (rowKeys.get(id) ?? new Set()).add(r.row.key));
    }
    const stored = await ctx.db
      .selectFrom('origins')
      .select(['entity_id', 'row_key'])
      .where('entity_type', '=', 'place')
      .where('dataset', '=', ctx.dataset)
      .where('entity_id', 'in', [...rowKeys.keys()])
      .execute();
    for (const o of stored) rowKeys.get(o.entity_id)?.add(o.row_key);
    merge = (a, b) => ((rowKeys.get(String(b.id))?.size ?? 1) > 1 ? mergeDuplicates(a, b) : { ...a, ...b });
  }
  await ctx.writer.upsert(
    'places',
    rows.map((r) => ({ row: r.index, values: r.row.values })),
    { entity: 'place', merge },
  );
  const aliases = rows.flatMap((r) =>
    r.row.aliases.map((name_key) => ({
      row: r.index,
      values: { place_id: r.row.values.id, state_code: r.row.values.state_code, kind: r.row.values.kind, name_key },
    })),
  );
  await upsertLinks(ctx, 'place_aliases', aliases, ['place_id', 'name_key'], 'place_alias');
  await writeOrigins(
    ctx,
    rows.map((r) => originItem(ctx, r.index, r.line, r.row.key, 'place', String(r.row.values.id))),
  );
}

function coordinate(text: string | undefined, min: number, max: number): number | null | undefined {
  const value = (text ?? '').trim();
  if (value === '' || value === 'NA') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) return undefined;
  return Math.round(n * 1e6) / 1e6;
}

const STATE_COLUMNS = ['STATE', 'STUSAB', 'STATE_NAME', 'STATENS'];

/** Census ANSI state table (`FIPS|USPS|Name|GNIS`, no header). */
export const censusStatesImporter: ImportKind<PlaceInput> = {
  name: 'census-states',
  description: 'Census ANSI state table, pipe-delimited without header: FIPS|USPS|Name|GNIS',
  shape: { format: 'delimited', delimiter: '|', requiredColumns: null, columns: STATE_COLUMNS },
  checkShape: (r) =>
    /^\d{2}$/.test(r['STATE'] ?? '') && findStateByCode(r['STUSAB'] ?? '')
      ? null
      : 'expected FIPS|USPS|Name|GNIS, e.g. 01|AL|Alabama|01779775',
  parseRow(r): ParseResult<PlaceInput> {
    const state = findStateByFips(r['STATE']!.trim());
    if (!state || state.code !== r['STUSAB']!.trim())
      return {
        ok: false,
        field: 'STATE',
        reason: `"${r['STATE']}|${r['STUSAB']}" is not a known state FIPS and USPS pair`,
      };
    return {
      ok: true,
      row: {
        key: state.fips,
        values: {
          id: state.code.toLowerCase(),
          kind: 'state',
          name: state.name,
          full_name: state.name,
          state_code: state.code,
          geoid: state.fips,
          county_geoid: null,
          lat: null,
          lon: null,
          population: null,
        },
        aliases: [normalizePlaceName(state.name), state.code.toLowerCase()],
      },
    };
  },
  rowKey: (row) => row.key,
  writeBatch: (ctx, rows) => writePlaces(ctx, rows),
};

// Cities whose government is consolidated with their county and that the places file lacks (its source
// dropped the Census's "(balance)" rows) or names otherwise ("Butte-Silver Bow"): found as their county.
const COUNTY_EQUIVALENT_CITIES: Record<string, string[]> = {
  '11001': ['washington', 'washington dc'],
  '21111': ['louisville', 'louisville jefferson county'],
  '21067': ['lexington', 'lexington fayette'],
  '47037': ['nashville', 'nashville davidson'],
  '13059': ['athens', 'athens clarke'],
  '13245': ['augusta', 'augusta richmond'],
  '15003': ['honolulu', 'urban honolulu'],
  '30093': ['butte', 'butte silver bow'],
};

const COUNTY_COLUMNS = [
  'USPS',
  'GEOID',
  'ANSICODE',
  'NAME',
  'ALAND',
  'AWATER',
  'ALAND_SQMI',
  'AWATER_SQMI',
  'INTPTLAT',
  'INTPTLONG',
];

/** Census county gazetteer (pipe-delimited, no header): GEOID, name and internal point of every county. */
export const censusCountiesImporter: ImportKind<PlaceInput> = {
  name: 'census-counties',
  description:
    'Census county gazetteer, pipe-delimited without header: USPS|GEOID|ANSICODE|NAME|ALAND|AWATER|ALAND_SQMI|AWATER_SQMI|INTPTLAT|INTPTLONG',
  shape: { format: 'delimited', delimiter: '|', requiredColumns: null, columns: COUNTY_COLUMNS },
  checkShape: (r) =>
    /^\d{5}$/.test(r['GEOID'] ?? '') && findStateByCode(r['USPS'] ?? '')
      ? null
      : 'expected USPS|GEOID|ANSICODE|NAME|…|INTPTLAT|INTPTLONG, e.g. AL|01001|00161526|Autauga County|…',
  parseRow(r): ParseResult<PlaceInput> {
    const state = findStateByCode(r['USPS']!);
    if (!state) return { ok: false, field: 'USPS', reason: `"${r['USPS']}" is not a state code` };
    const geoid = r['GEOID']!.trim();
    if (!/^\d{5}$/.test(geoid) || !geoid.startsWith(state.fips))
      return { ok: false, field: 'GEOID', reason: `"${geoid}" is not a 5-digit county GEOID in ${state.code}` };
    const name = r['NAME']!.trim();
    if (name === '') return { ok: false, field: 'NAME', reason: 'is empty' };
    const lat = coordinate(r['INTPTLAT'], -90, 90);
    const lon = coordinate(r['INTPTLONG'], -180, 180);
    if (lat === undefined) return { ok: false, field: 'INTPTLAT', reason: `"${r['INTPTLAT']}" is not a latitude` };
    if (lon === undefined) return { ok: false, field: 'INTPTLONG', reason: `"${r['INTPTLONG']}" is not a longitude` };
    return {
      ok: true,
      row: {
        key: geoid,
        values: {
          id: `county-${geoid}`,
          kind: 'county',
          name,
          full_name: name,
          state_code: state.code,
          geoid,
          county_geoid: geoid,
          lat,
          lon,
          population: null,
        },
        // An independent city ("St. Louis city") is not also found as "St. Louis", which is a county's name.
        aliases: [
          ...new Set([
            normalizeCountyName(name),
            ...(/\scity$/i.test(name) ? [] : [normalizePlaceName(name)]),
            ...(COUNTY_EQUIVALENT_CITIES[geoid] ?? []),
          ]),
        ],
      },
    };
  },
  rowKey: (row) => row.key,
  writeBatch: (ctx, rows) => writePlaces(ctx, rows),
};

const PLACE_COLUMNS = [
  'name',
  'population',
  'SUMLEV',
  'STATE',
  'COUNTY',
  'PLACE',
  'NAME',
  'STNAME',
  'latitude',
  'longitude',
];

/** Census places and towns with 2021 population and a point (The Pudding's join of Census and GNIS). */
export const censusPlacesImporter: ImportKind<PlaceInput> = {
  name: 'census-places',
  description:
    'Census places with population and lat/long: name,population,SUMLEV,STATE,COUNTY,PLACE,NAME,STNAME,latitude,longitude,…',
  shape: { format: 'delimited', requiredColumns: PLACE_COLUMNS },
  parseRow(r): ParseResult<PlaceInput> {
    const state = findStateByFips(r['STATE']!.trim());
    if (!state) return { ok: false, field: 'STATE', reason: `"${r['STATE']}" is not a 2-digit state FIPS code` };
    const county = r['COUNTY']!.trim();
    const place = r['PLACE']!.trim();
    if (!/^\d{3}$/.test(county))
      return { ok: false, field: 'COUNTY', reason: `"${county}" is not a 3-digit county FIPS code` };
    if (!/^\d{5}$/.test(place))
      return { ok: false, field: 'PLACE', reason: `"${place}" is not a 5-digit place FIPS code` };
    const shortName = r['name']!.trim();
    const fullName = r['NAME']!.trim() || shortName;
    if (shortName === '') return { ok: false, field: 'name', reason: 'is empty' };
    const population = r['population']!.trim();
    if (population !== '' && !/^\d+$/.test(population))
      return { ok: false, field: 'population', reason: `"${population}" is not a whole number` };
    const lat = coordinate(r['latitude'], -90, 90);
    const lon = coordinate(r['longitude'], -180, 180);
    if (lat === undefined) return { ok: false, field: 'latitude', reason: `"${r['latitude']}" is not a latitude` };
    if (lon === undefined) return { ok: false, field: 'longitude', reason: `"${r['longitude']}" is not a longitude` };
    // Places that span counties (Huntsville, Alabama; Salem, Oregon) are listed once with county "000": their
    // county is the one their point lies in.
    const pointCounty = lat != null && lon != null ? countyLookup().countyAt(lat, lon) : null;
    const countyGeoid =
      county === '000' ? (pointCounty?.startsWith(state.fips) ? pointCounty : null) : state.fips + county;
    // Towns and townships (minor civil divisions) have no place code; key them by county and name.
    const isMcd = place === '00000';
    const id = isMcd ? `mcd-${state.fips}${county}-${slugify(fullName)}` : `place-${state.fips}${place}`;
    return {
      ok: true,
      row: {
        // One row per place and county: a place that spans counties may appear once per county.
        key: isMcd ? `${state.fips}${county}:${fullName}` : `${state.fips}${place}:${county}`,
        values: {
          id,
          kind: 'city',
          name: shortName,
          full_name: fullName,
          state_code: state.code,
          geoid: isMcd ? null : state.fips + place,
          county_geoid: countyGeoid,
          lat: lat === null || lon === null ? null : lat,
          lon: lat === null || lon === null ? null : lon,
          population: population === '' ? null : Number(population),
        },
        aliases: [...new Set([normalizePlaceName(shortName), normalizePlaceName(fullName)])].filter((a) => a !== ''),
      },
    };
  },
  rowKey: (row) => row.key,
  // A place that spans counties may appear once per county: keep the row of the county its point lies in.
  writeBatch: (ctx, rows) => writePlaces(ctx, rows, preferCountyOfPoint),
};

/**
 * Two rows of one place: the one whose county holds the place's point, else the more populous, else the
 * smaller county GEOID (so that the order of rows does not matter).
 */
function preferCountyOfPoint(a: Values, b: Values): Values {
  const point = (v: Values) =>
    v.lat != null && v.lon != null ? countyLookup().countyAt(Number(v.lat), Number(v.lon)) : null;
  const aHolds = a.county_geoid !== null && a.county_geoid === point(a);
  const bHolds = b.county_geoid !== null && b.county_geoid === point(b);
  if (aHolds !== bHolds) return bHolds ? { ...a, ...b } : a;
  const pa = Number(a.population ?? -1);
  const pb = Number(b.population ?? -1);
  if (pa !== pb) return pb > pa ? { ...a, ...b } : a;
  return String(b.county_geoid) < String(a.county_geoid) ? { ...a, ...b } : a;
}

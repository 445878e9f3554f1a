import { agencyLevel, parseAgencyName } from '#src/domain/agencies';
import { normalizePlaceName } from '#src/domain/names';
import { placeAgency } from '#src/domain/placement';
import { countyLookup } from '#src/geo/county-lookup';
import { findStateByCode } from '#src/domain/states';
import type { ImportKind, ParseResult } from '../import-kind';
import type { AgencyRef, PlaceRef, Resolver } from '../resolver';
import { agencyId, claimCountyGeoids, resolveAgency, townInCounties } from '../agency-resolution';
import { writeAgencyAliases } from '../agencies.writes';
import { originItem, writeOrigins } from '../evidence.writes';

export interface FbiAgencyRow {
  readonly ori: string;
  readonly name: string;
  readonly state: string;
  readonly counties: string[];
  readonly agencyType: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
}

const COLUMNS = ['ori', 'county', 'latitude', 'longitude', 'state_abbr', 'agency_name', 'agency_type'];

/**
 * The town an agency is named after: "Opelika Police Department" → Opelika; for the FBI's
 * "University of Minnesota: Duluth" and "State Patrol: Virginia", the town after the colon.
 */
function townOf(row: FbiAgencyRow): string | null {
  const parsed = parseAgencyName(row.name, findStateByCode(row.state)?.name);
  if (parsed.town) return parsed.town;
  const afterColon = /:\s*([^:,]+)$/.exec(row.name);
  return afterColon && !/county$/i.test(afterColon[1]!.trim()) ? normalizePlaceName(afterColon[1]!) : null;
}

/** FBI Crime Data Explorer agency list: ORI, name, type, county and a point for every reporting agency. */
export const fbiAgenciesImporter: ImportKind<FbiAgencyRow> = {
  name: 'fbi-agencies',
  description:
    'FBI Crime Data Explorer agency list: ori,county,latitude,longitude,state_abbr,state,agency_name,agency_type,…',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<FbiAgencyRow> {
    const ori = r['ori']!.trim().toUpperCase();
    if (!/^[A-Z0-9]{9}$/.test(ori))
      return { ok: false, field: 'ori', reason: `"${r['ori']}" is not a 9-character ORI` };
    const state = findStateByCode(r['state_abbr']!);
    if (!state) return { ok: false, field: 'state_abbr', reason: `"${r['state_abbr']}" is not a state code` };
    const name = r['agency_name']!.trim().replace(/\s+/g, ' ');
    if (name === '' || name === 'NA') return { ok: false, field: 'agency_name', reason: 'is empty' };
    const lat = parseCoordinate(r['latitude']!, 90);
    const lon = parseCoordinate(r['longitude']!, 180);
    if (lat === undefined) return { ok: false, field: 'latitude', reason: `"${r['latitude']}" is not a latitude` };
    if (lon === undefined) return { ok: false, field: 'longitude', reason: `"${r['longitude']}" is not a longitude` };
    const type = r['agency_type']!.trim();
    const county = r['county']!.trim();
    return {
      ok: true,
      row: {
        ori,
        name,
        state: state.code,
        counties:
          county === '' || county === 'NA' || county === 'NOT SPECIFIED'
            ? []
            : county
                .split(',')
                .map((c) => c.trim())
                .filter(Boolean),
        agencyType: type === '' || type === 'NA' ? null : type.toLowerCase(),
        lat: lat === null || lon === null ? null : lat,
        lon: lat === null || lon === null ? null : lon,
      },
    };
  },
  rowKey: (row) => row.ori,

  async writeBatch(ctx, rows) {
    const { resolver } = ctx;
    await resolver.load({
      oris: rows.map((r) => r.row.ori),
      agencies: rows.map((r) => ({ state: r.row.state, name: r.row.name })),
      places: rows.map((r) => townOf(r.row)).filter((t): t is string => t !== null),
      counties: rows.flatMap((r) => r.row.counties),
      mergedIds: rows.map((r) => agencyId(r.row.state, r.row.name, r.row.ori)),
    });
    const located = rows.map((parsed) => {
      const { row } = parsed;
      const counties = row.counties.map((c) => resolver.county(row.state, c)).filter((c) => c !== null);
      const level = agencyLevel(row.name, [row.agencyType]);
      const town = level === 'county' ? null : townOf(row);
      return { parsed, counties, level, place: town ? fbiPlace(resolver, row, town, counties) : null };
    });
    await resolver.load({
      agenciesAtPlaces: located.flatMap((l) =>
        [l.place?.id, ...l.counties.map((c) => c.id)].filter((id): id is string => !!id),
      ),
    });

    const agencies: Array<{ row: number; values: Record<string, unknown> }> = [];
    const aliases: Array<{ row: number; agency: AgencyRef; name: string }> = [];
    const origins = [];
    for (const { parsed, counties, level, place } of located) {
      const { index, line, row } = parsed;
      const claim = {
        row: index,
        line,
        rowKey: row.ori,
        name: row.name,
        state: row.state,
        agencyType: row.agencyType,
        level,
        place,
        counties,
      };
      // An agency first met without an ORI (from the Atlas, say) takes this ORI rather than being duplicated.
      const merged = resolver.agencyByOri(row.ori) ? null : resolver.mergedInto(agencyId(row.state, row.name, row.ori));
      if (merged && merged.ori !== null && merged.ori !== row.ori) {
        // An operator merged this agency into one with its own ORI: the FBI record does not come back.
        ctx.warn(line, `${row.ori}: "${row.name}" was merged into ${merged.id}; its FBI record is not imported again`);
        continue;
      }
      const known = resolver.agencyByOri(row.ori) ?? merged ?? adoptable(resolver, claim);
      const county = counties[0] ?? null;
      const geoids = claimCountyGeoids(claim);
      const fbiCounty = row.lat !== null && row.lon !== null ? countyLookup().countyAt(row.lat, row.lon) : null;
      const point = placeAgency({
        level,
        place,
        county,
        fbi: { lat: row.lat, lon: row.lon },
        fbiCountyAgrees: fbiCounty !== null && geoids.includes(fbiCounty),
        townCountyAgrees: townInCounties(place, geoids),
      });
      const values: AgencyRef = {
        id: known?.id ?? agencyId(row.state, row.name, row.ori),
        name: row.name,
        state_code: row.state,
        ori: row.ori,
        agency_type: row.agencyType,
        place_id: level === 'county' ? (county?.id ?? null) : (place?.id ?? county?.id ?? null),
        lat: point?.lat ?? null,
        lon: point?.lon ?? null,
        location_basis: point?.basis ?? null,
        county_geoids: geoids.length > 0 ? geoids.join(',') : null,
        level,
        placement_issue: null,
      };
      agencies.push({ row: index, values: { ...values } });
      aliases.push({ row: index, agency: values, name: row.name });
      origins.push(originItem(ctx, index, line, row.ori, 'agency', values.id));
      resolver.remember(values, [row.name]);
      if (point === null)
        ctx.warn(line, `${row.ori}: no coordinates for "${row.name}" and no town or county to place it by`);
    }
    await ctx.writer.upsert('agencies', agencies, { entity: 'agency' });
    await writeAgencyAliases(ctx, aliases);
    await writeOrigins(ctx, origins);
  },
};

/**
 * The FBI agency's town: a place of that name within the agency's own counties (with its municipal
 * form, "Chester village" for "Chester Village Police Department"); without counties, only a town
 * that is the one of its name in the state.
 */
function fbiPlace(resolver: Resolver, row: FbiAgencyRow, town: string, counties: readonly PlaceRef[]): PlaceRef | null {
  const form = parseAgencyName(row.name, findStateByCode(row.state)?.name).form;
  if (counties.length > 0)
    return resolver.place(row.state, town, { counties: counties.map((c) => c.geoid!), form, strict: true });
  const namesakes = resolver.placesNamed(town).filter((p) => p.state_code === row.state);
  return namesakes.length === 1 ? namesakes[0]! : null;
}

function adoptable(resolver: Resolver, claim: Parameters<typeof resolveAgency>[1]): AgencyRef | null {
  const { agency, isNew } = resolveAgency(resolver, claim);
  return !isNew && agency.ori === null ? agency : null;
}

function parseCoordinate(text: string, limit: number): number | null | undefined {
  const value = text.trim();
  if (value === '' || value === 'NA') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) return undefined;
  return Math.round(n * 1e6) / 1e6;
}

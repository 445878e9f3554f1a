import { normalizeAgencyName, placeNameFromAgencyName, slugify } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';
import type { ImportKind, ParseResult } from '../import-kind';
import type { AgencyRef } from '../resolver';
import { writeOrigins, originItem, writeAgencyAliases } from '../evidence.writes';

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

/** FBI Crime Data Explorer agency list: ORI, name, type, county and a point for every reporting agency. */
export const fbiAgenciesImporter: ImportKind<FbiAgencyRow> = {
  name: 'fbi-agencies',
  description: 'FBI Crime Data Explorer agency list: ori,county,latitude,longitude,state_abbr,state,agency_name,agency_type,…',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<FbiAgencyRow> {
    const ori = r['ori']!.trim().toUpperCase();
    if (!/^[A-Z0-9]{9}$/.test(ori)) return { ok: false, field: 'ori', reason: `"${r['ori']}" is not a 9-character ORI` };
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
        counties: county === '' || county === 'NA' || county === 'NOT SPECIFIED' ? [] : county.split(',').map((c) => c.trim()).filter(Boolean),
        agencyType: type === '' || type === 'NA' ? null : type.toLowerCase(),
        lat: lat === null || lon === null ? null : lat,
        lon: lat === null || lon === null ? null : lon,
      },
    };
  },
  rowKey: (row) => row.ori,

  async writeBatch(ctx, rows) {
    const { resolver } = ctx;
    const cityOf = (row: FbiAgencyRow) => (row.agencyType === 'county' ? null : placeNameFromAgencyName(row.name));
    await resolver.load({
      oris: rows.map((r) => r.row.ori),
      agencies: rows.map((r) => ({ state: r.row.state, name: r.row.name })),
      places: rows.flatMap((r) => {
        const city = cityOf(r.row);
        return city ? [{ state: r.row.state, name: city }] : [];
      }),
      counties: rows.flatMap((r) => r.row.counties.map((c) => ({ state: r.row.state, name: c }))),
    });
    const agencies: Array<{ row: number; values: Record<string, unknown> }> = [];
    const aliases: Array<{ row: number; agencyId: string; state: string; name: string }> = [];
    const origins = [];
    for (const { index, line, row } of rows) {
      const counties = row.counties.map((c) => resolver.county(row.state, c)).filter((c) => c !== null);
      const city = cityOf(row);
      const place = city ? resolver.place(row.state, city, counties.map((c) => c.geoid!)) : null;
      const county = counties[0] ?? null;
      // An agency first met without an ORI (e.g. from the Atlas) takes this ORI rather than being duplicated.
      const byName = resolver.agencyByName(row.state, row.name);
      const id =
        resolver.agencyByOri(row.ori)?.id ??
        (byName && byName.ori === null ? byName.id : `${row.state.toLowerCase()}-${slugify(normalizeAgencyName(row.name))}-${row.ori.toLowerCase()}`);
      const point = row.lat !== null ? { lat: row.lat, lon: row.lon, basis: 'ori' } : place?.lat != null ? { lat: place.lat, lon: place.lon, basis: 'city' } : county?.lat != null ? { lat: county.lat, lon: county.lon, basis: 'county' } : null;
      const values = {
        id,
        name: row.name,
        state_code: row.state,
        ori: row.ori,
        agency_type: row.agencyType,
        place_id: place?.id ?? (row.agencyType === 'county' || /sheriff/i.test(row.name) ? (county?.id ?? null) : null),
        lat: point?.lat ?? null,
        lon: point?.lon ?? null,
        location_basis: point?.basis ?? null,
      };
      agencies.push({ row: index, values });
      aliases.push({ row: index, agencyId: id, state: row.state, name: row.name });
      origins.push(originItem(ctx, index, line, row.ori, 'agency', id));
      resolver.remember(values as AgencyRef, [row.name]);
      if (point === null) ctx.warn(line, `${row.ori}: no coordinates for "${row.name}" and no city or county to place it by`);
    }
    await ctx.writer.upsert('agencies', agencies, { entity: 'agency' });
    await writeAgencyAliases(ctx, aliases);
    await writeOrigins(ctx, origins);
  },
};

function parseCoordinate(text: string, limit: number): number | null | undefined {
  const value = text.trim();
  if (value === '' || value === 'NA') return null;
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) return undefined;
  return Math.round(n * 1e6) / 1e6;
}

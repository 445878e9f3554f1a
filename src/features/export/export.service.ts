import type { Kysely } from 'kysely';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Database } from '#src/storage/schema';
import { iterateDeployments, type DeploymentRecord } from '#src/features/deployments/deployments.repository';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import { iteratePolicies } from '#src/features/policies/policies.repository';
import {
  findOfficialListings,
  iterateOfficials,
  type OfficialRecord,
} from '#src/features/officials/officials.repository';
import { findTechnologyEvents } from '#src/features/technologies/technologies.repository';

export const EXPORT_FORMATS = ['json', 'csv', 'geojson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The start of a JSON export's first line; the `counterwatch` importer checks for it. */
export const JSON_EXPORT_FORMAT = '{"format":"counterwatch","version":2,';

/** The first line of a JSON export: the format, and the as-of date of the newest data in it. */
export function jsonExportHeader(asOf: string | null): string {
  return `${JSON_EXPORT_FORMAT}"as_of":${JSON.stringify(asOf)},"records":[`;
}

export const CSV_COLUMNS = [
  'id',
  'agency_id',
  'agency',
  'ori',
  'agency_type',
  'state',
  'place_id',
  'place',
  'lat',
  'lon',
  'location_basis',
  'technology',
  'programme',
  'vendors',
  'status',
  'last_seen_on',
  'started_on',
  'first_documented_on',
  'ended_on',
  'summary',
  'source_urls',
] as const;

/**
 * Streams the full dataset in one format, record by record, in a stable order (by id), so that the same
 * data always gives the same bytes. JSON holds deployments, policies, officials and technology events, one record per
 * line;
 * CSV and GeoJSON hold deployments (one row / one Point feature each). With a filter (the lists' filters),
 * only the deployments it matches.
 */
export async function writeExport(
  db: Kysely<Database>,
  format: ExportFormat,
  out: Writable,
  filter?: DeploymentFilter,
): Promise<{ records: number }> {
  // Respect backpressure: wait for 'drain' (events.once also rejects on 'error' and cleans up).
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let records = 0;
  if (format === 'csv') {
    await write(CSV_COLUMNS.join(',') + '\n');
    for await (const d of iterateDeployments(db, filter)) {
      await write(csvRow(d) + '\n');
      records++;
    }
    return { records };
  }
  if (format === 'geojson') {
    await write('{"type":"FeatureCollection","features":[\n');
    for await (const d of iterateDeployments(db, filter)) {
      await write((records === 0 ? '' : ',\n') + JSON.stringify(toFeature(d)));
      records++;
    }
    await write('\n]}\n');
    return { records };
  }
  await write(jsonExportHeader(await newestAsOf(db)) + '\n');
  const emit = async (record: object) => {
    await write((records === 0 ? '' : ',\n') + JSON.stringify(record));
    records++;
  };
  for await (const d of iterateDeployments(db, filter)) await emit({ type: 'deployment', ...d });
  if (filter) {
    await write('\n]}\n');
    return { records };
  }
  for await (const p of iteratePolicies(db)) await emit({ type: 'policy', ...p });
  // Officials carry every source's listing of them, which says who holds an office now.
  let officials: OfficialRecord[] = [];
  const emitOfficials = async () => {
    const listings = await findOfficialListings(
      db,
      officials.map((o) => o.id),
    );
    for (const o of officials) await emit({ type: 'official', ...o, listings: listings.get(o.id) ?? [] });
    officials = [];
  };
  for await (const o of iterateOfficials(db)) {
    officials.push(o);
    if (officials.length >= 500) await emitOfficials();
  }
  await emitOfficials();
  for (const e of await findTechnologyEvents(db)) {
    const { precision: _precision, ...event } = e;
    await emit({ type: 'technology_event', ...event });
  }
  await write('\n]}\n');
  return { records };
}

/** The as-of date of the newest imported data: what an export as a whole is current to. */
async function newestAsOf(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('import_runs')
    .select((eb) => eb.fn.max('as_of').as('as_of'))
    .where('status', '=', 'finished')
    .executeTakeFirst();
  return (row?.as_of as string | null) ?? null;
}

export function toFeature(d: DeploymentRecord) {
  return {
    type: 'Feature',
    id: d.id,
    geometry: d.lat === null || d.lon === null ? null : { type: 'Point', coordinates: [d.lon, d.lat] },
    properties: {
      id: d.id,
      agency_id: d.agency.id,
      agency: d.agency.name,
      ori: d.agency.ori,
      state: d.agency.state,
      place_id: d.place?.id ?? null,
      place: d.place?.name ?? null,
      technology: d.technology,
      programme: d.programme || null,
      vendors: d.vendors.map((v) => v.name),
      status: d.status,
      last_seen_on: d.last_seen_on,
      started_on: d.started_on,
      first_documented_on: d.first_documented_on,
      ended_on: d.ended_on,
      location_basis: d.agency.location_basis,
      source_urls: d.sources.map((s) => s.url),
    },
  };
}

/** One deployment as a CSV line (no line break), in CSV_COLUMNS order. */
export function csvRow(d: DeploymentRecord): string {
  const values: Array<string | number | null> = [
    d.id,
    d.agency.id,
    d.agency.name,
    d.agency.ori,
    d.agency.type,
    d.agency.state,
    d.place?.id ?? null,
    d.place?.name ?? null,
    d.lat,
    d.lon,
    d.agency.location_basis,
    d.technology,
    d.programme,
    d.vendors.map((v) => v.name).join('; '),
    d.status,
    d.last_seen_on,
    d.started_on,
    d.first_documented_on,
    d.ended_on,
    d.summary,
    d.sources.map((s) => s.url).join(' '),
  ];
  return values.map(csvField).join(',');
}

/**
 * One CSV field: quoted when it needs it (RFC 4180), and never a formula. A text that a spreadsheet would
 * run (starting with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, as OWASP
 * recommends against CSV injection; numbers, negative ones included, are written as they are.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

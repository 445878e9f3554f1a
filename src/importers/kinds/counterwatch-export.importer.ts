import { z } from 'zod';
import { normalizeCountyName, normalizePlaceName, agencyNameKeys } from '#src/domain/names';
import { DEPLOYMENT_STATUSES } from '#src/domain/statuses';
import { findTechnologyBySlug } from '#src/domain/technologies';
import { JSON_EXPORT_HEADER } from '#src/features/export/export.service';
import type { ImportKind, ParseResult } from '../import-kind';
import { writeOrigins, originItem, upsertLinks, writeDeployments, type DeploymentInput } from '../evidence.writes';
import { writePolicies, type PolicyInput } from './policy.writes';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').nullable();
const place = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['state', 'county', 'city']),
    name: z.string(),
    full_name: z.string(),
    state: z.string().length(2),
    geoid: z.string().nullable(),
    county_geoid: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    population: z.number().int().nullable(),
  })
  .nullable();
const source = z.object({ url: z.string().url(), publisher: z.string().nullable(), kind: z.string(), archive_url: z.string().nullable(), cited_on: date });
const technology = z.string().refine((slug) => findTechnologyBySlug(slug) !== null, 'unknown technology slug');

const deployment = z.object({
  type: z.literal('deployment'),
  id: z.string().min(1),
  technology,
  programme: z.string(),
  status: z.enum(DEPLOYMENT_STATUSES),
  last_verified_on: date,
  summary: z.string().nullable(),
  agency: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    state: z.string().length(2),
    ori: z.string().nullable(),
    type: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    location_basis: z.string().nullable(),
  }),
  place,
  vendors: z.array(z.object({ id: z.string(), name: z.string() })),
  events: z.array(z.object({ id: z.string().min(1), status: z.enum(DEPLOYMENT_STATUSES), occurred_on: date, source_url: z.string().nullable(), note: z.string().nullable() })),
  sources: z.array(source),
});
const policy = z.object({
  type: z.literal('policy'),
  id: z.string().min(1),
  kind: z.string(),
  title: z.string(),
  status: z.string(),
  status_on: date,
  summary: z.string().nullable(),
  jurisdiction: z.string(),
  state: z.string().length(2),
  place,
  technologies: z.array(technology),
  sources: z.array(source),
});
const official = z.object({
  type: z.literal('official'),
  id: z.string().min(1),
  role: z.string(),
  name: z.string().min(1),
  jurisdiction: z.string(),
  state: z.string().length(2),
  place,
  email: z.string().nullable(),
  phone: z.string().nullable(),
  website_url: z.string().nullable(),
  bio_url: z.string().nullable(),
  source_url: z.string().nullable(),
  verified_on: date,
});
const record = z.discriminatedUnion('type', [deployment, policy, official]);
type ExportRecord = z.infer<typeof record>;

/** Counterwatch's own JSON export, so that a dataset can move between installations (and databases). */
export const counterwatchExportImporter: ImportKind<ExportRecord> = {
  name: 'counterwatch',
  description: 'A Counterwatch JSON export (`counterwatch export --format json`)',
  shape: { format: 'json-lines', requiredColumns: null, columns: ['json'] },
  checkShape: (r) => (r['json']?.startsWith(JSON_EXPORT_HEADER.slice(0, -1)) ? null : `expected the first line to be ${JSON_EXPORT_HEADER}`),
  parseRow(r): ParseResult<ExportRecord> {
    let value: unknown;
    try {
      value = JSON.parse(r['json']!);
    } catch (error) {
      return { ok: false, field: '(json)', reason: `not valid JSON: ${(error as Error).message}` };
    }
    const parsed = record.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, field: issue.path.join('.') || '(record)', reason: issue.message };
    }
    return { ok: true, row: parsed.data };
  },
  rowKey: (row) => `${row.type}:${row.id}`,
  async writeBatch(ctx, rows) {
    const places = new Map<string, { row: number; values: Record<string, unknown> }>();
    const addPlace = (row: number, p: z.infer<typeof place>) => {
      if (!p || places.has(p.id)) return;
      const { state, ...rest } = p;
      places.set(p.id, { row, values: { id: rest.id, kind: rest.kind, name: rest.name, full_name: rest.full_name, state_code: state, geoid: rest.geoid, county_geoid: rest.county_geoid, lat: rest.lat, lon: rest.lon, population: rest.population } });
    };
    for (const { index, row } of rows) addPlace(index, row.place);
    await ctx.writer.upsert('places', [...places.values()], { entity: 'place', createOnly: true });
    await upsertLinks(
      ctx,
      'place_aliases',
      [...places.values()].flatMap(({ row, values }) => {
        const name = String(values.name);
        const keys = values.kind === 'county' ? [normalizeCountyName(name), normalizePlaceName(name)] : [normalizePlaceName(name), normalizePlaceName(String(values.full_name))];
        return [...new Set(keys)].map((name_key) => ({ row, values: { place_id: values.id, state_code: values.state_code, kind: values.kind, name_key } }));
      }),
      ['place_id', 'name_key'],
      'place_alias',
    );

    const deployments: DeploymentInput[] = [];
    const agencies = new Map<string, { row: number; values: Record<string, unknown> }>();
    const policies: PolicyInput[] = [];
    const officials: Array<{ row: number; values: Record<string, unknown> }> = [];
    const origins = [];
    for (const { index, line, row } of rows) {
      const key = counterwatchExportImporter.rowKey(row, line);
      if (row.type === 'deployment') {
        const a = row.agency;
        agencies.set(a.id, {
          row: index,
          values: { id: a.id, name: a.name, state_code: a.state, ori: a.ori, agency_type: a.type, place_id: row.place?.id ?? null, lat: a.lat, lon: a.lon, location_basis: a.location_basis },
        });
        deployments.push({
          row: index,
          line,
          rowKey: key,
          agencyId: a.id,
          state: a.state,
          technology: row.technology,
          programme: row.programme,
          summary: row.summary,
          vendors: row.vendors,
          events: row.events.map((e) => ({ id: e.id, status: e.status, occurredOn: e.occurred_on, sourceUrl: e.source_url, note: e.note })),
          sources: row.sources.map((s) => ({ url: s.url, publisher: s.publisher, kind: s.kind, archiveUrl: s.archive_url, citedOn: s.cited_on })),
          lastVerifiedOn: row.last_verified_on,
        });
      } else if (row.type === 'policy') {
        policies.push({
          row: index,
          line,
          rowKey: key,
          id: row.id,
          placeId: row.place?.id ?? null,
          state: row.state,
          jurisdiction: row.jurisdiction,
          kind: row.kind,
          title: row.title,
          status: row.status,
          statusOn: row.status_on,
          summary: row.summary,
          technologies: row.technologies,
          sources: row.sources.map((s) => ({ url: s.url, publisher: s.publisher, kind: s.kind, archiveUrl: s.archive_url, citedOn: s.cited_on })),
        });
      } else {
        const { type: _type, place: p, state, ...rest } = row;
        officials.push({ row: index, values: { ...rest, place_id: p?.id ?? null, state_code: state } });
        origins.push(originItem(ctx, index, line, key, 'official', row.id));
      }
    }
    await ctx.writer.upsert('agencies', [...agencies.values()], { entity: 'agency', createOnly: true });
    await upsertLinks(
      ctx,
      'agency_aliases',
      [...agencies.values()].flatMap(({ row, values }) =>
        agencyNameKeys(String(values.name)).map((name_key) => ({ row, values: { agency_id: values.id, state_code: values.state_code, name_key } })),
      ),
      ['agency_id', 'name_key'],
      'agency_alias',
    );
    await writeDeployments(ctx, deployments);
    await writePolicies(ctx, policies);
    await ctx.writer.upsert('officials', officials.map((o) => ({ row: o.row, values: reorderOfficial(o.values) })), { entity: 'official' });
    await writeOrigins(ctx, origins);
  },
};

function reorderOfficial(v: Record<string, unknown>): Record<string, unknown> {
  return {
    id: v.id, place_id: v.place_id, state_code: v.state_code, jurisdiction: v.jurisdiction, role: v.role, name: v.name, email: v.email,
    phone: v.phone, website_url: v.website_url, bio_url: v.bio_url, source_url: v.source_url, verified_on: v.verified_on,
  };
}

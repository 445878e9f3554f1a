import { z } from 'zod';
import { AGENCY_LEVELS } from '#src/domain/agencies';
import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { normalizeCountyName, normalizePlaceName } from '#src/domain/names';
import { POLICY_LEVELS, POLICY_SCOPES, POLICY_STATUSES } from '#src/domain/policies';
import { DEPLOYMENT_STATUSES, EVIDENCE_KINDS, EVIDENCE_STANDINGS } from '#src/domain/statuses';
import { findTechnologyBySlug } from '#src/domain/technologies';
import { JSON_EXPORT_FORMAT } from '#src/features/export/export.service';
import type { ImportKind, ParseResult } from '../import-kind';
import { writeAgencyAliases } from '../agencies.writes';
import { writeOrigins, originItem, upsertLinks, writeDeployments, type DeploymentInput } from '../evidence.writes';
import type { AgencyRef } from '../resolver';
import { writePolicies, type PolicyInput } from './policy.writes';
import { writeTechnologyEvents } from './technology-events.importer';
import { createUnreviewedTechnologies } from '#src/features/technologies/technologies.repository';
import { writeOfficialListings } from '#src/features/officials/current-officials';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .nullable();
/** A date at its precision, as the export writes it: YYYY, YYYY-MM or YYYY-MM-DD. */
const partialDate = z
  .string()
  .refine((s) => parseIsoPartialDate(s) !== null, 'expected YYYY, YYYY-MM or YYYY-MM-DD')
  .nullable();
const toDate = (text: string | null): PartialDate | null => (text === null ? null : parseIsoPartialDate(text));
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
/** A link: http(s) only (never javascript:, data:, ...). */
const httpUrl = z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL');
/**
 * A cited document: http(s), or ftp, which the Atlas cites once (a county's claims docket), so that an
 * export re-imports whole. Pages show an ftp address as text, never as a link.
 */
const sourceUrl = z.string().regex(/^(https?|ftp):\/\/\S+$/i, 'must be an http(s) URL');
const source = z.object({
  url: sourceUrl,
  publisher: z.string().nullable(),
  kind: z.string(),
  archive_url: httpUrl.nullable(),
  cited_on: partialDate,
});
// A technology this database has not seen is created, unreviewed, named after its slug.
const technology = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'is not a technology slug (lower-case words joined by "-")')
  .max(80);

const deployment = z.object({
  type: z.literal('deployment'),
  id: z.string().min(1),
  technology,
  programme: z.string(),
  status: z.enum(DEPLOYMENT_STATUSES),
  summary: z.string().nullable(),
  agency: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    state: z.string().length(2),
    ori: z.string().nullable(),
    type: z.string().nullable(),
    level: z.enum(AGENCY_LEVELS).nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    location_basis: z.string().nullable(),
    placement_issue: z.string().nullable(),
  }),
  place,
  vendors: z.array(z.object({ id: z.string(), name: z.string() })),
  events: z.array(
    z.object({
      id: z.string().min(1),
      status: z.enum(DEPLOYMENT_STATUSES),
      kind: z.enum(EVIDENCE_KINDS),
      standing: z.enum(EVIDENCE_STANDINGS),
      occurred_on: partialDate,
      as_of: date,
      source_url: sourceUrl.nullable(),
      note: z.string().nullable(),
    }),
  ),
  sources: z.array(source),
});
const policy = z.object({
  type: z.literal('policy'),
  id: z.string().min(1),
  kind: z.string(),
  title: z.string(),
  level: z.enum(POLICY_LEVELS).nullable(),
  body: z.string().nullable(),
  scope: z.enum(POLICY_SCOPES),
  scope_note: z.string().nullable(),
  summary: z.string().nullable(),
  jurisdiction: z.string(),
  state: z.string().length(2),
  place,
  technologies: z.array(technology),
  events: z.array(
    z.object({
      id: z.string().min(1),
      status: z.enum(POLICY_STATUSES),
      kind: z.enum(['transition', 'reported']),
      occurred_on: partialDate,
      source_url: sourceUrl.nullable(),
      note: z.string().nullable(),
    }),
  ),
  sources: z.array(source),
  described_by: z.string().nullable(),
});
const technologyEvent = z.object({
  type: z.literal('technology_event'),
  id: z.string().min(1),
  technology,
  occurred_on: z.string().refine((s) => parseIsoPartialDate(s) !== null, 'expected YYYY, YYYY-MM or YYYY-MM-DD'),
  title: z.string().min(1),
  summary: z.string().min(1),
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
  website_url: httpUrl.nullable(),
  bio_url: httpUrl.nullable(),
  source_url: httpUrl.nullable(),
  verified_on: date,
  current: z.boolean().optional(),
  ended_on: date.optional(),
  started_on: date.optional(),
  listings: z
    .array(
      z.object({
        source: z.string().min(1),
        as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        status: z.string().min(1),
        source_url: httpUrl.nullable(),
        term_ends_on: date,
      }),
    )
    .optional(),
});
const record = z.discriminatedUnion('type', [deployment, policy, official, technologyEvent]);
type ExportRecord = z.infer<typeof record>;

/** Counterwatch's own JSON export, so that a dataset can move between installations (and databases). */
export const counterwatchExportImporter: ImportKind<ExportRecord> = {
  name: 'counterwatch',
  description: 'A Counterwatch JSON export (`counterwatch export --format json`)',
  shape: { format: 'json-lines', requiredColumns: null, columns: ['json'] },
  checkShape: (r) => {
    const line = r['json'] ?? '';
    if (line.startsWith(JSON_EXPORT_FORMAT)) return null;
    if (/^\{"format":"counterwatch","version":1,/.test(line))
      return 'this export is of version 1, made before dates kept their meaning and precision; export it again from an up-to-date Counterwatch';
    return `expected the first line to start with ${JSON_EXPORT_FORMAT}`;
  },
  // The export's header says how current its newest data is.
  asOfInFile: (r) => {
    const m = /"as_of":"([0-9-]+)"/.exec(r['json'] ?? '');
    return m ? parseIsoPartialDate(m[1]!) : null;
  },
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
      places.set(p.id, {
        row,
        values: {
          id: rest.id,
          kind: rest.kind,
          name: rest.name,
          full_name: rest.full_name,
          state_code: state,
          geoid: rest.geoid,
          county_geoid: rest.county_geoid,
          lat: rest.lat,
          lon: rest.lon,
          population: rest.population,
        },
      });
    };
    for (const { index, row } of rows) if (row.type !== 'technology_event') addPlace(index, row.place);
    const named = rows.flatMap(({ row }) =>
      row.type === 'policy' ? row.technologies : row.type === 'official' ? [] : [row.technology],
    );
    const unseen = [...new Set(named)].filter((slug) => findTechnologyBySlug(slug) === null);
    await createUnreviewedTechnologies(
      ctx.db,
      unseen.map((slug) => ({ slug, name: slug.replace(/-/g, ' ').replace(/^./, (c: string) => c.toUpperCase()) })),
      ctx.writer.actor,
      ctx.writer.now,
    );
    await ctx.writer.upsert('places', [...places.values()], { entity: 'place', createOnly: true });
    await upsertLinks(
      ctx,
      'place_aliases',
      [...places.values()].flatMap(({ row, values }) => {
        const name = String(values.name);
        const keys =
          values.kind === 'county'
            ? [normalizeCountyName(name), normalizePlaceName(name)]
            : [normalizePlaceName(name), normalizePlaceName(String(values.full_name))];
        return [...new Set(keys)].map((name_key) => ({
          row,
          values: { place_id: values.id, state_code: values.state_code, kind: values.kind, name_key },
        }));
      }),
      ['place_id', 'name_key'],
      'place_alias',
    );

    const deployments: DeploymentInput[] = [];
    const agencies = new Map<string, { row: number; values: AgencyRef }>();
    const technologyEvents: (typeof rows)[number][] = [];
    const policies: PolicyInput[] = [];
    const officials: Array<{ row: number; values: Record<string, unknown> }> = [];
    const officialListings: Array<{ row: number; values: Record<string, unknown> }> = [];
    const origins = [];
    for (const { index, line, row } of rows) {
      const key = counterwatchExportImporter.rowKey(row, line);
      if (row.type === 'deployment') {
        const a = row.agency;
        agencies.set(a.id, {
          row: index,
          values: {
            id: a.id,
            name: a.name,
            state_code: a.state,
            ori: a.ori,
            agency_type: a.type,
            place_id: row.place?.id ?? null,
            lat: a.lat,
            lon: a.lon,
            location_basis: a.location_basis,
            county_geoids: null,
            level: a.level,
            placement_issue: a.placement_issue,
          },
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
          evidence: row.events.map((e) => ({
            id: e.id,
            status: e.status,
            kind: e.kind,
            standing: e.standing,
            date: toDate(e.occurred_on),
            asOf: e.as_of,
            sourceUrl: e.source_url,
            note: e.note,
          })),
          sources: row.sources.map((s) => ({
            url: s.url,
            publisher: s.publisher,
            kind: s.kind,
            archiveUrl: s.archive_url,
            citedOn: toDate(s.cited_on),
          })),
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
          level: row.level,
          body: row.body,
          scope: row.scope,
          scopeNote: row.scope_note,
          kind: row.kind,
          title: row.title,
          summary: row.summary,
          technologies: row.technologies,
          sources: row.sources.map((s) => ({
            url: s.url,
            publisher: s.publisher,
            kind: s.kind,
            archiveUrl: s.archive_url,
            citedOn: toDate(s.cited_on),
          })),
          events: row.events.map((e) => ({
            id: e.id,
            status: e.status,
            kind: e.kind,
            date: toDate(e.occurred_on),
            sourceUrl: e.source_url,
            note: e.note,
          })),
          describedBy: row.described_by ?? undefined,
        });
      } else if (row.type === 'technology_event') {
        technologyEvents.push({ index, line, row });
      } else {
        const { type: _type, place: p, state, listings, current, ...rest } = row;
        officials.push({
          row: index,
          values: { ...rest, current: current === false ? 0 : 1, place_id: p?.id ?? null, state_code: state },
        });
        for (const l of listings ?? []) {
          officialListings.push({
            row: index,
            values: {
              id: `${row.id}|${l.source}`,
              official_id: row.id,
              dataset: l.source,
              as_of: l.as_of,
              status: l.status,
              source_url: l.source_url,
              term_ends_on: l.term_ends_on,
            },
          });
        }
        origins.push(originItem(ctx, index, line, key, 'official', row.id));
      }
    }
    await ctx.writer.upsert(
      'agencies',
      [...agencies.values()].map((a) => ({ row: a.row, values: { ...a.values } })),
      { entity: 'agency', createOnly: true, secondary: true },
    );
    await writeAgencyAliases(
      ctx,
      [...agencies.values()].map(({ row, values }) => ({ row, agency: values, name: values.name })),
    );
    await writeDeployments(ctx, deployments);
    await writePolicies(ctx, policies);
    await writeTechnologyEvents(
      ctx,
      technologyEvents.flatMap(({ index, line, row }) =>
        row.type === 'technology_event'
          ? [
              {
                row: index,
                line,
                rowKey: `technology_event:${row.id}`,
                id: row.id,
                technology: row.technology,
                date: parseIsoPartialDate(row.occurred_on)!,
                title: row.title,
                summary: row.summary,
                sources: row.sources.map((s) => ({
                  url: s.url,
                  publisher: s.publisher,
                  kind: s.kind,
                  archiveUrl: s.archive_url,
                  citedOn: null,
                })),
              },
            ]
          : [],
      ),
    );
    await ctx.writer.upsert(
      'officials',
      officials.map((o) => ({ row: o.row, values: reorderOfficial(o.values) })),
      { entity: 'official' },
    );
    await writeOfficialListings(ctx, officialListings);
    await writeOrigins(ctx, origins);
  },
};

function reorderOfficial(v: Record<string, unknown>): Record<string, unknown> {
  return {
    id: v.id,
    place_id: v.place_id,
    state_code: v.state_code,
    jurisdiction: v.jurisdiction,
    role: v.role,
    name: v.name,
    email: v.email,
    phone: v.phone,
    website_url: v.website_url,
    bio_url: v.bio_url,
    source_url: v.source_url,
    verified_on: v.verified_on,
    current: v.current,
    ended_on: v.ended_on ?? null,
    started_on: v.started_on ?? null,
  };
}

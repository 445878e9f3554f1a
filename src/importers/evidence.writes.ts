import { createHash } from 'node:crypto';
import { summarizeDeploymentEvents, type DeploymentStatus } from '#src/domain/statuses';
import { agencyNameKeys, normalizeAgencyName, normalizeCountyName, normalizePlaceName, placeNameFromAgencyName, slugify } from '#src/domain/names';
import type { VendorName } from '#src/domain/vendors';
import type { BatchContext } from './import-kind';
import type { AgencyRef, PlaceRef, Resolver } from './resolver';

/** `src-` + 16 hex digits of the URL's SHA-256: one source per URL, whatever dataset cites it. */
export function sourceId(url: string): string {
  return 'src-' + createHash('sha256').update(url.trim()).digest('hex').slice(0, 16);
}

export interface SourceInput {
  readonly url: string;
  readonly publisher: string | null;
  readonly kind: string;
  readonly archiveUrl: string | null;
  readonly citedOn: string | null;
}

/** Guesses a source's kind from how a dataset labels it and from its address. */
export function sourceKind(label: string, publisher: string | null, url: string): string {
  const text = `${label} ${publisher ?? ''}`.toLowerCase();
  if (/ring|vendor|company|press release from/.test(text) && /ring|vendor|company/.test(text)) return 'vendor';
  if (/news|newspaper|article|tv|radio|media/.test(text)) return 'news';
  if (/government|public record|record|meeting|agenda|minutes|council|ordinance|budget|contract|foia|pra|policy/.test(text)) return 'government';
  if (/\.gov(\/|$)|\.us(\/|$)|legistar|municode|granicus|civicclerk/.test(url)) return 'government';
  if (/documentcloud|muckrock/.test(url)) return 'government';
  return 'news';
}

export interface DeploymentInput {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly agencyId: string;
  /** The agency's state. */
  readonly state: string;
  readonly technology: string;
  /** A named programme or contract that makes this its own deployment (e.g. "flock-safety"); "" otherwise. */
  readonly programme: string;
  readonly summary: string | null;
  readonly vendors: readonly VendorName[];
  /**
   * Dated status transitions this row documents. Each is identified by the row that documents it (or by
   * `id` when the input carries one, as exports do), so a corrected date or status updates the event.
   */
  readonly events: ReadonlyArray<{ id?: string; status: DeploymentStatus; occurredOn: string | null; sourceUrl: string | null; note?: string | null }>;
  readonly sources: readonly SourceInput[];
  readonly lastVerifiedOn: string | null;
}

export function deploymentId(agencyId: string, technology: string, programme: string): string {
  return programme === '' ? `${agencyId}--${technology}` : `${agencyId}--${technology}--${programme}`;
}

/**
 * Writes deployments with their vendors, sources, citations, dated events and origins. Status, start and
 * end are derived from all events of the deployment (stored and new), so the order rows arrive in does
 * not matter. The summary belongs to the row with the smallest key that describes the deployment.
 */
export async function writeDeployments(ctx: BatchContext, inputs: readonly DeploymentInput[]): Promise<void> {
  const { writer } = ctx;
  const vendors = new Map<string, { row: number; values: Record<string, unknown> }>();
  const sources: Array<{ row: number; values: Record<string, unknown> }> = [];
  for (const input of inputs) {
    for (const v of input.vendors) vendors.set(v.id, { row: input.row, values: { id: v.id, name: v.name } });
    for (const s of input.sources) {
      sources.push({
        row: input.row,
        values: { id: sourceId(s.url), url: s.url.trim(), publisher: s.publisher, title: null, kind: s.kind, archive_url: s.archiveUrl },
      });
    }
  }
  await writer.upsert('vendors', [...vendors.values()], { entity: 'vendor', createOnly: true });
  // A source cited by several datasets keeps the first publisher/kind it was given.
  await writer.upsert('sources', sources, { entity: 'source', createOnly: true });

  const ids = [...new Set(inputs.map((i) => deploymentId(i.agencyId, i.technology, i.programme)))];
  const storedEvents = (await writer.selectWhereIn('deployment_events', 'deployment_id', ids)) as Array<{ id: string; deployment_id: string; status: string; occurred_on: string | null }>;
  const eventsByDeployment = new Map<string, Map<string, { status: DeploymentStatus; occurredOn: string | null }>>();
  for (const e of storedEvents) {
    const list = eventsByDeployment.get(e.deployment_id) ?? new Map();
    list.set(e.id, { status: e.status as DeploymentStatus, occurredOn: e.occurred_on });
    eventsByDeployment.set(e.deployment_id, list);
  }

  const eventItems: Array<{ row: number; values: Record<string, unknown> }> = [];
  const citationItems: Array<{ row: number; values: Record<string, unknown> }> = [];
  const vendorLinks: Array<{ row: number; values: Record<string, unknown> }> = [];
  const originItems: Array<{ row: number; values: Record<string, unknown> }> = [];
  for (const input of inputs) {
    const id = deploymentId(input.agencyId, input.technology, input.programme);
    const events = eventsByDeployment.get(id) ?? new Map();
    for (const [i, e] of input.events.entries()) {
      const eventId = e.id ?? `${id}@${ctx.dataset}:${input.rowKey}${i === 0 ? '' : `:${i}`}`;
      events.set(eventId, { status: e.status, occurredOn: e.occurredOn });
      eventItems.push({
        row: input.row,
        values: {
          id: eventId,
          deployment_id: id,
          status: e.status,
          occurred_on: e.occurredOn,
          source_id: e.sourceUrl ? sourceId(e.sourceUrl) : null,
          note: e.note ?? null,
        },
      });
    }
    eventsByDeployment.set(id, events);
    for (const s of input.sources) {
      const source = sourceId(s.url);
      citationItems.push({
        row: input.row,
        values: { id: `deployment:${id}:${source}`, subject_type: 'deployment', subject_id: id, source_id: source, cited_on: s.citedOn, note: null },
      });
    }
    for (const v of input.vendors) {
      vendorLinks.push({ row: input.row, values: { key: `${id}|${v.id}`, deployment_id: id, vendor_id: v.id } });
    }
    originItems.push(originItem(ctx, input.row, input.line, input.rowKey, 'deployment', id));
  }

  const deploymentItems = inputs.map((input) => {
    const id = deploymentId(input.agencyId, input.technology, input.programme);
    const derived = summarizeDeploymentEvents([...(eventsByDeployment.get(id) ?? new Map()).values()]);
    return {
      row: input.row,
      values: {
        id,
        agency_id: input.agencyId,
        state_code: input.state,
        technology_slug: input.technology,
        programme: input.programme,
        status: derived.status,
        started_on: derived.startedOn,
        ended_on: derived.endedOn,
        last_verified_on: input.lastVerifiedOn,
        summary: input.summary,
        primary_origin: `${ctx.dataset}:${input.rowKey}`,
      },
    };
  });
  await writer.upsert('deployments', deploymentItems, { entity: 'deployment', merge: mergeDeployment });
  // Rows that cite the same source for one deployment may give different dates; the earliest wins,
  // whatever order the rows come in, so that importing again changes nothing.
  await writer.upsert('deployment_events', eventItems, { entity: 'deployment_event' });
  await writer.upsert('citations', citationItems, { entity: 'citation', merge: keepSmallest('cited_on') });
  await upsertLinks(ctx, 'deployment_vendors', vendorLinks, ['deployment_id', 'vendor_id'], 'deployment_vendor');
  await writeOrigins(ctx, originItems);
}

/** A merge where the given field keeps the smaller of two non-null values. */
export function keepSmallest(field: string) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const x = a[field] as string | null;
    const y = b[field] as string | null;
    return { ...a, ...b, [field]: x === null || x === undefined ? y : y === null || y === undefined ? x : x < y ? x : y };
  };
}

/** Derived fields come from the incoming values (computed over all events); the summary stays with its owner row. */
function mergeDeployment(existing: Record<string, unknown>, incoming: Record<string, unknown>): Record<string, unknown> {
  const owner = existing.primary_origin as string | null;
  const challenger = incoming.primary_origin as string;
  const incomingOwns = owner === null || owner === challenger || compareOrigins(challenger, owner) < 0;
  const verified = [existing.last_verified_on, incoming.last_verified_on].filter((d): d is string => typeof d === 'string').sort();
  return {
    ...existing,
    status: incoming.status,
    started_on: incoming.started_on,
    ended_on: incoming.ended_on,
    last_verified_on: verified.at(-1) ?? null,
    summary: incomingOwns ? incoming.summary : existing.summary,
    primary_origin: incomingOwns ? challenger : owner,
  };
}

/** Origins of one dataset order by row key; across datasets the existing owner keeps the record. */
function compareOrigins(a: string, b: string): number {
  const [da] = a.split(':');
  const [db] = b.split(':');
  if (da !== db) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Records which dataset, file, row and line each record came from. The line is where the row was first
 * read: a row that moves in a later version of the file is the same origin, not an update.
 */
export async function writeOrigins(ctx: BatchContext, items: ReadonlyArray<{ row: number; values: Record<string, unknown> }>): Promise<void> {
  await ctx.writer.upsert('origins', items, {
    entity: 'origin',
    revisions: false,
    countsAsChange: false,
    merge: (a, b) => (a.file === b.file ? a : { ...a, ...b }),
  });
}

export function originItem(ctx: BatchContext, row: number, line: number, rowKey: string, entity: string, entityId: string) {
  return {
    row,
    values: { id: `${entity}:${entityId}:${ctx.dataset}:${rowKey}`, entity_type: entity, entity_id: entityId, dataset: ctx.dataset, file: ctx.file, line, row_key: rowKey },
  };
}

/** Inserts join rows that are missing (keyed by their columns); existing links stay as they are. */
export async function upsertLinks(
  ctx: BatchContext,
  table: string,
  items: Array<{ row: number; values: Record<string, unknown> }>,
  keyColumns: readonly [string, string],
  entity: string,
): Promise<void> {
  if (items.length === 0) return;
  const [a, b] = keyColumns;
  const firstValues = [...new Set(items.map((i) => String(i.values[a])))];
  const existing = new Set<string>();
  for (const r of await ctx.writer.selectWhereIn(table, a, firstValues)) existing.add(`${r[a]}|${r[b]}`);
  const fresh = new Map<string, { row: number; values: Record<string, unknown> }>();
  for (const item of items) {
    const key = `${item.values[a]}|${item.values[b]}`;
    if (!existing.has(key) && !fresh.has(key)) fresh.set(key, { row: item.row, values: item.values });
  }
  if (fresh.size === 0) return;
  await ctx.writer.createMany(table, [...fresh.values()].map((f) => ({ row: f.row, values: withoutKey(f.values) })), {
    entity,
    revisions: entity !== 'agency_alias',
    describe: (v) => `${v[a]}|${v[b]}`,
  });
}

function withoutKey(values: Record<string, unknown>): Record<string, unknown> {
  const { key: _key, ...rest } = values;
  return rest;
}

export interface AgencyClaim {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly name: string;
  readonly state: string;
  readonly agencyType: string | null;
  readonly ori?: string | null;
  readonly place: PlaceRef | null;
  readonly county: PlaceRef | null;
}

/**
 * Finds the agency a row names, or prepares a new one: by ORI, then by (name, state), then by place
 * (the one police department of a city, the one sheriff of a county). Existing agencies are not
 * changed; new ones take their point from their city, else their county.
 */
export function resolveAgency(resolver: Resolver, claim: AgencyClaim): { agency: AgencyRef; isNew: boolean } {
  if (claim.ori) {
    const byOri = resolver.agencyByOri(claim.ori);
    if (byOri) return { agency: byOri, isNew: false };
  }
  const byName = resolver.agencyByName(claim.state, claim.name);
  if (byName) return { agency: byName, isNew: false };
  const byPlace = agencyAtPlace(resolver, claim);
  if (byPlace) return { agency: byPlace, isNew: false };
  const point = claim.place?.lat != null ? claim.place : claim.county?.lat != null ? claim.county : null;
  return {
    isNew: true,
    agency: {
      id: `${claim.state.toLowerCase()}-${slugify(normalizeAgencyName(claim.name))}`,
      name: claim.name.trim().replace(/\s+/g, ' '),
      state_code: claim.state,
      ori: claim.ori ?? null,
      agency_type: claim.agencyType,
      place_id: claim.place?.id ?? claim.county?.id ?? null,
      lat: point?.lat ?? null,
      lon: point?.lon ?? null,
    },
  };
}

function agencyAtPlace(resolver: Resolver, claim: AgencyClaim): AgencyRef | null {
  // Only an agency named after its own city ("New Brighton Department of Public Safety") is taken for
  // that city's one police department; a campus, airport or transit police at the same place is not.
  if (claim.place && placeNameFromAgencyName(claim.name) === normalizePlaceName(claim.place.name)) {
    const police = resolver.policeOf(claim.place);
    if (police) return police;
  }
  const name = normalizeAgencyName(claim.name);
  if (claim.county && /sheriffs/.test(name) && name.includes(normalizeCountyName(claim.county.name))) {
    const sheriff = resolver.sheriffOf(claim.county);
    if (sheriff) return sheriff;
  }
  return null;
}

/** Writes agencies first seen in this batch, with their name aliases and origins. */
export async function writeNewAgencies(
  ctx: BatchContext,
  created: ReadonlyArray<{ claim: AgencyClaim; agency: AgencyRef }>,
  aliases: ReadonlyArray<{ row: number; agencyId: string; state: string; name: string }>,
): Promise<void> {
  const items = created.map(({ claim, agency }) => ({
    row: claim.row,
    values: { ...agency, location_basis: locationBasis(agency, claim) },
  }));
  await ctx.writer.upsert('agencies', items, { entity: 'agency', createOnly: true });
  await writeAgencyAliases(ctx, aliases);
  await writeOrigins(
    ctx,
    created.map(({ claim, agency }) => originItem(ctx, claim.row, claim.line, claim.rowKey, 'agency', agency.id)),
  );
}

export async function writeAgencyAliases(
  ctx: BatchContext,
  aliases: ReadonlyArray<{ row: number; agencyId: string; state: string; name: string }>,
): Promise<void> {
  const items = new Map<string, { row: number; values: Record<string, unknown> }>();
  for (const a of aliases) {
    for (const key of agencyNameKeys(a.name)) {
      items.set(`${a.agencyId}|${key}`, { row: a.row, values: { agency_id: a.agencyId, state_code: a.state, name_key: key } });
    }
  }
  await upsertLinks(ctx, 'agency_aliases', [...items.values()], ['agency_id', 'name_key'], 'agency_alias');
}

function locationBasis(agency: AgencyRef, claim: AgencyClaim): string | null {
  if (agency.lat == null) return null;
  if (claim.place?.lat != null && agency.lat === claim.place.lat) return 'city';
  return 'county';
}

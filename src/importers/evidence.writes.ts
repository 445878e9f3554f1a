import { createHash } from 'node:crypto';
import { storedDate, type PartialDate } from '#src/domain/dates';
import {
  summarizeDeploymentEvidence,
  type DeploymentEvidence,
  type DeploymentStatus,
  type EvidenceKind,
  type EvidenceStanding,
} from '#src/domain/statuses';
import type { VendorName } from '#src/domain/vendors';
import type { BatchContext } from './import-kind';

/** `src-` + 16 hex digits of the URL's SHA-256: one source per URL, whatever dataset cites it. */
export function sourceId(url: string): string {
  return 'src-' + createHash('sha256').update(url.trim()).digest('hex').slice(0, 16);
}

export interface SourceInput {
  readonly url: string;
  readonly publisher: string | null;
  readonly kind: string;
  readonly archiveUrl: string | null;
  /** The date of the cited document, at its precision. */
  readonly citedOn: PartialDate | null;
}

/** Guesses a source's kind from how a dataset labels it and from its address. */
export function sourceKind(label: string, publisher: string | null, url: string): string {
  const text = `${label} ${publisher ?? ''}`.toLowerCase();
  if (/ring|vendor|company|press release from/.test(text) && /ring|vendor|company/.test(text)) return 'vendor';
  if (/news|newspaper|article|tv|radio|media/.test(text)) return 'news';
  if (
    /government|public record|record|meeting|agenda|minutes|council|ordinance|budget|contract|foia|pra|policy/.test(
      text,
    )
  )
    return 'government';
  if (/\.gov(\/|$)|\.us(\/|$)|legistar|municode|granicus|civicclerk/.test(url)) return 'government';
  if (/documentcloud|muckrock/.test(url)) return 'government';
  return 'news';
}

/** One piece of dated evidence a row gives about a deployment (see domain/statuses). */
export interface EvidenceInput {
  /** Given by our own exports, which carry the stored id; otherwise made from the row (see `evidenceId`). */
  readonly id?: string;
  readonly status: DeploymentStatus;
  readonly kind: EvidenceKind;
  readonly standing: EvidenceStanding;
  readonly date: PartialDate | null;
  readonly sourceUrl: string | null;
  readonly note?: string | null;
  /** Given by our own exports; otherwise the import's as-of date. */
  readonly asOf?: string | null;
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
  readonly evidence: readonly EvidenceInput[];
  readonly sources: readonly SourceInput[];
}

export function deploymentId(agencyId: string, technology: string, programme: string): string {
  return programme === '' ? `${agencyId}--${technology}` : `${agencyId}--${technology}--${programme}`;
}

/**
 * The id of a piece of evidence, so that importing again finds it: a transition by the row that states
 * it, a document by its URL (one per deployment, whichever rows cite it), a listing by dataset and as-of
 * date (each version of a dataset that lists the deployment adds one).
 */
function evidenceId(
  ctx: BatchContext,
  deployment: string,
  input: DeploymentInput,
  e: EvidenceInput,
  index: number,
): string {
  if (e.id) return e.id;
  if (e.kind === 'documented' && e.sourceUrl) return `${deployment}@doc:${sourceId(e.sourceUrl)}`;
  if (e.kind === 'listed') return `${deployment}@listed:${ctx.dataset}:${ctx.asOf.on}`;
  return `${deployment}@${ctx.dataset}:${input.rowKey}${index === 0 ? '' : `:${index}`}`;
}

type Item = { row: number; values: Record<string, unknown> };

/**
 * Writes deployments with their vendors, sources, citations, dated evidence and origins. Status and dates
 * are derived from all the evidence of the deployment (stored and new), so the order rows arrive in does
 * not matter. The summary belongs to the row with the smallest key that describes the deployment.
 */
export async function writeDeployments(ctx: BatchContext, inputs: readonly DeploymentInput[]): Promise<void> {
  const { writer } = ctx;
  const vendors = new Map<string, Item>();
  const sources: Item[] = [];
  for (const input of inputs) {
    for (const v of input.vendors) vendors.set(v.id, { row: input.row, values: { id: v.id, name: v.name } });
    for (const s of input.sources) {
      sources.push({
        row: input.row,
        values: {
          id: sourceId(s.url),
          url: s.url.trim(),
          publisher: s.publisher,
          title: null,
          kind: s.kind,
          archive_url: s.archiveUrl,
        },
      });
    }
  }
  await writer.upsert('vendors', [...vendors.values()], { entity: 'vendor', createOnly: true, secondary: true });
  await writeSources(ctx, sources);

  const ids = [...new Set(inputs.map((i) => deploymentId(i.agencyId, i.technology, i.programme)))];
  const stored = await writer.selectWhereIn('deployment_events', 'deployment_id', ids);
  const evidenceBy = new Map<string, Map<string, Record<string, unknown>>>();
  for (const e of stored) {
    const list = evidenceBy.get(e.deployment_id as string) ?? new Map();
    list.set(e.id, e);
    evidenceBy.set(e.deployment_id as string, list);
  }

  const eventItems: Item[] = [];
  const citationItems: Item[] = [];
  const vendorLinks: Item[] = [];
  const originItems: Item[] = [];
  for (const input of inputs) {
    const id = deploymentId(input.agencyId, input.technology, input.programme);
    const evidence = evidenceBy.get(id) ?? new Map<string, Record<string, unknown>>();
    let transitions = 0;
    for (const e of input.evidence) {
      const eventId = evidenceId(ctx, id, input, e, e.kind === 'transition' ? transitions++ : 0);
      const values = {
        id: eventId,
        deployment_id: id,
        status: e.status,
        kind: e.kind,
        standing: e.standing,
        occurred_on: e.date?.on ?? null,
        precision: e.date?.precision ?? null,
        as_of: e.asOf !== undefined ? e.asOf : ctx.asOf.on,
        source_id: e.sourceUrl ? sourceId(e.sourceUrl) : null,
        note: e.note ?? null,
      };
      const before = evidence.get(eventId);
      evidence.set(eventId, before ? mergeEvidence(before, values) : values);
      eventItems.push({ row: input.row, values });
    }
    evidenceBy.set(id, evidence);
    for (const s of input.sources) {
      const source = sourceId(s.url);
      citationItems.push({
        row: input.row,
        values: {
          id: `deployment:${id}:${source}`,
          subject_type: 'deployment',
          subject_id: id,
          source_id: source,
          cited_on: s.citedOn?.on ?? null,
          cited_precision: s.citedOn?.precision ?? null,
          note: null,
        },
      });
    }
    for (const v of input.vendors) {
      vendorLinks.push({ row: input.row, values: { key: `${id}|${v.id}`, deployment_id: id, vendor_id: v.id } });
    }
    originItems.push(originItem(ctx, input.row, input.line, input.rowKey, 'deployment', id));
  }

  const deploymentItems = inputs.map((input) => {
    const id = deploymentId(input.agencyId, input.technology, input.programme);
    return {
      row: input.row,
      values: {
        id,
        agency_id: input.agencyId,
        state_code: input.state,
        technology_slug: input.technology,
        programme: input.programme,
        ...deploymentDates([...(evidenceBy.get(id) ?? new Map()).values()]),
        summary: input.summary,
        primary_origin: `${ctx.dataset}:${input.rowKey}`,
      },
    };
  });
  await writer.upsert('deployments', deploymentItems, { entity: 'deployment', merge: mergeDeployment });
  await writer.upsert('deployment_events', eventItems, {
    entity: 'deployment_event',
    merge: mergeEvidence,
    secondary: true,
  });
  await writeCitations(ctx, citationItems);
  await upsertLinks(ctx, 'deployment_vendors', vendorLinks, ['deployment_id', 'vendor_id'], 'deployment_vendor');
  await writeOrigins(ctx, originItems);
}

/** The status and dates of a deployment, derived from its stored evidence rows (as the table holds them). */
export function deploymentDates(rows: ReadonlyArray<Record<string, unknown>>) {
  const evidence: DeploymentEvidence[] = rows.map((e) => ({
    status: e.status as DeploymentStatus,
    kind: e.kind as EvidenceKind,
    standing: e.standing as EvidenceStanding,
    date: storedDate(e.occurred_on as string | null, e.precision as string | null),
    asOf: (e.as_of as string | null) ?? null,
    by: (e.note as string | null) ?? null,
  }));
  const s = summarizeDeploymentEvidence(evidence);
  return {
    status: s.status,
    started_on: s.started?.on ?? null,
    started_precision: s.started?.precision ?? null,
    first_documented_on: s.firstDocumented?.on ?? null,
    first_documented_precision: s.firstDocumented?.precision ?? null,
    last_seen_on: s.lastSeen?.on ?? null,
    last_seen_precision: s.lastSeen?.precision ?? null,
    ended_on: s.ended?.on ?? null,
    ended_precision: s.ended?.precision ?? null,
    active_from: s.activeFrom,
    active_until: s.activeUntil,
    unlisted_on: s.unlisted?.on.on ?? null,
    unlisted_by: s.unlisted?.by ?? null,
  };
}

/**
 * Two versions of one piece of evidence: a document keeps its earliest date; a statement from a dataset
 * as of an older date never replaces one from a newer version of it (so importing an old file after a
 * newer one changes nothing it stated); otherwise the incoming version wins.
 */
function mergeEvidence(existing: Record<string, unknown>, incoming: Record<string, unknown>): Record<string, unknown> {
  const olderSource =
    typeof existing.as_of === 'string' && typeof incoming.as_of === 'string' && incoming.as_of < existing.as_of;
  if (incoming.kind === 'documented') {
    const keepExisting =
      existing.occurred_on !== null &&
      (incoming.occurred_on === null || (existing.occurred_on as string) <= (incoming.occurred_on as string));
    const dated = keepExisting
      ? { occurred_on: existing.occurred_on, precision: existing.precision }
      : { occurred_on: incoming.occurred_on, precision: incoming.precision };
    return {
      ...(olderSource ? { ...incoming, ...existing } : { ...existing, ...incoming }),
      ...dated,
      as_of: olderSource ? existing.as_of : incoming.as_of,
    };
  }
  return olderSource ? { ...incoming, ...existing } : { ...existing, ...incoming };
}

/** Sources by URL. A source cited by several datasets keeps the first publisher and kind it was given. */
export async function writeSources(ctx: BatchContext, items: readonly Item[]): Promise<void> {
  await ctx.writer.upsert('sources', items, { entity: 'source', createOnly: true, secondary: true });
}

/** Citations of sources by records (`<subject type>:<subject id>:<source id>`), each keeping its earliest date. */
export async function writeCitations(ctx: BatchContext, items: readonly Item[]): Promise<void> {
  await ctx.writer.upsert('citations', items, { entity: 'citation', merge: keepEarliestCitation, secondary: true });
}

/** A citation keeps the earliest date it was given (rows citing one URL may date it differently). */
function keepEarliestCitation(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const x = a.cited_on as string | null;
  const y = b.cited_on as string | null;
  const first = x === null || x === undefined ? b : y === null || y === undefined ? a : x <= y ? a : b;
  return { ...a, ...b, cited_on: first.cited_on ?? null, cited_precision: first.cited_precision ?? null };
}

/** A merge where the given field keeps the smaller of two non-null values. */
export function keepSmallest(field: string) {
  return (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const x = a[field] as string | null;
    const y = b[field] as string | null;
    return {
      ...a,
      ...b,
      [field]: x === null || x === undefined ? y : y === null || y === undefined ? x : x < y ? x : y,
    };
  };
}

const DERIVED = [
  'status',
  'started_on',
  'started_precision',
  'first_documented_on',
  'first_documented_precision',
  'last_seen_on',
  'last_seen_precision',
  'ended_on',
  'ended_precision',
  'active_from',
  'active_until',
  'unlisted_on',
  'unlisted_by',
] as const;

/** Derived fields come from the incoming values (computed over all evidence); the summary stays with its owner row. */
function mergeDeployment(
  existing: Record<string, unknown>,
  incoming: Record<string, unknown>,
): Record<string, unknown> {
  const owner = existing.primary_origin as string | null;
  const challenger = incoming.primary_origin as string;
  const incomingOwns = owner === null || owner === challenger || compareOrigins(challenger, owner) < 0;
  const merged: Record<string, unknown> = { ...existing };
  for (const field of DERIVED) merged[field] = incoming[field];
  merged.summary = incomingOwns ? incoming.summary : existing.summary;
  merged.primary_origin = incomingOwns ? challenger : owner;
  return merged;
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
export async function writeOrigins(ctx: BatchContext, items: readonly Item[]): Promise<void> {
  await ctx.writer.upsert('origins', items, {
    entity: 'origin',
    revisions: false,
    countsAsChange: false,
    merge: (a, b) => (a.file === b.file ? a : { ...a, ...b }),
  });
}

export function originItem(
  ctx: BatchContext,
  row: number,
  line: number,
  rowKey: string,
  entity: string,
  entityId: string,
): Item {
  return {
    row,
    values: {
      id: `${entity}:${entityId}:${ctx.dataset}:${rowKey}`,
      entity_type: entity,
      entity_id: entityId,
      dataset: ctx.dataset,
      file: ctx.file,
      line,
      row_key: rowKey,
    },
  };
}

/** Inserts join rows that are missing (keyed by their columns); existing links stay as they are. */
export async function upsertLinks(
  ctx: BatchContext,
  table: string,
  items: readonly Item[],
  keyColumns: readonly [string, string],
  entity: string,
): Promise<void> {
  if (items.length === 0) return;
  const [a, b] = keyColumns;
  const firstValues = [...new Set(items.map((i) => String(i.values[a])))];
  const existing = new Set<string>();
  for (const r of await ctx.writer.selectWhereIn(table, a, firstValues)) existing.add(`${r[a]}|${r[b]}`);
  const fresh = new Map<string, Item>();
  for (const item of items) {
    const key = `${item.values[a]}|${item.values[b]}`;
    if (!existing.has(key) && !fresh.has(key)) fresh.set(key, { row: item.row, values: item.values });
  }
  if (fresh.size === 0) return;
  await ctx.writer.createMany(
    table,
    [...fresh.values()].map((f) => ({ row: f.row, values: withoutKey(f.values) })),
    { entity, revisions: entity !== 'agency_alias', secondary: true, describe: (v) => `${v[a]}|${v[b]}` },
  );
}

function withoutKey(values: Record<string, unknown>): Record<string, unknown> {
  const { key: _key, ...rest } = values;
  return rest;
}

/**
 * After a sync of source `dataset` read the rows `listedKeys`: every deployment the source listed before
 * (by its origins) whose rows it no longer lists gets a dated "no longer listed" event, as of the run's
 * date. Nothing is deleted. Returns the deployments so marked.
 */
export async function writeUnlisted(ctx: BatchContext, listedKeys: ReadonlySet<string>): Promise<string[]> {
  const origins = await ctx.db
    .selectFrom('origins')
    .select(['entity_id', 'row_key'])
    .where('entity_type', '=', 'deployment')
    .where('dataset', '=', ctx.dataset)
    .execute();
  const stillListed = new Set(origins.filter((o) => listedKeys.has(o.row_key)).map((o) => o.entity_id as string));
  const gone = [...new Set(origins.map((o) => o.entity_id as string))].filter((id) => !stillListed.has(id)).sort();
  if (gone.length === 0) return [];
  const events = await ctx.writer.selectWhereIn('deployment_events', 'deployment_id', gone);
  const deployments = new Map(
    (await ctx.writer.selectWhereIn('deployments', 'id', gone)).map((d) => [d.id as string, d]),
  );
  const byDeployment = new Map<string, Record<string, unknown>[]>();
  for (const e of events)
    byDeployment.set(e.deployment_id as string, [...(byDeployment.get(e.deployment_id as string) ?? []), e]);
  const eventItems: Item[] = [];
  const deploymentItems: Item[] = [];
  for (const id of gone) {
    const deployment = deployments.get(id);
    if (!deployment) continue;
    const event = {
      id: `${id}@unlisted:${ctx.dataset}:${ctx.asOf.on}`,
      deployment_id: id,
      status: deployment.status,
      kind: 'unlisted',
      standing: 'reported',
      occurred_on: ctx.asOf.on,
      precision: ctx.asOf.precision,
      as_of: ctx.asOf.on,
      source_id: null,
      note: ctx.dataset,
    };
    eventItems.push({ row: -1, values: event });
    const all = [...(byDeployment.get(id) ?? []).filter((e) => e.id !== event.id), event];
    deploymentItems.push({ row: -1, values: { id, ...deploymentDates(all) } });
  }
  await ctx.writer.upsert('deployment_events', eventItems, { entity: 'deployment_event', secondary: true });
  await ctx.writer.upsert('deployments', deploymentItems, { entity: 'deployment' });
  return deploymentItems.map((d) => d.values.id as string);
}

import { isoOf, storedDate, type PartialDate } from '#src/domain/dates';
import {
  summarizePolicyEvidence,
  type PolicyEvidence,
  type PolicyLevel,
  type PolicyScope,
  type PolicyStatus,
} from '#src/domain/policies';
import type { BatchContext } from '../import-kind';
import {
  originItem,
  sourceId,
  upsertLinks,
  writeCitations,
  writeOrigins,
  writeSources,
  type SourceInput,
} from '../evidence.writes';

export interface PolicyEventInput {
  readonly status: PolicyStatus;
  readonly kind: 'transition' | 'reported';
  readonly date: PartialDate | null;
  readonly sourceUrl: string | null;
  readonly note?: string | null;
  /** Given by our own exports, which carry the stored id. */
  readonly id?: string;
}

export interface PolicyInput {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly id: string;
  readonly placeId: string | null;
  readonly state: string;
  readonly jurisdiction: string;
  readonly level: PolicyLevel | null;
  readonly body: string | null;
  readonly scope: PolicyScope;
  readonly scopeNote: string | null;
  readonly kind: string;
  readonly title: string;
  readonly summary: string | null;
  readonly technologies: readonly string[];
  readonly sources: readonly SourceInput[];
  readonly events: readonly PolicyEventInput[];
  /** The dataset whose description this is (defaults to the import's); see `CURATED_DATASETS`. */
  readonly describedBy?: string;
}

/**
 * Datasets whose description of a policy (kind, title, level, body, scope) outranks an aggregated list's:
 * each of their rows was checked against the cited law or reporting.
 */
export const CURATED_DATASETS: ReadonlySet<string> = new Set(['curated-policies']);

const DESCRIPTION = [
  'place_id',
  'state_code',
  'jurisdiction',
  'kind',
  'title',
  'level',
  'body',
  'scope',
  'scope_note',
  'summary',
  'described_by',
] as const;

/**
 * Writes policies with the technologies they cover, their dated events, sources and origins; status comes from all
 * events.
 */
export async function writePolicies(ctx: BatchContext, inputs: readonly PolicyInput[]): Promise<void> {
  const { writer } = ctx;
  await writeSources(
    ctx,
    inputs.flatMap((p) =>
      p.sources.map((s) => ({
        row: p.row,
        values: {
          id: sourceId(s.url),
          url: s.url,
          publisher: s.publisher,
          title: null,
          kind: s.kind,
          archive_url: s.archiveUrl,
        },
      })),
    ),
  );

  const stored = await writer.selectWhereIn('policy_events', 'policy_id', [...new Set(inputs.map((p) => p.id))]);
  const eventsBy = new Map<string, Map<string, Record<string, unknown>>>();
  for (const e of stored)
    eventsBy.set(e.policy_id as string, (eventsBy.get(e.policy_id as string) ?? new Map()).set(e.id, e));
  const eventItems = inputs.flatMap((p) =>
    p.events.map((e) => {
      const id =
        e.id ??
        (e.kind === 'reported'
          ? `${p.id}@reported:${ctx.dataset}`
          : `${p.id}@${e.status}@${e.date ? isoOf(e.date) : 'undated'}`);
      const values = {
        id,
        policy_id: p.id,
        status: e.status,
        kind: e.kind,
        occurred_on: e.date?.on ?? null,
        precision: e.date?.precision ?? null,
        source_id: e.sourceUrl ? sourceId(e.sourceUrl) : null,
        note: e.note ?? null,
      };
      eventsBy.set(p.id, (eventsBy.get(p.id) ?? new Map()).set(id, values));
      return { row: p.row, values };
    }),
  );

  await writer.upsert(
    'policies',
    inputs.map((p) => {
      const events: PolicyEvidence[] = [...(eventsBy.get(p.id)?.values() ?? [])].map((e) => ({
        status: e.status as PolicyStatus,
        kind: e.kind as 'transition' | 'reported',
        date: storedDate(e.occurred_on as string | null, e.precision as string | null),
      }));
      const current = summarizePolicyEvidence(events);
      return {
        row: p.row,
        values: {
          id: p.id,
          place_id: p.placeId,
          state_code: p.state,
          jurisdiction: p.jurisdiction,
          kind: p.kind,
          title: p.title,
          status: current?.status ?? 'passed',
          status_on: current?.since?.on ?? null,
          status_precision: current?.since?.precision ?? null,
          level: p.level,
          body: p.body,
          scope: p.scope,
          scope_note: p.scopeNote,
          described_by: p.describedBy ?? ctx.dataset,
          summary: p.summary,
        },
      };
    }),
    { entity: 'policy', merge: mergePolicy },
  );
  await upsertLinks(
    ctx,
    'policy_technologies',
    inputs.flatMap((p) => p.technologies.map((t) => ({ row: p.row, values: { policy_id: p.id, technology_slug: t } }))),
    ['policy_id', 'technology_slug'],
    'policy_technology',
  );
  await writer.upsert('policy_events', eventItems, { entity: 'policy_event', secondary: true });
  await writeCitations(
    ctx,
    inputs.flatMap((p) =>
      p.sources.map((s) => ({
        row: p.row,
        values: {
          id: `policy:${p.id}:${sourceId(s.url)}`,
          subject_type: 'policy',
          subject_id: p.id,
          source_id: sourceId(s.url),
          cited_on: s.citedOn?.on ?? null,
          cited_precision: s.citedOn?.precision ?? null,
          note: null,
        },
      })),
    ),
  );
  await writeOrigins(
    ctx,
    inputs.map((p) => originItem(ctx, p.row, p.line, p.rowKey, 'policy', p.id)),
  );
}

/** A curated description is kept against an aggregated list's; the status always comes from every event. */
function mergePolicy(existing: Record<string, unknown>, incoming: Record<string, unknown>): Record<string, unknown> {
  const keepDescription =
    CURATED_DATASETS.has(String(existing.described_by)) && !CURATED_DATASETS.has(String(incoming.described_by));
  if (!keepDescription) return { ...existing, ...incoming };
  const merged = { ...existing, ...incoming };
  for (const field of DESCRIPTION) merged[field] = existing[field];
  return merged;
}

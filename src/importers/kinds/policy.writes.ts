import type { BatchContext } from '../import-kind';
import { keepSmallest, originItem, sourceId, writeOrigins, upsertLinks, type SourceInput } from '../evidence.writes';

export interface PolicyInput {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly id: string;
  readonly placeId: string | null;
  readonly state: string;
  readonly jurisdiction: string;
  readonly kind: string;
  readonly title: string;
  readonly status: string;
  readonly statusOn: string | null;
  readonly summary: string | null;
  readonly technologies: readonly string[];
  readonly sources: readonly SourceInput[];
}

/** Writes policies with the technologies they cover, their dated status event, sources and origins. */
export async function writePolicies(ctx: BatchContext, inputs: readonly PolicyInput[]): Promise<void> {
  const { writer } = ctx;
  await writer.upsert(
    'sources',
    inputs.flatMap((p) =>
      p.sources.map((s) => ({
        row: p.row,
        values: { id: sourceId(s.url), url: s.url, publisher: s.publisher, title: null, kind: s.kind, archive_url: s.archiveUrl },
      })),
    ),
    { entity: 'source', createOnly: true },
  );
  await writer.upsert(
    'policies',
    inputs.map((p) => ({
      row: p.row,
      values: {
        id: p.id,
        place_id: p.placeId,
        state_code: p.state,
        jurisdiction: p.jurisdiction,
        kind: p.kind,
        title: p.title,
        status: p.status,
        status_on: p.statusOn,
        summary: p.summary,
      },
    })),
    { entity: 'policy' },
  );
  await upsertLinks(
    ctx,
    'policy_technologies',
    inputs.flatMap((p) => p.technologies.map((t) => ({ row: p.row, values: { policy_id: p.id, technology_slug: t } }))),
    ['policy_id', 'technology_slug'],
    'policy_technology',
  );
  await writer.upsert(
    'policy_events',
    inputs.map((p) => ({
      row: p.row,
      values: {
        id: `${p.id}@${p.status}@${p.statusOn ?? 'undated'}`,
        policy_id: p.id,
        status: p.status,
        occurred_on: p.statusOn,
        source_id: p.sources[0] ? sourceId(p.sources[0].url) : null,
      },
    })),
    { entity: 'policy_event' },
  );
  await writer.upsert(
    'citations',
    inputs.flatMap((p) =>
      p.sources.map((s) => ({
        row: p.row,
        values: { id: `policy:${p.id}:${sourceId(s.url)}`, subject_type: 'policy', subject_id: p.id, source_id: sourceId(s.url), cited_on: s.citedOn, note: null },
      })),
    ),
    { entity: 'citation', merge: keepSmallest('cited_on') },
  );
  await writeOrigins(
    ctx,
    inputs.map((p) => originItem(ctx, p.row, p.line, p.rowKey, 'policy', p.id)),
  );
}

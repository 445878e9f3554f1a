import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { findTechnologyBySlug } from '#src/domain/technologies';

/** One entry of the public change history, to write. */
export interface ChangeInput {
  readonly kind: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly title: string;
  readonly detail?: string | null;
  readonly stateCode?: string | null;
  readonly placeId?: string | null;
  readonly agencyId?: string | null;
  readonly technology?: string | null;
  readonly runId?: string | null;
  readonly sourceName?: string | null;
  readonly actor: string;
  readonly fields?: Record<string, [unknown, unknown]> | null;
  /** The resident's report whose acceptance made it, and the evidence URLs it cited. */
  readonly reportId?: string | null;
  readonly evidenceUrls?: readonly string[] | null;
}

export async function recordChanges(
  db: Kysely<Database>,
  changes: readonly ChangeInput[],
  occurredAt: string,
): Promise<void> {
  for (let i = 0; i < changes.length; i += 500) {
    await db
      .insertInto('changes')
      .values(
        changes.slice(i, i + 500).map((c) => ({
          occurred_at: occurredAt,
          kind: c.kind,
          entity_type: c.entityType,
          entity_id: c.entityId,
          title: c.title,
          detail: c.detail ?? null,
          state_code: c.stateCode ?? null,
          place_id: c.placeId ?? null,
          agency_id: c.agencyId ?? null,
          technology_slug: c.technology ?? null,
          run_id: c.runId ?? null,
          source_name: c.sourceName ?? null,
          actor: c.actor,
          fields: c.fields ? JSON.stringify(c.fields) : null,
          report_id: c.reportId ?? null,
          evidence_urls: c.evidenceUrls?.length ? JSON.stringify(c.evidenceUrls) : null,
        })),
      )
      .execute();
  }
}

/** What an import run is, for its change entries. */
export interface RunOfChanges {
  readonly runId: string;
  readonly sourceName: string;
  readonly title: string;
  readonly file: string;
  readonly asOf: string;
  readonly created: number;
  readonly updated: number;
  /** A first load of bundled data is one entry, not one per record. */
  readonly firstLoad: boolean;
}

/** Fields of a deployment that a reader of the history cares about (the rest is bookkeeping). */
const SHOWN_DEPLOYMENT_FIELDS = ['status', 'started_on', 'last_seen_on', 'ended_on', 'summary', 'unlisted_on'];

/**
 * Writes the change entries of an import run from its revisions: one per deployment, agency, policy,
 * official and technology created or changed (with the place, state, agency and technology each
 * concerns), or, for a first load, one for the whole run. Returns how many it wrote.
 */
export async function recordRunChanges(db: Kysely<Database>, run: RunOfChanges, occurredAt: string): Promise<number> {
  const actor = `import:${run.runId}`;
  const base = { runId: run.runId, sourceName: run.sourceName, actor };
  if (run.firstLoad) {
    if (run.created === 0 && run.updated === 0) return 0;
    await recordChanges(
      db,
      [
        {
          ...base,
          kind: 'loaded',
          entityType: 'dataset',
          entityId: run.sourceName,
          title: `Loaded ${run.title}`,
          detail: `${run.created} records created and ${run.updated} updated from ${run.file}, as of ${run.asOf}`,
        },
      ],
      occurredAt,
    );
    return 1;
  }
  const revisions = await db
    .selectFrom('revisions')
    .select(['entity_type', 'entity_id', 'action', 'changes'])
    .where('actor', '=', actor)
    .where('entity_type', 'in', ['deployment', 'agency', 'policy', 'official', 'technology'])
    .orderBy('id')
    .execute();
  const ids = (type: string) => [...new Set(revisions.filter((r) => r.entity_type === type).map((r) => r.entity_id))];
  const deployments = new Map(
    (
      await inChunks(ids('deployment'), (chunk) =>
        db
          .selectFrom('deployments as d')
          .innerJoin('agencies as a', 'a.id', 'd.agency_id')
          .select(['d.id', 'd.agency_id', 'd.state_code', 'd.technology_slug', 'd.status', 'a.name', 'a.place_id'])
          .where('d.id', 'in', chunk)
          .execute(),
      )
    ).map((d) => [d.id, d]),
  );
  const agencies = new Map(
    (
      await inChunks(ids('agency'), (chunk) =>
        db.selectFrom('agencies').select(['id', 'name', 'state_code', 'place_id']).where('id', 'in', chunk).execute(),
      )
    ).map((a) => [a.id, a]),
  );
  const policies = new Map(
    (
      await inChunks(ids('policy'), (chunk) =>
        db
          .selectFrom('policies')
          .select(['id', 'title', 'jurisdiction', 'state_code', 'place_id'])
          .where('id', 'in', chunk)
          .execute(),
      )
    ).map((p) => [p.id, p]),
  );
  const officials = new Map(
    (
      await inChunks(ids('official'), (chunk) =>
        db
          .selectFrom('officials')
          .select(['id', 'name', 'role', 'jurisdiction', 'state_code', 'place_id'])
          .where('id', 'in', chunk)
          .execute(),
      )
    ).map((o) => [o.id, o]),
  );
  const entries: ChangeInput[] = [];
  const seen = new Set<string>();
  for (const r of revisions) {
    const key = `${r.entity_type}:${r.entity_id}:${r.action}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const fields = r.action === 'update' ? (JSON.parse(r.changes) as Record<string, [unknown, unknown]>) : null;
    const verb = r.action === 'create' ? 'created' : r.action === 'update' ? 'updated' : 'deleted';
    if (r.entity_type === 'deployment') {
      const d = deployments.get(r.entity_id);
      if (!d) continue;
      const shown = fields
        ? Object.fromEntries(Object.entries(fields).filter(([f]) => SHOWN_DEPLOYMENT_FIELDS.includes(f)))
        : null;
      if (fields && Object.keys(shown!).length === 0) continue;
      const technology = findTechnologyBySlug(d.technology_slug)?.name ?? d.technology_slug;
      const kind =
        shown?.unlisted_on && shown.unlisted_on[1] !== null
          ? 'no-longer-listed'
          : shown?.status
            ? 'status-changed'
            : verb;
      const title =
        kind === 'no-longer-listed'
          ? `${d.name}: ${technology} is no longer listed by ${run.sourceName}`
          : kind === 'status-changed'
            ? `${d.name}: ${technology} is now ${d.status} (was ${String(shown!.status![0])})`
            : kind === 'created'
              ? `${d.name}: ${technology} recorded (${d.status})`
              : `${d.name}: ${technology} updated`;
      entries.push({
        ...base,
        kind,
        entityType: 'deployment',
        entityId: d.id,
        title,
        stateCode: d.state_code,
        placeId: d.place_id,
        agencyId: d.agency_id,
        technology: d.technology_slug,
        fields: shown,
      });
    } else if (r.entity_type === 'agency') {
      const a = agencies.get(r.entity_id);
      if (!a || r.action !== 'create') continue;
      entries.push({
        ...base,
        kind: 'created',
        entityType: 'agency',
        entityId: a.id,
        title: `New agency: ${a.name}`,
        stateCode: a.state_code,
        placeId: a.place_id,
        agencyId: a.id,
      });
    } else if (r.entity_type === 'policy') {
      const p = policies.get(r.entity_id);
      if (!p) continue;
      entries.push({
        ...base,
        kind: verb,
        entityType: 'policy',
        entityId: p.id,
        title: `${p.title} (${p.jurisdiction}) ${verb}`,
        stateCode: p.state_code,
        placeId: p.place_id,
        fields,
      });
    } else if (r.entity_type === 'official') {
      const o = officials.get(r.entity_id);
      if (!o) continue;
      const left = fields?.current && Number(fields.current[1]) === 0;
      entries.push({
        ...base,
        kind: left ? 'left-office' : verb,
        entityType: 'official',
        entityId: o.id,
        title: left
          ? `${o.name} is no longer ${o.role} of ${o.jurisdiction}`
          : r.action === 'create'
            ? `${o.name}, ${o.role} of ${o.jurisdiction}, listed`
            : `${o.name}, ${o.role} of ${o.jurisdiction}, updated`,
        stateCode: o.state_code,
        placeId: o.place_id,
        fields,
      });
    } else if (r.entity_type === 'technology' && r.action === 'create') {
      const name = findTechnologyBySlug(r.entity_id)?.name ?? r.entity_id;
      entries.push({
        ...base,
        kind: 'created',
        entityType: 'technology',
        entityId: r.entity_id,
        title: `New technology, unreviewed: ${name}`,
        technology: r.entity_id,
      });
    }
  }
  await recordChanges(db, entries, occurredAt);
  return entries.length;
}

async function inChunks<T>(ids: readonly string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await query(ids.slice(i, i + 500))));
  return out;
}

export const CHANGE_KINDS = [
  'loaded',
  'created',
  'updated',
  'deleted',
  'status-changed',
  'no-longer-listed',
  'left-office',
  'renamed',
  'merged',
  'reviewed',
  'reported',
] as const;

export interface ChangeFilter {
  readonly since?: string;
  readonly state?: string;
  readonly place?: string;
  readonly agency?: string;
  readonly technology?: string;
  readonly kind?: string;
  /** Changes an import of this source made. */
  readonly source?: string;
  readonly entity?: { type: string; id: string };
  /** Entries after this id (ascending) or before it (descending). */
  readonly after?: number;
  readonly limit: number;
  readonly order: 'asc' | 'desc';
}

export interface ChangeRecord {
  id: number;
  occurred_at: string;
  kind: string;
  entity_type: string;
  entity_id: string;
  url: string | null;
  title: string;
  detail: string | null;
  state: string | null;
  place_id: string | null;
  agency_id: string | null;
  technology: string | null;
  source: string | null;
  run_id: string | null;
  by: string;
  fields: Record<string, [unknown, unknown]> | null;
  /** The accepted report that made it, if one did. */
  report_id: string | null;
  /** The evidence it rests on (an accepted report's URLs); empty otherwise. */
  evidence: string[];
}

const PAGES: Record<string, string> = {
  deployment: '/deployments/',
  agency: '/agencies/',
  policy: '/policies/',
  official: '/officials/',
  technology: '/technologies/',
};

/** The change history, filtered, one page at a time (keyset by id). */
export async function findChanges(
  db: Kysely<Database>,
  filter: ChangeFilter,
): Promise<{ data: ChangeRecord[]; more: boolean }> {
  let query = db.selectFrom('changes').selectAll();
  if (filter.since) query = query.where('occurred_at', '>=', filter.since);
  if (filter.state) query = query.where('state_code', '=', filter.state);
  if (filter.place) query = query.where('place_id', '=', filter.place);
  if (filter.agency) query = query.where('agency_id', '=', filter.agency);
  if (filter.technology) query = query.where('technology_slug', '=', filter.technology);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.source) query = query.where('source_name', '=', filter.source);
  if (filter.entity)
    query = query.where('entity_type', '=', filter.entity.type).where('entity_id', '=', filter.entity.id);
  if (filter.after !== undefined) query = query.where('id', filter.order === 'asc' ? '>' : '<', filter.after);
  const rows = await query
    .orderBy('id', filter.order)
    .limit(filter.limit + 1)
    .execute();
  return {
    more: rows.length > filter.limit,
    data: rows.slice(0, filter.limit).map((r) => ({
      id: Number(r.id),
      occurred_at: r.occurred_at,
      kind: r.kind,
      entity_type: r.entity_type,
      entity_id: r.entity_id,
      url: PAGES[r.entity_type]
        ? `${PAGES[r.entity_type]}${r.entity_id}`
        : r.entity_type === 'dataset'
          ? '/about#datasets'
          : null,
      title: r.title,
      detail: r.detail,
      state: r.state_code,
      place_id: r.place_id,
      agency_id: r.agency_id,
      technology: r.technology_slug,
      source: r.source_name,
      run_id: r.run_id,
      by: r.actor.startsWith('import:')
        ? `import of ${r.source_name ?? 'a dataset'}`
        : r.report_id
          ? "a moderator, on a resident's report"
          : r.actor.replace(/^user:/, ''),
      fields: r.fields ? (JSON.parse(r.fields) as Record<string, [unknown, unknown]>) : null,
      report_id: r.report_id ?? null,
      evidence: r.evidence_urls ? (JSON.parse(r.evidence_urls) as string[]) : [],
    })),
  };
}

import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from '#src/features/places/place-record';
import { findCitedSources, groupBy, type CitedSource } from '#src/features/sources/sources.repository';
import type { DatePrecision } from '#src/domain/dates';
import { BINDING_STATUSES, policyCoversPlace } from '#src/domain/policies';
import { apiDate, apiPrecision } from '#src/http/dates.schema';

export interface PolicyRecord {
  id: string;
  kind: string;
  title: string;
  status: string;
  /** The date of the step that gave it its status, at its precision. */
  status_on: string | null;
  status_precision: DatePrecision | null;
  level: string | null;
  body: string | null;
  scope: string | null;
  scope_note: string | null;
  summary: string | null;
  jurisdiction: string;
  state: string;
  place: PlaceRecord | null;
  technologies: string[];
  events: Array<{
    id: string;
    status: string;
    kind: string;
    occurred_on: string | null;
    precision: DatePrecision | null;
    source_url: string | null;
    note: string | null;
  }>;
  sources: CitedSource[];
  /** The dataset whose description the record holds (a curated one outranks an aggregated list). */
  described_by: string | null;
}

/** Every policy in id order, a page at a time. */
export async function* iteratePolicies(
  db: Kysely<Database>,
  pageSize = 500,
  onlyId?: string,
): AsyncGenerator<PolicyRecord> {
  let after = '';
  while (true) {
    let query = db
      .selectFrom('policies as x')
      .leftJoin('places as p', 'p.id', 'x.place_id')
      .select([
        'x.id',
        'x.kind',
        'x.title',
        'x.status',
        'x.status_on',
        'x.status_precision',
        'x.level',
        'x.body',
        'x.scope',
        'x.scope_note',
        'x.described_by',
        'x.summary',
        'x.jurisdiction',
        'x.state_code',
        ...PLACE_COLUMNS,
      ])
      .where('x.id', '>', after);
    if (onlyId !== undefined) query = query.where('x.id', '=', onlyId);
    const rows = await query.orderBy('x.id').limit(pageSize).execute();
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const [technologies, events, sources] = await Promise.all([
      db
        .selectFrom('policy_technologies')
        .select(['policy_id', 'technology_slug'])
        .where('policy_id', 'in', ids)
        .orderBy('policy_id')
        .orderBy('technology_slug')
        .execute(),
      db
        .selectFrom('policy_events as e')
        .leftJoin('sources as s', 's.id', 'e.source_id')
        .select([
          'e.policy_id',
          'e.id',
          'e.status',
          'e.kind',
          'e.occurred_on',
          'e.precision',
          's.url as source_url',
          'e.note',
        ])
        .where('e.policy_id', 'in', ids)
        .orderBy('e.policy_id')
        .orderBy('e.occurred_on')
        .orderBy('e.id')
        .execute(),
      findCitedSources(db, 'policy', ids),
    ]);
    const technologiesBy = groupBy(technologies, 'policy_id');
    const eventsBy = groupBy(events, 'policy_id');
    for (const r of rows) {
      yield {
        id: r.id,
        kind: r.kind,
        title: r.title,
        status: r.status,
        status_on: apiDate(r.status_on, r.status_precision),
        status_precision: apiPrecision(r.status_on, r.status_precision),
        level: r.level ?? null,
        body: r.body ?? null,
        scope: r.scope ?? null,
        scope_note: r.scope_note ?? null,
        summary: r.summary ?? null,
        jurisdiction: r.jurisdiction,
        state: r.state_code,
        place: toPlaceRecord(r),
        technologies: (technologiesBy.get(r.id) ?? []).map((t) => t.technology_slug),
        events: (eventsBy.get(r.id) ?? []).map((e) => ({
          id: e.id,
          status: e.status,
          kind: e.kind,
          occurred_on: apiDate(e.occurred_on, e.precision),
          precision: apiPrecision(e.occurred_on, e.precision),
          source_url: e.source_url ?? null,
          note: e.note ?? null,
        })),
        sources: sources.get(r.id) ?? [],
        described_by: r.described_by ?? null,
      };
    }
    after = rows.at(-1)!.id;
  }
}

/**
 * The policies that pass `keep`, in id order. Policies number in the dozens to hundreds: filtering the stream is
 * simpler than SQL per filter.
 */
export async function findPolicies(
  db: Kysely<Database>,
  keep: (p: PolicyRecord) => boolean = () => true,
): Promise<PolicyRecord[]> {
  const found: PolicyRecord[] = [];
  for await (const p of iteratePolicies(db)) if (keep(p)) found.push(p);
  return found;
}

/**
 * Policies in force or pending where a place is (its own, its county's, its state's), most local first; see
 * `policyCoversPlace`.
 */
export async function findPoliciesCovering(db: Kysely<Database>, place: PlaceRecord): Promise<PolicyRecord[]> {
  const order = (p: PolicyRecord) => (p.place?.kind === 'city' ? 0 : p.place?.kind === 'county' ? 1 : 2);
  const found = await findPolicies(db, (p) =>
    policyCoversPlace({ state: p.state, level: p.level, place: p.place }, place),
  );
  return found.sort((a, b) => order(a) - order(b) || a.title.localeCompare(b.title));
}

/** Whether a policy binds now (passed or in effect), as opposed to pending or past. */
export function isBinding(policy: Pick<PolicyRecord, 'status'>): boolean {
  return BINDING_STATUSES.has(policy.status);
}

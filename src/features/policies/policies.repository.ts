import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from '#src/features/places/place-record';
import { findCitedSources, groupBy, type CitedSource } from '#src/features/sources/sources.repository';

export interface PolicyRecord {
  id: string;
  kind: string;
  title: string;
  status: string;
  status_on: string | null;
  summary: string | null;
  jurisdiction: string;
  state: string;
  place: PlaceRecord | null;
  technologies: string[];
  events: Array<{ status: string; occurred_on: string | null; source_url: string | null }>;
  sources: CitedSource[];
}

/** Every policy in id order, a page at a time. */
export async function* iteratePolicies(db: Kysely<Database>, pageSize = 500, onlyId?: string): AsyncGenerator<PolicyRecord> {
  let after = '';
  while (true) {
    let query = db
      .selectFrom('policies as x')
      .leftJoin('places as p', 'p.id', 'x.place_id')
      .select(['x.id', 'x.kind', 'x.title', 'x.status', 'x.status_on', 'x.summary', 'x.jurisdiction', 'x.state_code', ...PLACE_COLUMNS])
      .where('x.id', '>', after);
    if (onlyId !== undefined) query = query.where('x.id', '=', onlyId);
    const rows = await query.orderBy('x.id').limit(pageSize).execute();
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const [technologies, events, sources] = await Promise.all([
      db.selectFrom('policy_technologies').select(['policy_id', 'technology_slug']).where('policy_id', 'in', ids).orderBy('policy_id').orderBy('technology_slug').execute(),
      db
        .selectFrom('policy_events as e')
        .leftJoin('sources as s', 's.id', 'e.source_id')
        .select(['e.policy_id', 'e.status', 'e.occurred_on', 's.url as source_url'])
        .where('e.policy_id', 'in', ids)
        .orderBy('e.policy_id')
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
        status_on: r.status_on ?? null,
        summary: r.summary ?? null,
        jurisdiction: r.jurisdiction,
        state: r.state_code,
        place: toPlaceRecord(r),
        technologies: (technologiesBy.get(r.id) ?? []).map((t) => t.technology_slug),
        events: (eventsBy.get(r.id) ?? []).map((e) => ({ status: e.status, occurred_on: e.occurred_on ?? null, source_url: e.source_url ?? null })),
        sources: sources.get(r.id) ?? [],
      };
    }
    after = rows.at(-1)!.id;
  }
}

/** The policies that pass `keep`, in id order. Policies number in the dozens to hundreds: filtering the stream is simpler than SQL per filter. */
export async function findPolicies(db: Kysely<Database>, keep: (p: PolicyRecord) => boolean = () => true): Promise<PolicyRecord[]> {
  const found: PolicyRecord[] = [];
  for await (const p of iteratePolicies(db)) if (keep(p)) found.push(p);
  return found;
}

/** The policies of a place and of the county and state it lies in, most local first. */
export async function findPoliciesCovering(db: Kysely<Database>, place: PlaceRecord): Promise<PolicyRecord[]> {
  const covering = new Set([place.id, place.state.toLowerCase()]);
  if (place.kind === 'city' && place.county_geoid) covering.add(`county-${place.county_geoid}`);
  const order = (p: PolicyRecord) => (p.place?.kind === 'city' ? 0 : p.place?.kind === 'county' ? 1 : 2);
  const found = await findPolicies(db, (p) => p.place !== null && covering.has(p.place.id));
  return found.sort((a, b) => order(a) - order(b) || a.title.localeCompare(b.title));
}

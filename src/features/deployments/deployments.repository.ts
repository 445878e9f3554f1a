import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '#src/storage/schema';
import { numberOrNull, PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from '#src/features/places/place-record';
import { findCitedSources, groupBy, type CitedSource } from '#src/features/sources/sources.repository';

export interface DeploymentRecord {
  id: string;
  technology: string;
  programme: string;
  status: string;
  started_on: string | null;
  ended_on: string | null;
  last_verified_on: string | null;
  summary: string | null;
  agency: {
    id: string;
    name: string;
    state: string;
    ori: string | null;
    type: string | null;
    lat: number | null;
    lon: number | null;
    location_basis: string | null;
  };
  place: PlaceRecord | null;
  lat: number | null;
  lon: number | null;
  vendors: Array<{ id: string; name: string }>;
  events: Array<{ id: string; status: string; occurred_on: string | null; source_url: string | null; note: string | null }>;
  sources: CitedSource[];
}

export interface DeploymentFilter {
  technology?: string;
  state?: string;
}

function filtered(db: Kysely<Database>, filter: DeploymentFilter) {
  let query = db.selectFrom('deployments as d').innerJoin('agencies as a', 'a.id', 'd.agency_id');
  if (filter.technology) query = query.where('d.technology_slug', '=', filter.technology);
  if (filter.state) query = query.where('a.state_code', '=', filter.state);
  return query;
}

function withColumns<QB extends SelectQueryBuilder<any, any, any>>(query: QB) {
  return query
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select([
      'd.id',
      'd.technology_slug',
      'd.programme',
      'd.status',
      'd.started_on',
      'd.ended_on',
      'd.last_verified_on',
      'd.summary',
      'a.id as agency_id',
      'a.name as agency_name',
      'a.state_code as agency_state',
      'a.ori as agency_ori',
      'a.agency_type',
      'a.lat as agency_lat',
      'a.lon as agency_lon',
      'a.location_basis',
      ...PLACE_COLUMNS,
    ]);
}

/** One page of deployments in id order, with the total matching the filter. */
export async function findDeployments(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; offset: number },
): Promise<{ records: DeploymentRecord[]; total: number }> {
  const totalRow = await filtered(db, filter).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await withColumns(filtered(db, filter)).orderBy('d.id').limit(page.limit).offset(page.offset).execute();
  return { records: await withDetails(db, rows), total: Number(totalRow?.n ?? 0) };
}

/** Every deployment in id order, a page at a time, so that exports never hold the whole dataset. */
export async function* iterateDeployments(db: Kysely<Database>, pageSize = 1000): AsyncGenerator<DeploymentRecord> {
  let after = '';
  while (true) {
    const rows = await withColumns(filtered(db, {}).where('d.id', '>', after)).orderBy('d.id').limit(pageSize).execute();
    if (rows.length === 0) return;
    yield* await withDetails(db, rows);
    after = rows.at(-1)!.id as string;
  }
}

async function withDetails(db: Kysely<Database>, rows: Array<Record<string, any>>): Promise<DeploymentRecord[]> {
  const ids = rows.map((r) => r.id as string);
  if (ids.length === 0) return [];
  const [vendors, events, sources] = await Promise.all([
    db
      .selectFrom('deployment_vendors as dv')
      .innerJoin('vendors as v', 'v.id', 'dv.vendor_id')
      .select(['dv.deployment_id', 'v.id', 'v.name'])
      .where('dv.deployment_id', 'in', ids)
      .orderBy('dv.deployment_id')
      .orderBy('v.id')
      .execute(),
    db
      .selectFrom('deployment_events as e')
      .leftJoin('sources as s', 's.id', 'e.source_id')
      .select(['e.deployment_id', 'e.id', 'e.status', 'e.occurred_on', 's.url as source_url', 'e.note'])
      .where('e.deployment_id', 'in', ids)
      .orderBy('e.deployment_id')
      .orderBy('e.id')
      .execute(),
    findCitedSources(db, 'deployment', ids),
  ]);
  const vendorsBy = groupBy(vendors, 'deployment_id');
  const eventsBy = groupBy(events, 'deployment_id');
  return rows.map((r) => {
    const lat = numberOrNull(r.agency_lat);
    const lon = numberOrNull(r.agency_lon);
    return {
      id: r.id,
      technology: r.technology_slug,
      programme: r.programme,
      status: r.status,
      started_on: r.started_on ?? null,
      ended_on: r.ended_on ?? null,
      last_verified_on: r.last_verified_on ?? null,
      summary: r.summary ?? null,
      agency: {
        id: r.agency_id,
        name: r.agency_name,
        state: r.agency_state,
        ori: r.agency_ori ?? null,
        type: r.agency_type ?? null,
        lat,
        lon,
        location_basis: r.location_basis ?? null,
      },
      place: toPlaceRecord(r),
      lat,
      lon,
      vendors: (vendorsBy.get(r.id) ?? []).map((v) => ({ id: v.id, name: v.name })),
      events: (eventsBy.get(r.id) ?? [])
        .map((e) => ({ id: e.id, status: e.status, occurred_on: e.occurred_on ?? null, source_url: e.source_url ?? null, note: e.note ?? null }))
        .sort((a, b) => compareText(a.occurred_on ?? '', b.occurred_on ?? '') || compareText(a.id, b.id)),
      sources: sources.get(r.id) ?? [],
    };
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

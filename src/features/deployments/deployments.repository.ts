import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { z } from 'zod';
import type { DeploymentStatus } from '#src/domain/statuses';
import type { deploymentSchema } from './deployment.schema';
import { EARTH_RADIUS_KM, type DeploymentFilter } from './deployment-filter';
import { deploymentsMatching } from '#src/storage/search-index';
import type { Database } from '#src/storage/schema';
import { numberOrNull, PLACE_COLUMNS, toPlaceRecord } from '#src/features/places/place-record';
import { findCitedSources, groupBy } from '#src/features/sources/sources.repository';

/** A deployment as the API and exports give it: see deployment.schema.ts. */
export type DeploymentRecord = z.infer<typeof deploymentSchema>;

function filtered(db: Kysely<Database>, filter: DeploymentFilter) {
  let query = db.selectFrom('deployments as d').innerJoin('agencies as a', 'a.id', 'd.agency_id');
  if (filter.technology && filter.technology.length > 0) query = query.where('d.technology_slug', 'in', filter.technology);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.state) query = query.where('d.state_code', '=', filter.state);
  if (filter.agency) query = query.where('d.agency_id', '=', filter.agency);
  if (filter.placeId) query = query.where('a.place_id', '=', filter.placeId);
  if (filter.vendor) {
    const vendor = filter.vendor;
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('deployment_vendors as dv').select('dv.vendor_id').whereRef('dv.deployment_id', '=', 'd.id').where('dv.vendor_id', '=', vendor)),
    );
  }
  if (filter.place) {
    const geoid = filter.place;
    // A state (2 digits), a county (5: agencies of the county and of its cities) or a city (7).
    const placeIds = db
      .selectFrom('places as fp')
      .select('fp.id')
      .where((eb) =>
        geoid.length === 2
          ? eb.and([eb('fp.kind', '=', 'state'), eb('fp.geoid', '=', geoid)])
          : geoid.length === 5
            ? eb.or([eb('fp.geoid', '=', geoid), eb('fp.county_geoid', '=', geoid)])
            : eb('fp.geoid', '=', geoid),
      );
    query =
      geoid.length === 2
        ? query.where('a.state_code', '=', db.selectFrom('places as sp').select('sp.state_code').where('sp.kind', '=', 'state').where('sp.geoid', '=', geoid))
        : query.where('a.place_id', 'in', placeIds);
  }
  if (filter.words && filter.words.length > 0) query = query.where('d.id', 'in', deploymentsMatching(db, filter.words) as never);
  if (filter.activeOn) {
    const day = filter.activeOn;
    query = query.where('d.started_on', '<=', day).where((eb) => eb.or([eb('d.ended_on', 'is', null), eb('d.ended_on', '>=', day)]));
  }
  if (filter.startedAfter) query = query.where('d.started_on', '>=', filter.startedAfter);
  if (filter.startedBefore) query = query.where('d.started_on', '<=', filter.startedBefore);
  if (filter.bbox) {
    const b = filter.bbox;
    query = query.where('a.lon', '>=', b.minLon).where('a.lon', '<=', b.maxLon).where('a.lat', '>=', b.minLat).where('a.lat', '<=', b.maxLat);
  }
  if (filter.near) {
    const { lat, lon, radiusKm } = filter.near;
    // Haversine on both databases (SQLite's math functions, PostgreSQL's built-ins).
    // Parameters are cast so that PostgreSQL knows their type.
    const num = (x: number) => sql<number>`cast(${x} as double precision)`;
    const distance = sql<number>`2 * ${num(EARTH_RADIUS_KM)} * asin(sqrt(power(sin(radians(a.lat - ${num(lat)}) / 2), 2) + ${num(Math.cos((lat * Math.PI) / 180))} * cos(radians(a.lat)) * power(sin(radians(a.lon - ${num(lon)}) / 2), 2)))`;
    query = query.where('a.lat', 'is not', null).where(distance, '<=', num(radiusKm));
  }
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

/** How many deployments match the filter. */
export async function countDeployments(db: Kysely<Database>, filter: DeploymentFilter): Promise<number> {
  const row = await filtered(db, filter).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** How many deployments match the filter, per technology, most first. */
export async function countDeploymentsByTechnology(db: Kysely<Database>, filter: DeploymentFilter): Promise<Array<{ technology: string; n: number }>> {
  const rows = await filtered(db, filter)
    .select((eb) => ['d.technology_slug', eb.fn.countAll().as('n')])
    .groupBy('d.technology_slug')
    .execute();
  return rows.map((r) => ({ technology: r.technology_slug, n: Number(r.n) })).sort((a, b) => b.n - a.n || a.technology.localeCompare(b.technology));
}

/**
 * One page of deployments in id order after the id `after` (keyset paging: a page never skips or
 * repeats a record while the data does not change), and the id to continue from, or null at the end.
 */
export async function findDeploymentPage(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
): Promise<{ records: DeploymentRecord[]; nextAfter: string | null }> {
  let query = withColumns(filtered(db, filter));
  if (page.after !== undefined) query = query.where('d.id', '>', page.after);
  const rows = await query.orderBy('d.id').limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const pageRows = more ? rows.slice(0, page.limit) : rows;
  return { records: await withDetails(db, pageRows), nextAfter: more ? (pageRows.at(-1)!.id as string) : null };
}

/** What the browsable list can be sorted by; every order ends with the id, so pages are stable. */
export const DEPLOYMENT_SORTS = ['agency', 'state', 'technology', 'status', 'started'] as const;
export type DeploymentSort = (typeof DEPLOYMENT_SORTS)[number];

/** One page of deployments in a chosen order (offset paging, for people browsing the list twin). */
export async function findDeploymentsSorted(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { sort: DeploymentSort; descending: boolean; offset: number; limit: number },
): Promise<DeploymentRecord[]> {
  const direction = page.descending ? 'desc' : 'asc';
  let query = withColumns(filtered(db, filter));
  if (page.sort === 'agency') query = query.orderBy('a.name', direction);
  if (page.sort === 'state') query = query.orderBy('d.state_code', direction).orderBy('a.name');
  if (page.sort === 'technology') query = query.orderBy('d.technology_slug', direction).orderBy('a.name');
  if (page.sort === 'status') query = query.orderBy('d.status', direction).orderBy('a.name');
  // Unknown start dates come last in either direction (the databases disagree on where nulls sort).
  if (page.sort === 'started') query = query.orderBy(sql`d.started_on is null`).orderBy('d.started_on', direction);
  const rows = await query.orderBy('d.id', direction).limit(page.limit).offset(page.offset).execute();
  return withDetails(db, rows);
}

export async function findDeploymentById(db: Kysely<Database>, id: string): Promise<DeploymentRecord | null> {
  const rows = await withColumns(filtered(db, {}).where('d.id', '=', id)).execute();
  return (await withDetails(db, rows))[0] ?? null;
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
      url: `/deployments/${r.id}`,
      technology: r.technology_slug,
      programme: r.programme,
      status: r.status as DeploymentStatus,
      started_on: r.started_on ?? null,
      ended_on: r.ended_on ?? null,
      last_verified_on: r.last_verified_on ?? null,
      summary: r.summary ?? null,
      agency: {
        id: r.agency_id,
        url: `/agencies/${r.agency_id}`,
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
        .map((e) => ({ id: e.id, status: e.status as DeploymentStatus, occurred_on: e.occurred_on ?? null, source_url: e.source_url ?? null, note: e.note ?? null }))
        .sort((a, b) => compareText(a.occurred_on ?? '', b.occurred_on ?? '') || compareText(a.id, b.id)),
      sources: sources.get(r.id) ?? [],
    };
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface DeploymentPoint {
  id: string;
  technology: string;
  status: string;
  agency: string;
  lat: number;
  lon: number;
}

/** The placed deployments matching a filter, as points for the map: only what a tile needs. */
export async function findDeploymentPoints(db: Kysely<Database>, filter: DeploymentFilter): Promise<DeploymentPoint[]> {
  const rows = await filtered(db, filter)
    .select(['d.id', 'd.technology_slug', 'd.status', 'a.name', 'a.lat', 'a.lon'])
    .where('a.lat', 'is not', null)
    .where('a.lon', 'is not', null)
    .orderBy('d.id')
    .execute();
  return rows.map((r) => ({ id: r.id, technology: r.technology_slug, status: r.status, agency: r.name, lat: Number(r.lat), lon: Number(r.lon) }));
}

/**
 * How many deployments match the filter in each state (by state FIPS) or county (by county GEOID, through
 * the agency's town or county), for shading the map.
 */
export async function countDeploymentsByArea(db: Kysely<Database>, filter: DeploymentFilter, level: 'state' | 'county'): Promise<Array<{ geoid: string; n: number }>> {
  if (level === 'state') {
    const rows = await filtered(db, filter)
      .innerJoin('places as sp', (join) => join.onRef('sp.state_code', '=', 'd.state_code').on('sp.kind', '=', 'state'))
      .select((eb) => ['sp.geoid', eb.fn.countAll().as('n')])
      .groupBy('sp.geoid')
      .execute();
    return rows.filter((r) => r.geoid !== null).map((r) => ({ geoid: r.geoid!, n: Number(r.n) }));
  }
  const rows = await filtered(db, filter)
    .innerJoin('places as cp', 'cp.id', 'a.place_id')
    .select((eb) => ['cp.county_geoid', eb.fn.countAll().as('n')])
    .where('cp.county_geoid', 'is not', null)
    .groupBy('cp.county_geoid')
    .execute();
  return rows.map((r) => ({ geoid: r.county_geoid!, n: Number(r.n) }));
}

/** The first and last start date of each technology's deployments: the span of the map's timeline. */
export async function findStartDateSpans(db: Kysely<Database>): Promise<Record<string, [string, string]>> {
  const rows = await db
    .selectFrom('deployments')
    .select((eb) => ['technology_slug', eb.fn.min('started_on').as('first'), eb.fn.max('started_on').as('last')])
    .where('started_on', 'is not', null)
    .groupBy('technology_slug')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.technology_slug, [String(r.first), String(r.last)]]));
}

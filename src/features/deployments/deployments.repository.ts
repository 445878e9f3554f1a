import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { z } from 'zod';
import type { AgencyLevel } from '#src/domain/agencies';
import type { DeploymentStatus, EvidenceKind, EvidenceStanding } from '#src/domain/statuses';
import { apiDate, apiPrecision } from '#src/http/dates.schema';
import type { deploymentSchema } from './deployment.schema';
import { distanceKm, EARTH_RADIUS_KM } from '#src/domain/placement';
import type { DeploymentFilter } from './deployment-filter';
import { countMatchingDeployments, deploymentsMatching } from '#src/storage/search-index';
import type { Database } from '#src/storage/schema';
import { dialectOf } from '#src/storage/dialect';
import { numberOrNull, PLACE_COLUMNS, toPlaceRecord } from '#src/features/places/place-record';
import { findCitedSources, groupBy } from '#src/features/sources/sources.repository';

/** A deployment as the API and exports give it: see deployment.schema.ts. */
export type DeploymentRecord = z.infer<typeof deploymentSchema>;

/**
 * Whether a filter reads the agency's columns (its place, its point), so that its query must join
 * agencies. A box does on PostgreSQL, whose spatial index is on the agencies' points; SQLite's R*Tree
 * gives the agencies' ids.
 */
function readsAgencies(db: Kysely<Database>, filter: DeploymentFilter): boolean {
  return Boolean(filter.placeId || filter.place || filter.near || (filter.bbox && dialectOf(db) !== 'sqlite'));
}

/**
 * The deployments a filter matches, joined with their agencies. A count or an aggregate that reads no
 * agency column passes `joinAgencies: false`: every deployment has its agency, so the join changes no
 * count, and skipping it halves the work of counting thousands of matches.
 */
function filtered(db: Kysely<Database>, filter: DeploymentFilter, options: { joinAgencies?: boolean } = {}) {
  const joined = () => db.selectFrom('deployments as d').innerJoin('agencies as a', 'a.id', 'd.agency_id');
  let query =
    options.joinAgencies === false && !readsAgencies(db, filter)
      ? (db.selectFrom('deployments as d') as unknown as ReturnType<typeof joined>)
      : joined();
  if (filter.technology && filter.technology.length > 0)
    query = query.where('d.technology_slug', 'in', filter.technology);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.state) query = query.where('d.state_code', '=', filter.state);
  if (filter.agency) query = query.where('d.agency_id', '=', filter.agency);
  if (filter.placeId) query = query.where('a.place_id', '=', filter.placeId);
  if (filter.vendor) {
    // The vendor's deployments through its index, not a check of every deployment in turn.
    query = query.where(
      'd.id',
      'in',
      db.selectFrom('deployment_vendors as dv').select('dv.deployment_id').where('dv.vendor_id', '=', filter.vendor),
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
        ? query.where(
            'a.state_code',
            '=',
            db
              .selectFrom('places as sp')
              .select('sp.state_code')
              .where('sp.kind', '=', 'state')
              .where('sp.geoid', '=', geoid),
          )
        : query.where('a.place_id', 'in', placeIds);
  }
  if (filter.words && filter.words.length > 0)
    query = query.where('d.id', 'in', deploymentsMatching(db, filter.words) as never);
  if (filter.activeOn) {
    // Known to be in use on that day: its evidence of use reaches back to it, and no end comes before it.
    const day = filter.activeOn;
    query = query
      .where('d.active_from', '<=', day)
      .where((eb) => eb.or([eb('d.active_until', 'is', null), eb('d.active_until', '>=', day)]));
  }
  if (filter.startedAfter) query = query.where('d.started_on', '>=', filter.startedAfter);
  if (filter.startedBefore) query = query.where('d.started_on', '<=', filter.startedBefore);
  if (filter.bbox) query = query.where(inBox(db, filter.bbox));
  if (filter.near) {
    const { lat, lon, radiusKm } = filter.near;
    // The spatial index finds the agencies in the box around the circle; the exact distance is computed
    // for those only.
    query = query.where(inBox(db, boxAround(lat, lon, radiusKm))).where(distanceFrom(lat, lon), '<=', num(radiusKm));
  }
  return query;
}

/** A number parameter PostgreSQL knows the type of. */
const num = (x: number) => sql<number>`cast(${x} as double precision)`;

/**
 * The great-circle distance (km) from a point to the agency `a` (or to the row `at` names): haversine, on both
 * databases.
 */
export function distanceFrom(
  lat: number,
  lon: number,
  at: { lat: string; lon: string } = { lat: 'a.lat', lon: 'a.lon' },
) {
  const [pointLat, pointLon] = [sql.ref(at.lat), sql.ref(at.lon)];
  return sql<number>`2 * ${num(EARTH_RADIUS_KM)} * asin(sqrt(power(sin(radians(${pointLat} - ${num(lat)}) / 2), 2) \
+ ${num(Math.cos((lat * Math.PI) / 180))} * cos(radians(${pointLat})) * power(sin(radians(${pointLon} - ${num(lon)}) / \
2), 2)))`;
}

type Box = { minLon: number; minLat: number; maxLon: number; maxLat: number };

/** The box of latitudes and longitudes that holds a circle (a little larger than it; not across the 180th meridian). */
export function boxAround(lat: number, lon: number, radiusKm: number): Box {
  const dLat = (radiusKm / EARTH_RADIUS_KM) * (180 / Math.PI) * 1.001;
  const cos = Math.cos((Math.min(89, Math.abs(lat) + dLat) * Math.PI) / 180);
  const dLon = Math.min(180, dLat / Math.max(cos, 1e-6));
  return {
    minLat: Math.max(-90, lat - dLat),
    maxLat: Math.min(90, lat + dLat),
    minLon: Math.max(-180, lon - dLon),
    maxLon: Math.min(180, lon + dLon),
  };
}

/**
 * Deployments `d` whose agency's point lies in the box, read through the spatial index: SQLite's R*Tree
 * gives agency ids (no join with agencies needed); PostgreSQL's GiST index reads the joined agencies `a`.
 */
function inBox(db: Kysely<Database>, b: Box) {
  if (dialectOf(db) === 'sqlite') {
    return sql<boolean>`d.agency_id in (select agency_id from agency_points where min_lat >= ${b.minLat} and max_lat \
<= ${b.maxLat} and min_lon >= ${b.minLon} and max_lon <= ${b.maxLon})`;
  }
  return sql<boolean>`point(a.lon, a.lat) <@ box(point(${num(b.minLon)}, ${num(b.minLat)}), \
point(${num(b.maxLon)}, ${num(b.maxLat)}))`;
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
      'd.started_precision',
      'd.first_documented_on',
      'd.first_documented_precision',
      'd.last_seen_on',
      'd.last_seen_precision',
      'd.ended_on',
      'd.ended_precision',
      'd.active_from',
      'd.active_until',
      'd.unlisted_on',
      'd.unlisted_by',
      'd.summary',
      'a.id as agency_id',
      'a.name as agency_name',
      'a.state_code as agency_state',
      'a.ori as agency_ori',
      'a.agency_type',
      'a.lat as agency_lat',
      'a.lon as agency_lon',
      'a.location_basis',
      'a.level as agency_level',
      'a.placement_issue',
      ...PLACE_COLUMNS,
    ]);
}

/**
 * The first filter value that names nothing (a vendor, agency or place no record has), as the parameter
 * and what to say; null when every value exists. A filter on nothing would answer an empty list that reads
 * as "none there", which is not what the data says.
 */
export async function findUnknownFilterValue(
  db: Kysely<Database>,
  filter: DeploymentFilter,
): Promise<{ parameter: string; message: string } | null> {
  const agencyKnown = async (id: string) =>
    Boolean(
      (await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst()) ??
      (await db
        .selectFrom('redirects')
        .select('to_id')
        .where('entity_type', '=', 'agency')
        .where('from_id', '=', id)
        .executeTakeFirst()),
    );
  const [vendor, agency, place] = await Promise.all([
    filter.vendor ? db.selectFrom('vendors').select('id').where('id', '=', filter.vendor).executeTakeFirst() : true,
    filter.agency ? agencyKnown(filter.agency) : true,
    filter.place ? db.selectFrom('places').select('id').where('geoid', '=', filter.place).executeTakeFirst() : true,
  ]);
  if (!vendor)
    return { parameter: 'vendor', message: `"vendor": no vendor has the id "${filter.vendor}" (see /api/v1/vendors)` };
  if (!agency)
    return { parameter: 'agency', message: `"agency": no agency has the id "${filter.agency}" (see /api/v1/agencies)` };
  if (!place)
    return {
      parameter: 'place',
      message: `"place": no state, county or city has the Census GEOID "${filter.place}" (see /api/v1/places)`,
    };
  return null;
}

/** The filters that are set (an empty list of words or technologies is no filter). */
function givenFilters(filter: DeploymentFilter): string[] {
  return Object.entries(filter)
    .filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))
    .map(([key]) => key);
}

/** How many deployments match the filter. */
export async function countDeployments(db: Kysely<Database>, filter: DeploymentFilter): Promise<number> {
  // Words alone: the full-text index counts its own matches, without looking up each deployment.
  const given = givenFilters(filter);
  if (given.length === 1 && filter.words && filter.words.length > 0)
    return countMatchingDeployments(db, filter.words, Number.MAX_SAFE_INTEGER);
  // A box or a circle alone: the R*Tree of deployments' points counts them.
  const points = pointsOnly(db, filter);
  if (points) {
    const row = await points.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const row = await filtered(db, filter, { joinAgencies: false })
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * How current the data behind a filtered answer is: the newest `last_seen_on` among the matching
 * deployments, and how many were last seen before `day` (their status is as of then, not of `day`).
 */
export async function findAnswerCurrency(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  day: string,
): Promise<{ asOf: string | null; seenBefore: number; total: number }> {
  const row = await filtered(db, filter, { joinAgencies: false })
    .select((eb) => [
      eb.fn.max('d.last_seen_on').as('newest'),
      eb.fn.countAll().as('n'),
      eb.fn.sum(eb.case().when('d.last_seen_on', '<', day).then(1).else(0).end()).as('before'),
    ])
    .executeTakeFirst();
  return {
    asOf: (row?.newest as string | null) ?? null,
    seenBefore: Number(row?.before ?? 0),
    total: Number(row?.n ?? 0),
  };
}

/**
 * For an answer about `day` (an `active_on` question): the as-of date of the newest data behind it, and a
 * warning when some of it was last seen before that day, so that nobody reads a 2020 status as 2026's.
 */
export async function describeCurrency(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  day: string,
): Promise<AnswerCurrency> {
  return currencyWords(await findAnswerCurrency(db, filter, day), day);
}

/** Made once: making a number format costs more than the rest of an answer's words. */
const WHOLE_NUMBER = new Intl.NumberFormat('en-US');

export type AnswerCurrency = { as_of: string | null; warning?: string };

export function currencyWords(
  { asOf, seenBefore, total }: { asOf: string | null; seenBefore: number; total: number },
  day: string,
): AnswerCurrency {
  if (seenBefore === 0) return { as_of: asOf };
  const count = WHOLE_NUMBER.format(seenBefore);
  return {
    as_of: asOf,
    warning: `${count} of the ${WHOLE_NUMBER.format(total)} deployments in this answer were last seen \
before ${day}${asOf ? ` (the newest data behind it is as of ${asOf})` : ''}: each is counted as in use when a source \
last showed it, which says nothing about ${day}.`,
  };
}

/** How many deployments match the filter, per technology, most first. */
export async function countDeploymentsByTechnology(
  db: Kysely<Database>,
  filter: DeploymentFilter,
): Promise<Array<{ technology: string; n: number }>> {
  const rows = await filtered(db, filter)
    .select((eb) => ['d.technology_slug', eb.fn.countAll().as('n')])
    .groupBy('d.technology_slug')
    .execute();
  return rows
    .map((r) => ({ technology: r.technology_slug, n: Number(r.n) }))
    .sort((a, b) => b.n - a.n || a.technology.localeCompare(b.technology));
}

/**
 * One page of deployments in id order after the id `after` (keyset paging: a page never skips or
 * repeats a record while the data does not change), and the id to continue from, or null at the end.
 * With `near`, nearest first: see `nearestPageQuery`.
 */
export async function findDeploymentPage(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
): Promise<{ records: DeploymentRecord[]; nextAfter: string | null }> {
  const { keys, nextAfter } = await findPageKeys(db, filter, page);
  const records = await findDeploymentsByIds(
    db,
    keys.map((k) => k.id),
  );
  return { records: records.map((r, i) => withDistance(r, keys[i]!)), nextAfter };
}

/** What a page of a list is made of before its records are read: ids in the list's order. */
export interface PageKey {
  id: string;
  last_seen_on: string | null;
  /** With `near`: the distance from the point, in km. */
  distance_km?: number;
}

/** A record of a `near` answer carries its distance (rounded to metres), after every other field. */
export function withDistance(record: DeploymentRecord, key: PageKey): DeploymentRecord {
  return key.distance_km === undefined ? record : { ...record, distance_km: roundedDistance(key.distance_km) };
}

export const roundedDistance = (km: number) => Math.round(km * 1000) / 1000;

/**
 * The cursor that continues after a page's last key: its id, or for a `near` page its distance and id
 * ("12.345678…|id"), so that paging nearest first stays stable.
 */
export function cursorAfter(last: PageKey): string {
  return last.distance_km === undefined ? last.id : `${String(last.distance_km)}|${last.id}`;
}

/** A `near` cursor's distance and id; null for one without a distance (such a page starts from the nearest). */
export function readNearCursor(after: string | undefined): { distance: number; id: string } | null {
  const bar = after?.indexOf('|') ?? -1;
  const distance = bar > 0 ? Number(after!.slice(0, bar)) : NaN;
  return Number.isFinite(distance) ? { distance, id: after!.slice(bar + 1) } : null;
}

/** A page of a list as the API answers it, before its records are read: see `findDeploymentAnswer`. */
export interface DeploymentAnswer {
  keys: PageKey[];
  nextAfter: string | null;
  total: number;
  currency: AnswerCurrency | null;
}

/**
 * A page of a list as the API answers it, before its records are read: the ids in order, the cursor, the
 * total, and with `active_on` how current the answer is. When a first page holds every match (most
 * questions about a town, a state's technology or a day), its own rows give the total and the currency:
 * no second pass over the matches.
 */
export async function findDeploymentAnswer(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
): Promise<DeploymentAnswer> {
  const { keys, nextAfter, total: known } = await findPageKeys(db, filter, page);
  const complete = page.after === undefined && nextAfter === null;
  const day = filter.activeOn;
  const [total, currency] = await Promise.all([
    complete ? keys.length : (known ?? countDeployments(db, filter)),
    !day
      ? null
      : complete
        ? currencyWords(
            {
              asOf: keys.reduce<string | null>(
                (newest, k) =>
                  k.last_seen_on !== null && (newest === null || k.last_seen_on > newest) ? k.last_seen_on : newest,
                null,
              ),
              seenBefore: keys.filter((k) => k.last_seen_on !== null && k.last_seen_on < day).length,
              total: keys.length,
            },
            day,
          )
        : describeCurrency(db, filter, day),
  ]);
  return { keys, nextAfter, total, currency };
}

async function findPageKeys(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
): Promise<{ keys: PageKey[]; nextAfter: string | null; total?: number }> {
  const fromPoints = await pageFromPoints(db, filter, page);
  if (fromPoints) return fromPoints;
  const rows = (await deploymentPageQuery(db, filter, page).execute()) as Array<{
    id: string;
    last_seen_on: string | null;
    distance_km?: number | string;
  }>;
  const more = rows.length > page.limit;
  const keys: PageKey[] = (more ? rows.slice(0, page.limit) : rows).map((r) =>
    r.distance_km === undefined
      ? { id: r.id, last_seen_on: r.last_seen_on }
      : { id: r.id, last_seen_on: r.last_seen_on, distance_km: Number(r.distance_km) },
  );
  const last = keys.at(-1);
  if (!more || !last) return { keys, nextAfter: null };
  return { keys, nextAfter: cursorAfter(last) };
}

/**
 * The query of the ids of one page of a filtered list (query-plan tests read its plan): in id order, or
 * nearest first with `near`. Only ids, the day each was last seen and the distance: the records are read
 * apart, for the page's ids alone.
 */
export function deploymentPageQuery(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
) {
  if (filter.near) return nearestPageQuery(db, filter, filter.near, page);
  const points = pointsOnly(db, filter);
  if (points) {
    // A box alone, from the R*Tree (no deployment's last day seen is needed without `active_on`).
    let query = points.select(['p.deployment_id as id', sql<null>`null`.as('last_seen_on')]);
    if (page.after !== undefined) query = query.where('p.deployment_id', '>', page.after);
    return query.orderBy('p.deployment_id').limit(page.limit + 1);
  }
  let query = filtered(db, filter, { joinAgencies: false }).select(['d.id', 'd.last_seen_on']);
  if (page.after !== undefined) query = query.where('d.id', '>', page.after);
  return query.orderBy('d.id').limit(page.limit + 1);
}

/** The ids of a page of a `near` answer: nearest first, then by id, each with its `distance_km`. */
function nearestPageQuery(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  near: NonNullable<DeploymentFilter['near']>,
  page: { limit: number; after?: string },
) {
  const points = pointsOnly(db, filter);
  const distance = points
    ? distanceFrom(near.lat, near.lon, { lat: 'p.lat', lon: 'p.lon' })
    : distanceFrom(near.lat, near.lon);
  let query: SelectQueryBuilder<any, any, { id: string; last_seen_on: string | null; distance_km: number }> = points
    ? points.select(['p.deployment_id as id', sql<null>`null`.as('last_seen_on'), distance.as('distance_km')])
    : filtered(db, filter).select(['d.id', 'd.last_seen_on', distance.as('distance_km')]);
  const id = points ? 'p.deployment_id' : 'd.id';
  const after = readNearCursor(page.after);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb(distance, '>', num(after.distance)),
        eb.and([eb(distance, '=', num(after.distance)), eb(sql.ref(id), '>', after.id)]),
      ]),
    );
  }
  return query
    .orderBy(distance)
    .orderBy(sql.ref(id))
    .limit(page.limit + 1);
}

/**
 * On SQLite, a filter that is only a box or only a circle reads the R*Tree of deployments' points alone
 * (`deployment_points`, kept by triggers): the rows of the points in it, as `p` (with its `deployment_id`
 * and exact `lat`, `lon`). Null for any other filter, or on PostgreSQL, whose index is on agencies.
 */
function pointsOnly(db: Kysely<Database>, filter: DeploymentFilter) {
  if (dialectOf(db) !== 'sqlite') return null;
  const given = givenFilters(filter);
  if (given.length !== 1 || (given[0] !== 'bbox' && given[0] !== 'near')) return null;
  let query = pointsInBox(db, filter.bbox ?? boxAround(filter.near!.lat, filter.near!.lon, filter.near!.radiusKm));
  if (filter.near)
    query = query.where(
      distanceFrom(filter.near.lat, filter.near.lon, { lat: 'p.lat', lon: 'p.lon' }),
      '<=',
      num(filter.near.radiusKm),
    );
  return query;
}

/** SQLite: the rows of the R*Tree of deployments' points inside a box, as `p`. */
function pointsInBox(db: Kysely<Database>, box: Box) {
  return (db as unknown as Kysely<{ deployment_points: DeploymentPointRow }>)
    .selectFrom('deployment_points as p')
    .where('p.min_lat', '>=', box.minLat)
    .where('p.max_lat', '<=', box.maxLat)
    .where('p.min_lon', '>=', box.minLon)
    .where('p.max_lon', '<=', box.maxLon);
}

/**
 * SQLite, a box or a circle alone: the R*Tree gives the points in the box (around the circle), and their
 * order (by id, or nearest first), page and number are worked out here, in one pass over them. SQL read the
 * index twice (the page, then the count), sorted in a temporary tree, and computed a circle's haversine in
 * SQLite's VM for the filter, the order and the count: most of the cost of these questions. The same page and
 * cursor as `deploymentPageQuery` gives, with the total. Null for any other question.
 */
async function pageFromPoints(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  page: { limit: number; after?: string },
): Promise<{ keys: PageKey[]; nextAfter: string | null; total: number } | null> {
  const { near, bbox } = filter;
  if (!(near || bbox) || dialectOf(db) !== 'sqlite' || givenFilters(filter).length !== 1) return null;
  const byId = (a: PageKey, b: PageKey) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  let matches: PageKey[];
  let start = 0;
  if (!near) {
    const rows = await pointsInBox(db, bbox!).select('p.deployment_id as id').execute();
    matches = rows.map((r) => ({ id: r.id, last_seen_on: null }));
    matches.sort(byId);
    if (page.after !== undefined) {
      const after = page.after;
      const at = matches.findIndex((k) => k.id > after);
      start = at < 0 ? matches.length : at;
    }
  } else {
    const rows = await pointsInBox(db, boxAround(near.lat, near.lon, near.radiusKm))
      .select(['p.deployment_id as id', 'p.lat', 'p.lon'])
      .execute();
    const inCircle: Array<PageKey & { distance_km: number }> = [];
    for (const r of rows) {
      const distance = distanceKm(near.lat, near.lon, r.lat, r.lon);
      if (distance <= near.radiusKm) inCircle.push({ id: r.id, last_seen_on: null, distance_km: distance });
    }
    inCircle.sort((a, b) => a.distance_km - b.distance_km || byId(a, b));
    const after = readNearCursor(page.after);
    if (after) {
      const at = inCircle.findIndex(
        (k) => k.distance_km > after.distance || (k.distance_km === after.distance && k.id > after.id),
      );
      start = at < 0 ? inCircle.length : at;
    }
    matches = inCircle;
  }
  const rest = matches.slice(start, start + page.limit + 1);
  const keys = rest.slice(0, page.limit);
  const last = keys.at(-1);
  return { keys, nextAfter: rest.length > page.limit && last ? cursorAfter(last) : null, total: matches.length };
}

/** A row of SQLite's R*Tree of deployments' points (migration 0011). */
interface DeploymentPointRow {
  id: number;
  min_lat: number;
  max_lat: number;
  min_lon: number;
  max_lon: number;
  deployment_id: string;
  lat: number;
  lon: number;
}

/** The records of these deployments, in the order of `ids` (an id that names none is left out). */
export async function findDeploymentsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<DeploymentRecord[]> {
  if (ids.length === 0) return [];
  const rows = await withColumns(filtered(db, {}).where('d.id', 'in', ids)).execute();
  const byId = new Map((await withDetails(db, rows)).map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
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
export async function* iterateDeployments(
  db: Kysely<Database>,
  filter: DeploymentFilter = {},
  pageSize = 1000,
): AsyncGenerator<DeploymentRecord> {
  let after = '';
  while (true) {
    const rows = await withColumns(filtered(db, filter).where('d.id', '>', after))
      .orderBy('d.id')
      .limit(pageSize)
      .execute();
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
      .select([
        'e.deployment_id',
        'e.id',
        'e.status',
        'e.kind',
        'e.standing',
        'e.occurred_on',
        'e.precision',
        'e.as_of',
        's.url as source_url',
        'e.note',
      ])
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
      started_on: apiDate(r.started_on, r.started_precision),
      started_precision: apiPrecision(r.started_on, r.started_precision),
      first_documented_on: apiDate(r.first_documented_on, r.first_documented_precision),
      first_documented_precision: apiPrecision(r.first_documented_on, r.first_documented_precision),
      last_seen_on: apiDate(r.last_seen_on, r.last_seen_precision),
      last_seen_precision: apiPrecision(r.last_seen_on, r.last_seen_precision),
      ended_on: apiDate(r.ended_on, r.ended_precision),
      ended_precision: apiPrecision(r.ended_on, r.ended_precision),
      in_use_from: r.active_from ?? null,
      in_use_until: r.active_until ?? null,
      no_longer_listed: r.unlisted_on
        ? { on: r.unlisted_on as string, by: (r.unlisted_by as string | null) ?? null }
        : null,
      summary: r.summary ?? null,
      agency: {
        id: r.agency_id,
        url: `/agencies/${r.agency_id}`,
        name: r.agency_name,
        state: r.agency_state,
        ori: r.agency_ori ?? null,
        type: r.agency_type ?? null,
        level: (r.agency_level as AgencyLevel | null) ?? null,
        lat,
        lon,
        location_basis: r.location_basis ?? null,
        placement_issue: r.placement_issue ?? null,
      },
      place: toPlaceRecord(r),
      lat,
      lon,
      vendors: (vendorsBy.get(r.id) ?? []).map((v) => ({ id: v.id, name: v.name })),
      events: (eventsBy.get(r.id) ?? [])
        .sort((a, b) => compareText(a.occurred_on ?? '', b.occurred_on ?? '') || compareText(a.id, b.id))
        .map((e) => ({
          id: e.id,
          status: e.status as DeploymentStatus,
          kind: e.kind as EvidenceKind,
          standing: e.standing as EvidenceStanding,
          occurred_on: apiDate(e.occurred_on, e.precision),
          precision: apiPrecision(e.occurred_on, e.precision),
          as_of: e.as_of ?? null,
          source_url: e.source_url ?? null,
          note: e.note ?? null,
        })),
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
  /** When the status was last seen, at its precision. */
  lastSeen: string | null;
  agency: string;
  lat: number;
  lon: number;
}

/** The placed deployments matching a filter, as points for the map: only what a tile needs. */
export async function findDeploymentPoints(db: Kysely<Database>, filter: DeploymentFilter): Promise<DeploymentPoint[]> {
  const rows = await filtered(db, filter)
    .select([
      'd.id',
      'd.technology_slug',
      'd.status',
      'd.last_seen_on',
      'd.last_seen_precision',
      'a.name',
      'a.lat',
      'a.lon',
    ])
    .where('a.lat', 'is not', null)
    .where('a.lon', 'is not', null)
    .orderBy('d.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    technology: r.technology_slug,
    status: r.status,
    lastSeen: apiDate(r.last_seen_on, r.last_seen_precision),
    agency: r.name,
    lat: Number(r.lat),
    lon: Number(r.lon),
  }));
}

/**
 * How many deployments match the filter in each state (by state FIPS) or county (by county GEOID, through
 * the agency's town or county), for shading the map.
 */
export async function countDeploymentsByArea(
  db: Kysely<Database>,
  filter: DeploymentFilter,
  level: 'state' | 'county',
): Promise<Array<{ geoid: string; n: number }>> {
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

/** The first and last day each technology's deployments are known in use from: the span of the map's timeline. */
export async function findStartDateSpans(db: Kysely<Database>): Promise<Record<string, [string, string]>> {
  const rows = await db
    .selectFrom('deployments')
    .select((eb) => ['technology_slug', eb.fn.min('active_from').as('first'), eb.fn.max('active_from').as('last')])
    .where('active_from', 'is not', null)
    .groupBy('technology_slug')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.technology_slug, [String(r.first), String(r.last)]]));
}

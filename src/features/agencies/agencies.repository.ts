import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '#src/storage/schema';
import { numberOrNull, PLACE_COLUMNS, toPlaceRecord } from '#src/features/places/place-record';

export function agencyQuery(db: Kysely<Database>) {
  return withAgencyColumns(db.selectFrom('agencies as a'));
}

/** The columns of an agency record and its place, on any (filtered) query of `agencies as a`. */
export function withAgencyColumns(query: SelectQueryBuilder<Database & { a: Database['agencies'] }, 'a', object>) {
  return query
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select([
      'a.id',
      'a.name',
      'a.state_code',
      'a.ori',
      'a.agency_type',
      'a.level',
      'a.county_geoids',
      'a.placement_issue',
      'a.lat',
      'a.lon',
      'a.location_basis',
      ...PLACE_COLUMNS,
    ]);
}

export async function toAgencies(db: Kysely<Database>, rows: Array<Record<string, any>>) {
  const ids = rows.map((r) => r.id as string);
  const techs =
    ids.length === 0
      ? []
      : await db
          .selectFrom('deployments')
          .select(['agency_id', 'technology_slug'])
          .distinct()
          .where('agency_id', 'in', ids)
          .orderBy('technology_slug')
          .execute();
  return rows.map((r) => ({
    id: r.id as string,
    url: `/agencies/${r.id}`,
    name: r.name as string,
    state: r.state_code as string,
    ori: (r.ori as string | null) ?? null,
    type: (r.agency_type as string | null) ?? null,
    level: (r.level as string | null) ?? null,
    counties: r.county_geoids ? (r.county_geoids as string).split(',') : [],
    placement_issue: (r.placement_issue as string | null) ?? null,
    place: toPlaceRecord(r),
    lat: numberOrNull(r.lat),
    lon: numberOrNull(r.lon),
    location_basis: (r.location_basis as string | null) ?? null,
    technologies: techs.filter((t) => t.agency_id === r.id).map((t) => t.technology_slug),
  }));
}

/** One agency as the API shows it, or null. */
export async function findAgencyById(db: Kysely<Database>, id: string) {
  const rows = await agencyQuery(db).where('a.id', '=', id).execute();
  return rows.length === 0 ? null : (await toAgencies(db, rows))[0]!;
}

export type AgencyRecord = NonNullable<Awaited<ReturnType<typeof findAgencyById>>>;

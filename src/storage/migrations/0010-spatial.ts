import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * A spatial index of agencies' points, so that `near` and `bbox` read the agencies in a box first and
 * compute exact distances for those only:
 * - SQLite: an R*Tree (`agency_points`: the agency's rowid, its point as a degenerate box, and its id),
 *   kept by triggers on every insert, move and delete of an agency;
 * - PostgreSQL: a GiST index on `point(lon, lat)` (built in; no extension needed).
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`create index agencies_point on agencies using gist (point(lon, lat))`.execute(db);
    return;
  }
  await sql`create virtual table agency_points using rtree(id, min_lat, max_lat, min_lon, max_lon, +agency_id)`.execute(
    db,
  );
  await sql`insert into agency_points select rowid, lat, lat, lon, lon, id from agencies where lat is not null and lon \
is not null`.execute(db);
  await sql`create trigger agency_points_insert after insert on agencies when new.lat is not null and new.lon is not \
null begin
    insert into agency_points values (new.rowid, new.lat, new.lat, new.lon, new.lon, new.id);
  end`.execute(db);
  await sql`create trigger agency_points_update after update of lat, lon on agencies begin
    delete from agency_points where id = old.rowid;
    insert into agency_points select new.rowid, new.lat, new.lat, new.lon, new.lon, new.id where new.lat is not null \
and new.lon is not null;
  end`.execute(db);
  await sql`create trigger agency_points_delete after delete on agencies begin
    delete from agency_points where id = old.rowid;
  end`.execute(db);
}

import type { Kysely } from 'kysely';
import type { Database, DataSourceRow } from '#src/storage/schema';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';

/** A dataset the app knows and can sync, as the CLI and the about page show it. */
export type DataSource = Omit<
  DataSourceRow,
  'bundled' | 'schedule_hours' | 'etag' | 'last_modified' | 'raw_path' | 'as_of_precision' | 'created_at'
> & {
  bundled: boolean;
  schedule_hours: number | null;
};

export function toDataSource(r: DataSourceRow): DataSource {
  return {
    name: r.name,
    kind: r.kind,
    location: r.location,
    title: r.title,
    licence: r.licence,
    as_of_rule: r.as_of_rule,
    bundled: Number(r.bundled) === 1,
    schedule_hours: r.schedule_hours === null ? null : Number(r.schedule_hours),
    sha256: r.sha256,
    as_of: r.as_of,
    fetched_at: r.fetched_at,
    checked_at: r.checked_at,
    last_outcome: r.last_outcome,
    last_run_id: r.last_run_id,
  };
}

/** Registers the bundled datasets as sources (named after their kind), keeping what syncs recorded. */
export async function registerBundledSources(db: Kysely<Database>, now: string): Promise<void> {
  const known = new Set(
    (await db.selectFrom('data_sources').select('name').where('bundled', '=', 1).execute()).map((s) => s.name),
  );
  for (const d of BUNDLED_DATASETS) {
    const values = {
      kind: d.kind,
      location: d.path,
      title: d.title,
      licence: `${d.licence}; ${d.credit}`,
      as_of_rule: `fixed:${d.asOf}`,
    };
    if (known.has(d.kind)) await db.updateTable('data_sources').set(values).where('name', '=', d.kind).execute();
    else
      await db
        .insertInto('data_sources')
        .values({ name: d.kind, ...values, bundled: 1, created_at: now })
        .execute();
  }
}

export async function listDataSources(db: Kysely<Database>): Promise<DataSource[]> {
  return (await db.selectFrom('data_sources').selectAll().orderBy('bundled', 'desc').orderBy('name').execute()).map(
    toDataSource,
  );
}

export async function findDataSource(db: Kysely<Database>, nameOrLocation: string): Promise<DataSourceRow | null> {
  return (
    (await db.selectFrom('data_sources').selectAll().where('name', '=', nameOrLocation).executeTakeFirst()) ??
    (await db
      .selectFrom('data_sources')
      .selectAll()
      .where('location', '=', nameOrLocation)
      .orderBy('name')
      .executeTakeFirst()) ??
    null
  );
}

import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { readDatasetVersion } from '#src/storage/dataset-version';

export interface DatasetStats {
  dataset_version: string;
  agencies: number;
  agencies_placed: number;
  agencies_with_deployments: number;
  deployments: number;
  deployments_placed: number;
  deployments_by_technology: Record<string, number>;
  deployments_by_status: Record<string, number>;
  policies: number;
  policies_by_kind: Record<string, number>;
  officials: number;
  places: Record<string, number>;
  sources: number;
  revisions: number;
  imports: Array<{ kind: string; file: string; finished_at: string | null; rows_read: number }>;
}

const count = (row: { n: unknown } | undefined) => Number(row?.n ?? 0);

/** Headline counts of the whole dataset. */
export async function readStats(db: Kysely<Database>): Promise<DatasetStats> {
  const n = (table: keyof Database) =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst()
      .then(count);
  const grouped = async (rows: Promise<Array<{ k: string; n: unknown }>>) =>
    Object.fromEntries((await rows).map((r) => [r.k, Number(r.n)]));
  const [
    agencies,
    agenciesPlaced,
    agenciesWithDeployments,
    deployments,
    deploymentsPlaced,
    byTechnology,
    byStatus,
    policies,
    byKind,
    officials,
    places,
    sources,
    revisions,
    imports,
  ] = await Promise.all([
    n('agencies'),
    db
      .selectFrom('agencies')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('lat', 'is not', null)
      .executeTakeFirst()
      .then(count),
    db
      .selectFrom('deployments')
      .select((eb) => eb.fn.count('agency_id').distinct().as('n'))
      .executeTakeFirst()
      .then(count),
    n('deployments'),
    db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('a.lat', 'is not', null)
      .executeTakeFirst()
      .then(count),
    grouped(
      db
        .selectFrom('deployments')
        .select(['technology_slug as k', (eb) => eb.fn.countAll().as('n')])
        .groupBy('technology_slug')
        .orderBy('technology_slug')
        .execute(),
    ),
    grouped(
      db
        .selectFrom('deployments')
        .select(['status as k', (eb) => eb.fn.countAll().as('n')])
        .groupBy('status')
        .orderBy('status')
        .execute(),
    ),
    n('policies'),
    grouped(
      db
        .selectFrom('policies')
        .select(['kind as k', (eb) => eb.fn.countAll().as('n')])
        .groupBy('kind')
        .orderBy('kind')
        .execute(),
    ),
    n('officials'),
    grouped(
      db
        .selectFrom('places')
        .select(['kind as k', (eb) => eb.fn.countAll().as('n')])
        .groupBy('kind')
        .orderBy('kind')
        .execute(),
    ),
    n('sources'),
    n('revisions'),
    db
      .selectFrom('import_runs')
      .select(['kind', 'file', 'finished_at', 'rows_read'])
      .where('status', '=', 'finished')
      .orderBy('started_at')
      .execute(),
  ]);
  return {
    dataset_version: await readDatasetVersion(db),
    agencies,
    agencies_placed: agenciesPlaced,
    agencies_with_deployments: agenciesWithDeployments,
    deployments,
    deployments_placed: deploymentsPlaced,
    deployments_by_technology: byTechnology,
    deployments_by_status: byStatus,
    policies,
    policies_by_kind: byKind,
    officials,
    places,
    sources,
    revisions,
    imports,
  };
}

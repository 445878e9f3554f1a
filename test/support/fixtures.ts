import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { runImport, type ImportSummary } from '#src/importers/pipeline';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** The as-of date of the dataset each fixture was cut from (see the bundled data's SOURCE.md files). */
const FIXTURE_AS_OF: Record<string, string> = {
  'states.psv': '2017',
  'counties-sample.psv': '2017',
  'places-sample.csv': '2021',
  'fbi-agencies-sample.csv': '2025-02-18',
  'atlas-sample.csv': '2020-10-07',
  'atlas-broken.csv': '2020-10-07',
  'frt-sample.csv': '2021-05-03',
  'flock-sample.csv': '2026-08-22',
  'mayors-sample.csv': '2020-10-19',
  'mayors-sample-wrong-shape.csv': '2020-10-19',
};

/** Imports a file in small batches, with `asOf` or, for a fixture, the as-of date of the dataset it was cut from. */
export function importFile(db: Kysely<any>, kind: string, file: string, asOf?: string): Promise<ImportSummary> {
  const importer = IMPORT_KINDS.get(kind);
  if (!importer) throw new Error(`no importer ${kind}`);
  return runImport(db, importer, file, { asOf: asOf ?? FIXTURE_AS_OF[basename(file)], batchSize: 25 });
}

/** The agency the deployment of an Atlas row (by its AOSNUMBER) belongs to. */
export function agencyOfAtlasRow(db: Kysely<any>, aos: string) {
  return db
    .selectFrom('origins as o')
    .innerJoin('deployments as d', 'd.id', 'o.entity_id')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .selectAll('a')
    .where('o.entity_type', '=', 'deployment')
    .where('o.dataset', '=', 'atlas')
    .where('o.row_key', '=', aos)
    .executeTakeFirstOrThrow();
}

/** The first town (by id) whose police had a Ring partnership and whose mayor is in the roster. */
export async function ringTownWithOfficial(db: Kysely<any>): Promise<string> {
  const row = await db
    .selectFrom('deployments as d')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .innerJoin('officials as o', 'o.place_id', 'a.place_id')
    .select('a.place_id')
    .where('d.technology_slug', '=', 'ring-neighbors')
    .orderBy('a.place_id')
    .executeTakeFirstOrThrow();
  return row.place_id as string;
}

/** States, counties, places and FBI agencies of MA, NY, RI, VT and DC: what the evidence fixtures are placed by. */
export async function importGeography(db: Kysely<any>): Promise<void> {
  await importFile(db, 'census-states', fixture('states.psv'));
  await importFile(db, 'census-counties', fixture('counties-sample.psv'));
  await importFile(db, 'census-places', fixture('places-sample.csv'));
  await importFile(db, 'fbi-agencies', fixture('fbi-agencies-sample.csv'));
}

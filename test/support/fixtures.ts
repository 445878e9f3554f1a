import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { runImport, type ImportSummary } from '#src/importers/pipeline';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export function importFile(db: Kysely<any>, kind: string, file: string, asOf?: string): Promise<ImportSummary> {
  const importer = IMPORT_KINDS.get(kind);
  if (!importer) throw new Error(`no importer ${kind}`);
  return runImport(db, importer, file, { asOf, batchSize: 25 });
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

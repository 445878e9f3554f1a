import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { IMPORT_MODEL_VERSION, runImport, type ImportSummary } from '#src/importers/pipeline';
import { readMeta, writeMeta } from '#src/storage/dataset-version';
import { BUNDLED_DATASETS, type BundledDataset } from './bundled-datasets';

const META_KEY = 'bundled_data';

/**
 * Loads the bundled datasets unless this exact set (by paths and sizes) has been loaded before.
 * Safe to run again after an interruption: every import is idempotent.
 */
export async function loadBundledData(
  db: Kysely<any>,
  dataDir: string,
  log: (message: string) => void = () => {},
): Promise<{ loaded: boolean; summaries: ImportSummary[] }> {
  const fingerprint = fingerprintOf(BUNDLED_DATASETS, dataDir);
  if ((await readMeta(db, META_KEY)) === fingerprint) return { loaded: false, summaries: [] };
  const summaries: ImportSummary[] = [];
  for (const dataset of BUNDLED_DATASETS) {
    const kind = IMPORT_KINDS.get(dataset.kind)!;
    const started = Date.now();
    const summary = await runImport(db, kind, join(dataDir, dataset.path), {
      asOf: dataset.asOf,
      sourceName: dataset.kind,
      title: dataset.title,
      firstLoad: true,
    });
    summaries.push(summary);
    await recordBundledLoad(db, dataset.kind, summary.runId);
    log(
      `loaded ${dataset.title}: ${summary.read} rows (${summary.created} new, ${summary.rejected} \
rejected, ${summary.warnings.length} warnings) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  await writeMeta(db, META_KEY, fingerprint);
  return { loaded: true, summaries };
}

/** The bundled source's registry entry learns the version loaded, so that a sync of the same bytes writes nothing. */
async function recordBundledLoad(db: Kysely<any>, name: string, runId: string): Promise<void> {
  const run = await db
    .selectFrom('import_runs')
    .select(['file_sha256', 'as_of', 'as_of_precision', 'finished_at'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  await db
    .updateTable('data_sources')
    .set({
      sha256: run.file_sha256,
      as_of: run.as_of,
      as_of_precision: run.as_of_precision,
      fetched_at: run.finished_at,
      checked_at: run.finished_at,
      last_run_id: runId,
      last_outcome: 'imported',
    })
    .where('name', '=', name)
    .execute();
}

function fingerprintOf(datasets: readonly BundledDataset[], dataDir: string): string {
  const hash = createHash('sha256');
  // The model's version is part of it: a database loaded under an older meaning of dates loads again.
  hash.update(`model:${IMPORT_MODEL_VERSION}\n`);
  for (const d of datasets) hash.update(`${d.kind}:${d.path}:${d.asOf}:${statSync(join(dataDir, d.path)).size}\n`);
  return hash.digest('hex').slice(0, 16);
}

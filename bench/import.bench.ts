/**
 * Import benchmark: a 100k-row GENERATED Atlas-format file (real rows replayed under fresh ids) imported
 * into a SQLite database that already holds the bundled places and agencies, beside the floor measured
 * in the same run: the sqlite3 CLI's `.import` of the same file into one table. Then, into a copy of the
 * result, the same file again (a sync of unchanged bytes, conditional GET aside) and the file with 1% of its
 * rows changed (every 100th row's summary).
 *
 *   npm run bench            (or: bash bench/run.sh import [ROWS|real])
 */
import { execFileSync, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readDelimited } from '#src/importers/delimited.reader';
import { csvField } from '#src/features/export/export.service';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';
import { cliCommand } from './cli-command';
import { openDatabase } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { runImport } from '#src/importers/pipeline';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';

// `real` imports the bundled Atlas export itself; a number imports that many GENERATED rows.
const real = process.argv[2] === 'real';
const REAL_ATLAS = join(REPO_ROOT, 'data/atlas-of-surveillance-2020/atlas-of-surveillance-20201007.csv');
execFileSync('node', [join(REPO_ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
const outDir = join(REPO_ROOT, 'bench/out');
mkdirSync(outDir, { recursive: true });
const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
const rows = real ? 5784 : Number(process.argv[2] ?? 100_000);
const generated = real ? REAL_ATLAS : join(outDir, `atlas-GENERATED-${rows}.csv`);
if (!existsSync(generated))
  execFileSync(tsx, [join(REPO_ROOT, 'bench/generate-atlas.ts'), String(rows), generated], { stdio: 'inherit' });
const sizeMb = statSync(generated).size / 1e6;
// The same file with every 100th row's summary edited: 1% of the rows changed.
const changed = join(outDir, `${real ? 'atlas-real' : `atlas-GENERATED-${rows}`}-1pct-changed.csv`);
if (!existsSync(changed)) {
  const out: string[] = [];
  let header: string[] | null = null;
  for await (const { fields } of readDelimited(generated)) {
    if (header === null) header = fields;
    else if (out.length % 100 === 0) fields[header.indexOf('Summary')] += ' (edited for the benchmark)';
    out.push(fields.map(csvField).join(','));
  }
  writeFileSync(changed, out.join('\n') + '\n');
}

// A base database with the geography and FBI agencies the import resolves against (not timed).
const base = join(outDir, 'base.db');
if (!existsSync(base)) {
  const handle = openDatabase(`sqlite:${base}`);
  await prepareDatabase(handle);
  for (const d of BUNDLED_DATASETS.filter((d) =>
    ['census-states', 'census-counties', 'census-places', 'fbi-agencies'].includes(d.kind),
  )) {
    await runImport(handle.db, IMPORT_KINDS.get(d.kind)!, join(REPO_ROOT, 'data', d.path), { asOf: d.asOf });
  }
  await handle.close();
}

function timed(command: string, args: string[]): { seconds: number; peakMb: number; stdout: string } {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  const [seconds, kb] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakMb: kb! / 1024, stdout: result.stdout };
}

const runs = Number(process.env.BENCH_RUNS ?? 3);
const floor: Array<{ seconds: number; peakMb: number }> = [];
const ours: Array<{ seconds: number; peakMb: number; read: number; created: number }> = [];
const unchanged: Array<{ seconds: number; peakMb: number; unchanged: number; updated: number }> = [];
const onePercent: Array<{ seconds: number; peakMb: number; updated: number; unchanged: number }> = [];
for (let i = 0; i < runs; i++) {
  const floorDb = join(outDir, 'floor.db');
  rmSync(floorDb, { force: true });
  floor.push(timed('sqlite3', [floorDb, '-cmd', '.mode csv', `.import ${generated} atlas`]));

  const db = join(outDir, 'ours.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  copyFileSync(base, db);
  // The same command as `npm run cli -- import atlas FILE`, less npm: the built CLI with its heap limits.
  process.env.DATABASE_URL = `sqlite:${db}`;
  // The generated rows replay the October 2020 export.
  const child = timed(...cliCommand('import', 'atlas', generated, '--as-of', '2020-10-07', '--json'));
  const summary = JSON.parse(child.stdout);
  ours.push({ seconds: child.seconds, peakMb: child.peakMb, read: summary.read, created: summary.created });

  // On a copy: the same bytes again, then the 1%-changed file (the same as-of date).
  const again = join(outDir, 'again.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(again + suffix, { force: true });
  copyFileSync(db, again);
  process.env.DATABASE_URL = `sqlite:${again}`;
  const same = timed(...cliCommand('import', 'atlas', generated, '--as-of', '2020-10-07', '--json'));
  const sameSummary = JSON.parse(same.stdout);
  unchanged.push({
    seconds: same.seconds,
    peakMb: same.peakMb,
    unchanged: sameSummary.unchanged,
    updated: sameSummary.updated + sameSummary.created,
  });
  const edited = timed(...cliCommand('import', 'atlas', changed, '--as-of', '2020-10-07', '--json'));
  const editedSummary = JSON.parse(edited.stdout);
  onePercent.push({
    seconds: edited.seconds,
    peakMb: edited.peakMb,
    updated: editedSummary.updated,
    unchanged: editedSummary.unchanged,
  });
}

// A lower bound for any importer of this model: SQLite alone writing the records the import created
// (every table but the search index, copied set-based from the imported database into a fresh copy of the
// base, all indexes in place), with no parsing, validation, resolution or JavaScript at all.
// The other bounds leave out the history (revisions and origins), what a slimmer model would still cost,
// and then also build the secondary indexes after the inserts rather than during them.
function recordsOnlyBound(leaveOut: readonly string[], rebuildIndexes = false): { records: number; seconds: number } {
  const bound = join(outDir, 'bound.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(bound + suffix, { force: true });
  copyFileSync(base, bound);
  const boundDb = new Database(bound);
  boundDb.pragma('journal_mode = WAL');
  boundDb.pragma('synchronous = NORMAL');
  boundDb.exec(`attach '${join(outDir, 'ours.db')}' as imported`);
  const tables = (
    boundDb
      .prepare(
        "select name from main.sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'deployment_search%'",
      )
      .all() as Array<{ name: string }>
  ).filter(({ name }) => !leaveOut.includes(name));
  const started = performance.now();
  boundDb.exec('begin');
  const indexes = rebuildIndexes
    ? (boundDb
        .prepare("select name, sql from main.sqlite_master where type = 'index' and sql is not null")
        .all() as Array<{ name: string; sql: string }>)
    : [];
  for (const index of indexes) boundDb.exec(`drop index main."${index.name}"`);
  let records = 0;
  for (const { name } of tables)
    records += boundDb.prepare(`insert or ignore into main."${name}" select * from imported."${name}"`).run().changes;
  for (const index of indexes) boundDb.exec(index.sql);
  boundDb.exec('commit');
  const seconds = (performance.now() - started) / 1000;
  boundDb.close();
  return { records, seconds };
}
const fullBound = recordsOnlyBound([]);
const withoutHistory = recordsOnlyBound(['revisions', 'origins', 'import_runs']);
const withoutHistoryIndexesAfter = recordsOnlyBound(['revisions', 'origins', 'import_runs'], true);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floorSeconds = median(floor.map((f) => f.seconds));
const ourSeconds = median(ours.map((o) => o.seconds));
const report = {
  date: new Date().toISOString().slice(0, 10),
  file: real ? 'bundled Atlas export (real)' : 'GENERATED Atlas-format rows',
  rows,
  file_mb: Math.round(sizeMb * 10) / 10,
  floor_sqlite3_import: {
    seconds: floorSeconds,
    rows_per_s: Math.round(rows / floorSeconds),
    peak_mb: Math.round(median(floor.map((f) => f.peakMb))),
  },
  counterwatch_import: {
    seconds: Math.round(ourSeconds * 100) / 100,
    rows_per_s: Math.round(rows / ourSeconds),
    peak_mb: Math.round(Math.max(...ours.map((o) => o.peakMb))),
    created_rows: ours[0]!.created,
  },
  ratio_to_floor: Math.round((ourSeconds / floorSeconds) * 100) / 100,
  unchanged_file_again: {
    what: 'the same bytes imported again (a sync whose conditional GET and SHA-256 check are set aside): unchanged rows skip all writes',
    seconds: Math.round(median(unchanged.map((u) => u.seconds)) * 100) / 100,
    ratio_to_floor: Math.round((median(unchanged.map((u) => u.seconds)) / floorSeconds) * 100) / 100,
    peak_mb: Math.round(Math.max(...unchanged.map((u) => u.peakMb))),
    rows_unchanged: unchanged[0]!.unchanged,
    rows_written: unchanged[0]!.updated,
  },
  one_percent_changed: {
    what: 'the file with every 100th row changed, imported after it',
    seconds: Math.round(median(onePercent.map((u) => u.seconds)) * 100) / 100,
    ratio_to_floor: Math.round((median(onePercent.map((u) => u.seconds)) / floorSeconds) * 100) / 100,
    peak_mb: Math.round(Math.max(...onePercent.map((u) => u.peakMb))),
    rows_updated: onePercent[0]!.updated,
  },
  // How far the importer is from SQLite alone writing the same records: what is left to win in the importer.
  ratio_to_records_only_bound: Math.round((ourSeconds / fullBound.seconds) * 100) / 100,
  records_only_bound: {
    what: 'SQLite alone writing the records this import created, set-based, no JavaScript',
    records: fullBound.records,
    seconds: Math.round(fullBound.seconds * 100) / 100,
    ratio_to_floor: Math.round((fullBound.seconds / floorSeconds) * 100) / 100,
  },
  records_only_bound_without_history: {
    what: 'the same without revisions and origins (a model that kept no history of imported records)',
    records: withoutHistory.records,
    seconds: Math.round(withoutHistory.seconds * 100) / 100,
    ratio_to_floor: Math.round((withoutHistory.seconds / floorSeconds) * 100) / 100,
  },
  records_only_bound_without_history_indexes_built_after: {
    what: 'the same, with the secondary indexes dropped first and built again after the inserts',
    records: withoutHistoryIndexesAfter.records,
    seconds: Math.round(withoutHistoryIndexesAfter.seconds * 100) / 100,
    ratio_to_floor: Math.round((withoutHistoryIndexesAfter.seconds / floorSeconds) * 100) / 100,
  },
  targets: {
    first_import_ratio_to_records_only_bound_at_most: 2,
    unchanged_ratio_to_floor_at_most: 3,
    one_percent_ratio_to_floor_at_most: 4,
    peak_mb_below: 300,
  },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
const ok =
  report.ratio_to_records_only_bound <= 2 &&
  report.unchanged_file_again.ratio_to_floor <= 3 &&
  report.one_percent_changed.ratio_to_floor <= 4 &&
  Math.max(
    report.counterwatch_import.peak_mb,
    report.unchanged_file_again.peak_mb,
    report.one_percent_changed.peak_mb,
  ) < 300;
process.stdout.write(ok ? 'import benchmark: within targets\n' : 'import benchmark: MISSES a target\n');

/**
 * The servers the API benchmarks run against: the built server (dist/main.js) on two SQLite datasets,
 * built once and kept in bench/out (delete them to rebuild): the bundled real data, and 100k deployments
 * (the bundled geography and FBI agencies plus 100,000 GENERATED Atlas rows, never mixed with real data).
 * BENCH_SERVER_DIR names another checkout whose dist/ was built (an older commit, to compare in the same
 * hour): its CLI builds its own datasets (in its bench/out) and its server answers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';
import { cliCommandIn } from './cli-command';

/** The checkout whose build is measured. */
const SERVER_DIR = process.env.BENCH_SERVER_DIR ?? REPO_ROOT;
const out = join(SERVER_DIR, 'bench/out');
mkdirSync(out, { recursive: true });
const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');

function cli(db: string, args: string[], options: { heapMb?: number } = {}) {
  const [node, argv] = cliCommandIn(SERVER_DIR, ...args);
  // A larger heap where asked: these benchmarks measure queries, not the import (see bench/import.bench.ts).
  const flags = options.heapMb
    ? argv.map((a) => (a.startsWith('--max-old-space-size=') ? `--max-old-space-size=${options.heapMb}` : a))
    : argv;
  execFileSync(node, flags, {
    env: { ...process.env, DATABASE_URL: `sqlite:${db}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The datasets, built once and kept in bench/out (delete them to rebuild). */
export function prepare(): Array<{ name: string; db: string }> {
  const real = join(out, 'api-real.db');
  if (!existsSync(real)) {
    for (const d of BUNDLED_DATASETS)
      cli(real, ['import', d.kind, join(SERVER_DIR, 'data', d.path), '--as-of', d.asOf]);
  }
  const big = join(out, 'api-100k.db');
  if (!existsSync(big)) {
    const generated = join(out, 'atlas-GENERATED-100000.csv');
    if (!existsSync(generated))
      execFileSync(tsx, [join(REPO_ROOT, 'bench/generate-atlas.ts'), '100000', generated], { stdio: 'inherit' });
    copyFileSync(real, big);
    // The generated rows replay the October 2020 export. Into a database that holds all the bundled data,
    // 100,000 new rows outgrow the CLI's 112 MB heap (found 2026-12-04, also before issue 12's changes):
    // given 512 MB here.
    cli(big, ['import', 'atlas', generated, '--as-of', '2020-10-07'], { heapMb: 512 });
  }
  return [
    { name: 'bundled real data', db: real },
    { name: '100k deployments (GENERATED)', db: big },
  ];
}

export function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = pattern.exec(text);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

export async function startServer(db: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn('node', [join(SERVER_DIR, 'dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${db}`,
      PORT: '0',
      LOAD_BUNDLED_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await waitForLine(child, /ready at (http:\/\/[^ ]+)/);
  return { child, base };
}

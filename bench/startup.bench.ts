/**
 * Start-up benchmark: `npm start`'s server (dist/main.js) on an empty SQLite database, which migrates and
 * loads the bundled real data (target: under 30 s), then started again on the loaded database (target:
 * under 3 s). Time is measured from spawning the process to its "ready" line.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';

execFileSync('node', [join(REPO_ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'cw-startup-'));

function startOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('node', ['--enable-source-maps', join(REPO_ROOT, 'dist/main.js')], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/is ready at/.test(output)) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        child.kill('SIGTERM');
        child.on('exit', () => resolve(seconds));
      }
    });
    child.on('exit', (code) => {
      if (!/is ready at/.test(output)) reject(new Error(`server exited (${code}) before it was ready:\n${output}`));
    });
  });
}

const first = await startOnce();
const later: number[] = [];
for (let i = 0; i < 3; i++) later.push(await startOnce());
rmSync(dir, { recursive: true, force: true });
const median = [...later].sort((a, b) => a - b)[1]!;
const report = {
  date: new Date().toISOString().slice(0, 10),
  first_start_seconds: Math.round(first * 10) / 10,
  later_start_seconds_median: Math.round(median * 100) / 100,
  targets: { first_start_below: 30, later_start_below: 3 },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
process.stdout.write(
  first < 30 && median < 3 ? 'start-up benchmark: within targets\n' : 'start-up benchmark: MISSES a target\n',
);

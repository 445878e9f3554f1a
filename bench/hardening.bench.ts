/**
 * What the security probe measured (issue 12), measured again against the real server (dist/main.js) on
 * the bundled real data, on a fresh SQLite file:
 *
 * 1. Memory: the server's resident memory before and after 10,000 API requests that each carry a different
 *    1 kB unknown parameter, then 10,000 distinct valid queries. The remembered answers must stay bounded.
 * 2. Blocking work: the latency of /healthz, probed every 50 ms, while one client holds 50 connections
 *    open on /search (agency and place names), with the rate limit lifted so that every search runs.
 *
 *   npx tsx bench/hardening.bench.ts [SERVER_DIR]
 *
 * SERVER_DIR (default: this checkout) is a checkout whose dist/ was built; pass an older one to compare.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';

const serverDir = process.argv[2] ?? REPO_ROOT;
const autocannonModule = join(REPO_ROOT, 'node_modules/autocannon');
if (serverDir === REPO_ROOT)
  execFileSync('node', [join(REPO_ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });

async function startServer(db: string, env: Record<string, string>): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn('node', [join(serverDir, 'dist/main.js')], {
    env: { ...process.env, DATABASE_URL: `sqlite:${db}`, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /ready at (http:\/\/\S+)/.exec(text);
      if (m) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  return { child, base };
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return Math.round(kb / 1024);
}

/** Sends the URLs with `concurrency` requests in flight; returns the status counts. */
async function send(urls: string[], concurrency: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const res = await fetch(urls[next++]!);
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function memory(base: string, pid: number) {
  await send(
    Array.from({ length: 500 }, (_, i) => `${base}/api/v1/deployments?limit=${(i % 50) + 1}`),
    10,
  );
  global.gc?.();
  const before = rssMb(pid);
  const padded = await send(
    Array.from({ length: 10_000 }, (_, i) => `${base}/api/v1/deployments?state=MA&limit=5&pad=${'x'.repeat(1000)}${i}`),
    20,
  );
  const afterPadded = rssMb(pid);
  const states = ['MA', 'NY', 'CA', 'TX', 'FL', 'IL', 'WA', 'OH', 'PA', 'MI'];
  const distinctRound = (technology: string) =>
    send(
      Array.from(
        { length: 10_000 },
        (_, i) =>
          `${base}/api/v1/deployments?state=${states[i % 10]}&limit=${Math.floor(i / 10) + 1}&technology=${technology}`,
      ),
      20,
    );
  const distinct = await distinctRound('all');
  const afterDistinct = rssMb(pid);
  await distinctRound('ring-neighbors');
  const afterSecond = rssMb(pid);
  return { before, afterPadded, afterDistinct, afterSecond, padded, distinct };
}

async function blocking(base: string) {
  const searches = ['police', 'county sheriff', 'bost', 'spring', 'san', 'department', 'new york', 'lake'];
  // autocannon in a process of its own (so that the probes below are not slowed by it), its 50
  // connections cycling through the searches.
  const requests = searches.map((q) => ({
    method: 'GET',
    path: `/search?q=${encodeURIComponent(q)}`,
    headers: { accept: 'text/html' },
  }));
  const script = `require(${JSON.stringify(autocannonModule)})(${JSON.stringify({ url: base, connections: 50, duration: 10, requests })}, (error, result) => { if (error) throw error; process.stdout.write(JSON.stringify(result)); });`;
  const flood = spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let json = '';
  flood.stdout.on('data', (c: Buffer) => (json += c.toString()));
  const done = new Promise<void>((resolve) => flood.on('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 1000));
  const probes: number[] = [];
  const until = Date.now() + 8000;
  while (Date.now() < until) {
    const started = performance.now();
    await (await fetch(`${base}/healthz`)).arrayBuffer();
    probes.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  await done;
  const result = JSON.parse(json) as { requests: { average: number }; latency: { p99: number }; non2xx: number };
  probes.sort((a, b) => a - b);
  return {
    searchesPerSecond: Math.round(result.requests.average),
    searchP99: result.latency.p99,
    non2xx: result.non2xx,
    healthz: {
      probes: probes.length,
      p50: percentile(probes, 50).toFixed(1),
      p99: percentile(probes, 99).toFixed(1),
      max: probes.at(-1)!.toFixed(1),
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'cw-hardening-'));
const db = join(dir, 'bench.db');
// First start loads the bundled data into the fresh file.
const loader = await startServer(db, { RATE_LIMIT_PER_MINUTE: '100000000' });
loader.child.kill('SIGTERM');
await new Promise((r) => loader.child.once('exit', r));

console.log(`server: ${serverDir}`);
const lifted = await startServer(db, { RATE_LIMIT_PER_MINUTE: '100000000', LOAD_BUNDLED_DATA: 'false' });
try {
  const m = await memory(lifted.base, lifted.child.pid!);
  console.log(
    `memory (MB resident): ${m.before} before → ${m.afterPadded} after 10,000 padded requests → ${m.afterDistinct} after 10,000 distinct queries → ${m.afterSecond} after 10,000 more`,
  );
  console.log(`  statuses: padded ${JSON.stringify(m.padded)}, distinct ${JSON.stringify(m.distinct)}`);
  const b = await blocking(lifted.base);
  console.log(
    `rate limit lifted: /search at 50 connections: ${b.searchesPerSecond} pages/s, p99 ${b.searchP99} ms, ${b.non2xx} non-2xx`,
  );
  console.log(
    `  /healthz meanwhile (${b.healthz.probes} probes): p50 ${b.healthz.p50} ms, p99 ${b.healthz.p99} ms, max ${b.healthz.max} ms`,
  );
} finally {
  lifted.child.kill('SIGTERM');
  await new Promise((r) => lifted.child.once('exit', r));
}
// As deployed: the default limits, one client holding 50 connections.
const defaults = await startServer(db, { LOAD_BUNDLED_DATA: 'false' });
try {
  const b = await blocking(defaults.base);
  console.log(
    `default limits: /search at 50 connections from one client: ${b.searchesPerSecond} answers/s, p99 ${b.searchP99} ms, ${b.non2xx} non-2xx`,
  );
  console.log(
    `  /healthz meanwhile (${b.healthz.probes} probes): p50 ${b.healthz.p50} ms, p99 ${b.healthz.p99} ms, max ${b.healthz.max} ms`,
  );
} finally {
  defaults.child.kill('SIGTERM');
}

/**
 * API benchmark against the real server (dist/main.js) on two SQLite datasets: the bundled real data, and
 * 100k deployments (the bundled geography and FBI agencies plus 100,000 GENERATED Atlas rows). Load comes
 * from autocannon in a second process, beside a bare node:http server (a third process) that answers the
 * same paths with the same bytes: the floor of this machine. Reports requests/s ratios, p99 latency at 50
 * connections, cold-tile latency and the server's peak memory.
 *
 *   bash bench/run.sh api
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';
import { prepare, startServer, waitForLine } from './bench-server';

const out = join(REPO_ROOT, 'bench/out');
mkdirSync(out, { recursive: true });
const autocannonBin = join(REPO_ROOT, 'node_modules/.bin/autocannon');
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 3;
execFileSync('node', [join(REPO_ROOT, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });

/** A bare node:http server in its own process answering each path with fixed bytes and content type. */
async function startFloor(
  responses: Record<string, { type: string; body: string }>,
): Promise<{ child: ChildProcess; base: string }> {
  const file = join(out, 'floor-responses.json');
  writeFileSync(file, JSON.stringify(responses));
  const script = `
    const http = require('node:http');
    const responses = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8'));
    for (const r of Object.values(responses)) r.buffer = Buffer.from(r.body, 'base64');
    const server = http.createServer((req, res) => {
      const r = responses[req.url];
      if (!r) { res.statusCode = 404; return res.end(); }
      res.setHeader('content-type', r.type);
      res.end(r.buffer);
    });
    server.listen(0, '127.0.0.1', () => console.log('ready at http://127.0.0.1:' + server.address().port));`;
  const child = spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, base: await waitForLine(child, /ready at (http:\/\/[^ ]+)/) };
}

function autocannon(url: string, connections: number): { rps: number; p99: number; errors: number; non2xx: number } {
  const text = execFileSync(autocannonBin, ['-c', String(connections), '-d', String(DURATION), '--json', url], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const r = JSON.parse(text);
  return { rps: Math.round(r.requests.average), p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

function peakMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const LIST = '/api/v1/deployments?state=CA&technology=ring-neighbors&limit=50';
const TILE = '/api/v1/tiles/4/2/6.mvt';
// Tiles at z 6–10 over the US, each asked for once: cluster index warm, tile cache cold.
const COLD = Array.from({ length: 40 }, (_, i) => {
  const z = 6 + (i % 5);
  const n = 2 ** z;
  const lon = -122 + ((i * 7) % 50);
  const lat = 30 + ((i * 3) % 15);
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return `/api/v1/tiles/${z}/${x}/${y}.mvt`;
});

const results = [];
for (const { name, db } of prepare()) {
  const server = await startServer(db);
  try {
    // The first tile builds the cluster index of the filter (here: no filter).
    const started = performance.now();
    await fetch(server.base + '/api/v1/tiles/0/0/0.mvt').then((r) => r.arrayBuffer());
    const indexMs = performance.now() - started;
    const responses: Record<string, { type: string; body: string }> = {};
    for (const path of [LIST, TILE]) {
      const res = await fetch(server.base + path);
      responses[path] = {
        type: res.headers.get('content-type') ?? '',
        body: Buffer.from(await res.arrayBuffer()).toString('base64'),
      };
    }
    const listStarted = performance.now();
    await fetch(server.base + LIST.replace('limit=50', 'limit=49')).then((r) => r.arrayBuffer());
    const coldListMs = performance.now() - listStarted;
    const cold: number[] = [];
    for (const path of new Set(COLD)) {
      const t = performance.now();
      await fetch(server.base + path).then((r) => r.arrayBuffer());
      cold.push(performance.now() - t);
    }
    cold.sort((a, b) => a - b);
    const floor = await startFloor(responses);
    try {
      autocannon(server.base + LIST, 10); // warm-up
      // Server and floor take turns, three rounds each; the medians are compared.
      const measure = (path: string) => {
        const ours = [];
        const bare = [];
        for (let round = 0; round < ROUNDS; round++) {
          ours.push(autocannon(server.base + path, 50));
          bare.push(autocannon(floor.base + path, 50));
        }
        const mid = <T extends { rps: number }>(xs: T[]) =>
          [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;
        return [{ ...mid(ours), p99: Math.max(...ours.map((o) => o.p99)) }, mid(bare)] as const;
      };
      const [list, listFloor] = measure(LIST);
      const [tile, tileFloor] = measure(TILE);
      results.push({
        dataset: name,
        list: {
          url: LIST,
          rps: list.rps,
          floor_rps: listFloor.rps,
          ratio: Math.round((list.rps / listFloor.rps) * 100) / 100,
          p99_ms: list.p99,
          errors: list.errors + list.non2xx,
        },
        warm_tile: {
          url: TILE,
          rps: tile.rps,
          floor_rps: tileFloor.rps,
          ratio: Math.round((tile.rps / tileFloor.rps) * 100) / 100,
          p99_ms: tile.p99,
          errors: tile.errors + tile.non2xx,
        },
        cluster_index_first_tile_ms: Math.round(indexMs),
        uncached_list_ms: Math.round(coldListMs * 10) / 10,
        cold_tile_ms_median: Math.round(cold[Math.floor(cold.length / 2)]! * 10) / 10,
        server_peak_mb: peakMb(server.child.pid!),
      });
    } finally {
      floor.child.kill();
    }
  } finally {
    server.child.kill();
  }
}
const report = {
  date: new Date().toISOString().slice(0, 10),
  seconds_per_run: DURATION,
  rounds: ROUNDS,
  connections: 50,
  results,
  targets: { list_ratio_min: 0.5, tile_ratio_min: 0.6, p99_ms_max: 50, cold_tile_ms_max: 20, server_mb_max: 400 },
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');

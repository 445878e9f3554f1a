/**
 * Campaign actions benchmark (issue 5): acknowledged, durable actions per second, on SQLite and on
 * PostgreSQL, with the real server (dist/main.js) under autocannon from this second process.
 *
 * 1. Throughput: petition posts with unique GENERATED emails (…@bench.invalid) for 10 s; an action counts
 *    when the server answered "Check your email" (it is then committed: stored as pending, its
 *    confirmation mail in the outbox).
 * 2. Crash: the same load for 12 s; after 4 s the server is killed with SIGKILL and started again. Every
 *    acknowledged action must be in the database afterwards.
 *
 *   npx tsx bench/actions.bench.ts [sqlite|postgres|both]      (target: ≥ 1,000 actions/s, nothing lost)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import pg from 'pg';
import { REPO_ROOT } from '#src/config/config';
import { openDatabase } from '#src/storage/dialect';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { ringTownWithOfficial } from '../test/support/fixtures';

const which = process.argv[2] ?? 'both';
const ADMIN = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const key = randomBytes(32);
const crypto = new SupporterCrypto(key);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startServer(databaseUrl: string, port: number): Promise<ChildProcess> {
  // BENCH_PROFILE=DIR writes a CPU profile of the server (the one running at the end) to DIR.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn('node', [...profile, join(REPO_ROOT, 'dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      SUPPORTER_KEY: key.toString('base64'),
      SMTP_URL: '',
      ACTIONS_PER_MINUTE_PER_ADDRESS: '100000000',
      ACTIONS_PER_MINUTE_PER_DOMAIN: '100000000',
      // The load posts as a browser without JavaScript would: no proof of work.
      ACTIONS_PER_MINUTE_WITHOUT_PROOF: '100000000',
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('is ready at')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)));
  });
}

async function formOf(base: string, placeId: string) {
  const res = await fetch(`${base}/campaigns/cancel-ring-partnership/places/${placeId}`);
  const html = await res.text();
  return {
    cookie: res.headers.get('set-cookie')!.split(';')[0]!,
    csrf: html.match(/name="csrf" value="([^"]+)"/)![1]!,
  };
}

/** Runs autocannon against the action form; returns the emails the server acknowledged. */
async function load(
  base: string,
  path: string,
  form: { cookie: string; csrf: string },
  seconds: number,
  run: string,
  onStart?: () => void,
) {
  const acknowledged: string[] = [];
  let n = 0;
  const started = Date.now();
  onStart?.();
  const result = await autocannon({
    url: base,
    connections: 32,
    duration: seconds,
    timeout: 5,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
        setupRequest: (request: any, context: any) => {
          const email = `bench-${run}-${n++}@bench.invalid`;
          context.email = email;
          request.body = `csrf=${encodeURIComponent(form.csrf)}&website=&kind=petition&name=GENERATED+Bench+Person&email=${encodeURIComponent(email)}`;
          return request;
        },
        onResponse: (status: number, body: string, context: any) => {
          if (status === 200 && body.includes('Check your email')) acknowledged.push(context.email);
        },
      },
    ],
  } as any);
  return { acknowledged, seconds: (Date.now() - started) / 1000, result };
}

async function bench(dialect: 'sqlite' | 'postgres') {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'counterwatch-actions-'));
    databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `cw_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: ADMIN });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: ADMIN });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = await startServer(databaseUrl, port); // the first start loads the bundled data
  try {
    const handle = openDatabase(databaseUrl);
    const placeId = await ringTownWithOfficial(handle.db);
    const path = `/campaigns/cancel-ring-partnership/places/${placeId}/act`;
    const form = await formOf(base, placeId);
    await load(base, path, form, 3, 'warmup');

    const steady = await load(base, path, form, 10, 'steady');
    const perSecond = steady.acknowledged.length / 10;

    let restartedAfterMs = 0;
    const crash = await load(base, path, form, 12, 'crash', () => {
      setTimeout(
        () =>
          void (async () => {
            const killedAt = Date.now();
            server.kill('SIGKILL');
            await new Promise((r) => server.once('exit', r));
            server = await startServer(databaseUrl, port);
            restartedAfterMs = Date.now() - killedAt;
          })(),
        4000,
      );
    });

    // Every acknowledged action is in the database, found by its keyed email hash.
    const all = [...steady.acknowledged, ...crash.acknowledged];
    let found = 0;
    for (let i = 0; i < all.length; i += 500) {
      const hashes = all.slice(i, i + 500).map((e) => crypto.emailHash(e));
      const rows = await handle.db
        .selectFrom('supporters as s')
        .innerJoin('campaign_actions as a', 'a.supporter_id', 's.id')
        .select('s.email_hash')
        .where('s.email_hash', 'in', hashes)
        .execute();
      found += new Set(rows.map((r) => r.email_hash)).size;
    }
    await handle.close();
    return {
      database: dialect,
      steady: {
        acknowledged_per_s: Math.round(perSecond),
        p99_ms: steady.result.latency.p99,
        non_2xx: steady.result.non2xx,
        errors: steady.result.errors,
      },
      crash: {
        acknowledged: crash.acknowledged.length,
        server_back_after_ms: restartedAfterMs,
        errors_while_down: crash.result.errors + crash.result.timeouts,
      },
      acknowledged_total: all.length,
      found_in_database: found,
      lost: all.length - found,
      target: { acknowledged_per_s_at_least: 1000, lost: 0 },
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await cleanup();
  }
}

const results = [];
for (const dialect of which === 'both' ? (['sqlite', 'postgres'] as const) : [which as 'sqlite' | 'postgres'])
  results.push(await bench(dialect));
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
const ok = results.every((r) => r.steady.acknowledged_per_s >= 1000 && r.lost === 0);
process.stdout.write(ok ? 'actions benchmark: within targets\n' : 'actions benchmark: MISSES a target\n');
process.exit(ok ? 0 : 1);

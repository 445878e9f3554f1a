/**
 * Lighthouse 12.2.3 on every page type of the running app (bundled real data, SQLite), in Debian's Chromium.
 * Targets (issue 4): accessibility ≥ 95, best practices ≥ 95, SEO ≥ 90 everywhere; performance ≥ 90 on
 * pages without the map (the map page's score is reported). Mobile emulation, Lighthouse's default.
 *
 *   npx tsx bench/lighthouse.ts            (prints a Markdown table; exits 1 when a target is missed)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { buildApp } from '#src/app';
import { REPO_ROOT } from '#src/config/config';
import { openDatabase } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';
import { loadBundledData } from '#src/bootstrap/load-bundled-data';
import { Operators } from '#src/features/operators/operators.service';

const dir = mkdtempSync(join(tmpdir(), 'counterwatch-lighthouse-'));
const handle = openDatabase(`sqlite:${join(dir, 'lh.db')}`);
await prepareDatabase(handle);
await loadBundledData(handle.db, join(REPO_ROOT, 'data'));
const app = await buildApp(handle, { rateLimitPerMinute: 100_000 });
await app.listen({ host: '127.0.0.1', port: 0 });
const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

const get = async (path: string) => (await app.inject(path)).json();
const ring = (await get('/api/v1/deployments?technology=ring-neighbors&state=MA&limit=1')).data[0];
const policy = (await get('/api/v1/policies?limit=1')).data[0];
const official = (await get('/api/v1/officials?state=MA&limit=1')).data[0];
const source = (
  await handle.db.selectFrom('sources').select('id').where('url', '=', ring.sources[0].url).executeTakeFirstOrThrow()
).id;
// The moderation queue and a report's page, signed in as a moderator, with one real-looking report waiting.
const operators = new Operators(handle.db);
await operators.create('lighthouse-moderator@example.org', 'a long enough passphrase', 'moderator');
const moderator = `cw_op=${(await operators.signIn('lighthouse-moderator@example.org', 'a long enough passphrase'))!.token}`;
await app.reports.submit({
  target: { type: 'deployment', agencyId: ring.agency.id, technology: 'ring-neighbors' },
  happened: 'ended',
  date: { on: '2026-02-01', precision: 'month' },
  evidenceUrls: ['https://news.example.org/lighthouse-generated-report'],
  note: 'Generated for the Lighthouse run; never part of the real data.',
  email: null,
});
const reportId = (await handle.db.selectFrom('reports').select('id').executeTakeFirstOrThrow()).id;
const allPages: Array<[string, string, boolean, string?]> = [
  ['home (with the map)', '/', true],
  ['map', '/map', true],
  ['list twin', '/deployments?technology=ring-neighbors&state=MA', false],
  ['deployment', ring.url, false],
  ['agency', ring.agency.url, false],
  ['city', ring.place.url, false],
  ['county', `/places/county-${ring.place.county_geoid}`, false],
  ['state', '/places/ma', false],
  ['policy', policy.url, false],
  ['technology', '/technologies/ring-neighbors', false],
  ['vendor', '/vendors/flock-safety', false],
  ['source', `/sources/${source}`, false],
  ['official', official.url, false],
  ['search', '/search?q=02143', false],
  ['about', '/about', false],
  ['campaign', '/campaigns/cancel-ring-partnership?q=02703', false],
  ['campaign action', `/campaigns/cancel-ring-partnership/places/${ring.place.id}`, false],
  ['campaign widget', '/embed/campaigns/cancel-ring-partnership', false],
  ['operator sign-in', '/operator/login', false],
  ['report form', `/contribute?deployment=${ring.id}`, false],
  ['watch a place', `/watch?place=${ring.place.id}`, false],
  ['history', '/changes', false],
  ['moderation queue', '/operator/reports', false, moderator],
  ['report to decide', `/operator/reports/${reportId}`, false, moderator],
];

// LH_ONLY=name,name runs only those page types.
const only = process.env.LH_ONLY?.split(',');
const pages = only ? allPages.filter(([kind]) => only.includes(kind)) : allPages;
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--enable-unsafe-swiftshader',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const rows: string[] = [];
let missed = 0;
try {
  for (const [kind, path, hasMap, cookie] of pages) {
    const result = await lighthouse(`${origin}${path}`, {
      port: chrome.port,
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    });
    // A page behind a sign-in that redirected elsewhere would score the wrong page.
    if (new URL(result!.lhr.finalDisplayedUrl).pathname !== new URL(`${origin}${path}`).pathname)
      throw new Error(`${kind}: Lighthouse ended on ${result!.lhr.finalDisplayedUrl}, not ${path}`);
    const c = result!.lhr.categories;
    const score = (k: string) => Math.round((c[k]?.score ?? 0) * 100);
    const s = {
      perf: score('performance'),
      a11y: score('accessibility'),
      bp: score('best-practices'),
      seo: score('seo'),
    };
    const notPassed = Object.values(result!.lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary')
      .map((a) => a.id);
    if (notPassed.length) process.stderr.write(`${kind}: ${notPassed.join(', ')}\n`);
    const contrast = result!.lhr.audits['color-contrast']?.details as
      { items?: Array<{ node?: { snippet?: string; explanation?: string } }> } | undefined;
    for (const item of contrast?.items ?? [])
      process.stderr.write(`  contrast: ${item.node?.snippet} ${item.node?.explanation?.split('\n')[1] ?? ''}\n`);
    const ok = s.a11y >= 95 && s.bp >= 95 && s.seo >= 90 && (hasMap || s.perf >= 90);
    if (!ok) {
      missed++;
      const failing = Object.values(result!.lhr.audits)
        .filter(
          (a) =>
            a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'manual',
        )
        .map((a) => a.id);
      process.stderr.write(`${kind}: below target; audits not passed: ${failing.join(', ')}\n`);
    }
    rows.push(
      `| ${kind} | \`${path.length > 48 ? `${path.slice(0, 45)}…` : path}\` | ${s.perf}${hasMap ? ' (map)' : ''} | ${s.a11y} | ${s.bp} | ${s.seo} | ${ok ? 'met' : '**missed**'} |`,
    );
  }
} finally {
  chrome.kill();
  await app.close();
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log('| page type | path | performance | accessibility | best practices | SEO | targets |');
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
process.exit(missed ? 1 : 0);

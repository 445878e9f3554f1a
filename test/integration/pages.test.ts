import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '#src/app';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

/** Server-rendered pages, read as a browser without JavaScript would: every page type, on both databases. */
describe.each(DATABASES)('pages on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const page = async (url: string) => {
    const res = await app.inject({ url, headers: { accept: 'text/html' } });
    return { status: res.statusCode, body: res.body, type: String(res.headers['content-type']) };
  };
  const h1 = (body: string) => body.match(/<h1[^>]*>(.*?)<\/h1>/s)?.[1];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'frt-policies', fixture('frt-sample.csv'));
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    app = await buildApp(db, { versionTtlMs: 0 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  it('never shows a bare status: every status of a deployment goes with the date it was last seen', async () => {
    const d = (await app.inject('/api/v1/deployments?technology=ring-neighbors&limit=1')).json().data[0];
    const campaignPlace = `/campaigns/cancel-ring-partnership/places/${d.place.id}`;
    const urls = [
      d.url,
      d.agency.url,
      d.place.url,
      `/places/${d.agency.state.toLowerCase()}`,
      '/deployments',
      '/deployments?technology=ring-neighbors&sort=status',
      '/map',
      '/',
      campaignPlace,
    ];
    let badges = 0;
    for (const url of urls) {
      const res = await page(url);
      expect(res.status, url).toBe(200);
      // Timelines list dated evidence: each entry carries its own date.
      const shown = res.body.replace(/<ol class="timeline">.*?<\/ol>/gs, '');
      const deploymentStatus = '(proposed|active|paused|ended|cancelled|rejected|unknown)';
      const all = shown.match(new RegExp(`<span class="status status-${deploymentStatus}">[^<]*</span>`, 'g')) ?? [];
      const dated =
        shown.match(
          new RegExp(
            `<span class="status status-${deploymentStatus}">[^<]*</span> <span class="as-of">as of <time datetime="\\d{4}(-\\d{2}){0,2}">`,
            'g',
          ),
        ) ?? [];
      expect(dated.length, url).toBe(all.length);
      badges += all.length;
    }
    expect(badges).toBeGreaterThan(20);
  });

  it('renders a page for every record type, titled after the record and linking to its neighbours', async () => {
    const d = (await app.inject('/api/v1/deployments?technology=ring-neighbors&limit=1')).json().data[0];
    const policy = (await app.inject('/api/v1/policies?limit=1')).json().data[0];
    const official = (await app.inject('/api/v1/officials?limit=1')).json().data[0];
    const source = (await app.inject('/api/v1/sources?limit=1')).json().data[0];
    const vendor = (await app.inject('/api/v1/vendors?limit=1')).json().data[0];
    const pages: Array<[string, string]> = [
      [d.url, d.agency.name],
      [d.agency.url, d.agency.name],
      [d.place.url, d.place.full_name],
      [`/places/${d.agency.state.toLowerCase()}`, 'Massachusetts'],
      [policy.url, policy.title],
      [official.url, official.name],
      [source.url, source.title ?? source.publisher ?? 'Source'],
      [vendor.url, vendor.name],
      ['/technologies/ring-neighbors', 'Ring/Neighbors partnership'],
      ['/technologies', 'Surveillance technologies'],
      ['/policies', 'Bans, moratoria and oversight laws'],
      ['/deployments', 'Deployments'],
      ['/map', 'Map of police surveillance'],
      ['/about', 'About the data'],
      ['/search?q=boston', 'Search results'],
      ['/', 'watchers'],
    ];
    if (d.place.kind === 'city') pages.push([`/places/county-${d.place.county_geoid}`, 'County']);
    for (const [url, title] of pages) {
      const res = await page(url);
      expect(res.status, url).toBe(200);
      expect(res.type, url).toContain('text/html');
      expect(h1(res.body), url).toContain(title.replaceAll('&', '&amp;').replaceAll("'", '&#39;').slice(0, 20));
    }
    const deploymentPage = (await page(d.url)).body;
    expect(deploymentPage).toContain(`href="${d.agency.url}"`);
    expect(deploymentPage).toContain(`href="/technologies/ring-neighbors"`);
    for (const s of d.sources) expect(deploymentPage).toContain(s.url.replaceAll('&', '&amp;'));
  });

  it('answers an unknown record with a 404 page and a bad filter with a 400 page naming it', async () => {
    for (const url of [
      '/deployments/nope',
      '/agencies/nope',
      '/places/nope',
      '/policies/nope',
      '/vendors/nope',
      '/sources/nope',
      '/officials/nope',
      '/technologies/nope',
    ]) {
      const res = await page(url);
      expect(res.status, url).toBe(404);
      expect(res.body).toContain('nope');
    }
    const bad = await page('/deployments?state=ZZ');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('&quot;state&quot; must be a two-letter US state');
    expect((await page('/deployments?sort=colour')).status).toBe(400);
    expect((await page('/map?active_on=2020-13-01')).status).toBe(400);
  });

  it('lists the same deployments as the API for the same filters, sorted and paged', async () => {
    const api = (await app.inject('/api/v1/deployments?state=MA&limit=1000')).json();
    const list = await page('/deployments?state=MA&sort=started&dir=desc');
    expect(list.body).toContain(`data-total="${api.total}"`);
    const ids = [...list.body.matchAll(/href="\/deployments\/([^"]+)"/g)].map((m) => m[1]);
    const expected = [...api.data]
      .sort(
        (a: any, b: any) =>
          Number(a.started_on === null) - Number(b.started_on === null) ||
          (b.started_on ?? '').localeCompare(a.started_on ?? '') ||
          (a.id < b.id ? 1 : -1),
      )
      .slice(0, 50)
      .map((x: any) => x.id);
    expect(ids).toEqual(expected);
    expect(list.body).toContain('aria-sort="descending"');
    // An empty form field means "any", as the filter form submits it.
    expect((await page('/deployments?technology=&status=&state=MA')).body).toContain(`data-total="${api.total}"`);
    // Ticked technologies arrive as a repeated parameter and filter as one list, like the API's commas.
    const two = (await app.inject('/api/v1/deployments?technology=ring-neighbors,face-recognition&limit=1')).json()
      .total;
    expect((await page('/deployments?technology=ring-neighbors&technology=face-recognition')).body).toContain(
      `data-total="${two}"`,
    );
    expect((await page('/deployments?technology=ring-neighbors&technology=nope')).status).toBe(400);
    const none = await page('/deployments?q=zzzzqqq');
    expect(none.body).toContain('No deployment matches these filters');
  });

  it('finds a place by name with its state, and says so when nothing matches', async () => {
    const found = await page('/search?q=Boston%2C%20MA');
    expect(found.body).toMatch(/href="\/places\/place-2507000"/);
    const nothing = await page('/search?q=qqqzzz');
    expect(nothing.body).toContain('Nothing matches');
  });

  it('shows the laws covering a place and flags stale official contacts', async () => {
    const policies = (await app.inject('/api/v1/policies?limit=100'))
      .json()
      .data.filter((p: any) => p.place?.kind === 'city');
    const p = policies[0];
    const placePage = await page(p.place.url);
    expect(placePage.body).toContain(`href="/policies/${p.id}"`);
    const official = (await app.inject('/api/v1/officials?limit=1')).json().data[0];
    const officialPage = await page(official.url);
    expect(officialPage.body).toContain(official.stale ? 'more than a year ago' : 'Verified');
  });

  it('counts deployments per state for shading, agreeing with the list', async () => {
    const areas = (await app.inject('/api/v1/areas?technology=ring-neighbors')).json().data;
    for (const a of areas.filter((x: any) => x.deployments > 0)) {
      const state = (await app.inject(`/api/v1/places?kind=state&limit=100`))
        .json()
        .data.find((s: any) => s.geoid === a.geoid);
      const total = (
        await app.inject(`/api/v1/deployments?technology=ring-neighbors&state=${state.state}&limit=1`)
      ).json().total;
      expect(a.deployments, a.geoid).toBe(total);
    }
    expect(areas.some((a: any) => a.local_laws > 0)).toBe(true);
  });
});

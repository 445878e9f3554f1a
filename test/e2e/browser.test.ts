import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp } from '#src/app';
import { REPO_ROOT } from '#src/config/config';
import { openDatabase, type DatabaseHandle } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';
import { loadBundledData } from '#src/bootstrap/load-bundled-data';
import { launchChromium } from '../support/browser';
import { startSmtpServer, waitForMail } from '../support/smtp';
import { randomBytes } from 'node:crypto';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { DeliveryService } from '#src/features/campaigns/delivery.service';
import { Operators } from '#src/features/operators/operators.service';
import { solve } from '#src/security/proof-of-work';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The site in real Chromium, over the bundled real data on SQLite: the map draws, popups lead to the right
 * pages, filters and the timeline change map, count and list, every page type works without JavaScript,
 * axe-core finds no violations, nothing is requested from another origin, and the console stays clean.
 */
describe('the site in Chromium', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let pages: Array<[string, string]>;
  let actPath: string;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let crypto: SupporterCrypto;
  let mailer: Mailer;
  const foreign: string[] = [];
  const consoleErrors: string[] = [];

  async function watchedPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('request', (r) => {
      const url = r.url();
      const sameOrigin = url.startsWith(`${origin}/`) || url.startsWith(`blob:${origin}/`) || url.startsWith('data:');
      if (!sameOrigin) foreign.push(url);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'counterwatch-e2e-'));
    handle = openDatabase(`sqlite:${join(dir, 'e2e.db')}`);
    await prepareDatabase(handle);
    await loadBundledData(handle.db, join(REPO_ROOT, 'data'));
    smtp = await startSmtpServer();
    crypto = new SupporterCrypto(randomBytes(32));
    mailer = new Mailer(handle.db, crypto, { smtpUrl: smtp.url, from: 'campaigns@counterwatch.invalid' });
    app = await buildApp(handle, {
      rateLimitPerMinute: 100_000,
      // Answers follow each write at once (a server trusts its read of the version for a second).
      versionTtlMs: 0,
      campaigns: { crypto, mailer, publicUrl: 'http://127.0.0.1:0' },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const get = async (path: string) => (await app.inject(path)).json();
    const ring = (await get('/api/v1/deployments?technology=ring-neighbors&state=MA&limit=1')).data[0];
    const policy = (await get('/api/v1/policies?limit=1')).data[0];
    const official = (await get('/api/v1/officials?state=MA&limit=1')).data[0];
    const source = ring.sources.length
      ? `/sources/${(await handle.db.selectFrom('sources').select('id').where('url', '=', ring.sources[0].url).executeTakeFirstOrThrow()).id}`
      : '/about';
    actPath = `/campaigns/cancel-ring-partnership/places/${ring.place.id}`;
    pages = [
      ['home', '/'],
      ['map', '/map'],
      ['list', '/deployments?technology=ring-neighbors&state=MA'],
      ['deployment', ring.url],
      ['agency', ring.agency.url],
      ['city', ring.place.url],
      ['county', `/places/county-${ring.place.county_geoid}`],
      ['state', '/places/ma'],
      ['policy', policy.url],
      ['policies', '/policies'],
      ['technology', '/technologies/ring-neighbors'],
      ['technologies', '/technologies'],
      ['vendor', '/vendors/flock-safety'],
      ['source', source],
      ['official', official.url],
      ['search', '/search?q=02143'],
      ['about', '/about'],
      ['campaign', '/campaigns/cancel-ring-partnership?q=02703'],
      ['campaign action', `/campaigns/cancel-ring-partnership/places/${ring.place.id}`],
      ['campaign widget', '/embed/campaigns/cancel-ring-partnership'],
      ['operator sign-in', '/operator/login'],
      ['report form', `/contribute?deployment=${ring.id}`],
      ['report form, finding an agency', '/contribute?agency_q=boston'],
      ['watch a place', `/watch?place=${ring.place.id}`],
      ['history', '/changes'],
    ];
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    mailer?.close();
    await smtp?.close();
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** axe-core's violations on the page as it is (WCAG 2.2 AA and best practices), one line each. */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: AXE_SOURCE });
    return page.evaluate(async () => {
      const result = await (window as any).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      });
      return result.violations.map((v: any) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target?.join(' ')}`);
    });
  }

  async function openMap(page: Page, path = '/map'): Promise<void> {
    await page.goto(`${origin}${path}`);
    await page.waitForSelector('#map[data-ready="true"]', { timeout: 30_000 });
    // The tests click on the map where things are drawn: all of it in view.
    await page.locator('#map').scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () => Number(document.getElementById('map')!.dataset.renderedFeatures ?? 0) > 0,
      undefined,
      { timeout: 30_000 },
    );
  }

  it('renders the map: a WebGL canvas with deployments drawn and the Ring count', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page);
    expect(
      await page.evaluate(() =>
        Boolean(
          document.querySelector('#map canvas') instanceof HTMLCanvasElement &&
          (document.querySelector('#map canvas') as HTMLCanvasElement).getContext('webgl2'),
        ),
      ),
    ).toBe(true);
    expect(Number(await page.getAttribute('#map', 'data-rendered-features'))).toBeGreaterThan(10);
    expect(await page.locator('.cluster-count').count()).toBeGreaterThan(5);
    await expect.poll(() => page.textContent('#timeline-count'), { timeout: 15_000 }).toBe('1,498 deployments');
    await context.close();
  });

  it('lets a resident find their city from the home page, which keeps its address and shows what its form says', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page, '/');
    // Opening the home page does not rewrite its address; its map shows what its own filter form says.
    expect(new URL(page.url()).pathname + new URL(page.url()).search + new URL(page.url()).hash).toBe('/');
    const ticked = await page
      .locator('form[data-deployment-filters] input[name=technology]:checked')
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(ticked).toEqual(['ring-neighbors']);
    await expect.poll(() => page.textContent('#timeline-count'), { timeout: 15_000 }).toBe('1,498 deployments');
    // The "Find your city" form searches.
    const find = page.locator('main form[aria-label="Find your city"]');
    await find.locator('input[name=q]').fill('Somerville, MA');
    await Promise.all([page.waitForURL(/\/search\?q=Somerville/), find.locator('button[type=submit]').click()]);
    expect(await page.textContent('h1')).toContain('Search results for “Somerville, MA”');
    await context.close();
  });

  it('shows the map first on a phone, with the filters behind one control, the lower 48 whole, and a switcher for Alaska', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await watchedPage(context);
    await openMap(page);
    const box = (await page.locator('#map').boundingBox())!;
    // Below the site's header and the page's heading only (it was 1,295 px down, under the filters).
    expect(box.y).toBeLessThan(400);
    expect(844 - box.y).toBeGreaterThan(box.height * 0.8);
    expect(await page.locator('details[data-filters-panel]').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(
      false,
    );
    const inView = async (lon: number, lat: number) => {
      const [[west, south], [east, north]] = JSON.parse((await page.getAttribute('#map', 'data-bounds'))!) as [
        [number, number],
        [number, number],
      ];
      return lon >= west && lon <= east && lat >= south && lat <= north;
    };
    await expect.poll(() => page.getAttribute('#map', 'data-bounds'), { timeout: 15_000 }).not.toBeNull();
    // San Diego, Seattle, Maine's tip, Key West: the whole of the lower 48.
    for (const [lon, lat] of [
      [-117.2, 32.7],
      [-122.3, 47.6],
      [-67.0, 44.8],
      [-81.8, 24.6],
    ] as const)
      expect(await inView(lon, lat), `${lon},${lat}`).toBe(true);
    await page.click('button[data-view=ak]');
    await expect.poll(() => inView(-149.9, 61.2), { timeout: 15_000 }).toBe(true);
    // The filters open from their control.
    await page.click('details[data-filters-panel] > summary');
    expect(await page.isVisible('form[data-deployment-filters] input[name=technology][value=ring-neighbors]')).toBe(
      true,
    );
    await context.close();
  });

  it('writes town names on the map at city zoom, from the bundled places', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page, '/map#10/42.39/-71.1');
    await expect
      .poll(() => page.locator('.town-label').allTextContents(), { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['Somerville', 'Cambridge']));
    // Zoomed out to the country, no town is named.
    await page.evaluate(() => (location.hash = '#4/39/-96'));
    await expect.poll(() => page.locator('.town-label').count(), { timeout: 15_000 }).toBe(0);
    await context.close();
  });

  it('opens a popup on a cluster and on a point, whose links open the right pages', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page);
    // The largest cluster: click where its count is drawn.
    const counts = await page
      .locator('.cluster-count')
      .evaluateAll((els) => els.map((e) => ({ n: Number(e.textContent), box: e.getBoundingClientRect().toJSON() })));
    const biggest = counts.sort((a, b) => b.n - a.n)[0]!;
    await page.mouse.click(biggest.box.x + biggest.box.width / 2, biggest.box.y + biggest.box.height / 2);
    const listLink = page.locator('.maplibregl-popup a', { hasText: 'List them' });
    await listLink.waitFor();
    await expect
      .poll(() => page.locator('.maplibregl-popup').textContent(), { timeout: 15_000 })
      .toContain(`${biggest.n} `);
    await listLink.click();
    await page.waitForURL(/\/deployments\?.*bbox=/);
    expect(page.url()).toContain('technology=ring-neighbors');
    const listed = Number(await page.getAttribute('#results', 'data-total'));
    expect(listed).toBeGreaterThan(0);

    // One agency, every technology, zoomed in: its deployments share a point in the middle of the map, and
    // one popup lists them all.
    const ring = (await app.inject('/api/v1/deployments?technology=ring-neighbors&state=MA&limit=1')).json().data[0];
    const all = (await app.inject(`/api/v1/deployments?agency=${ring.agency.id}`)).json().data;
    await openMap(page, `/map?agency=${ring.agency.id}&technology=all#12/${ring.lat}/${ring.lon}`);
    const box = (await page.locator('#map canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.maplibregl-popup').waitFor();
    expect(await page.locator('.maplibregl-popup').count()).toBe(1);
    await expect.poll(() => page.locator('.maplibregl-popup li').count(), { timeout: 15_000 }).toBe(all.length);
    const open = page
      .locator('.maplibregl-popup li', { hasText: 'Ring/Neighbors' })
      .locator('a', { hasText: 'Open its page' });
    await open.click();
    await page.waitForURL(`${origin}${ring.url}`);
    expect(await page.textContent('h1')).toContain(ring.agency.name);
    await context.close();
  });

  it('changes the map, the count and the list together when a filter changes, and keeps them in the URL', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page);
    const before = Number(await page.getAttribute('#map', 'data-rendered-features'));
    const expected = (await app.inject('/api/v1/deployments?technology=ring-neighbors&state=MA&limit=1')).json().total;
    await page.selectOption('select[name=state]', 'MA');
    await expect.poll(() => page.getAttribute('#results', 'data-total'), { timeout: 15_000 }).toBe(String(expected));
    await expect.poll(() => page.textContent('#timeline-count'), { timeout: 15_000 }).toBe(`${expected} deployments`);
    expect(page.url()).toContain('state=MA');
    await expect
      .poll(async () => Number(await page.getAttribute('#map', 'data-rendered-features')), { timeout: 15_000 })
      .not.toBe(before);
    // The list's rows are Massachusetts agencies.
    const states = await page.locator('#results tbody tr td:nth-child(2)').allTextContents();
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['MA']));
    // A second technology adds its own layer; the count and the list cover both.
    const both = (
      await app.inject('/api/v1/deployments?technology=ring-neighbors,face-recognition&state=MA&limit=1')
    ).json().total;
    expect(both).toBeGreaterThan(expected);
    await page.check('input[name=technology][value=face-recognition]');
    await expect.poll(() => page.getAttribute('#results', 'data-total'), { timeout: 15_000 }).toBe(String(both));
    await expect
      .poll(() => page.locator('#map-legend li').allTextContents(), { timeout: 15_000 })
      .toEqual(['Ring/Neighbors partnership', 'Face recognition']);
    expect(decodeURIComponent(page.url())).toContain('technology=ring-neighbors,face-recognition');
    // The shared URL reopens the same view.
    const shared = await watchedPage(context);
    await openMap(shared, new URL(page.url()).pathname + new URL(page.url()).search);
    expect(await shared.getAttribute('#results', 'data-total')).toBe(String(both));
    expect(await shared.isChecked('input[name=technology][value=face-recognition]')).toBe(true);
    await context.close();
  });

  it('replays the spread: moving the timeline changes the count of deployments known in use, and says when the data is older than the day', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    await openMap(page);
    const slider = page.locator('#timeline');
    await slider.focus();
    await page.keyboard.press('Home');
    const first = await page.locator('#timeline-date').textContent();
    expect(first).toMatch(/^Known in use on 2018-03-31$/);
    const day = first!.replace('Known in use on ', '');
    const expected = (await app.inject(`/api/v1/deployments?technology=ring-neighbors&active_on=${day}&limit=1`)).json()
      .total;
    await expect
      .poll(() => page.textContent('#timeline-count'), { timeout: 15_000 })
      .toBe(`${expected} ${expected === 1 ? 'deployment' : 'deployments'} known in use on ${day}`);
    expect(await page.isHidden('#timeline-note')).toBe(true);
    for (let i = 0; i < 18; i++) await page.keyboard.press('ArrowRight');
    const later = (await page.locator('#timeline-date').textContent())!.replace('Known in use on ', '');
    const laterCount = (
      await app.inject(`/api/v1/deployments?technology=ring-neighbors&active_on=${later}&limit=1`)
    ).json().total;
    expect(laterCount).toBeGreaterThan(expected);
    await expect
      .poll(() => page.textContent('#timeline-count'), { timeout: 15_000 })
      .toBe(`${laterCount.toLocaleString('en-US')} deployments known in use on ${later}`);
    expect(page.url()).toContain(`active_on=${later}`);
    // While the timeline plays, the shading of states follows the day too.
    const shadedDays: string[] = [];
    const watch = (r: { url(): string }) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/areas' && url.searchParams.get('active_on'))
        shadedDays.push(url.searchParams.get('active_on')!);
    };
    await page.keyboard.press('Home');
    page.on('request', watch);
    await page.click('#timeline-play');
    await expect.poll(() => new Set(shadedDays).size, { timeout: 15_000 }).toBeGreaterThan(1);
    await page.click('#timeline-play');
    page.off('request', watch);
    // A day after the Atlas's as-of date: the count says it is not a count for that day.
    await page.fill('input[name=active_on]', '2026-01-01');
    await page.locator('input[name=active_on]').dispatchEvent('change');
    const answer = (
      await app.inject('/api/v1/deployments?technology=ring-neighbors&active_on=2026-01-01&limit=1')
    ).json();
    expect(answer.as_of).toBe('2020-10-07');
    await expect.poll(() => page.textContent('#timeline-note'), { timeout: 15_000 }).toBe(answer.warning);
    expect(await page.isVisible('#timeline-note')).toBe(true);
    await context.close();
  });

  it('renders every page type with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await watchedPage(context);
    for (const [kind, path] of pages) {
      const response = await page.goto(`${origin}${path}`);
      expect(response?.status(), kind).toBe(200);
      expect((await page.textContent('h1'))?.trim().length, kind).toBeGreaterThan(0);
      if (kind === 'map' || kind === 'home' || kind === 'list')
        expect(Number(await page.getAttribute('#results', 'data-total')), kind).toBeGreaterThan(0);
    }
    // The filter form works as a plain form.
    await page.goto(`${origin}/deployments`);
    await page.selectOption('select[name=state]', 'RI');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/state=RI/);
    const states = await page.locator('#results tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(states)).toEqual(new Set(['RI']));
    await context.close();
  });

  it('has no axe-core violations on any page type', async () => {
    // axe is injected as an inline script, which the site's CSP rightly forbids; the test context bypasses it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const page = await watchedPage(context);
    for (const [kind, path] of pages) {
      if (kind === 'map' || kind === 'home') await openMap(page, path);
      else await page.goto(`${origin}${path}`);
      expect(await axeViolations(page), `${kind} ${path}`).toEqual([]);
    }
    await context.close();
  });

  it('keeps the JavaScript of each page type within budget: 50 kB gzipped without the map, 400 kB with it', async () => {
    for (const [kind, path] of pages) {
      const html = (await app.inject({ url: path, headers: { accept: 'text/html' } })).body;
      const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
      const gzipped = scripts.reduce(
        (sum, src) => sum + gzipSync(readFileSync(join(REPO_ROOT, 'dist/web', src)), { level: 9 }).length,
        0,
      );
      const hasMap = html.includes('id="map"');
      expect(hasMap, kind).toBe(kind === 'map' || kind === 'home');
      expect(gzipped, `${kind}: ${gzipped} bytes of JS, gzipped`).toBeLessThan(hasMap ? 400_000 : 50_000);
      if (hasMap) expect(gzipped).toBeGreaterThan(100_000); // MapLibre is really there
    }
  });

  it('takes a resident from a ZIP code to their officials, a signature, an email, a confirmation and a higher tally', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await watchedPage(context);
    const tally = async () => (await app.inject('/api/v1/campaigns')).json().data[0].tallies.confirmed;
    const before = await tally();
    await page.goto(`${origin}/campaigns/cancel-ring-partnership`);
    await page.fill('main input[name=q]', '02703');
    await page.click('button:has-text("Find my officials")');
    await page.click('main li a:has-text("Attleboro, MA")');
    await page.waitForURL(/\/campaigns\/cancel-ring-partnership\/places\//);
    const actUrl = page.url();
    expect(await page.textContent('h1')).toContain('Attleboro');
    expect(await page.textContent('main')).toContain('Whom you are asking');
    const who = `e2e.${Date.now()}@example.org`;
    const petition = page.locator('form', { has: page.locator('input[name=kind][value=petition]') });
    // The page's script solves the proof-of-work challenge in the background.
    await expect
      .poll(() => petition.locator('input[name=pow_number]').inputValue(), { timeout: 30_000 })
      .toMatch(/^\d+$/);
    await petition.locator('input[name=name]').fill('E2E Resident');
    await petition.locator('input[name=email]').fill(who);
    await petition.locator('button[type=submit]').click();
    await page.waitForSelector('h1:has-text("Check your email")');
    const mail = await waitForMail(smtp.received, who);
    const confirmPath = mail.text.match(/http:\/\/127\.0\.0\.1:0(\/confirm\/[A-Za-z0-9_-]+)/)![1]!;
    await page.goto(`${origin}${confirmPath}`);
    // Opening the link counts nothing yet (mail scanners open links too); the button does.
    expect(await tally()).toBe(before);
    await page.click('button:has-text("Confirm my signature")');
    await page.waitForSelector('h1:has-text("it counts")');
    expect(await tally()).toBe(before + 1);

    // Signing again with the same address does not count twice.
    await page.goto(actUrl);
    const again = page.locator('form', { has: page.locator('input[name=kind][value=petition]') });
    await again.locator('input[name=name]').fill('E2E Resident');
    await again.locator('input[name=email]').fill(who.toUpperCase());
    await again.locator('button[type=submit]').click();
    await page.waitForSelector('h1:has-text("Already counted")');
    expect(await tally()).toBe(before + 1);

    // The withdraw link deletes the personal data; the count stays.
    const withdrawPath = mail.text.match(/http:\/\/127\.0\.0\.1:0(\/withdraw\/[A-Za-z0-9_-]+)/)![1]!;
    await page.goto(`${origin}${withdrawPath}`);
    await page.click('button:has-text("Delete my data")');
    await page.waitForSelector('h1:has-text("Deleted")');
    expect(await tally()).toBe(before + 1);
    const supporters = await handle.db.selectFrom('supporters').select('email_sealed').execute();
    expect(supporters.map((s) => crypto.decrypt(s.email_sealed))).not.toContain(who);
    // Nowhere in the database file is the address in plain text.
    const file = join(dir, 'e2e.db');
    const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    expect(bytes.includes(Buffer.from(who))).toBe(false);
    await context.close();
  });

  it('answers a flood from one browser with a kind 429 page, keeping every action it accepted, and paces their delivery', async () => {
    // This page is not watched for console errors: Chromium logs every 429 answer as one.
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith(`blob:${origin}/`)) foreign.push(r.url());
    });
    const accepted: string[] = [];
    let limited = '';
    for (let i = 0; i < 15 && !limited; i++) {
      await page.goto(`${origin}${actPath}`);
      const petition = page.locator('form', { has: page.locator('input[name=kind][value=petition]') });
      await expect
        .poll(() => petition.locator('input[name=pow_number]').inputValue(), { timeout: 30_000 })
        .toMatch(/^\d+$/);
      const who = `flood.${i}.${Date.now()}@example.org`;
      await petition.locator('input[name=name]').fill(`Flood ${i}`);
      await petition.locator('input[name=email]').fill(who);
      await petition.locator('button[type=submit]').click();
      const heading = (await page.locator('h1').textContent()) ?? '';
      if (heading.includes('Check your email')) accepted.push(who);
      else if (heading.includes('One moment')) limited = (await page.locator('main').textContent()) ?? '';
    }
    expect(limited).toContain('Nothing you already sent is lost');
    expect(accepted.length).toBeGreaterThan(3);
    for (const who of accepted) {
      const found = await handle.db
        .selectFrom('supporters')
        .select('id')
        .where('email_hash', '=', crypto.emailHash(who))
        .executeTakeFirst();
      expect(found, who).toBeDefined();
    }

    // Confirm them, and deliver in test mode: one digest to the organizer, then nothing more within the hour.
    for (const who of accepted) {
      const mail = await waitForMail(smtp.received, who);
      await app.inject({
        method: 'POST',
        url: mail.text.match(/http:\/\/127\.0\.0\.1:0(\/confirm\/[A-Za-z0-9_-]+)/)![1]!,
      });
    }
    await handle.db
      .updateTable('campaigns')
      .set({ delivery_mode: 'test', organizer_email_sealed: crypto.encrypt('organizer@example.org') })
      .execute();
    const delivery = new DeliveryService(handle.db, crypto, mailer);
    const tuesday = new Date('2026-12-01T15:00:00Z');
    expect((await delivery.run(tuesday)).sent).toBeGreaterThan(0);
    // One more confirmed action (from another address, which is not limited) waits: the hour is not over.
    const form = await app.inject({ url: actPath, remoteAddress: '10.7.7.7' });
    const field = (name: string) => form.body.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const late = `late.${Date.now()}@example.org`;
    const posted = await app.inject({
      method: 'POST',
      url: `${actPath}/act`,
      remoteAddress: '10.7.7.7',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: String(form.headers['set-cookie']).split(';')[0]!,
      },
      payload: new URLSearchParams({
        csrf: field('csrf'),
        website: '',
        kind: 'call',
        name: 'Late Caller',
        email: late,
        pow_salt: field('pow_salt'),
        pow_challenge: field('pow_challenge'),
        pow_signature: field('pow_signature'),
        pow_number: String(
          solve({ salt: field('pow_salt'), challenge: field('pow_challenge'), max: Number(field('pow_max')) }),
        ),
      }).toString(),
    });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toContain(`${actPath}/sent?receipt=`);
    await app.inject({
      method: 'POST',
      url: (await waitForMail(smtp.received, late)).text.match(
        /http:\/\/127\.0\.0\.1:0(\/confirm\/[A-Za-z0-9_-]+)/,
      )![1]!,
    });
    const held = await delivery.run(new Date(tuesday.getTime() + 10 * 60_000));
    expect(held.sent).toBe(0);
    expect(held.held.pace).toBeGreaterThan(0);

    // An operator signs in and sees the digests in the outbox.
    await new Operators(handle.db).create('e2e-operator@example.org', 'a long enough passphrase');
    await page.goto(`${origin}/operator`);
    await page.waitForURL(/\/operator\/login$/);
    await page.fill('main input[name=email]', 'e2e-operator@example.org');
    await page.fill('main input[name=password]', 'a long enough passphrase');
    await page.click('main button[type=submit]');
    await page.waitForURL(/\/operator$/);
    await page.goto(`${origin}/operator/outbox`);
    const digests = await page.locator('tbody tr', { hasText: 'delivery' }).count();
    expect(digests).toBe(1);
    expect(await page.locator('tbody tr', { hasText: 'delivery' }).textContent()).toContain('organizer@example.org');
    await context.close();
  });

  it('finds the agency of a report as the person types, and without JavaScript through the Find button', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await watchedPage(context);
    await page.goto(`${origin}/contribute`);
    await page.locator('input[data-agency-search]').pressSequentially('boston pol', { delay: 30 });
    const choices = page.locator('#agency-choices input[name=agency]');
    await expect.poll(() => choices.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('#agency-choices').textContent()).toMatch(/Boston Police Department \(MA\)/);
    await context.close();
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const plain = await watchedPage(noScript);
    await plain.goto(`${origin}/contribute`);
    await plain.fill('input[name=agency_q]', 'boston pol');
    await plain.click('button:has-text("Find")');
    await plain.waitForURL(/agency_q=boston/);
    expect(await plain.locator('#agency-choices').textContent()).toMatch(/Boston Police Department \(MA\)/);
    await noScript.close();
  });

  it('takes a report with evidence from a record to the moderators, who accept it into the record and its history; a rejected one stays private and its reporter learns why', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await watchedPage(context);
    const ring = (
      await app.inject('/api/v1/deployments?technology=ring-neighbors&state=MA&status=active&limit=1')
    ).json().data[0];
    const evidence = `https://news.example.org/e2e-ring-ends-${Date.now()}`;
    const reporter = `reporter.${Date.now()}@example.org`;

    /** Fills the report form as a person would, waiting for the page's proof of work, and sends it. */
    async function sendReport(happened: string, url: string, email: string) {
      await page.goto(`${origin}${ring.url}`);
      await page.click('a:has-text("Report a change or an error")');
      await page.waitForURL(/\/contribute\?deployment=/);
      expect(await page.textContent('main')).toContain(ring.agency.name);
      const form = page.locator('form[aria-label="Your report"]');
      await expect
        .poll(() => form.locator('input[name=pow_number]').inputValue(), { timeout: 30_000 })
        .toMatch(/^\d+$/);
      await form.locator('select[name=happened]').selectOption(happened);
      await form.locator('input[name=date]').fill('2026-02');
      await form.locator('input[name=evidence_1]').fill(url);
      await form.locator('textarea[name=note]').fill('The department announced it in February.');
      await form.locator('input[name=email]').fill(email);
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('h1:has-text("your report is in")');
      const mail = await waitForMail(smtp.received, email);
      await page.goto(
        `${origin}${mail.text.match(/http:\/\/127\.0\.0\.1:0(\/contribute\/confirm\/[A-Za-z0-9_-]+)/)![1]!}`,
      );
      await page.click('button:has-text("Confirm my email")');
      await page.waitForSelector('h1:has-text("your email is confirmed")');
    }
    await sendReport('ended', evidence, reporter);
    // Not public before a moderator decides.
    expect((await app.inject(`/api/v1/deployments/${ring.id}`)).json().status).toBe('active');

    const moderator = `moderator.${Date.now()}@example.org`;
    await new Operators(handle.db).create(moderator, 'a long enough passphrase', 'moderator');
    await page.goto(`${origin}/operator/login`);
    await page.fill('input[name=email]', moderator);
    await page.fill('input[name=password]', 'a long enough passphrase');
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(/\/operator\/reports$/);
    await page.click('table a');
    await page.waitForURL(/\/operator\/reports\/rep-/);
    expect(await page.textContent('main')).toContain(evidence);
    expect(await page.textContent('main')).not.toContain(reporter);
    await page.click('button:has-text("Accept: apply it to the record")');
    await page.waitForSelector('p[role=status]:has-text("Accepted")');

    const after = (await app.inject(`/api/v1/deployments/${ring.id}`)).json();
    expect(after.status).toBe('ended');
    expect(after.sources.map((s: { url: string }) => s.url)).toContain(evidence);
    await page.goto(`${origin}${ring.url}`);
    const history = page.locator('ol.history li', { hasText: 'Reported by a resident on' });
    await expect.poll(() => history.count()).toBe(1);
    expect(await history.locator(`a[href="${evidence}"]`).count()).toBe(1);
    expect((await waitForMail(smtp.received, reporter, 2)).text).toContain('accepted your report');

    // A second report, rejected with a reason: the reporter is told; nothing of it is public.
    const rumour = `https://forum.example.org/e2e-rumour-${Date.now()}`;
    const doubter = `doubter.${Date.now()}@example.org`;
    await sendReport('started', rumour, doubter);
    await page.goto(`${origin}/operator/reports`);
    await page.click('table a');
    await page.selectOption('select[name=reason]', 'evidence-does-not-show');
    await page.fill('form[aria-label=Reject] textarea[name=note]', 'A forum post is not evidence.');
    await page.click('button:has-text("Reject")');
    await page.waitForSelector('p[role=status]:has-text("Rejected")');
    const told = await waitForMail(smtp.received, doubter, 2);
    expect(told.text).toContain('Reason: The evidence does not show what the report says.');
    expect(told.text).toContain('A forum post is not evidence.');
    for (const path of ['/changes', ring.url, `/api/v1/deployments/${ring.id}`, '/api/v1/changes?limit=1000'])
      expect((await app.inject(path)).body, path).not.toContain(rumour);

    // axe on the moderation queue and a report's page (the public pages are in the axe test above).
    const axeContext = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    await axeContext.addCookies(await context.cookies());
    const axePage = await watchedPage(axeContext);
    for (const path of ['/operator/reports', new URL(page.url()).pathname]) {
      await axePage.goto(`${origin}${path}`);
      expect(await axeViolations(axePage), path).toEqual([]);
    }
    await axeContext.close();
    await context.close();
  });

  it('made no request to another origin and logged no console error', () => {
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '#src/app';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

describe.each(DATABASES)('web app on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'frt-policies', fixture('frt-sample.csv'));
    app = await buildApp(db, { versionTtlMs: 0 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  it('answers /healthz with the database in use', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      database: dialect,
      lists: {
        deployments_in_memory: expect.any(Number),
        records_in_memory: expect.any(Number),
        reading_ahead: expect.any(Boolean),
      },
    });
  });

  it('shows headline figures from the database on the home page, with the dates of the data', async () => {
    const res = await app.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const deployments = await db.db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(res.body).toContain(
      `<strong>${Number(deployments.n).toLocaleString('en-US')}</strong> documented deployments`,
    );
    expect(res.body).toContain('2020-10-07');
    expect(res.body).toContain('Absence from this data does not mean');
    // Scripts and stylesheets come only from this site.
    for (const [, src] of res.body.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g))
      expect(src).toMatch(/^\/(?!\/)/);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('lists technologies with their counts', async () => {
    const res = await app.inject('/api/v1/technologies');
    const { data } = res.json();
    expect(data).toHaveLength(13);
    const ring = data.find((t: { slug: string }) => t.slug === 'ring-neighbors');
    const count = await db.db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('technology_slug', '=', 'ring-neighbors')
      .executeTakeFirstOrThrow();
    expect(ring.counts.deployments).toBe(Number(count.n));
    expect(ring.counts.deployments).toBeGreaterThan(0);
    expect(data.find((t: { slug: string }) => t.slug === 'face-recognition').counts.policies).toBeGreaterThan(0);
  });

  it('filters deployments by technology and state and pages through them', async () => {
    const res = await app.inject('/api/v1/deployments?technology=ring-neighbors&state=ma&limit=5');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.length).toBeLessThanOrEqual(5);
    expect(body.total).toBeGreaterThan(5);
    for (const d of body.data) {
      expect(d.technology).toBe('ring-neighbors');
      expect(d.agency.state).toBe('MA');
      expect(d.sources.length).toBeGreaterThan(0);
    }
    const all = [...body.data];
    for (let next = body.next; next;) {
      const page = (
        await app.inject(`/api/v1/deployments?technology=ring-neighbors&state=MA&limit=5&cursor=${next}`)
      ).json();
      all.push(...page.data);
      next = page.next;
    }
    expect(all.length).toBe(body.total);
    expect(new Set(all.map((d) => d.id)).size).toBe(body.total);
  });

  it('answers a bad parameter with a 400 that names it', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/deployments?technology=mind-reading', 'technology'],
      ['/api/v1/deployments?state=ZZ', 'state'],
      ['/api/v1/deployments?state=%00%27', 'state'],
      ['/api/v1/deployments?limit=0', 'limit'],
      ['/api/v1/deployments?limit=5000', 'limit'],
      ['/api/v1/deployments?limit=abc', 'limit'],
      ['/api/v1/deployments?cursor=not-ours', 'cursor'],
      ['/api/v1/deployments?bbox=1,2,3', 'bbox'],
      ['/api/v1/deployments?active_on=2019-02-30', 'active_on'],
      ['/api/v1/deployments?state=MA&state=RI', 'state'],
    ];
    for (const [url, parameter] of cases) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'invalid_parameter', parameter });
    }
  });

  it('answers an unknown address with 404: JSON for the API, a page for browsers', async () => {
    const api = await app.inject('/api/v1/nothing');
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('not_found');
    const page = await app.inject({ url: '/nothing', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
  });
});

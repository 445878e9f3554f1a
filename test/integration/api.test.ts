import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import Ajv2020 from 'ajv/dist/2020.js';
import { buildApp } from '#src/app';
import { deploymentFilterSchema, distanceKm, toDeploymentFilter } from '#src/features/deployments/deployment-filter';
import {
  countDeployments,
  describeCurrency,
  findDeploymentPage,
} from '#src/features/deployments/deployments.repository';
import { encodeCursor, listQuery } from '#src/http/api';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

type Json = any;

describe.each(DATABASES)('open data API on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let all: Json[]; // every deployment, from the full export: what brute-force checks compare against
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'frt-policies', fixture('frt-sample.csv'));
    await importFile(db.db, 'flock-cancellations', fixture('flock-sample.csv'));
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    await app.ready();
    const exported = await app.inject('/api/v1/export?format=json');
    all = JSON.parse(exported.body).records.filter((r: Json) => r.type === 'deployment');
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  async function get(url: string) {
    const res = await app.inject(url);
    return { status: res.statusCode, headers: res.headers, body: res.body, json: () => res.json() };
  }

  /** Every page of a list, following `next`. */
  async function pages(url: string): Promise<{ records: Json[]; total: number }> {
    const first = (await get(url)).json();
    const records = [...first.data];
    for (let next = first.next; next;) {
      const page = (await get(`${url}${url.includes('?') ? '&' : '?'}cursor=${next}`)).json();
      records.push(...page.data);
      next = page.next;
    }
    return { records, total: first.total };
  }

  it('answers every endpoint as its OpenAPI document says', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi', components: doc.components });
    const validatorFor = (path: string, status: number) => {
      const schema = doc.paths[path].get.responses[status].content['application/json'].schema;
      return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')));
    };
    const one = (await get('/api/v1/deployments?limit=1')).json().data[0];
    const policy = (await get('/api/v1/policies?limit=1')).json().data[0];
    const official = (await get('/api/v1/officials?limit=1')).json().data[0];
    const source = (await get('/api/v1/sources?limit=1')).json().data[0];
    const cases: Array<[string, string, number]> = [
      ['/api/v1/deployments', '/api/v1/deployments?technology=ring-neighbors&limit=3', 200],
      ['/api/v1/deployments/{id}', `/api/v1/deployments/${one.id}`, 200],
      ['/api/v1/deployments/{id}', '/api/v1/deployments/no-such-thing', 404],
      ['/api/v1/deployments', '/api/v1/deployments?limit=0', 400],
      ['/api/v1/agencies', '/api/v1/agencies?state=MA&limit=5', 200],
      ['/api/v1/agencies/{id}', `/api/v1/agencies/${one.agency.id}`, 200],
      ['/api/v1/places', '/api/v1/places?kind=county&state=RI', 200],
      ['/api/v1/places/{id}', `/api/v1/places/${one.place.id}`, 200],
      ['/api/v1/policies', '/api/v1/policies', 200],
      ['/api/v1/policies/{id}', `/api/v1/policies/${policy.id}`, 200],
      ['/api/v1/sources', '/api/v1/sources?limit=5', 200],
      ['/api/v1/sources/{id}', `/api/v1/sources/${source.id}`, 200],
      ['/api/v1/vendors', '/api/v1/vendors', 200],
      ['/api/v1/vendors/{id}', '/api/v1/vendors/ring', 200],
      ['/api/v1/officials', '/api/v1/officials?state=MA', 200],
      ['/api/v1/officials/{id}', `/api/v1/officials/${official.id}`, 200],
      ['/api/v1/technologies', '/api/v1/technologies', 200],
      ['/api/v1/technologies/{slug}', '/api/v1/technologies/face-recognition', 200],
      ['/api/v1/technologies/{slug}', '/api/v1/technologies/nope', 404],
      ['/api/v1/stats', '/api/v1/stats', 200],
      ['/api/v1/areas', '/api/v1/areas?technology=ring-neighbors', 200],
      ['/api/v1/areas', '/api/v1/areas?level=county&state=MA', 200],
      ['/api/v1/areas', '/api/v1/areas?level=city', 400],
      ['/api/v1/towns', '/api/v1/towns?bbox=-71.2,42.3,-71.0,42.45', 200],
      ['/api/v1/towns', '/api/v1/towns?bbox=1,2,3', 400],
      ['/api/v1/campaigns', '/api/v1/campaigns', 200],
      ['/api/v1/changes', '/api/v1/changes?limit=5', 200],
      ['/api/v1/changes', '/api/v1/changes?since=2026-01-01&kind=loaded&state=MA', 200],
      ['/api/v1/changes', '/api/v1/changes?kind=vanished', 400],
      ['/api/v1/changes', '/api/v1/changes?source=atlas', 200],
      ['/api/v1/datasets', '/api/v1/datasets', 200],
    ];
    for (const [path, url, status] of cases) {
      const res = await get(url);
      expect(res.status, url).toBe(status);
      const validate = validatorFor(path, status);
      expect(validate(res.json()), `${url}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    // Every JSON endpoint in the document was checked (the export and the tiles are files: see their tests).
    const listed = Object.keys(doc.paths).filter((p) => p !== '/api/v1/export' && !p.startsWith('/api/v1/tiles/'));
    expect(new Set(cases.map(([p]) => p))).toEqual(new Set(listed));
  });

  it('pages through every filter with next, returning exactly total distinct records', async () => {
    for (const query of [
      '',
      'technology=ring-neighbors',
      'state=MA',
      'status=active&state=RI',
      'vendor=axon',
      'place=25',
      'active_on=2019-06-01',
      'started_after=2019-01-01&started_before=2019-12-31',
    ]) {
      const { records, total } = await pages(`/api/v1/deployments?limit=7&${query}`);
      expect(records.length, query).toBe(total);
      expect(new Set(records.map((r) => r.id)).size, query).toBe(total);
    }
    for (const list of [
      '/api/v1/agencies?limit=50',
      '/api/v1/places?limit=500&state=RI',
      '/api/v1/sources?limit=20',
      '/api/v1/vendors?limit=3',
      '/api/v1/officials?limit=4',
      '/api/v1/policies?limit=2',
    ]) {
      const { records, total } = await pages(list);
      expect(records.length, list).toBe(total);
      expect(new Set(records.map((r) => r.id)).size, list).toBe(total);
    }
  });

  it('gives the same deployments for bbox and near as a brute-force filter of the full export', async () => {
    const boxes = ['-71.5,42.0,-70.9,42.6', '-73.7,40.4,-71.8,42.1', '-180,-90,180,90', '10,10,11,11'];
    for (const bbox of boxes) {
      const [minLon, minLat, maxLon, maxLat] = bbox.split(',').map(Number) as [number, number, number, number];
      const expected = all
        .filter((d) => d.lat !== null && d.lon >= minLon && d.lon <= maxLon && d.lat >= minLat && d.lat <= maxLat)
        .map((d) => d.id)
        .sort();
      const { records } = await pages(`/api/v1/deployments?limit=1000&bbox=${bbox}`);
      expect(records.map((r) => r.id).sort(), bbox).toEqual(expected);
    }
    for (const [lat, lon, radius] of [
      [42.3601, -71.0589, 15],
      [41.824, -71.4128, 40],
      [44.26, -72.58, 120],
    ] as const) {
      const expected = all
        .filter((d) => d.lat !== null && distanceKm(lat, lon, d.lat, d.lon) <= radius)
        .map((d) => d.id)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      const { records } = await pages(`/api/v1/deployments?limit=1000&near=${lat},${lon}&radius_km=${radius}`);
      expect(records.map((r) => r.id).sort(), `${lat},${lon} ${radius} km`).toEqual(expected);
    }
  });

  it('counts the deployments known in use on a day, from the days each record says it was in use', async () => {
    const inUse = (d: Json, day: string) =>
      d.in_use_from !== null && d.in_use_from <= day && (d.in_use_until === null || d.in_use_until >= day);
    for (const day of ['2018-12-31', '2019-06-30', '2020-06-30', '2026-01-01']) {
      const expected = all.filter((d) => inUse(d, day)).length;
      const ring = all.filter((d) => d.technology === 'ring-neighbors' && inUse(d, day)).length;
      expect((await get(`/api/v1/deployments?active_on=${day}&limit=1`)).json().total, day).toBe(expected);
      expect(
        (await get(`/api/v1/deployments?active_on=${day}&technology=ring-neighbors&limit=1`)).json().total,
        day,
      ).toBe(ring);
    }
    // Ring partnerships only grow between 2018 and mid-2020: none of them has ended.
    const totals = [];
    for (const day of ['2018-06-01', '2019-01-01', '2019-06-01', '2020-01-01', '2020-06-30']) {
      totals.push((await get(`/api/v1/deployments?active_on=${day}&technology=ring-neighbors&limit=1`)).json().total);
    }
    expect([...totals].sort((a, b) => a - b)).toEqual(totals);
    expect(totals.at(-1)).toBe(
      all.filter((d) => d.technology === 'ring-neighbors' && d.started_on !== null && d.started_on <= '2020-06-30')
        .length,
    );
  });

  it('answers CSV and GeoJSON that parse and match the JSON', async () => {
    const json = (await get('/api/v1/deployments?state=MA&limit=20')).json();
    // CSV holds every matching row, not the first page: a spreadsheet wants them all.
    const csv = await get('/api/v1/deployments?state=MA&limit=20&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(json.total).toBeGreaterThan(20);
    expect(lines.length).toBe(json.total + 1);
    expect(csv.headers['x-total-count']).toBe(String(json.total));
    expect(lines.slice(1, 21).map((l) => l.split(',')[0])).toEqual(json.data.map((d: Json) => d.id));
    // The export takes the same filters.
    const exported = await get('/api/v1/export?format=csv&state=MA');
    expect(exported.body).toBe(csv.body);
    const ring = (await get('/api/v1/export?format=json&state=MA&technology=ring-neighbors')).body
      .trim()
      .split('\n')
      .slice(1, -1);
    expect(ring.length).toBe(
      (await get('/api/v1/deployments?state=MA&technology=ring-neighbors&limit=1')).json().total,
    );
    expect(
      ring.every((line) => line.includes('"type":"deployment"') && line.includes('"technology":"ring-neighbors"')),
    ).toBe(true);
    expect((await app.inject('/api/v1/export?format=csv&vendor=nobody')).statusCode).toBe(400);
    const geo = await app.inject({
      url: '/api/v1/deployments?state=MA&limit=20',
      headers: { accept: 'application/geo+json' },
    });
    expect(geo.headers['content-type']).toContain('application/geo+json');
    const features = geo.json().features;
    expect(features.map((f: Json) => f.id)).toEqual(json.data.map((d: Json) => d.id));
    for (const [i, f] of features.entries()) {
      const d = json.data[i];
      expect(f.geometry?.coordinates ?? null).toEqual(d.lat === null ? null : [d.lon, d.lat]);
      expect(f.properties.status).toBe(d.status);
    }
  });

  it('answers 304 to a request with the current ETag, and a new ETag after the data changes', async () => {
    const first = await get('/api/v1/technologies');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers['cache-control']).toContain('max-age');
    const again = await app.inject({ url: '/api/v1/technologies', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    await importFile(db.db, 'census-states', fixture('states.psv'));
    expect((await app.inject({ url: '/api/v1/technologies', headers: { 'if-none-match': etag } })).statusCode).toBe(
      304,
    ); // nothing changed
    const changed = await importFile(
      db.db,
      'frt-policies',
      fixture('frt-sample.csv').replace('frt-sample', 'frt-sample'),
    );
    expect(changed.created + changed.updated).toBe(0);
    await db.db.deleteFrom('meta').where('key', '=', 'dataset_version').execute();
    expect((await app.inject({ url: '/api/v1/technologies', headers: { 'if-none-match': etag } })).statusCode).toBe(
      200,
    );
  });

  it('answers new questions from records remembered one by one, byte for byte as the database gives them', async () => {
    const questions = [
      'near=42.36,-71.06&radius_km=30&limit=5',
      'near=42.36,-71.06&radius_km=30',
      'bbox=-71.5,42.0,-70.9,42.6',
      'bbox=-71.5,42.0,-70.9,42.6&limit=4',
      'state=MA&limit=3',
      'state=MA',
      'active_on=2019-06-01&technology=ring-neighbors&limit=1000',
      'active_on=2019-06-01&technology=ring-neighbors&limit=2',
      'active_on=2024-06-01&state=MA',
      'q=police',
    ];
    const schema = deploymentFilterSchema.extend(listQuery.shape);
    // Twice: first mostly from the database, then each answer from records other answers left.
    for (const round of [1, 2]) {
      for (const question of round === 1 ? questions : [...questions].reverse()) {
        const params = schema.parse(Object.fromEntries(new URLSearchParams(question)));
        const filter = toDeploymentFilter(params);
        // (The second round asks with format=json, so that the remembered answers of the first are not used.)
        const res = await get(`/api/v1/deployments?${question}${round === 2 ? '&format=json' : ''}`);
        const { records, nextAfter } = await findDeploymentPage(db.db, filter, { limit: params.limit });
        const currency = filter.activeOn ? await describeCurrency(db.db, filter, filter.activeOn) : {};
        const expected = {
          data: records,
          total: await countDeployments(db.db, filter),
          next: nextAfter === null ? null : encodeCursor(nextAfter),
          ...currency,
        };
        expect(res.status, question).toBe(200);
        expect(res.body, question).toBe(JSON.stringify(expected));
        expect(res.headers['x-total-count'], question).toBe(String(expected.total));
      }
    }
    // Some answers were whole first pages (total and currency from their own rows), some were not.
    expect(
      (await get('/api/v1/deployments?active_on=2019-06-01&technology=ring-neighbors&limit=1000')).json().next,
    ).toBeNull();
    expect(
      (await get('/api/v1/deployments?active_on=2019-06-01&technology=ring-neighbors&limit=2')).json().next,
    ).not.toBeNull();
  });

  it('answers a repeated request from memory until the dataset version changes', async () => {
    const url = '/api/v1/deployments?technology=ring-neighbors&limit=1';
    const firstAnswer = await get(url);
    const first = firstAnswer.json().data[0];
    const again = await get(url);
    expect(again.body).toBe(firstAnswer.body);
    for (const header of ['content-type', 'etag', 'cache-control', 'content-security-policy', 'content-length']) {
      expect(again.headers[header], header).toBe(firstAnswer.headers[header]);
    }
    await db.db
      .updateTable('deployments')
      .set({ summary: 'changed behind the API' })
      .where('id', '=', first.id)
      .execute();
    expect((await get(url)).json().data[0].summary).toBe(first.summary);
    await bumpDatasetVersion(db.db, new Date());
    expect((await get(url)).json().data[0].summary).toBe('changed behind the API');
    // The CSV of the same URL is a separate answer.
    expect((await app.inject({ url, headers: { accept: 'text/csv' } })).body).toContain('changed behind the API');
  });

  it('never answers a 5xx, whatever the query parameters hold', async () => {
    const params = [
      'technology',
      'vendor',
      'status',
      'state',
      'place',
      'agency',
      'active_on',
      'started_after',
      'started_before',
      'bbox',
      'near',
      'radius_km',
      'limit',
      'cursor',
      'format',
      'kind',
      'role',
      'q',
    ];
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        '',
        ' ',
        '%',
        '%00',
        "'; drop table deployments; --",
        '../../etc/passwd',
        'NaN',
        'Infinity',
        '-0',
        '1e309',
        '9'.repeat(400),
        'ring-neighbors',
        'MA',
        '2020-02-29',
        '0,0,0,0',
        '-180,-90,180,90',
        '91,181',
        'djE6',
        '☃',
        '\u0000',
      ),
      fc.integer().map(String),
      fc.double().map(String),
      fc.array(fc.double({ noNaN: false }), { minLength: 0, maxLength: 5 }).map((xs) => xs.join(',')),
      // Plausible values reach past validation into the queries.
      fc
        .tuple(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }))
        .map(([a, b]) => `${a},${b}`),
      fc
        .tuple(
          fc.double({ min: -180, max: 0, noNaN: true }),
          fc.double({ min: -90, max: 0, noNaN: true }),
          fc.double({ min: 0, max: 180, noNaN: true }),
          fc.double({ min: 0, max: 90, noNaN: true }),
        )
        .map((xs) => xs.join(',')),
      fc
        .date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.double({ min: 0.001, max: 5000, noNaN: true }).map(String),
      fc.constantFrom(
        'police',
        'ring doorbell',
        'sheriff"s',
        'AND OR NOT',
        '"quoted"',
        'boston*',
        '(x',
        'a:b',
        'NEAR(a b)',
      ),
    );
    const lists = [
      '/api/v1/deployments',
      '/api/v1/agencies',
      '/api/v1/places',
      '/api/v1/policies',
      '/api/v1/sources',
      '/api/v1/vendors',
      '/api/v1/officials',
      '/api/v1/technologies',
      '/api/v1/stats',
      '/api/v1/deployments/x',
      '/api/v1/export',
      '/api/v1/tiles/3/2/3.mvt',
      '/api/v1/tiles/0/0/0.mvt',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.dictionary(fc.constantFrom(...params), hostile, { maxKeys: 4 }),
        async (path, query) => {
          const search = new URLSearchParams(query).toString();
          const res = await app.inject(`${path}?${search}`);
          expect(res.statusCode, `${path}?${search}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('catches mistakes: an unknown parameter with its closest name, a value that names nothing, swapped coordinates', async () => {
    const error = async (url: string) => {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      return res.json().error as { code: string; parameter: string; message: string };
    };
    expect(await error('/api/v1/deployments?tech=ring-neighbors')).toMatchObject({
      code: 'unknown_parameter',
      parameter: 'tech',
    });
    expect((await error('/api/v1/deployments?tech=ring-neighbors')).message).toContain('did you mean "technology"?');
    expect((await error('/api/v1/deployments?technologies=drones')).message).toContain('did you mean "technology"?');
    expect((await error('/api/v1/deployments?stat=active')).message).toContain('did you mean "state"?');
    expect((await error('/api/v1/agencies?nmae=x')).code).toBe('unknown_parameter');
    expect(await error('/api/v1/deployments?vendor=no-such-vendor')).toMatchObject({
      code: 'unknown_value',
      parameter: 'vendor',
    });
    expect(await error('/api/v1/deployments?agency=no-such-agency')).toMatchObject({
      code: 'unknown_value',
      parameter: 'agency',
    });
    expect(await error('/api/v1/deployments?place=9999999')).toMatchObject({
      code: 'unknown_value',
      parameter: 'place',
    });
    expect(await error('/api/v1/areas?vendor=no-such-vendor')).toMatchObject({
      code: 'unknown_value',
      parameter: 'vendor',
    });
    const swapped = await error('/api/v1/deployments?near=-71.1,42.39');
    expect(swapped).toMatchObject({ code: 'invalid_parameter', parameter: 'near' });
    expect(swapped.message).toContain('latitude first');
    expect((await app.inject('/api/v1/deployments?near=42.39,-71.1')).statusCode).toBe(200);
  });

  it('answers near nearest first, each record with its distance, through every page', async () => {
    const all: Array<{ id: string; distance_km: number; lat: number; lon: number }> = [];
    let url: string | null = '/api/v1/deployments?near=42.36,-71.06&radius_km=60&limit=7';
    while (url) {
      const page: { data: typeof all; next: string | null; total: number } = (await get(url)).json();
      all.push(...page.data);
      url = page.next ? `/api/v1/deployments?near=42.36,-71.06&radius_km=60&limit=7&cursor=${page.next}` : null;
    }
    expect(all.length).toBeGreaterThan(7);
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    for (let i = 1; i < all.length; i++) expect(all[i]!.distance_km).toBeGreaterThanOrEqual(all[i - 1]!.distance_km);
    for (const d of all) {
      expect(d.distance_km).toBeLessThanOrEqual(60);
      expect(Math.abs(d.distance_km - distanceKm(42.36, -71.06, d.lat, d.lon))).toBeLessThan(0.01);
    }
  });

  it("gives the towns in a box, most populous first, for the map's labels", async () => {
    const towns = (await get('/api/v1/towns?bbox=-71.2,42.3,-71.0,42.45')).json().data as Array<{
      name: string;
      state: string;
      population: number | null;
    }>;
    expect(towns.map((t) => t.name)).toEqual(expect.arrayContaining(['Somerville', 'Cambridge', 'Everett', 'Malden']));
    expect(towns.every((t) => t.state === 'MA')).toBe(true);
    for (let i = 1; i < towns.length; i++)
      expect(towns[i]!.population ?? 0).toBeLessThanOrEqual(towns[i - 1]!.population ?? 0);
    expect((await get('/api/v1/towns?bbox=-71.2,42.3,-71.0,42.45&limit=2')).json().data).toHaveLength(2);
    expect((await app.inject('/api/v1/towns?bbox=1,2,3')).statusCode).toBe(400);
    expect((await app.inject('/api/v1/towns')).statusCode).toBe(400);
  });

  it('reads enumerated values whatever their case', async () => {
    const lower = (
      await app.inject('/api/v1/deployments?technology=ring-neighbors&status=active&state=ma&limit=1000')
    ).json();
    const mixed = await app.inject('/api/v1/deployments?technology=Ring-Neighbors&status=ACTIVE&state=Ma&limit=1000');
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json().total).toBe(lower.total);
    expect(lower.total).toBeGreaterThan(0);
    expect((await app.inject('/api/v1/deployments?format=CSV&limit=1')).headers['content-type']).toContain('text/csv');
    expect((await app.inject('/api/v1/places?kind=City&limit=1')).statusCode).toBe(200);
  });

  it('limits a flood from one address with 429 and Retry-After', async () => {
    const limited = await buildApp(db, { rateLimitPerMinute: 3, versionTtlMs: 0 });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.inject({ url: '/api/v1/technologies', remoteAddress: '10.0.0.9' })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const res = await limited.inject({ url: '/api/v1/technologies', remoteAddress: '10.0.0.9' });
      expect(res.json().error.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect((await limited.inject({ url: '/api/v1/technologies', remoteAddress: '10.0.0.10' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

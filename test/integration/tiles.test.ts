import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { VectorTile } from '@mapbox/vector-tile';
import Protobuf from 'pbf';
import { buildApp } from '#src/app';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

function decode(body: Buffer) {
  const layer = new VectorTile(new Protobuf(body)).layers['deployments'];
  const features = [];
  for (let i = 0; i < (layer?.length ?? 0); i++) features.push(layer!.feature(i));
  return features;
}

/** The number of deployments a tile shows: clusters count their points. */
function deploymentsIn(body: Buffer): number {
  return decode(body).reduce((sum, f) => sum + (f.properties.cluster ? Number(f.properties.point_count) : 1), 0);
}

/** Slippy-map tile of a point at zoom z. */
function tileOf(lat: number, lon: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return [x, y];
}

describe.each(DATABASES)('map tiles on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let placed: Array<{
    id: string;
    technology: string;
    lat: number;
    lon: number;
    in_use_from: string | null;
    in_use_until: string | null;
  }>;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'flock-cancellations', fixture('flock-sample.csv'));
    app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    placed = JSON.parse((await app.inject('/api/v1/export?format=json')).body).records.filter(
      (r: { type: string; lat: number | null }) => r.type === 'deployment' && r.lat !== null,
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  it('shows every placed deployment in the world tile, clustered, as a vector tile', async () => {
    const res = await app.inject('/api/v1/tiles/0/0/0.mvt');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const features = decode(res.rawPayload);
    expect(features.some((f) => f.properties.cluster)).toBe(true);
    expect(deploymentsIn(res.rawPayload)).toBe(placed.length);
  });

  it('takes the same filters as the list: technology and active_on change what a tile holds', async () => {
    const ring = placed.filter((p) => p.technology === 'ring-neighbors').length;
    expect(deploymentsIn((await app.inject('/api/v1/tiles/0/0/0.mvt?technology=ring-neighbors')).rawPayload)).toBe(
      ring,
    );
    const day = '2019-06-01';
    const active = placed.filter(
      (p) => p.in_use_from !== null && p.in_use_from <= day && (p.in_use_until === null || p.in_use_until >= day),
    ).length;
    expect(deploymentsIn((await app.inject(`/api/v1/tiles/0/0/0.mvt?active_on=${day}`)).rawPayload)).toBe(active);
  });

  it('shows single deployments with their id at high zoom', async () => {
    const target = placed[0]!;
    const [x, y] = tileOf(target.lat, target.lon, 16);
    const features = decode((await app.inject(`/api/v1/tiles/16/${x}/${y}.mvt`)).rawPayload);
    expect(features.map((f) => f.properties.id)).toContain(target.id);
    expect(features.every((f) => !f.properties.cluster)).toBe(true);
  });

  it('answers tiles outside the grid and bad filters with 400 naming the parameter', async () => {
    for (const [url, parameter] of [
      ['/api/v1/tiles/17/0/0.mvt', 'z'],
      ['/api/v1/tiles/2/4/0.mvt', 'x'],
      ['/api/v1/tiles/2/0/4.mvt', 'y'],
      ['/api/v1/tiles/a/0/0.mvt', 'z'],
      ['/api/v1/tiles/0/0/0.mvt?status=lost', 'status'],
    ] as const) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.parameter, url).toBe(parameter);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#src/app';
import { DeploymentIndex } from '#src/features/deployments/deployment-index';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import { findDeploymentAnswer } from '#src/features/deployments/deployments.repository';
import { readDatasetVersion } from '#src/storage/dataset-version';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

/**
 * The deployments held in memory answer only for the dataset version they were read at: before they are
 * ready, and after any change, questions go to the database until the index is read again. (That every
 * kind of question gets the database's own answer is checked on the bundled data, in bundled-data.test.ts.)
 */
describe.each(DATABASES)('the deployment index on %s', (dialect) => {
  let db: TestDatabase;
  const page = { limit: 1000 };
  const ring: DeploymentFilter = { technology: ['ring-neighbors'] };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('answers nothing until it is ready, then what the database answers', async () => {
    const index = new DeploymentIndex(db.db, { maxDeployments: 1_000_000, chunkRows: 7 });
    const version = await readDatasetVersion(db.db);
    expect(index.answer(ring, page, version)).toBeNull();
    expect(await index.ready()).toBe(true);
    const expected = await findDeploymentAnswer(db.db, ring, page);
    expect(expected.total).toBeGreaterThan(7);
    expect(index.answer(ring, page, version)).toEqual(expected);
    expect(index.stats()).toEqual({ version, deployments: expect.any(Number) });
    expect(index.answer(ring, page, 'another version')).toBeNull();
  });

  it('is read again after an import changes the data, and never answers the new version from the old data', async () => {
    const index = new DeploymentIndex(db.db, { maxDeployments: 1_000_000 });
    await index.ready();
    const before = await readDatasetVersion(db.db);
    const flock: DeploymentFilter = { vendor: 'flock-safety' };
    const old = index.answer(flock, page, before)!;
    await importFile(db.db, 'flock-cancellations', fixture('flock-sample.csv'));
    const after = await readDatasetVersion(db.db);
    expect(after).not.toBe(before);
    expect(index.answer(flock, page, after)).toBeNull();
    expect(await index.ready()).toBe(true);
    const fresh = index.answer(flock, page, after)!;
    expect(fresh).toEqual(await findDeploymentAnswer(db.db, flock, page));
    expect(fresh.total).toBeGreaterThan(old.total);
  });

  it('is not built over more deployments than it may hold', async () => {
    const index = new DeploymentIndex(db.db, { maxDeployments: 3 });
    expect(await index.ready()).toBe(false);
    expect(index.answer(ring, page, await readDatasetVersion(db.db))).toBeNull();
  });

  it('answers the API with the same bytes as the database does, once it holds the dataset', async () => {
    const [withIndex, withoutIndex] = await Promise.all([
      buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 }),
      buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0, deploymentIndexMax: 0 }),
    ]);
    try {
      await Promise.all([withIndex.ready(), withoutIndex.ready()]);
      expect(await withIndex.deploymentIndex.ready()).toBe(true);
      expect(await withoutIndex.deploymentIndex.ready()).toBe(false);
      // /healthz says what the lists hold; once read ahead, every deployment and its record is in memory.
      let lists = (await withIndex.inject('/healthz')).json().lists;
      for (let tries = 0; lists.reading_ahead && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        lists = (await withIndex.inject('/healthz')).json().lists;
      }
      const counted = await db.db
        .selectFrom('deployments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(lists).toEqual({
        deployments_in_memory: Number(counted.n),
        records_in_memory: Number(counted.n),
        reading_ahead: false,
      });
      expect((await withoutIndex.inject('/healthz')).json().lists.deployments_in_memory).toBe(0);
      for (const query of [
        'technology=ring-neighbors&limit=5',
        'near=42.3876,-71.0995&radius_km=30',
        'q=police&state=ma',
        'active_on=2019-06-01&limit=3',
        'vendor=flock-safety&format=geojson',
      ]) {
        const [a, b] = await Promise.all(
          [withIndex, withoutIndex].map((app) => app.inject(`/api/v1/deployments?${query}`)),
        );
        expect(a!.statusCode, query).toBe(200);
        expect(a!.body, query).toBe(b!.body);
        const answer = a!.json();
        expect((answer.data ?? answer.features).length, query).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all([withIndex.close(), withoutIndex.close()]);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Compilable } from 'kysely';
import { deploymentPageQuery } from '#src/features/deployments/deployments.repository';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

/**
 * Every indexed filter of the deployments list is answered through an index, never by reading every
 * deployment: the plan of the list's own query is checked on both databases. (On PostgreSQL, sequential
 * scans are discouraged for the check, as its planner would pick them on tables this small.)
 */
describe.each(DATABASES)('query plans on %s', (dialect) => {
  let db: TestDatabase;
  const filters: Record<string, DeploymentFilter> = {};

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    const sample = await db.db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .innerJoin('places as p', 'p.id', 'a.place_id')
      .innerJoin('deployment_vendors as dv', 'dv.deployment_id', 'd.id')
      .select(['d.agency_id', 'd.state_code', 'd.technology_slug', 'p.geoid', 'dv.vendor_id', 'a.lat', 'a.lon'])
      .where('p.kind', '=', 'city')
      .where('a.lat', 'is not', null)
      .orderBy('d.id')
      .executeTakeFirstOrThrow();
    const lat = Number(sample.lat);
    const lon = Number(sample.lon);
    Object.assign(filters, {
      technology: { technology: [sample.technology_slug] },
      'state and technology': { state: sample.state_code, technology: [sample.technology_slug] },
      agency: { agency: sample.agency_id },
      vendor: { vendor: sample.vendor_id },
      place: { place: sample.geoid! },
      bbox: { bbox: { minLon: lon - 0.1, minLat: lat - 0.1, maxLon: lon + 0.1, maxLat: lat + 0.1 } },
      near: { near: { lat, lon, radiusKm: 10 } },
      words: { words: ['police'] },
    } satisfies Record<string, DeploymentFilter>);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function plan(query: Compilable): Promise<string> {
    const compiled = query.compile();
    if (dialect === 'sqlite') {
      const { rows } = await db.db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` } as never);
      return rows.map((r) => r.detail).join('\n');
    }
    return db.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain ${compiled.sql}` } as never);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  const FULL_SCAN = dialect === 'sqlite' ? /^SCAN d\b(?! USING (COVERING )?INDEX deployments_)/m : /Seq Scan on deployments\b/;

  for (const name of ['technology', 'state and technology', 'agency', 'vendor', 'place', 'bbox', 'near', 'words']) {
    it(`reads deployments through an index for ${name}`, async () => {
      const text = await plan(deploymentPageQuery(db.db, filters[name]!, { limit: 100 }));
      expect(text, text).not.toMatch(FULL_SCAN);
      if (name === 'bbox' || name === 'near') expect(text).toMatch(dialect === 'sqlite' ? /VIRTUAL TABLE INDEX \d+:/ : /agencies_point/);
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Compilable } from 'kysely';
import {
  countDeployments,
  deploymentPageQuery,
  findDeploymentAnswer,
} from '#src/features/deployments/deployments.repository';
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
      'bbox and technology': {
        bbox: { minLon: lon - 0.1, minLat: lat - 0.1, maxLon: lon + 0.1, maxLat: lat + 0.1 },
        technology: [sample.technology_slug],
      },
      'near and state': { near: { lat, lon, radiusKm: 10 }, state: sample.state_code },
      words: { words: ['police'] },
    } satisfies Record<string, DeploymentFilter>);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  async function plan(query: Compilable): Promise<string> {
    const compiled = query.compile();
    if (dialect === 'sqlite') {
      const { rows } = await db.db.executeQuery<{ detail: string }>({
        ...compiled,
        sql: `explain query plan ${compiled.sql}`,
      });
      return rows.map((r) => r.detail).join('\n');
    }
    return db.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({
        ...compiled,
        sql: `explain ${compiled.sql}`,
      });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  const FULL_SCAN =
    dialect === 'sqlite' ? /^SCAN d\b(?! USING (COVERING )?INDEX deployments_)/m : /Seq Scan on deployments\b/;

  const SPATIAL = ['bbox', 'near', 'bbox and technology', 'near and state'];
  for (const name of ['technology', 'state and technology', 'agency', 'vendor', 'place', 'words', ...SPATIAL]) {
    it(`reads deployments through an index for ${name}`, async () => {
      const text = await plan(deploymentPageQuery(db.db, filters[name]!, { limit: 100 }));
      expect(text, text).not.toMatch(FULL_SCAN);
      if (SPATIAL.includes(name))
        expect(text).toMatch(dialect === 'sqlite' ? /VIRTUAL TABLE INDEX \d+:/ : /agencies_point/);
    });
  }

  if (dialect === 'sqlite') {
    it('answers a box or a circle alone from the R*Tree of deployments, without reading deployments', async () => {
      for (const name of ['bbox', 'near']) {
        const text = await plan(deploymentPageQuery(db.db, filters[name]!, { limit: 100 }));
        expect(text, text).toMatch(/SCAN p VIRTUAL TABLE INDEX \d+:/);
        expect(text, text).not.toMatch(/\b(d|a)\b USING|SCAN (d|a)\b/);
      }
      for (const name of ['bbox and technology', 'near and state']) {
        expect(await plan(deploymentPageQuery(db.db, filters[name]!, { limit: 100 })), name).toMatch(/agency_points/);
      }
    });

    it('pages a box or a circle alone the same from the R*Tree in JavaScript as the SQL of the page does, with its total', async () => {
      const points = await db.db
        .selectFrom('agencies')
        .select(['lat', 'lon'])
        .where('lat', 'is not', null)
        .orderBy('id')
        .limit(3)
        .execute();
      for (const p of points)
        for (const radiusKm of [5, 40, 400])
          for (const limit of [1, 3, 1000]) {
            const filter: DeploymentFilter = { near: { lat: Number(p.lat), lon: Number(p.lon), radiusKm } };
            const fromSql: string[] = [];
            const fromAnswer: string[] = [];
            let after: string | undefined;
            do {
              const rows = (await deploymentPageQuery(db.db, filter, { limit, after }).execute()) as unknown as Array<{
                id: string;
                distance_km: number;
              }>;
              const page = rows.slice(0, limit);
              fromSql.push(...page.map((r) => r.id));
              after =
                rows.length > limit ? `${String(Number(page.at(-1)!.distance_km))}|${page.at(-1)!.id}` : undefined;
            } while (after);
            let total = -1;
            do {
              const answer = await findDeploymentAnswer(db.db, filter, { limit, after });
              fromAnswer.push(...answer.keys.map((k) => k.id));
              total = after === undefined ? answer.total : total;
              after = answer.nextAfter ?? undefined;
            } while (after);
            const label = `${String(p.lat)},${String(p.lon)} ${radiusKm} km, ${limit} a page`;
            expect(fromAnswer, label).toEqual(fromSql);
            expect(total, label).toBe(await countDeployments(db.db, filter));
          }
    });

    it('gives the planner statistics of the deployments after an import', async () => {
      const { rows } = await sql<{
        idx: string | null;
      }>`select idx from sqlite_stat1 where tbl = 'deployments'`.execute(db.db);
      expect(rows.map((r) => r.idx)).toEqual(
        expect.arrayContaining(['deployments_state_technology', 'deployments_agency_keys']),
      );
    });

    it('keeps the R*Tree of deployments true through inserts, moves and deletes', async () => {
      const pointsOf = async () =>
        (
          await sql<{
            deployment_id: string;
            lat: number;
            lon: number;
          }>`select deployment_id, lat, lon from deployment_points order by deployment_id`.execute(db.db)
        ).rows;
      const expected = async () =>
        (
          await db.db
            .selectFrom('deployments as d')
            .innerJoin('agencies as a', 'a.id', 'd.agency_id')
            .select(['d.id as deployment_id', 'a.lat', 'a.lon'])
            .where('a.lat', 'is not', null)
            .where('a.lon', 'is not', null)
            .orderBy('d.id')
            .execute()
        ).map((r) => ({ deployment_id: r.deployment_id, lat: Number(r.lat), lon: Number(r.lon) }));
      expect(await pointsOf()).toEqual(await expected());
      const moved = await db.db
        .selectFrom('deployments')
        .select(['id', 'agency_id'])
        .orderBy('id')
        .executeTakeFirstOrThrow();
      await db.db.updateTable('agencies').set({ lat: 44.5, lon: -72.5 }).where('id', '=', moved.agency_id).execute();
      const other = await db.db.selectFrom('agencies').select('id').where('lat', 'is', null).executeTakeFirst();
      const second = await db.db
        .selectFrom('deployments')
        .select('id')
        .where('agency_id', '!=', moved.agency_id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      if (other)
        await db.db.updateTable('deployments').set({ agency_id: other.id }).where('id', '=', second.id).execute();
      const third = await db.db
        .selectFrom('deployments')
        .select('id')
        .where('id', '!=', second.id)
        .where('agency_id', '!=', moved.agency_id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      await db.db.deleteFrom('deployment_events').where('deployment_id', '=', third.id).execute();
      await db.db.deleteFrom('deployment_vendors').where('deployment_id', '=', third.id).execute();
      await db.db.deleteFrom('deployments').where('id', '=', third.id).execute();
      const now = await pointsOf();
      expect(now).toEqual(await expected());
      expect(now.find((p) => p.deployment_id === moved.id)).toMatchObject({ lat: 44.5, lon: -72.5 });
      expect(now.some((p) => p.deployment_id === third.id)).toBe(false);
      if (other) expect(now.some((p) => p.deployment_id === second.id)).toBe(false);
    });
  }
});

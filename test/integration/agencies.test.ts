import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '#src/app';
import { mergeAgencies, MergeError } from '#src/features/agencies/merge-agencies';
import { checkPlacement } from '#src/features/agencies/placement-check';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { agencyOfAtlasRow, fixture, importFile } from '../support/fixtures';

/**
 * Real rows of the Atlas export and the FBI agency list where the two name one agency differently, or
 * the Atlas files a row under the wrong state (test/fixtures/matching/, copied from data/).
 */
async function importMatchingRows(db: TestDatabase): Promise<void> {
  await importFile(db.db, 'census-states', fixture('states.psv'));
  await importFile(db.db, 'census-counties', fixture('matching/counties-matching.psv'), '2017');
  await importFile(db.db, 'census-places', fixture('matching/places-matching.csv'), '2021');
  await importFile(db.db, 'fbi-agencies', fixture('matching/fbi-agencies-matching.csv'), '2025-02-18');
  await importFile(db.db, 'atlas', fixture('matching/atlas-matching.csv'), '2020-10-07');
}

describe.each(DATABASES)('one record per agency, in the right place, on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importMatchingRows(db);
    app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  const agencyOfRow = (aos: string) => agencyOfAtlasRow(db.db, aos);

  it('matches the Atlas spelling of an agency to its FBI record, in the forms real data uses', async () => {
    const expected: Record<string, string> = {
      AOS1872: 'TN0190100', // "Metro Nashville Police Department" = "Nashville Metropolitan Police Department"
      AOS0112: 'NV0020100', // "Las Vegas Metropolitan Police Department Police Department" (FBI)
      AOS0562: 'KS1050200', // "Kansas City, Kansas Police Department" in Kansas
      AOS1145: 'OR0330100', // "The Dalles Police Department"
      AOS1165: 'OR0330100', // "Dalles Police Department"
      AOS1175: 'MOSPD0000', // "St. Louis Metropolitan Police Department", not St. Louis County's police
      AOS1262: 'INIPD0000', // "Indianapolis Metropolitan Police Department"
      AOS0146: 'NV0130000', // "Carson City Sheriff's Office" = "Carson City County Sheriff's Office"
      AOS0033: 'FL0130000', // "Miami-Dade Police Department" = "Miami-Dade County Police Department"
      AOS0003: 'GAAPD0000',
    };
    for (const [aos, ori] of Object.entries(expected)) expect((await agencyOfRow(aos)).ori, aos).toBe(ori);
  });

  it("matches a name only within its county: Schuylkill Township Police Department of Chester County is not Schuylkill County's", async () => {
    const agency = await agencyOfRow('AOS2151');
    expect(agency.ori).toBe('PA0152200');
    expect(agency.county_geoids).toBe('42029');
    const namesake = await db.db
      .selectFrom('agencies')
      .select(['id', 'county_geoids'])
      .where('ori', '=', 'PA0542700')
      .executeTakeFirstOrThrow();
    expect(namesake.county_geoids).toBe('42107');
    expect(await db.db.selectFrom('deployments').select('id').where('agency_id', '=', namesake.id).execute()).toEqual(
      [],
    );
  });

  it("never takes a same-named agency of another county, even when the row's own is missing from the FBI list", async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'cw-'));
      const fbi = join(dir, 'fbi-without-chester.csv');
      writeFileSync(
        fbi,
        readFileSync(fixture('matching/fbi-agencies-matching.csv'), 'utf8')
          .split('\n')
          .filter((l) => !l.startsWith('PA0152200'))
          .join('\n'),
      );
      await importFile(fresh.db, 'census-states', fixture('states.psv'));
      await importFile(fresh.db, 'census-counties', fixture('matching/counties-matching.psv'), '2017');
      await importFile(fresh.db, 'census-places', fixture('matching/places-matching.csv'), '2021');
      await importFile(fresh.db, 'fbi-agencies', fbi, '2025-02-18');
      await importFile(fresh.db, 'atlas', fixture('matching/atlas-matching.csv'), '2020-10-07');
      const agency = await agencyOfAtlasRow(fresh.db, 'AOS2151');
      expect({ ori: agency.ori, county_geoids: agency.county_geoids }).toEqual({ ori: null, county_geoids: '42029' });
    } finally {
      await fresh.destroy();
    }
  });

  it("links a sheriff to its county, at the county's internal point, and a town's police to its town's point", async () => {
    const sheriff = await agencyOfRow('AOS2125');
    expect(sheriff).toMatchObject({ ori: null, level: 'county', place_id: 'county-49035', location_basis: 'county' });
    const county = await db.db
      .selectFrom('places')
      .selectAll()
      .where('id', '=', 'county-49035')
      .executeTakeFirstOrThrow();
    expect([sheriff.lat, sheriff.lon]).toEqual([county.lat, county.lon]);
    const lasVegas = await agencyOfRow('AOS0112');
    const town = await db.db
      .selectFrom('places')
      .selectAll()
      .where('id', '=', lasVegas.place_id)
      .executeTakeFirstOrThrow();
    expect(town.name).toBe('Las Vegas');
    expect({ lat: lasVegas.lat, lon: lasVegas.lon, basis: lasVegas.location_basis }).toEqual({
      lat: town.lat,
      lon: town.lon,
      basis: 'city',
    });
  });

  it('leaves a row that contradicts its state unplaced and does not attach it to a same-named agency of that state', async () => {
    const flagged = await agencyOfRow('AOS1216');
    expect(flagged).toMatchObject({ state_code: 'IL', ori: null, lat: null, lon: null, place_id: null });
    expect(flagged.placement_issue).toContain('Atlanta and counties DeKalb County, Fulton County are in GA, not IL');
    const illinois = await db.db
      .selectFrom('agencies')
      .select('id')
      .where('state_code', '=', 'IL')
      .where('ori', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(await db.db.selectFrom('deployments').select('id').where('agency_id', '=', illinois.id).execute()).toEqual(
      [],
    );
    const report = await checkPlacement(db.db);
    expect(report.inDoubt.map((f) => f.agency)).toEqual([flagged.id]);
    const page = await app.inject(`/agencies/${flagged.id}`);
    expect(page.body).toContain('not placed: AOS1216: the row is filed under IL');
    const api = (await app.inject(`/api/v1/agencies/${flagged.id}`)).json();
    expect(api).toMatchObject({ lat: null, placement_issue: expect.stringContaining('not IL') });
  });

  it('merges an agency into another: deployments move with revisions, the old ids answer 301, and a later import keeps it merged', async () => {
    const from = await agencyOfRow('AOS2519'); // "Croix County Sheriff's Office": the Atlas's spelling of St. Croix County's
    const into = await db.db
      .selectFrom('agencies')
      .selectAll()
      .where('name', '=', "St. Croix County Sheriff's Office")
      .executeTakeFirstOrThrow();
    const [oldDeployment] = await db.db
      .selectFrom('deployments')
      .select('id')
      .where('agency_id', '=', from.id)
      .execute();
    const result = await mergeAgencies(db.db, from.id, into.id, {
      actor: 'user:test',
      reason: 'the Atlas drops "St." from the name',
    });
    expect(result).toEqual({ from: from.id, into: into.id, moved: 1, combined: 0 });
    const newId = into.id + oldDeployment!.id.slice(from.id.length);
    expect(
      await db.db.selectFrom('deployments').select('agency_id').where('id', '=', newId).executeTakeFirst(),
    ).toEqual({ agency_id: into.id });
    expect(
      await db.db.selectFrom('agencies').select('id').where('id', '=', from.id).executeTakeFirst(),
    ).toBeUndefined();
    const revisions = await db.db
      .selectFrom('revisions')
      .selectAll()
      .where('actor', '=', 'user:test')
      .orderBy('id')
      .execute();
    expect(revisions.map((r) => [r.entity_type, r.entity_id, r.action])).toEqual(
      expect.arrayContaining([
        ['deployment', newId, 'create'],
        ['deployment', oldDeployment!.id, 'delete'],
        ['agency', from.id, 'delete'],
      ]),
    );
    expect(revisions.every((r) => r.reason === 'the Atlas drops "St." from the name')).toBe(true);

    for (const [url, to] of [
      [`/agencies/${from.id}`, `/agencies/${into.id}`],
      [`/api/v1/agencies/${from.id}`, `/api/v1/agencies/${into.id}`],
      [`/deployments/${oldDeployment!.id}`, `/deployments/${newId}`],
      [`/api/v1/deployments/${oldDeployment!.id}`, `/api/v1/deployments/${newId}`],
    ]) {
      const res = await app.inject(url!);
      expect(res.statusCode, url).toBe(301);
      expect(res.headers.location).toBe(to);
    }
    expect((await app.inject(`/api/v1/agencies/${into.id}`)).json().technologies).toEqual(['license-plate-readers']);
    expect((await app.inject('/agencies/no-such-agency')).statusCode).toBe(404);

    const again = await importFile(db.db, 'atlas', fixture('matching/atlas-matching.csv'), '2020-10-07');
    expect({ created: again.created, updated: again.updated }).toEqual({ created: 0, updated: 0 });
    expect(
      await db.db.selectFrom('agencies').select('id').where('id', '=', from.id).executeTakeFirst(),
    ).toBeUndefined();
    await expect(mergeAgencies(db.db, from.id, into.id, { actor: 'user:test', reason: 'again' })).rejects.toThrow(
      MergeError,
    );
    await expect(mergeAgencies(db.db, into.id, into.id, { actor: 'user:test', reason: 'self' })).rejects.toThrow(
      /itself/,
    );
  });
});

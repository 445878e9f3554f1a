import { mkdtempSync, readFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#src/config/config';
import { loadBundledData } from '#src/bootstrap/load-bundled-data';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';
import { writeExport, type ExportFormat, CSV_COLUMNS } from '#src/features/export/export.service';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { runImport } from '#src/importers/pipeline';
import { readDelimited } from '#src/importers/delimited.reader';
import { normalizeAgencyName, placeNameFromAgencyName } from '#src/domain/names';
import { findTechnologyByName } from '#src/domain/technologies';
import { findStateByCode } from '#src/domain/states';
import { BUILT_IN_TECHNOLOGIES } from '#src/domain/technologies';
import { searchWords, textWords } from '#src/storage/search-index';
import {
  countDeployments,
  findDeploymentAnswer,
  findDeploymentPage,
  type DeploymentAnswer,
} from '#src/features/deployments/deployments.repository';
import { DeploymentIndex } from '#src/features/deployments/deployment-index';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import { readDatasetVersion } from '#src/storage/dataset-version';
import { checkPlacement } from '#src/features/agencies/placement-check';
import { distanceKm } from '#src/domain/placement';
import { parsePartialDate } from '#src/domain/dates';
import { buildApp } from '#src/app';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { agencyOfAtlasRow } from '../support/fixtures';

const DATA_DIR = join(REPO_ROOT, 'data');
const ATLAS = join(DATA_DIR, 'atlas-of-surveillance-2020/atlas-of-surveillance-20201007.csv');
const out = mkdtempSync(join(tmpdir(), 'cw-bundled-'));

async function exportTo(db: TestDatabase, format: ExportFormat, name: string): Promise<string> {
  const path = join(out, name);
  const stream = createWriteStream(path);
  await writeExport(db.db, format, stream);
  stream.end();
  await finished(stream);
  return readFileSync(path, 'utf8');
}

/** The Atlas's own rows, as the file gives them: what every check below compares against. */
async function atlasRows() {
  const rows: Array<Record<string, string>> = [];
  let header: string[] | null = null;
  for await (const { fields } of readDelimited(ATLAS)) {
    if (!header) header = fields;
    else rows.push(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
  }
  return rows.filter(
    (r) => findStateByCode(r['State']!) && r['Agency']!.trim() !== '' && findTechnologyByName(r['Technology']!),
  );
}

describe('the bundled real data', () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([createTestDatabase('sqlite'), createTestDatabase('postgres')]);
    await Promise.all([loadBundledData(sqlite.db, DATA_DIR), loadBundledData(postgres.db, DATA_DIR)]);
  });
  afterAll(async () => {
    await Promise.all([sqlite?.destroy(), postgres?.destroy()]);
  });

  it('gives one Atlas deployment per distinct agency, state and technology, at least 95% of them placed', async () => {
    const rows = await atlasRows();
    const distinct = new Set(
      rows.map(
        (r) =>
          `${normalizeAgencyName(r['Agency']!)}|${findStateByCode(r['State']!)!.code}|${findTechnologyByName(r['Technology']!)!.slug}`,
      ),
    );
    const deployments = await sqlite.db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .select(['d.id', 'a.lat', 'd.technology_slug'])
      .where(
        'd.id',
        'in',
        sqlite.db
          .selectFrom('origins')
          .select('entity_id')
          .where('dataset', '=', 'atlas')
          .where('entity_type', '=', 'deployment'),
      )
      .execute();
    // Names that differ only in spelling are one agency; the few others merged must name the same city.
    expect(deployments.length).toBeLessThanOrEqual(distinct.size);
    expect(deployments.length).toBeGreaterThanOrEqual(distinct.size - 5);
    const byRow = new Map(rows.map((r) => [r['AOSNUMBER']!, r]));
    const origins = await sqlite.db
      .selectFrom('origins')
      .select(['entity_id', 'row_key'])
      .where('dataset', '=', 'atlas')
      .where('entity_type', '=', 'deployment')
      .execute();
    const namesByDeployment = new Map<string, Set<string>>();
    for (const o of origins) {
      const names = namesByDeployment.get(o.entity_id) ?? new Set();
      names.add(normalizeAgencyName(byRow.get(o.row_key)!['Agency']!));
      namesByDeployment.set(o.entity_id, names);
    }
    for (const names of namesByDeployment.values()) {
      if (names.size > 1) expect(new Set([...names].map((n) => placeNameFromAgencyName(n))).size).toBe(1);
    }
    const placed = deployments.filter((d) => d.lat !== null).length;
    expect(placed / deployments.length).toBeGreaterThanOrEqual(0.95);

    const ringPairs = new Set(
      rows
        .filter((r) => r['Technology'] === 'Ring/Neighbors Partnership')
        .map((r) => `${normalizeAgencyName(r['Agency']!)}|${r['State']!.trim()}`),
    );
    expect(deployments.filter((d) => d.technology_slug === 'ring-neighbors').length).toBe(ringPairs.size);
  });

  it('counts Ring partnerships active on a day in line with what Ring and reporters said', async () => {
    const ringActiveOn = async (db: TestDatabase, day: string) =>
      countDeployments(db.db, { technology: ['ring-neighbors'], activeOn: day });
    // Reporters found more than 200 police partners during 2019; Ring listed more than 1,300 by 2020.
    expect(await ringActiveOn(sqlite, '2019-07-31')).toBeGreaterThan(200);
    expect(await ringActiveOn(sqlite, '2020-06-30')).toBeGreaterThan(1300);
    // The Atlas's last Ring "Active Date" is 2020-06-11: every dated partnership is active after it.
    const dated = await sqlite.db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('technology_slug', '=', 'ring-neighbors')
      .where('started_on', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(await ringActiveOn(sqlite, '2020-06-30')).toBe(Number(dated.n));
    // Partnerships only accumulate over the Atlas's window, the same on both databases.
    const days = ['2018-06-30', '2018-12-31', '2019-06-30', '2019-12-31', '2020-06-30'];
    const counts = await Promise.all(days.map((d) => ringActiveOn(sqlite, d)));
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(await Promise.all(days.map((d) => ringActiveOn(postgres, d)))).toEqual(counts);
    // Exactly the partnerships whose Active Date in the file is on or before the day.
    const ring = (await atlasRows()).filter(
      (r) => r['Technology'] === 'Ring/Neighbors Partnership' && r['Link 1 Date']!.trim() !== '',
    );
    for (const day of days) {
      const pairs = new Set(
        ring
          .filter((r) => parsePartialDate(r['Link 1 Date']!)!.on <= day)
          .map((r) => `${normalizeAgencyName(r['Agency']!)}|${r['State']!.trim()}`),
      );
      expect(await ringActiveOn(sqlite, day), day).toBe(pairs.size);
    }
  });

  it('draws agencies at their own town or county: under 1% more than 25 km away, on both databases', async () => {
    for (const db of [sqlite, postgres]) {
      const report = await checkPlacement(db.db);
      expect(report.cityAgencies.checked).toBeGreaterThan(10_000);
      expect(report.cityAgencies.share).toBeLessThan(0.01);
      expect(report.countyAgencies.checked).toBeGreaterThan(3_000);
      expect(report.countyAgencies.share).toBeLessThan(0.01);
      // Agencies the audit found drawn far from their towns (the FBI gave them a county's centroid).
      for (const [ori, town] of [
        ['CA0361000', 'San Bernardino'],
        ['NV0160100', 'Reno'],
        ['FL0440100', 'Key West'],
        ['CA0370200', 'Chula Vista'],
        ['AK0010800', 'Seward'],
      ] as const) {
        const agency = await db.db
          .selectFrom('agencies as a')
          .innerJoin('places as p', 'p.id', 'a.place_id')
          .select(['a.lat', 'a.lon', 'p.lat as plat', 'p.lon as plon', 'p.name'])
          .where('a.ori', '=', ori)
          .executeTakeFirstOrThrow();
        expect(agency.name, ori).toBe(town);
        expect(
          distanceKm(Number(agency.lat), Number(agency.lon), Number(agency.plat), Number(agency.plon)),
          town,
        ).toBeLessThan(1);
      }
      // The Atlas files Atlanta, Georgia's camera registry under IL: it is left off the map, attached to no Illinois agency.
      expect(report.inDoubt.map((f) => f.problem)).toContainEqual(
        expect.stringMatching(/^AOS1216: .* are in GA, not IL$/),
      );
    }
    const keyWest = await findDeploymentPage(
      sqlite.db,
      { near: { lat: 24.5551, lon: -81.78, radiusKm: 15 } },
      { limit: 100 },
    );
    expect(keyWest.records.map((d) => d.agency.name)).toContain('Key West Police Department');
  });

  it('keeps one record per agency where the Atlas and the FBI spell it differently', async () => {
    const oriOfRow = async (aos: string) => (await agencyOfAtlasRow(sqlite.db, aos)).ori;
    const expected: Record<string, string> = {
      AOS0112: 'NV0020100',
      AOS0033: 'FL0130000',
      AOS1262: 'INIPD0000',
      AOS1872: 'TN0190100',
      AOS0562: 'KS1050200',
      AOS0146: 'NV0130000',
      AOS1175: 'MOSPD0000',
      AOS1145: 'OR0330100',
      AOS1165: 'OR0330100',
      AOS2151: 'PA0152200',
    };
    for (const [aos, ori] of Object.entries(expected)) expect(await oriOfRow(aos), aos).toBe(ori);
    // Sheriffs belong to their county, never to a town.
    const sheriffsInTowns = await sqlite.db
      .selectFrom('agencies as a')
      .innerJoin('places as p', 'p.id', 'a.place_id')
      .select('a.id')
      .where('a.level', '=', 'county')
      .where('p.kind', '=', 'city')
      .where('a.name', 'like', '%Sheriff%')
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('deployments as d').select('d.id').whereRef('d.agency_id', '=', 'a.id')),
      )
      .execute();
    expect(sheriffsInTowns.map((a) => a.id)).toEqual([]);
  });

  it("lists laws as they are: Oakland's 2019 ban, steps with dates, whom each binds, and only where it applies", async () => {
    const app = await buildApp(sqlite, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    try {
      const policies = (await app.inject('/api/v1/policies?limit=1000')).json().data as any[];
      const oakland = policies.find((p) => p.id === 'ca-oakland--face-recognition-ban');
      expect(oakland).toMatchObject({
        kind: 'ban',
        status: 'passed',
        status_on: '2019-07-16',
        status_precision: 'day',
        level: 'city',
        body: 'Oakland City Council',
        scope: 'government',
      });
      expect(oakland.place.name).toBe('Oakland');
      expect(oakland.sources.map((s: any) => s.url)).toContain(
        'https://www.kqed.org/news/11761849/oakland-city-council-votes-to-ban-facial-recognition-software',
      );
      const byId = new Map(policies.map((p) => [p.id, p]));
      // Baltimore's record cites a bill that was introduced, then failed; a list's "passed" does not outrank the bill's own steps.
      expect(byId.get('md-baltimore--face-recognition-ban')).toMatchObject({
        status: 'failed',
        status_on: '2020-12-07',
      });
      expect(
        byId.get('md-baltimore--face-recognition-ban').events.map((e: any) => [e.kind, e.status, e.occurred_on]),
      ).toEqual([
        ['transition', 'introduced', '2020-09-21'],
        ['reported', 'passed', '2020-09-30'],
        ['transition', 'failed', '2020-12-07'],
      ]);
      expect(byId.get('ca--face-recognition-regulation')).toMatchObject({
        kind: 'moratorium',
        status: 'expired',
        status_on: '2023-01-01',
        described_by: 'curated-policies',
      });
      expect(byId.get('ny--face-recognition-moratorium')).toMatchObject({ scope: 'schools', status: 'expired' });
      expect(byId.get('tx--face-recognition-regulation')).toMatchObject({ scope: 'businesses' });
      const bart = byId.get('ca--face-recognition-regulation--san-francisco-bay-area');
      expect(bart).toMatchObject({ level: 'transit-district', scope: 'transit', place: null });
      // A laws list with a status filter takes the new statuses.
      expect((await app.inject('/api/v1/policies?status=expired')).json().data.map((p: any) => p.id)).toContain(
        'ca--face-recognition-regulation',
      );
      // Los Angeles: California's laws, not BART's rule; New York City: the schools moratorium, said to be for schools only.
      const la = await app.inject('/places/place-0644000');
      expect(la.body).toContain('California AB 1215');
      expect(la.body).not.toContain('BART');
      const nyc = await app.inject('/places/place-3651000');
      expect(nyc.body).toMatch(
        /New York: face recognition banned in schools<\/a><\/th><td>ban<\/td><td>.*?<\/td><td>schools only<\/td>/,
      );
    } finally {
      await app.close();
    }
  });

  it("addresses today's officials: Chicago's mayor is Brandon Johnson, the 2020 directory's mayor is no longer current", async () => {
    const app = await buildApp(sqlite, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    try {
      const officials = (await app.inject('/api/v1/officials?place=place-1714000&role=mayor')).json().data as any[];
      const johnson = officials.find((o) => o.name === 'Brandon Johnson');
      expect(johnson).toMatchObject({
        current: true,
        ended_on: null,
        started_on: '2023-05-15',
        verified_on: '2026-08-05',
        stale: false,
      });
      expect(johnson.listings).toEqual([
        expect.objectContaining({ source: 'openstates-officials', as_of: '2026-08-05', status: 'current' }),
      ]);
      // The 2020 directory's mayor: a newer source shows someone else in the office. Open States' "retired"
      // listing of her is kept as a reason to re-verify, never as the proof.
      const lightfoot = officials.find((o) => o.name === 'Lori E. Lightfoot');
      expect(lightfoot).toMatchObject({ current: false, ended_on: '2026-08-05', verified_on: '2020-10-19' });
      expect(lightfoot.listings.map((l: any) => [l.source, l.status])).toEqual([
        ['openstates-officials', 'retired'],
        ['uscm-mayors', 'current'],
      ]);
      expect(
        (await app.inject('/api/v1/officials?place=place-1714000&current=true')).json().data.map((o: any) => o.name),
      ).toEqual(['Brandon Johnson']);
      // The campaign page addresses only current officials; a former mayor is named only as such.
      const campaign = await app.inject({
        url: '/campaigns/cancel-ring-partnership/places/place-1714000',
        headers: { accept: 'text/html' },
      });
      expect(campaign.statusCode).toBe(200);
      expect(campaign.body).toContain('Brandon Johnson');
      expect(campaign.body).not.toContain('Lightfoot');
      const place = await app.inject('/places/place-1714000');
      expect(place.body).toMatch(
        /<li><a href="\/officials\/il-chicago--mayor--brandon-johnson">Brandon Johnson<\/a>, mayor/,
      );
      expect(place.body).toContain(
        'No longer in office by a newer source: <a href="/officials/il-chicago--mayor--lori-e-lightfoot">Lori E. Lightfoot</a>',
      );
      // Across the data: every office that Open States lists has one current mayor from it.
      const stillCurrentFrom2020 = await sqlite.db
        .selectFrom('officials as o')
        .innerJoin('official_listings as l', 'l.official_id', 'o.id')
        .select('o.id')
        .where('l.dataset', '=', 'uscm-mayors')
        .where('o.current', '=', 1)
        .where(
          'o.place_id',
          'in',
          sqlite.db
            .selectFrom('officials as n')
            .innerJoin('official_listings as m', 'm.official_id', 'n.id')
            .select('n.place_id')
            .where('m.dataset', '=', 'openstates-officials')
            .where('m.status', '=', 'current'),
        )
        .where(
          'o.id',
          'not in',
          sqlite.db
            .selectFrom('official_listings')
            .select('official_id')
            .where('dataset', '=', 'openstates-officials')
            .where('status', '=', 'current'),
        )
        .execute();
      expect(stillCurrentFrom2020).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('changes nothing when loaded or imported again', async () => {
    expect((await loadBundledData(sqlite.db, DATA_DIR)).loaded).toBe(false);
    const before = await exportTo(sqlite, 'json', 'before.json');
    for (const dataset of BUNDLED_DATASETS) {
      const summary = await runImport(sqlite.db, IMPORT_KINDS.get(dataset.kind)!, join(DATA_DIR, dataset.path), {
        asOf: dataset.asOf,
      });
      expect({ kind: dataset.kind, created: summary.created, updated: summary.updated }).toEqual({
        kind: dataset.kind,
        created: 0,
        updated: 0,
      });
    }
    expect(await exportTo(sqlite, 'json', 'after.json')).toBe(before);
  });

  it('exports identical datasets from SQLite and PostgreSQL', async () => {
    for (const format of ['json', 'csv', 'geojson'] as const) {
      const [a, b] = await Promise.all([
        exportTo(sqlite, format, `s.${format}`),
        exportTo(postgres, format, `p.${format}`),
      ]);
      expect(a.length).toBeGreaterThan(1000);
      expect(b === a, `${format} exports differ`).toBe(true);
    }
  });

  it('exports, imports into an empty database and exports again to the same bytes, across databases', async () => {
    const original = await exportTo(sqlite, 'json', 'original.json');
    const fresh = await createTestDatabase('postgres');
    try {
      const summary = await runImport(fresh.db, IMPORT_KINDS.get('counterwatch')!, join(out, 'original.json'));
      expect(summary.rejected).toBe(0);
      expect(await exportTo(fresh, 'json', 'again.json')).toBe(original);
      expect(await exportTo(fresh, 'csv', 'again.csv')).toBe(await exportTo(sqlite, 'csv', 'original.csv'));
    } finally {
      await fresh.destroy();
    }
  });

  it('finds the same deployments for plain words on SQLite and PostgreSQL, and exactly those whose text holds every word', async () => {
    const records = JSON.parse(await exportTo(sqlite, 'json', 'q.json')).records.filter(
      (r: { type: string }) => r.type === 'deployment',
    );
    const names = new Map(BUILT_IN_TECHNOLOGIES.map((t) => [t.slug, t.name]));
    const tokens = (r: any) =>
      new Set(
        textWords(
          [
            r.agency.name,
            r.place?.name,
            r.agency.state,
            names.get(r.technology),
            r.summary,
            ...r.vendors.map((v: any) => v.name),
            ...r.sources.map((s: any) => s.publisher ?? ''),
          ].join(' '),
        ),
      );
    const indexed = records.map((r: any) => ({ id: r.id as string, tokens: tokens(r) }));
    for (const query of [
      'ring',
      'Police',
      'axon',
      'Boston',
      'springfield police',
      "sheriff's office",
      'ShotSpotter',
      'Doña',
      'drones 2016',
    ]) {
      const words = searchWords(query);
      const expected = indexed
        .filter((r: any) => words.every((w) => r.tokens.has(w)))
        .map((r: any) => r.id)
        .sort();
      const [a, b] = await Promise.all(
        [sqlite, postgres].map(async (db) =>
          (await findDeploymentPage(db.db, { words }, { limit: 100000 })).records.map((r) => r.id).sort(),
        ),
      );
      expect(a, query).toEqual(expected);
      expect(b, query).toEqual(expected);
    }
  });

  it('answers every kind of list question from memory exactly as the database does, page by page, on both databases', async () => {
    const reference = sqlite.db;
    const towns = (
      await reference
        .selectFrom('places')
        .select(['lat', 'lon', 'geoid', 'county_geoid'])
        .where('kind', '=', 'city')
        .where('lat', 'is not', null)
        .where('population', '>', 5000)
        .where('geoid', 'is not', null)
        .where('county_geoid', 'is not', null)
        .orderBy('id')
        .execute()
    ).filter((_t, i) => i % 400 === 0);
    const agencies = await reference
      .selectFrom('deployments')
      .select(['agency_id', 'state_code', 'technology_slug'])
      .distinct()
      .orderBy('agency_id')
      .execute();
    const vendors = await reference.selectFrom('vendors').select('id').orderBy('id').execute();
    const words = [['police'], ['county', 'sheriff'], ['ring'], ['springfield'], ['flock'], ['nosuchword']];
    const filters: DeploymentFilter[] = [{}];
    towns.forEach((t, i) => {
      const [lat, lon] = [Number(t.lat), Number(t.lon)];
      const d = [0.2, 1, 3][i % 3]!;
      const day = `${2014 + (i % 12)}-${String(1 + (i % 12)).padStart(2, '0')}-01`;
      const sample = agencies[(i * 37) % agencies.length]!;
      filters.push(
        { near: { lat, lon, radiusKm: [5, 25, 100][i % 3]! } },
        { near: { lat, lon, radiusKm: 50 }, technology: [sample.technology_slug], activeOn: day },
        { bbox: { minLon: lon - d, minLat: lat - d, maxLon: lon + d, maxLat: lat + d } },
        { bbox: { minLon: lon - d, minLat: lat - d, maxLon: lon + d, maxLat: lat + d }, status: 'active' },
        { state: sample.state_code, technology: [sample.technology_slug], activeOn: day },
        { place: t.geoid! },
        { place: t.county_geoid! },
        { place: t.geoid!.slice(0, 2), startedAfter: day },
        { agency: sample.agency_id },
        { vendor: vendors[i % vendors.length]!.id, startedBefore: day },
        { technology: [sample.technology_slug, 'ring-neighbors'], status: 'ended' },
        { words: words[i % words.length]!, state: sample.state_code },
        { words: words[i % words.length]! },
      );
    });
    for (const db of [sqlite, postgres]) {
      const index = new DeploymentIndex(db.db, { maxDeployments: 1_000_000, chunkRows: 1000 });
      expect(await index.ready()).toBe(true);
      const version = await readDatasetVersion(db.db);
      for (const filter of filters)
        for (const limit of [100, 7]) {
          const label = `${db.dialect}: ${JSON.stringify(filter)}, ${limit} a page`;
          let [fromIndex, fromSql]: [string | undefined, string | undefined] = [undefined, undefined];
          let pages = 0;
          do {
            const memory: DeploymentAnswer = index.answer(filter, { limit, after: fromIndex }, version)!;
            const database = await findDeploymentAnswer(db.db, filter, { limit, after: fromSql });
            const keys = (answer: DeploymentAnswer) =>
              answer.keys.map((k) => `${k.id} ${k.distance_km === undefined ? '' : k.distance_km.toFixed(6)}`);
            expect(keys(memory), label).toEqual(keys(database));
            expect([memory.total, memory.currency], label).toEqual([database.total, database.currency]);
            expect(memory.nextAfter === null, label).toBe(database.nextAfter === null);
            [fromIndex, fromSql] = [memory.nextAfter ?? undefined, database.nextAfter ?? undefined];
            pages++;
          } while (fromIndex !== undefined && pages < 6);
        }
    }
  });

  it('writes CSV and GeoJSON that parse and match the JSON export', async () => {
    const json = (await exportTo(sqlite, 'json', 'm.json')).trim();
    const records = JSON.parse(json).records.filter((r: { type: string }) => r.type === 'deployment');
    await exportTo(sqlite, 'csv', 'm.csv');
    const csv: string[][] = [];
    for await (const { fields } of readDelimited(join(out, 'm.csv'))) csv.push(fields);
    expect(csv[0]).toEqual([...CSV_COLUMNS]);
    expect(csv.length - 1).toBe(records.length);
    const geo = JSON.parse(await exportTo(sqlite, 'geojson', 'm.geojson'));
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features.length).toBe(records.length);
    for (const [i, record] of records.entries()) {
      const row = Object.fromEntries(CSV_COLUMNS.map((c, j) => [c, csv[i + 1]![j]]));
      expect(row.id).toBe(record.id);
      expect(row.status).toBe(record.status);
      expect(row.summary).toBe(record.summary ?? '');
      expect(row.lat === '' ? null : Number(row.lat)).toBe(record.lat);
      const feature = geo.features[i];
      expect(feature.properties.id).toBe(record.id);
      expect(feature.properties.started_on).toBe(record.started_on);
      expect(feature.geometry?.coordinates ?? null).toEqual(record.lat === null ? null : [record.lon, record.lat]);
    }
  });
});

import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImportShapeError, runImport } from '#src/importers/pipeline';
import { atlasImporter, ATLAS_COLUMNS } from '#src/importers/kinds/atlas.importer';
import { buildApp } from '#src/app';
import { DATABASES, countRows, createTestDatabase, type TestDatabase } from '../support/databases';

/** The addresses a dataset row's deployments cite, in order (`origin` is `<dataset>:<row key>`). */
const sourcesOfRow = async (db: TestDatabase, origin: string) =>
  (
    await db.db
      .selectFrom('citations as c')
      .innerJoin('sources as s', 's.id', 'c.source_id')
      .innerJoin('deployments as d', 'd.id', 'c.subject_id')
      .select('s.url')
      .where('d.primary_origin', '=', origin)
      .orderBy('s.url')
      .execute()
  ).map((c) => c.url);

const countDeployments = async (db: TestDatabase) =>
  Number(
    (
      await db.db
        .selectFrom('deployments')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
import { fixture, importFile, importGeography } from '../support/fixtures';

describe.each(DATABASES)('importers on %s', (dialect) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('imports real Atlas rows as one deployment per agency and technology, placed on the map', async () => {
    await importGeography(db.db);
    const summary = await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    expect(summary.read).toBe(96);
    expect(summary.rejected).toBe(0);
    const deployments = await db.db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .select(['d.id', 'a.lat', 'd.technology_slug', 'd.started_on', 'd.status'])
      .execute();
    const sample = readFileSync(fixture('atlas-sample.csv'), 'utf8');
    const distinct = new Set(
      sample
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split('","'))
        .map((f) => `${f[4]}|${f[3]}|${f[8]}`),
    );
    expect(deployments.length).toBe(distinct.size);
    const placed = deployments.filter((d) => d.lat !== null).length;
    expect(placed / deployments.length).toBeGreaterThanOrEqual(0.95);
    // Ring's "Active Date" (Link 1 Date) is the start of the partnership.
    const attleboro = await db.db
      .selectFrom('deployments')
      .selectAll()
      .where('id', 'like', 'ma-attleboro-police-department-%--ring-neighbors')
      .executeTakeFirstOrThrow();
    expect(attleboro.started_on).toBe('2020-01-21');
    expect(attleboro.started_precision).toBe('day');
    expect(attleboro.status).toBe('active');
    expect(attleboro.last_seen_on).toBe('2020-10-07');
    // The Atlas's agency is the FBI's: matched by name, so it carries the ORI; a town's police sits at its town's point.
    const agency = await db.db
      .selectFrom('agencies')
      .selectAll()
      .where('id', '=', attleboro.agency_id)
      .executeTakeFirstOrThrow();
    expect(agency.ori).toBe('MA0030200');
    expect(agency.location_basis).toBe('city');
    const town = await db.db
      .selectFrom('places')
      .selectAll()
      .where('id', '=', agency.place_id!)
      .executeTakeFirstOrThrow();
    expect([agency.lat, agency.lon]).toEqual([town.lat, town.lon]);
  });

  it('changes nothing when the same file is imported again', async () => {
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'));
    const before = await countRows(db);
    const again = await importFile(db.db, 'atlas', fixture('atlas-sample.csv'));
    expect({ created: again.created, updated: again.updated, unchanged: again.unchanged }).toEqual({
      created: 0,
      updated: 0,
      unchanged: 96,
    });
    const after = await countRows(db);
    expect({ ...after, import_runs: 0 }).toEqual({ ...before, import_runs: 0 });
    expect(after.import_runs).toBe((before.import_runs ?? 0) + 1);
  });

  it('records a changed value as an update with a revision saying what changed', async () => {
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'));
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    const changed = join(dir, 'atlas-changed.csv');
    writeFileSync(
      changed,
      readFileSync(fixture('atlas-sample.csv'), 'utf8').replace('"Ring","","1/21/2020"', '"Ring","","1/20/2020"'),
    );
    const summary = await importFile(db.db, 'atlas', changed, '2020-10-07');
    expect({ created: summary.created, updated: summary.updated }).toEqual({ created: 0, updated: 1 });
    const revisions = await db.db
      .selectFrom('revisions')
      .selectAll()
      .where('action', '=', 'update')
      .orderBy('entity_type')
      .execute();
    // Ring's Active Date is the start, not a document's date: the citation of Ring's map keeps no date.
    expect(revisions.map((r) => [r.entity_type, JSON.parse(r.changes)])).toEqual([
      ['deployment', { started_on: ['2020-01-21', '2020-01-20'], active_from: ['2020-01-21', '2020-01-20'] }],
      ['deployment_event', { occurred_on: ['2020-01-21', '2020-01-20'] }],
    ]);
    const run = await db.db
      .selectFrom('import_runs')
      .selectAll()
      .where('file', '=', 'atlas-changed.csv')
      .executeTakeFirstOrThrow();
    expect(revisions.every((r) => r.actor === `import:${run.id}`)).toBe(true);
  });

  it('skips the rows a source gave before, unread, and indexes only what changed for search', async () => {
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'));
    const text = readFileSync(fixture('atlas-sample.csv'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    // One summary gains a word no other row has (a test edit); every other row is as before.
    const edited = join(dir, 'atlas-edited.csv');
    writeFileSync(
      edited,
      text.replace('The Attleboro Police Department', 'The Attleboro Police Department (zyxwordtest)'),
    );
    const again = await importFile(db.db, 'atlas', edited, '2020-10-07');
    expect({ read: again.read, updated: again.updated, unchanged: again.unchanged, created: again.created }).toEqual({
      read: 96,
      updated: 1,
      unchanged: 95,
      created: 0,
    });
    const app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    try {
      const found = (await app.inject('/api/v1/deployments?q=zyxwordtest')).json();
      expect(found.data.map((d: { id: string }) => d.id)).toEqual([
        expect.stringMatching(/^ma-attleboro-police-department-/),
      ]);
      // The rest of the index is as it was.
      expect((await app.inject('/api/v1/deployments?q=attleboro')).json().total).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
    }
    // A newer version of the same rows is read in full: the as-of date is part of what a row was.
    const newer = await importFile(db.db, 'atlas', edited, '2020-11-01');
    expect(newer.unchanged).toBeLessThan(96);
    expect(
      (
        await db.db
          .selectFrom('deployments')
          .select('last_seen_on')
          .where('id', 'like', 'ma-attleboro-police-department-%--ring-neighbors')
          .executeTakeFirstOrThrow()
      ).last_seen_on,
    ).toBe('2020-11-01');
  });

  it('rejects no row of a border-communities-style file for its technology: new ones are created, unreviewed', async () => {
    await importGeography(db.db);
    const summary = await importFile(db.db, 'atlas', fixture('atlas-border-technologies.csv'), '2020-01-10');
    expect(summary.read).toBe(31);
    expect(summary.rejections).toEqual([]);
    const technologies = await db.db.selectFrom('technologies').select(['slug', 'name', 'reviewed']).execute();
    const reviewed = new Map(technologies.map((t) => [t.slug, Number(t.reviewed) === 1]));
    const of = async (key: string) =>
      (
        await db.db
          .selectFrom('deployments')
          .select('technology_slug')
          .where('primary_origin', '=', `atlas:${key}`)
          .orderBy('technology_slug')
          .execute()
      ).map((d) => d.technology_slug);
    const lines = readFileSync(fixture('atlas-border-technologies.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('","'));
    const keyOf = (technology: string) => lines.find((f) => f[8] === technology)![0]!.replace(/^"/, '');
    // Plural and spelling variants are the known technologies; a compound gives one deployment per technology.
    expect(await of(keyOf('Cell-site Simulators'))).toEqual(['cell-site-simulator']);
    expect(await of(keyOf('Real-Time Crime Centers'))).toEqual(['real-time-crime-center']);
    expect(await of(keyOf('Gunshot detection'))).toEqual(['gunshot-detection']);
    expect(await of(keyOf('Automated License Plate Readers/Surveillance Trailer'))).toEqual([
      'license-plate-readers',
      'surveillance-trailer',
    ]);
    expect(await of(keyOf('Camera Networks/Real-Time Crime Centers'))).toEqual([
      'camera-network',
      'real-time-crime-center',
    ]);
    // A value never seen before is a technology of its own, unreviewed; its singular and plural are one.
    expect(await of(keyOf('Tethered Aerostat Radar System'))).toEqual(['tethered-aerostat-radar-system']);
    expect(await of(keyOf('Camera Network'))).toEqual(['camera-network']);
    for (const slug of [
      'camera-network',
      'iris-scanning',
      'spy-plane',
      'surveillance-tower',
      'integrated-fixed-tower',
      'starchase',
      'lidar',
    ])
      expect(reviewed.get(slug)).toBe(false);
    expect(reviewed.get('cell-site-simulator')).toBe(true);
    expect(technologies.find((t) => t.slug === 'iris-scanning')!.name).toBe('Iris scanning');
    // Named as first written ("Camera Network", not the later compound's "Camera Networks").
    expect(technologies.find((t) => t.slug === 'camera-network')!.name).toBe('Camera Network');
    // Each new technology is announced once, at the first row that names it.
    expect(
      summary.warnings.filter((w) => w.message.includes('"Camera Network" is a technology not seen before')),
    ).toHaveLength(1);
    // Every row gave at least one deployment: 31 rows, 3 compounds.
    expect(await countDeployments(db)).toBe(34);
  });

  it('reads an Atlas Data Library file (the border-communities layout) as Atlas rows, every row kept', async () => {
    await importGeography(db.db);
    const summary = await importFile(
      db.db,
      'atlas-data-library',
      fixture('atlas-data-library-border.csv'),
      '2020-01-10',
    );
    expect({ read: summary.read, rejected: summary.rejected }).toEqual({ read: 31, rejected: 0 });
    expect(await countDeployments(db)).toBe(34);
    const reviewed = await db.db
      .selectFrom('technologies')
      .select(['slug', 'reviewed'])
      .where('slug', 'in', ['tactical-aerostat', 'pole-camera'])
      .orderBy('slug')
      .execute();
    expect(reviewed.map((t) => [t.slug, Number(t.reviewed)])).toEqual([
      ['pole-camera', 0],
      ['tactical-aerostat', 0],
    ]);
    // Its rows are a dataset of their own, keyed by "Ref no."; "Additional Link #1" is a source like the export's Link 2.
    const lines = readFileSync(fixture('atlas-data-library-border.csv'), 'utf8').trim().split('\n').slice(1);
    const withSecond = lines.map((l) => l.split(',')).find((f) => /^https?:/.test(f.at(-6) ?? ''))!;
    expect(await sourcesOfRow(db, `atlas-data-library:${withSecond[0]}`)).toContain(withSecond.at(-6));
    // A bad row is named by the file's own column.
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    const broken = join(dir, 'border-broken.csv');
    writeFileSync(broken, readFileSync(fixture('atlas-data-library-border.csv'), 'utf8').replace(/\nAOS0128,/, '\n,'));
    expect((await importFile(db.db, 'atlas-data-library', broken, '2020-01-10')).rejections).toEqual([
      { line: 2, field: 'Ref no.', reason: expect.stringContaining('is empty') },
    ]);
  });

  it('takes every address a link cell holds, and warns of a cell that holds none', async () => {
    await importGeography(db.db);
    const summary = await importFile(db.db, 'atlas', fixture('atlas-link-cells.csv'), '2020-10-07');
    expect(summary.rejected).toBe(0);
    // AOS0163's Link 2 names a publisher, not an address: the row is kept, the cell is not a source.
    expect(summary.warnings).toContainEqual({
      line: 2,
      message: 'AOS0163: Link 2 "County of Placer" is not a web address; it is not kept as a source',
    });
    // AOS0787's Link 3 holds the Tucson manual's address twice, on two lines: it is one source.
    expect(await sourcesOfRow(db, 'atlas:AOS0787')).toEqual([
      'http://www.pcao.pima.gov/documents/14%20January%202018%20Memo%20to%20CHH%20and%20Bd%20of%20Sup%20re%20PCAO%202019-20%20Proposed%20Budget.pdf',
      'https://www.documentcloud.org/documents/6573653-2017-BWCPIP-Awards.html',
      'https://www.tucsonaz.gov/files/police/BWC_User_Manual_PDF.pdf',
    ]);
  });

  it('imports the good rows of a broken file and reports every bad row with its line, field and reason', async () => {
    await importGeography(db.db);
    const summary = await importFile(db.db, 'atlas', fixture('atlas-broken.csv'));
    expect(summary.read).toBe(8);
    // "Mind Reading" is no technology anyone knows: the row is kept, under a new technology for an editor to review.
    expect(summary.created).toBe(4);
    expect(summary.warnings).toContainEqual({
      line: 6,
      message: expect.stringContaining(
        '"Mind Reading" is a technology not seen before; it was added as "mind-reading", unreviewed',
      ),
    });
    expect(summary.rejections).toEqual([
      { line: 3, field: 'State', reason: '"XX" is not a US state or territory code' },
      { line: 5, field: 'Agency', reason: 'is empty' },
      { line: 7, field: '(row)', reason: 'expected 25 fields, found 4' },
      { line: 8, field: 'Link 1', reason: '"not a link" is not a web address' },
    ]);
    const origins = await db.db
      .selectFrom('origins')
      .select(['row_key', 'line'])
      .where('entity_type', '=', 'deployment')
      .orderBy('line')
      .execute();
    expect(origins.map((o) => [o.row_key, o.line])).toEqual([
      ['AOS0128', 2],
      ['AOS0249', 4],
      ['AOS0579', 6],
      ['AOS0715', 9],
    ]);
  });

  it('refuses a file of the wrong shape as a whole and writes nothing', async () => {
    await importGeography(db.db);
    const before = await countRows(db);
    await expect(importFile(db.db, 'atlas', fixture('mayors-sample-wrong-shape.csv'))).rejects.toThrow(
      ImportShapeError,
    );
    await expect(importFile(db.db, 'atlas', fixture('mayors-sample-wrong-shape.csv'))).rejects.toThrow(
      /header lacks "AOSNUMBER"/,
    );
    await expect(importFile(db.db, 'census-counties', fixture('atlas-sample.csv'))).rejects.toThrow(
      /not a census-counties file: line 1/,
    );
    await expect(importFile(db.db, 'counterwatch', fixture('atlas-sample.csv'))).rejects.toThrow(ImportShapeError);
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    writeFileSync(join(dir, 'empty.csv'), '');
    await expect(importFile(db.db, 'atlas', join(dir, 'empty.csv'))).rejects.toThrow(/empty/);
    await expect(importFile(db.db, 'atlas', join(dir, 'missing.csv'))).rejects.toThrow(/no such file/);
    expect(await countRows(db)).toEqual(before);
  });

  it('imports policies, Flock cancellations and mayors with their places, statuses and sources', async () => {
    await importGeography(db.db);
    const policies = await importFile(db.db, 'frt-policies', fixture('frt-sample.csv'));
    expect(policies.rejected).toBe(0);
    const somerville = await db.db
      .selectFrom('policies')
      .selectAll()
      .where('place_id', '=', 'place-2562535')
      .executeTakeFirstOrThrow();
    expect(somerville).toMatchObject({
      kind: 'ban',
      status: 'passed',
      state_code: 'MA',
      level: 'city',
      scope: 'government',
    });
    // New York's moratorium is for schools: its own row says so.
    expect(
      await db.db.selectFrom('policies').select('scope').where('state_code', '=', 'NY').executeTakeFirstOrThrow(),
    ).toEqual({ scope: 'schools' });
    const stateLaw = await db.db.selectFrom('policies').selectAll().where('place_id', '=', 'ma').execute();
    expect(stateLaw.length).toBeGreaterThanOrEqual(0);

    const flock = await importFile(db.db, 'flock-cancellations', fixture('flock-sample.csv'));
    expect(flock.rejected).toBe(0);
    const cancelled = await db.db
      .selectFrom('deployments')
      .selectAll()
      .where('programme', '=', 'flock-safety')
      .execute();
    expect(cancelled.length).toBeGreaterThan(0);
    for (const d of cancelled) {
      expect(['cancelled', 'ended', 'rejected', 'active']).toContain(d.status);
      if (d.status !== 'active') expect(d.ended_on).not.toBeNull();
    }
    // DeFlock gives months: an end in August 2026 is August 2026, last seen as of the list's date.
    const kingstown = cancelled.find((d) => d.id.startsWith('ri-kingstown-'))!;
    expect(kingstown).toMatchObject({
      status: 'cancelled',
      ended_on: '2026-08-01',
      ended_precision: 'month',
      last_seen_on: '2026-08-22',
      last_seen_precision: 'day',
    });
    // Vermont's law is listed by Fight for the Future with a month only.
    const vermont = await db.db
      .selectFrom('policies')
      .selectAll()
      .where('state_code', '=', 'VT')
      .executeTakeFirstOrThrow();
    expect(vermont).toMatchObject({
      status: 'passed',
      status_on: '2020-10-01',
      status_precision: 'month',
      level: 'state',
    });

    const mayors = await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    expect(mayors.read).toBe(30);
    const officials = await db.db.selectFrom('officials').selectAll().execute();
    expect(officials.length).toBeGreaterThan(0);
    expect(officials.every((o) => o.verified_on === '2020-10-19' && o.role === 'mayor')).toBe(true);
    expect(officials.filter((o) => o.place_id !== null).length / officials.length).toBeGreaterThan(0.8);
  });

  it('keeps the Atlas agency and the FBI agency as one when the FBI list is imported second', async () => {
    await importFile(db.db, 'census-states', fixture('states.psv'));
    await importFile(db.db, 'census-counties', fixture('counties-sample.psv'));
    await importFile(db.db, 'census-places', fixture('places-sample.csv'));
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'));
    const before = await db.db
      .selectFrom('deployments')
      .select('agency_id')
      .where('id', 'like', 'ma-attleboro-police-department%')
      .executeTakeFirstOrThrow();
    expect(before.agency_id).toBe('ma-attleboro-police-department');
    await importFile(db.db, 'fbi-agencies', fixture('fbi-agencies-sample.csv'));
    const agency = await db.db
      .selectFrom('agencies')
      .selectAll()
      .where('id', '=', 'ma-attleboro-police-department')
      .executeTakeFirstOrThrow();
    expect(agency.ori).toBe('MA0030200');
    const copies = await db.db.selectFrom('agencies').select('id').where('ori', '=', 'MA0030200').execute();
    expect(copies).toHaveLength(1);
  });

  it('finds an agency created by an earlier batch through its town (one batch per row)', async () => {
    await importGeography(db.db);
    // TEST ROWS, not real data: Addison, VT has no agency in the FBI list, so the first row creates one;
    // the second names it differently and must be matched to it by its town, a batch later.
    const row = (id: string, agency: string, technology: string) =>
      [
        id,
        'Addison',
        'Addison County',
        'VT',
        agency,
        'Police',
        '[TEST ROW]',
        'Municipal',
        technology,
        '',
        `https://example.org/${id}`,
        ...Array(14).fill(''),
      ]
        .map((f) => `"${f}"`)
        .join(',');
    const file = join(mkdtempSync(join(tmpdir(), 'cw-')), 'atlas-test.csv');
    writeFileSync(
      file,
      [
        ATLAS_COLUMNS.map((c) => `"${c}"`).join(','),
        row('TEST1', 'Addison Police Department', 'Body-worn Cameras'),
        row('TEST2', 'Town of Addison Police', 'Drones'),
      ].join('\n') + '\n',
    );
    const summary = await runImport(db.db, atlasImporter, file, { batchSize: 1, asOf: '2020-10-07' });
    expect(summary).toMatchObject({ read: 2, created: 2, rejected: 0 });
    const deployments = await db.db
      .selectFrom('deployments')
      .select(['agency_id', 'technology_slug'])
      .orderBy('technology_slug')
      .execute();
    expect(deployments).toEqual([
      { agency_id: 'vt-addison-police-department', technology_slug: 'body-worn-cameras' },
      { agency_id: 'vt-addison-police-department', technology_slug: 'drones' },
    ]);
  });

  it('keeps a copy of the file name and its SHA-256 for every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-'));
    copyFileSync(fixture('states.psv'), join(dir, 'states.psv'));
    await importFile(db.db, 'census-states', join(dir, 'states.psv'));
    const run = await db.db.selectFrom('import_runs').selectAll().executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      kind: 'census-states',
      file: 'states.psv',
      status: 'finished',
      rows_read: 57,
      rows_created: 57,
    });
    expect(run.file_sha256).toBe(
      createHash('sha256')
        .update(readFileSync(fixture('states.psv')))
        .digest('hex'),
    );
  });
});

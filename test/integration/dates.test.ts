import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '#src/app';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { ImportAsOfError, runImport, type ImportSummary } from '#src/importers/pipeline';
import { ATLAS_COLUMNS } from '#src/importers/kinds/atlas.importer';
import { DATABASES, countRows, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

const ATTLEBORO_RING = 'ma-attleboro-police-department-ma0030200--ring-neighbors';

/** A copy of the Atlas sample under another name, with its text changed by `edit`. */
function variant(name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cw-dates-')), name);
  writeFileSync(path, edit(readFileSync(fixture('atlas-sample.csv'), 'utf8')));
  return path;
}

/** What each row of a run wrote, by the deployment its origin names: created, updated or unchanged, from the run's revisions. */
async function outcomesFromRevisions(
  db: TestDatabase,
  summary: ImportSummary,
): Promise<{ created: number; updated: number; unchanged: number }> {
  const revisions = await db.db
    .selectFrom('revisions')
    .select(['entity_type', 'entity_id', 'action'])
    .where('actor', '=', `import:${summary.runId}`)
    .execute();
  const created = new Set<string>();
  const touched = new Set<string>();
  for (const r of revisions) {
    const deployment =
      r.entity_type === 'deployment'
        ? r.entity_id
        : r.entity_type === 'deployment_event'
          ? r.entity_id.split('@')[0]!
          : r.entity_type === 'citation' && r.entity_id.startsWith('deployment:')
            ? r.entity_id.split(':')[1]!
            : r.entity_type === 'deployment_vendor'
              ? r.entity_id.split('|')[0]!
              : null;
    if (deployment === null) continue;
    touched.add(deployment);
    if (r.entity_type === 'deployment' && r.action === 'create') created.add(deployment);
  }
  const rows = await db.db
    .selectFrom('origins')
    .select(['entity_id', 'row_key'])
    .where('entity_type', '=', 'deployment')
    .where('file', '=', summary.file)
    .execute();
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const byRow = new Map(rows.map((r) => [r.row_key, r.entity_id]));
  for (const deployment of byRow.values())
    counts[created.has(deployment) ? 'created' : touched.has(deployment) ? 'updated' : 'unchanged']++;
  return counts;
}

describe.each(DATABASES)('dates that mean what they say, on %s', (dialect) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it("keeps a date's precision: a year-only document date is a year, and is no start", async () => {
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    const app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    try {
      // AOS0578: the Lawrence Police Department's body cameras, documented by a DOJ grant list dated "2018".
      const lawrence = (await app.inject('/api/v1/deployments?q=lawrence&technology=body-worn-cameras')).json().data[0];
      expect(lawrence).toMatchObject({
        started_on: null,
        first_documented_on: '2018',
        first_documented_precision: 'year',
        last_seen_on: '2020-10-07',
        status: 'active',
        in_use_from: '2018-12-31',
      });
      expect(lawrence.sources[0]).toMatchObject({ cited_on: '2018', cited_precision: 'year' });
      const page = await app.inject(lawrence.url);
      expect(page.body).toContain('<time datetime="2018">2018</time>');
      expect(page.body).not.toContain('Jan 1, 2018');
      expect(page.body).toMatch(
        /active<\/span> <span class="as-of">as of <time datetime="2020-10-07">Oct 7, 2020<\/time>/,
      );
      // Ring's Active Date is a start, at day precision; the map link it comes with is not a dated document.
      const ring = (await app.inject(`/api/v1/deployments/${ATTLEBORO_RING}`)).json();
      expect(ring).toMatchObject({
        started_on: '2020-01-21',
        started_precision: 'day',
        first_documented_on: '2020-10-07',
        last_seen_on: '2020-10-07',
      });
      expect(ring.sources[0].cited_on).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('refuses an import without an as-of date, or with one in the future, and writes nothing', async () => {
    const before = await countRows(db);
    const undated = variant('atlas-export.csv');
    await expect(runImport(db.db, IMPORT_KINDS.get('atlas')!, undated)).rejects.toThrow(ImportAsOfError);
    await expect(runImport(db.db, IMPORT_KINDS.get('atlas')!, undated)).rejects.toThrow(/--as-of YYYY-MM-DD/);
    await expect(runImport(db.db, IMPORT_KINDS.get('atlas')!, undated, { asOf: '2099-01-01' })).rejects.toThrow(
      /in the future/,
    );
    await expect(runImport(db.db, IMPORT_KINDS.get('atlas')!, undated, { asOf: 'last week' })).rejects.toThrow(
      /not a date/,
    );
    expect(await countRows(db)).toEqual(before);
    // A date in the file's name is its as-of date.
    const named = await runImport(db.db, IMPORT_KINDS.get('atlas')!, variant('atlas-of-surveillance-20201007.csv'));
    expect(named.asOf).toBe('2020-10-07');
    const run = await db.db
      .selectFrom('import_runs')
      .select(['as_of', 'as_of_precision'])
      .where('id', '=', named.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ as_of: '2020-10-07', as_of_precision: 'day' });
  });

  it('counts exactly what each run wrote, as its revisions show', async () => {
    // One row per deployment here, so that each row's outcome is its deployment's (AOS2324 and AOS5761
    // repeat the deployments of AOS2323 and AOS5377).
    const single = (text: string) =>
      text
        .split('\n')
        .filter((l) => !/^"AOS(2324|5761)"/.test(l))
        .join('\n');
    const first = await importFile(db.db, 'atlas', variant('atlas-of-surveillance-20201007.csv', single));
    expect(first.created + first.updated + first.unchanged + first.rejected).toBe(first.read);
    expect({ created: first.created, updated: first.updated, unchanged: first.unchanged }).toEqual(
      await outcomesFromRevisions(db, first),
    );

    // An older version of the export (January 2020): three rows fewer, one Active Date different.
    const older = variant('atlas-of-surveillance-20200115.csv', (text) => {
      const lines = single(text).split('\n');
      return [lines[0], ...lines.slice(4)].join('\n').replace('"Ring","","1/21/2020"', '"Ring","","1/19/2020"');
    });
    const second = await importFile(db.db, 'atlas', older);
    expect(second.asOf).toBe('2020-01-15');
    expect({ created: second.created, updated: second.updated, unchanged: second.unchanged }).toEqual(
      await outcomesFromRevisions(db, second),
    );
    expect(second.created).toBe(0);
    // Every row it lists adds a sighting as of January 2020 (an update), and nothing else changes.
    expect(second.updated).toBe(second.read);

    const again = await importFile(db.db, 'atlas', older);
    expect({ created: again.created, updated: again.updated, unchanged: again.unchanged }).toEqual({
      created: 0,
      updated: 0,
      unchanged: again.read,
    });
    expect(await outcomesFromRevisions(db, again)).toEqual({ created: 0, updated: 0, unchanged: again.read });
  });

  it('never moves last_seen_on back, nor lets an older file change what a newer one stated', async () => {
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    const seen = async () =>
      Object.fromEntries(
        (await db.db.selectFrom('deployments').select(['id', 'last_seen_on', 'started_on']).execute()).map((d) => [
          d.id,
          d,
        ]),
      );
    const before = await seen();
    await importFile(
      db.db,
      'atlas',
      variant('atlas-of-surveillance-20200115.csv', (t) => t.replace('"Ring","","1/21/2020"', '"Ring","","1/19/2020"')),
    );
    expect(await seen()).toEqual(before);
    const attleboro = await db.db
      .selectFrom('deployment_events')
      .select(['id', 'kind', 'occurred_on', 'as_of'])
      .where('deployment_id', '=', ATTLEBORO_RING)
      .orderBy('id')
      .execute();
    expect(attleboro).toEqual([
      { id: `${ATTLEBORO_RING}@atlas:AOS4546`, kind: 'transition', occurred_on: '2020-01-21', as_of: '2020-10-07' },
      {
        id: `${ATTLEBORO_RING}@listed:atlas:2020-01-15`,
        kind: 'listed',
        occurred_on: '2020-01-15',
        as_of: '2020-01-15',
      },
      {
        id: `${ATTLEBORO_RING}@listed:atlas:2020-10-07`,
        kind: 'listed',
        occurred_on: '2020-10-07',
        as_of: '2020-10-07',
      },
    ]);
    // A newer version moves it forward, for the rows it still lists.
    await importFile(db.db, 'atlas', variant('atlas-of-surveillance-20210301.csv'));
    expect((await seen())[ATTLEBORO_RING]!.last_seen_on).toBe('2021-03-01');
  });

  it("never lets a weaker, later source replace Ring's own Active Date", async () => {
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    // TEST ROW, not real data: a later file cites a news article dated a week before Ring's Active Date.
    const row = [
      'TEST1',
      'Attleboro',
      'Bristol County',
      'MA',
      'Attleboro Police Department',
      'Police',
      '[TEST ROW]',
      'Municipal',
      'Ring/Neighbors Partnership',
      'Ring',
      'https://example.org/test-article',
      '',
      'Test Gazette',
      '',
      '1/14/2020',
      ...Array(10).fill(''),
    ];
    const path = join(mkdtempSync(join(tmpdir(), 'cw-')), 'atlas-test-20201201.csv');
    writeFileSync(path, [ATLAS_COLUMNS, row].map((r) => r.map((f) => `"${f}"`).join(',')).join('\n') + '\n');
    await importFile(db.db, 'atlas', path);
    const ring = await db.db
      .selectFrom('deployments')
      .selectAll()
      .where('id', '=', ATTLEBORO_RING)
      .executeTakeFirstOrThrow();
    expect(ring).toMatchObject({
      started_on: '2020-01-21',
      started_precision: 'day',
      first_documented_on: '2020-01-14',
      last_seen_on: '2020-12-01',
    });
  });

  it('answers an active_on later than the data with as_of and a warning, in the API and on the list', async () => {
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    const app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    try {
      const late = await app.inject('/api/v1/deployments?technology=ring-neighbors&active_on=2026-01-01&limit=1');
      const answer = late.json();
      expect(answer.total).toBeGreaterThan(0);
      expect(answer.as_of).toBe('2020-10-07');
      expect(answer.warning).toBe(
        `${answer.total} of the ${answer.total} deployments in this answer were last seen before 2026-01-01 (the newest data behind it is as of 2020-10-07): each is counted as in use when a source last showed it, which says nothing about 2026-01-01.`,
      );
      expect(late.headers['x-data-as-of']).toBe('2020-10-07');
      const csv = await app.inject('/api/v1/deployments?technology=ring-neighbors&active_on=2026-01-01&format=csv');
      expect(csv.headers['x-data-warning']).toContain('last seen before 2026-01-01');
      const early = (
        await app.inject('/api/v1/deployments?technology=ring-neighbors&active_on=2020-06-30&limit=1')
      ).json();
      expect(early.as_of).toBe('2020-10-07');
      expect(early.warning).toBeUndefined();
      expect((await app.inject('/api/v1/deployments?technology=ring-neighbors&limit=1')).json().as_of).toBeUndefined();
      const list = await app.inject('/deployments?technology=ring-neighbors&active_on=2026-01-01');
      expect(list.body).toContain('<strong>Not a count for 2026-01-01.</strong>');
      expect((await app.inject('/deployments?technology=ring-neighbors&active_on=2020-06-30')).body).not.toContain(
        'Not a count for',
      );
    } finally {
      await app.close();
    }
  });
});

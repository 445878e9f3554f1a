import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '#src/app';
import { readDatasetVersion } from '#src/storage/dataset-version';
import { syncSource, SyncError } from '#src/sync/sync.service';
import { dueSources } from '#src/sync/sync-schedule';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importGeography } from '../support/fixtures';

/** A loopback HTTP server that serves one version of a file at a time, with an ETag and Last-Modified. */
class FileServer {
  readonly requests: IncomingHttpHeaders[] = [];
  body: Buffer = Buffer.alloc(0);
  etag = '';
  lastModified = '';
  /** Answer 200 even to a conditional request that matches, as servers without ETags do. */
  ignoreConditional = false;
  private server: Server | null = null;

  serve(body: Buffer, lastModified: string): void {
    this.body = body;
    this.etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    this.lastModified = lastModified;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.requests.push(request.headers);
      if (!this.ignoreConditional && request.headers['if-none-match'] === this.etag) {
        response.writeHead(304, { etag: this.etag }).end();
        return;
      }
      response
        .writeHead(200, {
          'content-type': 'text/csv',
          etag: this.etag,
          'last-modified': this.lastModified,
          'content-length': this.body.length,
        })
        .end(this.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/exports/atlas.csv`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const TABLES = [
  'deployments',
  'deployment_events',
  'citations',
  'origins',
  'revisions',
  'changes',
  'import_runs',
  'agencies',
] as const;

describe.each(DATABASES)('sync on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let files: FileServer;
  let url: string;
  let sourcesDir: string;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    app = await buildApp(db, { rateLimitPerMinute: 1_000_000, versionTtlMs: 0 });
    files = new FileServer();
    url = await files.start();
    sourcesDir = mkdtempSync(join(tmpdir(), 'cw-sources-'));
  });
  afterEach(async () => {
    await files.stop();
    await app.close();
    await db.destroy();
    rmSync(sourcesDir, { recursive: true, force: true });
  });

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES)
      out[table] = Number(
        (
          await db.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { ...out, version: await readDatasetVersion(db.db) };
  };
  const sync = (target: string, options: Parameters<typeof syncSource>[3] = {}) =>
    syncSource(db.db, target, { dataDir: join(sourcesDir, 'none'), sourcesDir }, options);

  it('syncs two versions of a real file over HTTP: conditional GET, nothing written when unchanged, "no longer listed" events, changes and Atom', async () => {
    await importGeography(db.db);
    // Version 1: real rows of the Atlas export of 2020-10-07, served as the Atlas's own server would.
    const v1 = readFileSync(fixture('atlas-sample.csv'));
    files.serve(v1, 'Wed, 07 Oct 2020 16:00:00 GMT');
    const first = await sync(url, { kind: 'atlas', name: 'atlas-test', title: 'Atlas of Surveillance (test server)' });
    expect(first).toMatchObject({
      source: 'atlas-test',
      outcome: 'imported',
      asOf: '2020-10-07',
      sha256: createHash('sha256').update(v1).digest('hex'),
    });
    expect(first.summary!.created).toBeGreaterThan(80);
    // The raw file is kept under its SHA-256, byte for byte.
    expect(readFileSync(first.rawPath!)).toEqual(v1);
    expect(first.rawPath!).toContain(first.sha256!.slice(0, 12));

    // Unchanged: the server answers the conditional GET with 304, and nothing is written.
    const before = await counts();
    const second = await sync('atlas-test');
    expect(files.requests.at(-1)!['if-none-match']).toBe(files.etag);
    expect(files.requests.at(-1)!['if-modified-since']).toBe('Wed, 07 Oct 2020 16:00:00 GMT');
    expect(second.outcome).toBe('not-modified');
    expect(await counts()).toEqual(before);
    // A server that ignores the condition sends the same bytes: still nothing is written.
    files.ignoreConditional = true;
    expect((await sync('atlas-test')).outcome).toBe('unchanged');
    expect(await counts()).toEqual(before);
    files.ignoreConditional = false;

    // Version 2: two rows are gone (each the only row of its deployment) and one row's summary changed.
    const origins = await db.db
      .selectFrom('origins')
      .select(['entity_id', 'row_key'])
      .where('entity_type', '=', 'deployment')
      .where('dataset', '=', 'atlas-test')
      .execute();
    const rowsOf = new Map<string, string[]>();
    for (const o of origins) rowsOf.set(o.entity_id, [...(rowsOf.get(o.entity_id) ?? []), o.row_key]);
    const gone = [...rowsOf.entries()].filter(([, keys]) => keys.length === 1).slice(0, 2);
    const goneKeys = new Set(gone.map(([, [key]]) => key!));
    const lines = v1.toString('utf8').split('\n');
    const changedLine = lines.findIndex((l, i) => i > 0 && l.startsWith('"AOS') && !goneKeys.has(l.slice(1, 8)));
    const v2Lines = lines.filter((l) => !goneKeys.has(l.slice(1, 8)));
    const index = v2Lines.indexOf(lines[changedLine]!);
    const fields = v2Lines[index]!.split('","');
    fields[6] = `${fields[6]} (Summary edited in version 2 of the test file.)`;
    v2Lines[index] = fields.join('","');
    files.serve(Buffer.from(v2Lines.join('\n')), 'Fri, 20 Nov 2020 09:30:00 GMT');
    const since = new Date().toISOString();
    const third = await sync('atlas-test');
    expect(third.outcome).toBe('imported');
    expect(third.asOf).toBe('2020-11-20');
    expect(third.summary!.unlisted).toBe(2);
    expect(third.summary!.updated).toBeGreaterThanOrEqual(1);
    expect(existsSync(first.rawPath!)).toBe(true);

    // The deployments are kept, with their status, and marked as no longer listed by the source, with the date.
    for (const [id] of gone) {
      const answer = await app.inject({ url: `/api/v1/deployments/${id}` });
      expect(answer.statusCode).toBe(200);
      const d = answer.json();
      expect(d.status).toBe('active');
      expect(d.last_seen_on).toBe('2020-10-07');
      expect(d.no_longer_listed).toEqual({ on: '2020-11-20', by: 'atlas-test' });
      expect(d.events).toContainEqual(
        expect.objectContaining({ kind: 'unlisted', occurred_on: '2020-11-20', note: 'atlas-test' }),
      );
      const page = await app.inject({ url: `/deployments/${id}` });
      expect(page.body).toContain('no longer listed by atlas-test');
    }
    // A row still listed moves its "last seen" to the new version.
    const kept = await db.db
      .selectFrom('deployments')
      .select(['last_seen_on', 'unlisted_on'])
      .where(
        'id',
        '=',
        [...rowsOf.keys()].find((id) => !gone.some(([g]) => g === id))!,
      )
      .executeTakeFirstOrThrow();
    expect(kept).toEqual({ last_seen_on: '2020-11-20', unlisted_on: null });

    // The change history has them, by cursor, oldest first, each once.
    const seen: Array<{
      id: number;
      kind: string;
      entity_id: string;
      source: string;
      run_id: string;
      fields: Record<string, unknown> | null;
    }> = [];
    let next: string | null = null;
    do {
      const page: { statusCode: number; json: () => { data: typeof seen; next: string | null } } = await app.inject({
        url: `/api/v1/changes?since=${encodeURIComponent(since)}&limit=1${next ? `&cursor=${next}` : ''}`,
      });
      expect(page.statusCode).toBe(200);
      const body: { data: typeof seen; next: string | null } = page.json();
      seen.push(...body.data);
      next = body.next;
    } while (next);
    expect(new Set(seen.map((c) => c.id)).size).toBe(seen.length);
    expect(seen.map((c) => c.id)).toEqual([...seen.map((c) => c.id)].sort((a, b) => a - b));
    expect(
      seen
        .filter((c) => c.kind === 'no-longer-listed')
        .map((c) => c.entity_id)
        .sort(),
    ).toEqual(gone.map(([id]) => id).sort());
    const edited = seen.find((c) => c.kind === 'updated' && c.fields && 'summary' in c.fields);
    expect(edited).toBeDefined();
    expect(seen.every((c) => c.source === 'atlas-test' && c.run_id === third.summary!.runId)).toBe(true);
    expect(
      (await app.inject({ url: `/api/v1/changes?since=${encodeURIComponent(since)}&kind=no-longer-listed` })).json()
        .data,
    ).toHaveLength(2);
    expect((await app.inject({ url: '/api/v1/changes?since=yesterday' })).statusCode).toBe(400);
    // The record page shows its history.
    const editedPage = await app.inject({ url: `/deployments/${edited!.entity_id}` });
    expect(editedPage.body).toContain('<h2>History</h2>');
    expect(editedPage.body).toContain('by the import of');

    // Valid Atom, for the whole history, a place and a technology.
    const atom = await app.inject({ url: '/feeds/changes.atom' });
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(XMLValidator.validate(atom.body)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(atom.body).feed;
    expect(feed.xmlns).toBe('http://www.w3.org/2005/Atom');
    for (const required of ['id', 'title', 'updated', 'author']) expect(feed[required]).toBeDefined();
    const entries = Array.isArray(feed.entry) ? feed.entry : [feed.entry];
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) {
      expect(entry.id).toMatch(/^tag:/);
      expect(Date.parse(entry.updated)).not.toBeNaN();
      expect(entry.link.href).toMatch(/^http:\/\/127\.0\.0\.1:3000\//);
    }
    expect(
      entries.filter((e: { title: string }) => e.title.includes('is no longer listed by atlas-test')),
    ).toHaveLength(2);
    const [goneId] = gone[0]!;
    const place = await db.db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .select(['a.place_id', 'd.technology_slug'])
      .where('d.id', '=', goneId)
      .executeTakeFirstOrThrow();
    for (const path of [
      `/feeds/technologies/${place.technology_slug}.atom`,
      ...(place.place_id ? [`/feeds/places/${place.place_id}.atom`] : []),
    ]) {
      const answer = await app.inject({ url: path });
      expect(answer.statusCode).toBe(200);
      expect(XMLValidator.validate(answer.body)).toBe(true);
      expect(answer.body).toContain('is no longer listed by atlas-test');
    }
    expect((await app.inject({ url: '/feeds/places/place-0000000.atom' })).statusCode).toBe(404);

    // The datasets list says what each source is, its date and its last sync; its changes are one filter away.
    const datasets = (await app.inject({ url: '/api/v1/datasets' })).json().data as Array<Record<string, unknown>>;
    expect(datasets.find((d) => d.name === 'atlas-test')).toMatchObject({
      kind: 'atlas',
      bundled: false,
      location: url,
      as_of: '2020-11-20',
      last_outcome: 'imported',
      sha256: third.sha256,
    });
    expect(datasets.find((d) => d.name === 'atlas')).toMatchObject({
      bundled: true,
      location: 'data/atlas-of-surveillance-2020/atlas-of-surveillance-20201007.csv',
      as_of_rule: 'fixed:2020-10-07',
    });
    const bySource = (await app.inject({ url: '/api/v1/changes?source=atlas-test&limit=1000' })).json().data as Array<{
      source: string;
    }>;
    expect(bySource.length).toBeGreaterThan(seen.length);
    expect(bySource.every((c) => c.source === 'atlas-test')).toBe(true);
  });

  it('syncs on a schedule only the sources that have one, when they are due', async () => {
    files.serve(readFileSync(fixture('atlas-sample.csv')), 'Wed, 07 Oct 2020 16:00:00 GMT');
    await importGeography(db.db);
    await sync(url, { kind: 'atlas', name: 'atlas-test' });
    // Off by default: no source is due, however old its last check.
    expect(await dueSources(db.db, new Date('2030-01-01T00:00:00Z'))).toEqual([]);
    await db.db.updateTable('data_sources').set({ schedule_hours: 24 }).where('name', '=', 'atlas-test').execute();
    const checked = (
      await db.db
        .selectFrom('data_sources')
        .select('checked_at')
        .where('name', '=', 'atlas-test')
        .executeTakeFirstOrThrow()
    ).checked_at!;
    expect(await dueSources(db.db, new Date(Date.parse(checked) + 23 * 3_600_000))).toEqual([]);
    expect(await dueSources(db.db, new Date(Date.parse(checked) + 24 * 3_600_000))).toEqual(['atlas-test']);
  });

  it('explains a source it cannot sync, and keeps what failed on the source', async () => {
    await expect(sync('no-such-source')).rejects.toThrow(
      /no source is named "no-such-source"; to add it, give its kind with --kind/,
    );
    await expect(sync('ftp://example.org/atlas.csv', { kind: 'atlas' })).rejects.toThrow(
      /only http:\/\/ and https:\/\/ are fetched/,
    );
    await expect(sync(url, { kind: 'nope' })).rejects.toThrow(/--kind "nope" is not one of/);
    files.serve(readFileSync(fixture('mayors-sample-wrong-shape.csv')), 'Wed, 07 Oct 2020 16:00:00 GMT');
    await expect(sync(url, { kind: 'atlas', name: 'wrong' })).rejects.toThrow(SyncError);
    const source = await db.db
      .selectFrom('data_sources')
      .selectAll()
      .where('name', '=', 'wrong')
      .executeTakeFirstOrThrow();
    expect(source.last_outcome).toMatch(/^failed: .*header lacks "AOSNUMBER"/);
    expect(source.sha256).toBeNull();
    expect(
      Number(
        (
          await db.db
            .selectFrom('deployments')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    await files.stop();
    await expect(sync('wrong')).rejects.toThrow(/could not fetch http:\/\/127\.0\.0\.1/);
  });
});

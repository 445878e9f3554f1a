import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '#src/app';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { openDatabase } from '#src/storage/dialect';
import { loadSupporterKey } from '#src/security/supporter-crypto';
import { csvField } from '#src/features/export/export.service';
import { SECURITY_HEADERS } from '#src/http/security-headers';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

/** Regressions of what a security probe of the running app found (issue 12), on both databases. */
describe.each(DATABASES)('security and reliability on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    app = await buildApp(db, { versionTtlMs: 0, rateLimitPerMinute: 1_000_000, logLevel: 'info', logStream: stream });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  const expectSecurityHeaders = (headers: Record<string, unknown>, what: string) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name], `${what}: ${name}`).toBe(value);
  };

  it('remembers one answer for a request however it is padded or ordered, bounded by entries and bytes', async () => {
    const stats = () => app.responseCache.stats();
    await app.inject('/api/v1/deployments?state=MA&limit=2');
    const base = stats();
    for (let i = 0; i < 2000; i++) {
      // Unknown parameters are refused (and a refusal is never remembered); known ones in any order and
      // case are one request.
      const padded = await app.inject(`/api/v1/deployments?limit=2&state=MA&pad${i % 7}=${'x'.repeat(1000)}${i}`);
      expect(padded.statusCode).toBe(400);
      const reordered = await app.inject(
        i % 2 ? '/api/v1/deployments?state=ma&limit=2' : '/api/v1/deployments?limit=2&state=MA',
      );
      expect(reordered.statusCode).toBe(200);
    }
    expect(stats().entries).toBe(base.entries);
    expect(stats().bytes).toBe(base.bytes);

    // A new dataset version drops every entry of the old one at once.
    for (const limit of [3, 4, 5]) await app.inject(`/api/v1/deployments?limit=${limit}`);
    expect(stats().entries).toBeGreaterThan(1);
    await bumpDatasetVersion(db.db, new Date());
    await app.inject('/api/v1/deployments?limit=6');
    expect(stats().entries).toBe(1);
  });

  it('bounds the remembered answers by their number, keys and headers included', async () => {
    const { ResponseCache } = await import('#src/http/response-cache');
    const cache = new ResponseCache({ maxBytes: 1_000_000, maxEntries: 10 });
    cache.get('x', 'v1');
    for (let i = 0; i < 50; i++)
      cache.set(`key-${i}`, {
        version: 'v1',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{}'),
      });
    expect(cache.stats().entries).toBe(10);
    expect(cache.get('key-49', 'v1')).toBeDefined();
    expect(cache.get('key-0', 'v1')).toBeUndefined();
    const small = new ResponseCache({ maxBytes: 16_000, maxEntries: 1000 });
    small.get('x', 'v1');
    // Tiny bodies under long keys and headers: the keys and headers are what fills the budget.
    for (let i = 0; i < 100; i++)
      small.set(`${'k'.repeat(400)}${i}`, {
        version: 'v1',
        headers: { link: 'l'.repeat(400) },
        body: Buffer.from('1'),
      });
    expect(small.stats().bytes).toBeLessThanOrEqual(16_000);
    expect(small.stats().entries).toBeLessThan(20);
    // An answer made for an older version than the newest asked for is not kept.
    small.set('late', { version: 'v0', headers: {}, body: Buffer.from('old') });
    expect(small.get('late', 'v1')).toBeUndefined();
  });

  it('never writes a CSV cell a spreadsheet would run', () => {
    expect(csvField('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvField('+1+2')).toBe("'+1+2");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('\rcmd')).toBe(`"'\rcmd"`);
    // Numbers stay numbers, negative ones included; ordinary text is untouched.
    expect(csvField(-71.06)).toBe('-71.06');
    expect(csvField('-71.06')).toBe('-71.06');
    expect(csvField('Boston Police')).toBe('Boston Police');
  });

  it('neutralises formulas in the API and export CSVs', async () => {
    const d = await db.db.selectFrom('deployments').select('id').orderBy('id').executeTakeFirstOrThrow();
    await db.db.updateTable('deployments').set({ summary: '=cmd|" /C calc"!A0' }).where('id', '=', d.id).execute();
    await bumpDatasetVersion(db.db, new Date());
    try {
      const list = await app.inject(`/api/v1/deployments?format=csv&limit=1000`);
      expect(list.body).toContain(`"'=cmd|"" /C calc""!A0"`);
      expect(list.body).not.toMatch(/(^|,)=cmd/m);
      const full = await app.inject('/api/v1/export?format=csv');
      expect(full.body).toContain(`"'=cmd|"" /C calc""!A0"`);
    } finally {
      await db.db.updateTable('deployments').set({ summary: null }).where('id', '=', d.id).execute();
      await bumpDatasetVersion(db.db, new Date());
    }
  });

  it('answers malformed input with a 400, never a 500', async () => {
    const cases: Array<[string, { url: string; headers?: Record<string, string> }]> = [
      ['NUL in a path id', { url: '/api/v1/deployments/abc%00def' }],
      ['NUL in a page id', { url: '/deployments/abc%00def', headers: { accept: 'text/html' } }],
      ['NUL in q', { url: '/api/v1/deployments?q=ring%00' }],
      ['NUL in a search page', { url: '/search?q=bos%00ton', headers: { accept: 'text/html' } }],
      ['a cursor hiding a NUL', { url: `/api/v1/deployments?cursor=${Buffer.from('v1:a\0b').toString('base64url')}` }],
    ];
    for (const [what, request] of cases) {
      const res = await app.inject(request);
      expect(res.statusCode, what).toBe(400);
    }
    expect((await app.inject('/api/v1/deployments?q=ring%00')).json().error.parameter).toBe('q');
  });

  it('opens records whose ids are longer than 100 characters, and answers longer unknown ids with a 404', async () => {
    const d = await db.db.selectFrom('deployments').selectAll().orderBy('id').executeTakeFirstOrThrow();
    const longId = `${d.id}--${'long-programme-name-'.repeat(6)}`;
    expect(longId.length).toBeGreaterThan(100);
    await db.db
      .insertInto('deployments')
      .values({ ...d, id: longId, programme: 'long programme name' })
      .execute();
    await bumpDatasetVersion(db.db, new Date());
    try {
      expect((await app.inject(`/api/v1/deployments/${encodeURIComponent(longId)}`)).statusCode).toBe(200);
      expect(
        (await app.inject({ url: `/deployments/${encodeURIComponent(longId)}`, headers: { accept: 'text/html' } }))
          .statusCode,
      ).toBe(200);
      expect((await app.inject(`/api/v1/deployments/${'x'.repeat(290)}`)).statusCode).toBe(404);
      // Longer than any id can be: a 400 that says so.
      expect((await app.inject(`/api/v1/deployments/${'x'.repeat(400)}`)).json().error).toMatchObject({
        code: 'invalid_parameter',
        parameter: 'id',
      });
    } finally {
      await db.db.deleteFrom('deployments').where('id', '=', longId).execute();
      await bumpDatasetVersion(db.db, new Date());
    }
  });

  it('refuses a form post whose Origin is not a URL, or whose fields are not text, without a 500', async () => {
    const campaign = '/withdraw/not-a-token';
    const origin = await app.inject({
      method: 'POST',
      url: campaign,
      headers: { origin: 'not a url', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf=x',
    });
    expect(origin.statusCode).toBe(403);
    const typed = await app.inject({
      method: 'POST',
      url: campaign,
      headers: { 'content-type': 'application/json' },
      payload: { csrf: 12, pow_number: ['1'] },
    });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.parameter).toBe('csrf');
    const login = await app.inject({
      method: 'POST',
      url: '/operator/login',
      headers: { 'content-type': 'application/json' },
      payload: { csrf: { a: 1 }, email: 'x', password: 1 },
    });
    expect(login.statusCode).toBe(400);
  });

  it("sends the security headers with every answer: 304, 400, 404, 414, 429 and the framework's own", async () => {
    const first = await app.inject('/api/v1/technologies');
    expectSecurityHeaders(first.headers, '200');
    const cached = await app.inject('/api/v1/technologies');
    expectSecurityHeaders(cached.headers, 'remembered 200');
    expectSecurityHeaders(
      (await app.inject({ url: '/api/v1/technologies', headers: { 'if-none-match': String(first.headers.etag) } }))
        .headers,
      '304',
    );
    expectSecurityHeaders((await app.inject('/api/v1/deployments?limit=0')).headers, '400');
    expectSecurityHeaders((await app.inject('/nowhere')).headers, '404');
    expectSecurityHeaders(
      (
        await app.inject({
          method: 'POST',
          url: '/operator/login',
          headers: { 'content-type': 'application/json' },
          payload: '{not json',
        })
      ).headers,
      'bad JSON body',
    );
    const limited = await buildApp(db, { versionTtlMs: 0, rateLimitPerMinute: 1 });
    try {
      await limited.inject('/api/v1/technologies');
      const refused = await limited.inject('/api/v1/technologies');
      expect(refused.statusCode).toBe(429);
      expectSecurityHeaders(refused.headers, '429');
    } finally {
      await limited.close();
    }
  });

  it('answers what the HTTP parser refuses (headers too large, a path too long) with the security headers', async () => {
    const server = await buildApp(db, { versionTtlMs: 0 });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.server.address() as { port: number }).port;
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    try {
      const tooLarge = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(tooLarge).toMatch(/^HTTP\/1\.1 431/);
      expect(tooLarge).toContain(`content-security-policy: ${SECURITY_HEADERS['content-security-policy']}`);
      const longPath = await fetch(`http://127.0.0.1:${port}/api/v1/deployments/${'a'.repeat(1500)}`);
      expect(longPath.status).toBe(414);
      expect(longPath.headers.get('x-content-type-options')).toBe('nosniff');
      const garbage = await raw('NOT-HTTP\r\n\r\n');
      expect(garbage).toMatch(/^HTTP\/1\.1 400/);
      expect(garbage).toContain('x-content-type-options: nosniff');
    } finally {
      await server.close();
    }
  });

  it('never renders a stored javascript: or data: URL as a link', async () => {
    const d = await db.db.selectFrom('deployments').select('id').orderBy('id').executeTakeFirstOrThrow();
    const evil = [
      { id: 'src-evil-javascript', url: 'javascript:alert(document.domain)' },
      { id: 'src-evil-data', url: 'data:text/html,<script>alert(1)</script>' },
    ];
    for (const s of evil) {
      await db.db
        .insertInto('sources')
        .values({ ...s, publisher: 'Evil', title: null, kind: 'other', archive_url: 'javascript:alert(2)' })
        .execute();
      await db.db
        .insertInto('citations')
        .values({
          id: `deployment:${d.id}:${s.id}`,
          subject_type: 'deployment',
          subject_id: d.id,
          source_id: s.id,
          cited_on: null,
          cited_precision: null,
          note: null,
        })
        .execute();
    }
    await bumpDatasetVersion(db.db, new Date());
    try {
      const pages = [
        `/deployments/${encodeURIComponent(d.id)}`,
        '/sources/src-evil-javascript',
        '/sources/src-evil-data',
      ];
      for (const url of pages) {
        const page = await app.inject({ url, headers: { accept: 'text/html' } });
        expect(page.statusCode, url).toBe(200);
        expect(page.body, url).not.toMatch(/href="(javascript|data):/i);
      }
      expect((await app.inject({ url: pages[0]!, headers: { accept: 'text/html' } })).body).toContain(
        'javascript:alert(document.domain)',
      );
    } finally {
      await db.db
        .deleteFrom('citations')
        .where(
          'source_id',
          'in',
          evil.map((s) => s.id),
        )
        .execute();
      await db.db
        .deleteFrom('sources')
        .where(
          'id',
          'in',
          evil.map((s) => s.id),
        )
        .execute();
      await bumpDatasetVersion(db.db, new Date());
    }
  });

  it('refuses javascript: and data: links in a Counterwatch JSON import, naming the field, and keeps the valid records', async () => {
    // The export as it is written: a header line, then one record a line.
    const lines = (await app.inject('/api/v1/export?format=json')).body.split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"deployment"') && l.includes('"sources":[{'));
    expect(at).toBeGreaterThan(0);
    const trailing = lines[at]!.endsWith(',') ? ',' : '';
    const record = JSON.parse(lines[at]!.replace(/,$/, ''));
    record.sources[0].url = 'javascript:alert(1)';
    lines[at] = JSON.stringify(record) + trailing;
    const dir = mkdtempSync(join(tmpdir(), 'cw-json-'));
    const file = join(dir, 'evil.json');
    writeFileSync(file, lines.join('\n'));
    const fresh = await createTestDatabase(dialect);
    try {
      await importGeography(fresh.db);
      const summary = await importFile(fresh.db, 'counterwatch', file);
      expect(summary.rejected).toBeGreaterThanOrEqual(1);
      expect(summary.rejections.map((r) => `${r.field}: ${r.reason}`).join('\n')).toMatch(/url.*http\(s\)/);
      expect(summary.created).toBeGreaterThan(0);
      const stored = await fresh.db.selectFrom('sources').select('url').execute();
      expect(stored.map((s) => s.url)).not.toContain('javascript:alert(1)');
    } finally {
      await fresh.destroy();
    }
  });

  it('rate limits pages as well as the API, per client address', async () => {
    const limited = await buildApp(db, { versionTtlMs: 0, rateLimitPerMinute: 2 });
    try {
      const page = (ip: string) =>
        limited.inject({ url: '/about', headers: { accept: 'text/html' }, remoteAddress: ip });
      expect((await page('10.9.0.1')).statusCode).toBe(200);
      expect((await page('10.9.0.1')).statusCode).toBe(200);
      const refused = await page('10.9.0.1');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await page('10.9.0.2')).statusCode).toBe(200);
      // Built files are not counted.
      expect((await limited.inject({ url: '/favicon.svg', remoteAddress: '10.9.0.1' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('believes X-Forwarded-For only from the proxies TRUST_PROXY lists', async () => {
    const behindProxy = await buildApp(db, { versionTtlMs: 0, rateLimitPerMinute: 1, trustProxy: ['127.0.0.1'] });
    const direct = await buildApp(db, { versionTtlMs: 0, rateLimitPerMinute: 1 });
    try {
      const via = (app: FastifyInstance, client: string, remoteAddress = '127.0.0.1') =>
        app.inject({ url: '/api/v1/stats', remoteAddress, headers: { 'x-forwarded-for': client } });
      // Through the trusted proxy, two clients are two clients.
      expect((await via(behindProxy, '203.0.113.1')).statusCode).toBe(200);
      expect((await via(behindProxy, '203.0.113.2')).statusCode).toBe(200);
      expect((await via(behindProxy, '203.0.113.1')).statusCode).toBe(429);
      // From an address that is not a listed proxy, the header is ignored.
      expect((await via(behindProxy, '203.0.113.3', '198.51.100.7')).statusCode).toBe(200);
      expect((await via(behindProxy, '203.0.113.4', '198.51.100.7')).statusCode).toBe(429);
      // Without TRUST_PROXY, a forged header cannot buy a fresh limit.
      expect((await via(direct, '203.0.113.1')).statusCode).toBe(200);
      expect((await via(direct, '203.0.113.9')).statusCode).toBe(429);
    } finally {
      await behindProxy.close();
      await direct.close();
    }
  });

  it('finds agencies and places through indexes, with the last word as a prefix', async () => {
    const agency = await db.db
      .selectFrom('agencies as a')
      .innerJoin('deployments as d', 'd.agency_id', 'a.id')
      .select(['a.name'])
      .orderBy('a.name')
      .executeTakeFirstOrThrow();
    const word = agency.name.split(' ')[0]!;
    const page = await app.inject({
      url: `/search?q=${encodeURIComponent(word.slice(0, Math.max(2, word.length - 2)))}`,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(agency.name.replace(/&/g, '&amp;').replace(/'/g, '&#39;'));
    // The agency names' index holds exactly the agencies with deployments.
    const indexed = Number(
      (
        await db.db
          .selectFrom('agency_search')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const withDeployments = Number(
      (
        await db.db
          .selectFrom('deployments')
          .select((eb) => eb.fn.count('agency_id').distinct().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(indexed).toBe(withDeployments);
    const plan =
      dialect === 'sqlite'
        ? (
            await sql<{
              detail: string;
            }>`explain query plan select id from places where lower(name) >= ${'bos'} and lower(name) < ${'bos\u{10ffff}'}`.execute(
              db.db,
            )
          ).rows
            .map((r) => r.detail)
            .join('\n')
        : (
            await sql<{
              'QUERY PLAN': string;
            }>`explain select id from places where lower(name) >= ${'bos'} and lower(name) < ${'bos\u{10ffff}'}`.execute(
              db.db,
            )
          ).rows
            .map((r) => r['QUERY PLAN'])
            .join('\n');
    expect(plan).toContain('places_lower_name');
  });

  it('logs requests as structured lines without tokens or addresses', async () => {
    await app.inject({ url: '/confirm/SECRET-TOKEN-123', headers: { accept: 'text/html' } });
    await app.inject({ url: '/search?q=someone%40example.org', headers: { accept: 'text/html' } });
    const lines = logs
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    const urls = lines.filter((l) => l.req?.url).map((l) => l.req.url as string);
    expect(urls).toContain('/confirm/[token]');
    expect(urls.some((u) => u.startsWith('/search?q=[address]'))).toBe(true);
    const text = logs.join('');
    expect(text).not.toContain('SECRET-TOKEN-123');
    expect(text).not.toContain('someone');
    expect(text).not.toContain('remoteAddress');
  });

  it('keeps SQLite files readable by their owner only, and overwrites what is deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-perm-'));
    const handle = openDatabase(`sqlite:${join(dir, 'var', 'db.sqlite')}`);
    try {
      expect(statSync(join(dir, 'var', 'db.sqlite')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'var')).mode & 0o777).toBe(0o700);
      const { rows } = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(handle.db);
      expect(Number(rows[0]!.secure_delete)).toBe(1);
    } finally {
      await handle.close();
    }
    const keyFile = join(dir, 'var', 'supporter.key');
    loadSupporterKey(null, keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8').trim()).toHaveLength(44);
  });
});

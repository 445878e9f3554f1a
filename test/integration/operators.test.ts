import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '#src/app';
import { Operators } from '#src/features/operators/operators.service';
import { may, ROLES, ROUTE_PERMISSIONS } from '#src/features/operators/permissions';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';

const PASSWORD = 'a long enough passphrase';

/** Operator pages behind sign-in: campaigns, roster, outbox, exports. */
describe.each(DATABASES)('operator pages on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let session = '';
  let formCookie = '';

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    await new Operators(db.db).create('Organizer@Example.org', PASSWORD);
    app = await buildApp(db, { versionTtlMs: 0 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.destroy();
  });

  const cookies = () => [session, formCookie].filter(Boolean).join('; ');
  async function get(url: string) {
    const res = await app.inject({ url, headers: { accept: 'text/html', cookie: cookies() } });
    const set = res.headers['set-cookie'];
    if (set && String(set).startsWith('cw_form=')) formCookie = String(set).split(';')[0]!;
    return res;
  }
  async function post(url: string, fields: Record<string, string>, from: string): Promise<LightMyRequestResponse> {
    const page = await get(from);
    const csrf = page.body.match(/name="csrf" value="([^"]+)"/)![1]!;
    return app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies(), accept: 'text/html' },
      payload: new URLSearchParams({ csrf, ...fields }).toString(),
    });
  }

  it('keeps operator pages behind a sign-in with an argon2id password and an HTTP-only session cookie', async () => {
    const stored = await db.db.selectFrom('operators').select('password_hash').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    for (const url of [
      '/operator',
      '/operator/roster',
      '/operator/outbox',
      '/operator/campaigns/cancel-ring-partnership',
      '/operator/exports/cancel-ring-partnership.csv',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/operator/login');
    }
    const wrong = await post(
      '/operator/login',
      { email: 'organizer@example.org', password: 'not the password' },
      '/operator/login',
    );
    expect(wrong.statusCode).toBe(401);
    const right = await post(
      '/operator/login',
      { email: 'ORGANIZER@example.org', password: PASSWORD },
      '/operator/login',
    );
    expect(right.statusCode).toBe(303);
    const cookie = String(right.headers['set-cookie']);
    expect(cookie).toMatch(/^cw_op=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict/);
    session = cookie.split(';')[0]!;
    const home = await get('/operator');
    expect(home.statusCode).toBe(200);
    expect(home.headers['cache-control']).toBe('no-store');
    expect(home.body).toContain('Cancel the Ring partnership in your city');
  });

  it('edits a campaign, refusing test delivery without an organizer, and keeps a revision', async () => {
    const from = '/operator/campaigns/cancel-ring-partnership';
    const page = await get(from);
    const value = (name: string) =>
      page.body.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1] ??
      page.body.match(new RegExp(`<textarea name="${name}"[^>]*>([\\s\\S]*?)</textarea>`))![1]!;
    const unescape = (s: string) =>
      s
        .replaceAll('&#39;', "'")
        .replaceAll('&quot;', '"')
        .replaceAll('&amp;', '&')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>');
    const fields = Object.fromEntries(
      ['title', 'ask', 'description', 'letter_subject', 'letter_template', 'call_script'].map((f) => [
        f,
        unescape(value(f)),
      ]),
    );
    const base = { ...fields, ends_on: '', deliveries_per_target_per_hour: '2' };
    const refused = await post(from, { ...base, delivery_mode: 'test', organizer_email: '' }, from);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('give the organizer email');
    const bad = await post(from, { ...base, title: 'x', delivery_mode: 'off', organizer_email: '' }, from);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Title must have at least 3 characters');
    const saved = await post(
      from,
      { ...base, ask: 'Ask your mayor to end it.', delivery_mode: 'test', organizer_email: 'organizer@example.org' },
      from,
    );
    expect(saved.statusCode).toBe(303);
    const campaign = await db.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', 'cancel-ring-partnership')
      .executeTakeFirstOrThrow();
    expect(campaign.ask).toBe('Ask your mayor to end it.');
    expect(campaign.delivery_mode).toBe('test');
    expect(campaign.deliveries_per_target_per_hour).toBe(2);
    expect(campaign.organizer_email_sealed).not.toContain('organizer');
    const revision = await db.db
      .selectFrom('revisions')
      .selectAll()
      .where('entity_type', '=', 'campaign')
      .executeTakeFirstOrThrow();
    expect(revision.actor).toBe('operator:organizer@example.org');
    expect(JSON.parse(revision.changes).ask[1]).toBe('Ask your mayor to end it.');
  });

  it('adds and edits officials in the roster; the place page shows them', async () => {
    const place = await db.db
      .selectFrom('places')
      .select(['id', 'name'])
      .where('id', '=', 'place-2507000')
      .executeTakeFirstOrThrow();
    const roster = await get('/operator/roster?q=Boston%2C%20MA');
    expect(roster.body).toContain(`/operator/roster/new?place=${place.id}`);
    const from = `/operator/roster/new?place=${place.id}`;
    const fields = {
      place_id: place.id,
      role: 'council member',
      name: 'Test Councillor',
      email: 'councillor@example.org',
      phone: '617-555-0100',
      website_url: '',
      source_url: 'https://www.boston.gov/departments/city-council',
      verified_on: '2026-11-20',
    };
    expect((await post('/operator/roster', { ...fields, source_url: 'not a url' }, from)).statusCode).toBe(400);
    const created = await post('/operator/roster', fields, from);
    expect(created.statusCode).toBe(303);
    const id = decodeURIComponent(created.headers.location!.split('/').at(-1)!.split('?')[0]!);
    const placePage = await app.inject({ url: `/places/${place.id}`, headers: { accept: 'text/html' } });
    expect(placePage.body).toContain('Test Councillor');
    expect(placePage.body).toContain('(verified 2026-11-20)');
    const edited = await post(`/operator/roster/${id}`, { ...fields, phone: '617-555-0199' }, `/operator/roster/${id}`);
    expect(edited.statusCode).toBe(303);
    const revisions = await db.db
      .selectFrom('revisions')
      .select(['action', 'changes'])
      .where('entity_type', '=', 'official')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(revisions.map((r) => r.action)).toEqual(['create', 'update']);
    expect(JSON.parse(revisions[1]!.changes).phone).toEqual(['617-555-0100', '617-555-0199']);
  });

  it('shows the outbox and exports only confirmed supporters who opted in', async () => {
    const place = (
      await db.db
        .selectFrom('deployments as d')
        .innerJoin('agencies as a', 'a.id', 'd.agency_id')
        .select('a.place_id')
        .where('d.technology_slug', '=', 'ring-neighbors')
        .where('a.place_id', 'is not', null)
        .orderBy('a.place_id')
        .executeTakeFirstOrThrow()
    ).place_id!;
    const act = `/campaigns/cancel-ring-partnership/places/${place}`;
    await post(
      `${act}/act`,
      { kind: 'petition', name: 'Opted In', email: 'opted-in@example.org', opt_in: 'yes', website: '' },
      act,
    );
    await post(`${act}/act`, { kind: 'petition', name: 'Not Opted', email: 'not-opted@example.org', website: '' }, act);
    const outbox = await get('/operator/outbox');
    expect(outbox.body).toContain('opted-in@example.org');
    const mailId = outbox.body.match(/href="\/operator\/outbox\/([^"]+)"/)![1]!;
    const mail = await get(`/operator/outbox/${mailId}`);
    const confirmPath = mail.body.match(/\/confirm\/[A-Za-z0-9_-]+/g)!;
    for (const m of await db.db.selectFrom('outbox').select('id').execute()) {
      const body = (await get(`/operator/outbox/${m.id}`)).body;
      const path = body.match(/\/confirm\/[A-Za-z0-9_-]+/)?.[0];
      if (path) await app.inject({ method: 'POST', url: path });
    }
    expect(confirmPath.length).toBeGreaterThan(0);
    const csv = await get('/operator/exports/cancel-ring-partnership.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toBe('name,email\nOpted In,opted-in@example.org\n');
  });

  it('signs out: the session stops working, even when the sign-out form had expired', async () => {
    const stale = await app.inject({
      method: 'POST',
      url: '/operator/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session, accept: 'text/html' },
      payload: 'csrf=expired',
    });
    expect(stale.statusCode).toBe(303);
    // The old cookie, replayed, opens nothing: the session ended on the server, not only in the browser.
    const replayed = await app.inject({ url: '/operator', headers: { accept: 'text/html', cookie: session } });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/operator/login');
  });
  it('answers every operator route, for each role and for anyone signed out, as the permission rules say', async () => {
    const operators = new Operators(db.db);
    const sessions: Record<string, string> = {};
    for (const role of ROLES) {
      await operators.create(`${role}-rules@example.org`, PASSWORD, role);
      const signedIn = await operators.signIn(`${role}-rules@example.org`, PASSWORD);
      sessions[role] = `cw_op=${signedIn!.token}`;
    }
    const official = await db.db.selectFrom('officials').select('id').orderBy('id').executeTakeFirstOrThrow();
    const example: Record<string, string> = {
      ':id': 'cancel-ring-partnership',
      ':file': 'cancel-ring-partnership.csv',
    };
    const answers: string[] = [];
    const expected: string[] = [];
    for (const [route, permission] of Object.entries(ROUTE_PERMISSIONS)) {
      const [method, path] = route.split(' ') as ['GET' | 'POST', string];
      const url = path.replace(/:\w+/, (p) => (path.startsWith('/operator/roster') ? official.id : example[p]!));
      for (const who of ['anyone signed out', ...ROLES]) {
        const res = await app.inject({
          method,
          url,
          headers: {
            accept: 'text/html',
            cookie: sessions[who] ?? '',
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: method === 'POST' ? '' : undefined,
        });
        const outcome =
          res.statusCode === 303 && res.headers.location === '/operator/login'
            ? 'sign in'
            : res.statusCode === 403 && res.body.includes('<h1>Not allowed</h1>')
              ? 'not allowed'
              : 'opens';
        answers.push(`${route} as ${who}: ${outcome}`);
        expected.push(
          `${route} as ${who}: ${who === 'anyone signed out' ? 'sign in' : may(who, permission) ? 'opens' : 'not allowed'}`,
        );
      }
    }
    expect(answers).toEqual(expected);
    // Each role is allowed something and refused something, or the rules would say nothing.
    expect(answers.filter((a) => a.endsWith('not allowed')).length).toBeGreaterThan(0);
    // After signing in, each role lands on a page it may open.
    for (const role of ROLES) {
      const res = await app.inject({ url: '/operator', headers: { accept: 'text/html', cookie: sessions[role]! } });
      expect([200, 403], role).toContain(res.statusCode);
      expect(res.body.includes('href="/operator/outbox"'), role).toBe(may(role, 'outbox'));
    }
  });
});

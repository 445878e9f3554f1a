import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '#src/app';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { Operators } from '#src/features/operators/operators.service';
import { solve } from '#src/security/proof-of-work';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography } from '../support/fixtures';
import { startSmtpServer, waitForMail } from '../support/smtp';

const PASSWORD = 'a long enough passphrase';
const PUBLIC = 'http://127.0.0.1:3000';

/**
 * Residents' reports and watchers, through the forms as a browser posts them: a report waits private until
 * a moderator decides; accepting writes evidence, a cited source and a public history entry; rejecting
 * tells the reporter why and publishes nothing. Watching a place: double opt-in, a daily digest at a real
 * SMTP server on 127.0.0.1, and an unsubscribe that deletes the address.
 */
describe.each(DATABASES)('reports and watchers on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let mailer: Mailer;
  let crypto: SupporterCrypto;
  let moderator = '';
  let deployment: { id: string; agency: { id: string }; technology: string; status: string; place: { id: string } };
  const addresses: string[] = [];
  const address = (who: string) => {
    const a = `${who}.${Math.random().toString(36).slice(2, 8)}@example.org`;
    addresses.push(a);
    return a;
  };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'frt-policies', fixture('frt-sample.csv'));
    await importFile(db.db, 'flock-cancellations', fixture('flock-sample.csv'), '2026-11-01');
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    smtp = await startSmtpServer();
    crypto = new SupporterCrypto(randomBytes(32));
    mailer = new Mailer(db.db, crypto, { smtpUrl: smtp.url, from: 'reports@counterwatch.invalid' });
    app = await buildApp(db, { versionTtlMs: 0, campaigns: { crypto, mailer, publicUrl: PUBLIC } });
    await app.ready();
    const operators = new Operators(db.db);
    await operators.create('moderator@example.org', PASSWORD, 'moderator');
    moderator = `cw_op=${(await operators.signIn('moderator@example.org', PASSWORD))!.token}`;
    const placed = (await app.inject('/api/v1/deployments?limit=200')).json().data.filter((d: any) => d.place);
    deployment = placed.find((d: any) => d.status === 'active') ?? placed[0];
  });
  afterAll(async () => {
    await app?.close();
    mailer?.close();
    await smtp?.close();
    await db?.destroy();
  });

  /** Opens a form page like a browser (cookie, CSRF field, the proof of work solved), then posts it. */
  async function submit(page: string, action: string, fields: Record<string, string>, ip = '10.1.0.1') {
    const form = await app.inject({ url: page, headers: { accept: 'text/html' }, remoteAddress: ip });
    expect(form.statusCode, page).toBe(200);
    const field = (name: string) => form.body.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const challenge = { salt: field('pow_salt'), challenge: field('pow_challenge'), max: Number(field('pow_max')) };
    return app.inject({
      method: 'POST',
      url: action,
      remoteAddress: ip,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: String(form.headers['set-cookie']).split(';')[0]!,
        accept: 'text/html',
      },
      payload: new URLSearchParams({
        csrf: field('csrf'),
        website: '',
        pow_salt: challenge.salt,
        pow_challenge: challenge.challenge,
        pow_signature: field('pow_signature'),
        pow_number: String(solve(challenge)),
        ...fields,
      }).toString(),
    });
  }
  // Each report from its own address: the form allows 5 a minute from one.
  let reporters = 0;
  /** A report about `deployment` (its agency and technology, unless the fields say otherwise). */
  const report = (fields: Record<string, string>, ip = `10.1.0.${++reporters}`) =>
    submit(
      `/contribute?deployment=${deployment.id}`,
      '/contribute',
      { subject: 'deployment', agency: deployment.agency.id, technology: deployment.technology, ...fields },
      ip,
    );
  /** Posts a moderator's decision with the page's own CSRF field. */
  async function decide(id: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return (await openReport(id))(fields);
  }
  /** Opens a report's page as a moderator; returns how to post one of its forms (later, as a stale page would). */
  async function openReport(id: string) {
    const page = await app.inject({ url: `/operator/reports/${id}`, headers: { cookie: moderator } });
    expect(page.statusCode).toBe(200);
    const formCookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
    return (fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/operator/reports/${id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${moderator}; ${formCookie}` },
        payload: new URLSearchParams({
          csrf: page.body.match(/name="csrf" value="([^"]+)"/)![1]!,
          ...fields,
        }).toString(),
      });
  }
  const newest = () => db.db.selectFrom('reports').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const link = (text: string, path: string) =>
    text.match(new RegExp(`http://127\\.0\\.0\\.1:3000(/${path}/[A-Za-z0-9_-]+)`))![1]!;
  const publicChanges = async () => (await app.inject('/api/v1/changes?limit=1000')).json().data as any[];

  it('refuses a report without evidence, with a non-web evidence address, or dated in the future, naming the field', async () => {
    const base = { subject: 'deployment', agency: deployment.agency.id, technology: deployment.technology };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ...base, happened: 'cancelled', date: '2026-03', evidence_1: '' }, /Evidence is needed/],
      [
        { ...base, happened: 'cancelled', date: '2026-03', evidence_1: 'javascript:alert(1)' },
        /Evidence must be a web address starting with http/,
      ],
      [
        { ...base, happened: 'cancelled', date: '2999-01-01', evidence_1: 'https://example.org/a' },
        /When must not be in the future/,
      ],
      [{ ...base, happened: 'bogus', date: '2026', evidence_1: 'https://example.org/a' }, /What happened must be one/],
      [
        {
          subject: 'deployment',
          agency: 'no-such-agency',
          technology: deployment.technology,
          happened: 'ended',
          date: '2026',
          evidence_1: 'https://example.org/a',
        },
        /Agency is needed/,
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await report(fields);
      expect(res.statusCode, JSON.stringify(fields)).toBe(422);
      expect(res.body).toMatch(message);
      // What was typed is kept for the second try.
      expect(res.body).toContain(`value="${fields.date}"`);
    }
    expect(await db.db.selectFrom('reports').selectAll().execute()).toHaveLength(0);
  });

  it('refuses evidence already cited by the record', async () => {
    const cited = (await app.inject(`/api/v1/deployments/${deployment.id}`)).json().sources[0]?.url;
    if (!cited) return expect(deployment.id).toBeTruthy();
    const res = await report({
      happened: 'renewed',
      date: '2025-06',
      evidence_1: cited,
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('is already a source of this record');
  });

  it('keeps a report private until a moderator accepts it; then the record, its sources, the API and the history show it', async () => {
    const evidence = `https://news.example.org/council-cancels-${Math.random().toString(36).slice(2, 8)}`;
    const reporter = address('reporter');
    const sent = await report({
      happened: 'cancelled',
      date: '2026-03-10',
      evidence_1: evidence,
      note: 'The council voted 7-2 to end the contract.',
      email: reporter,
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/contribute/sent?email=1');
    const stored = await newest();
    expect(stored.status).toBe('pending');
    expect(stored.email_sealed).not.toContain(reporter);
    expect(JSON.stringify(stored)).not.toContain(reporter);
    // Pending: nothing public.
    expect((await publicChanges()).some((c) => c.report_id === stored.id)).toBe(false);
    expect((await app.inject(`/api/v1/deployments/${deployment.id}`)).json().status).toBe(deployment.status);
    // The same evidence again, while the first waits, is refused.
    const again = await report({
      happened: 'cancelled',
      date: '2026-03-10',
      evidence_1: evidence,
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('is in a report a moderator has not decided yet');

    // The reporter confirms their address: a page with one button, then its POST.
    const confirmMail = await waitForMail(smtp.received, reporter);
    const confirm = link(confirmMail.text, 'contribute/confirm');
    expect((await app.inject(confirm)).body).toContain('Confirm my email');
    const confirmed = await app.inject({ method: 'POST', url: confirm });
    expect(confirmed.statusCode).toBe(303);
    expect(
      (
        await db.db
          .selectFrom('reports')
          .select('email_confirmed_at')
          .where('id', '=', stored.id)
          .executeTakeFirstOrThrow()
      ).email_confirmed_at,
    ).not.toBeNull();

    // The queue shows it beside the record and its current status.
    const queue = await app.inject({ url: '/operator/reports', headers: { cookie: moderator } });
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(`/operator/reports/${stored.id}`);
    const detail = await app.inject({ url: `/operator/reports/${stored.id}`, headers: { cookie: moderator } });
    expect(detail.body).toContain(evidence);
    expect(detail.body).toContain('The record now');
    expect(detail.body).not.toContain(reporter);

    const secondModerator = await openReport(stored.id);
    const accepted = await decide(stored.id, { action: 'accept', note: '' });
    expect(accepted.statusCode).toBe(303);
    const after = (await app.inject(`/api/v1/deployments/${deployment.id}`)).json();
    expect(after.status).toBe('cancelled');
    expect(after.ended_on).toBe('2026-03-10');
    expect(after.sources.map((s: any) => s.url)).toContain(evidence);
    const entry = (await publicChanges()).find((c) => c.report_id === stored.id);
    expect(entry).toMatchObject({ kind: 'reported', entity_id: deployment.id, evidence: [evidence] });
    expect(entry.detail).toMatch(
      /^Reported by a resident on \d{4}-\d{2}-\d{2}, accepted by a moderator on \d{4}-\d{2}-\d{2}\.$/,
    );
    expect(entry.fields.status).toEqual([deployment.status, 'cancelled']);
    const page = await app.inject(after.url);
    expect(page.body).toContain('Reported by a resident on');
    expect(page.body).toContain(`href="${evidence}"`);
    // Revisions credit the moderator and the report; every decision is kept.
    const revision = await db.db
      .selectFrom('revisions')
      .selectAll()
      .where('entity_id', '=', deployment.id)
      .where('reason', '=', `report ${stored.id}`)
      .executeTakeFirstOrThrow();
    expect(revision.actor).toBe('operator:moderator@example.org');
    const decisions = await db.db
      .selectFrom('report_decisions')
      .selectAll()
      .where('report_id', '=', stored.id)
      .execute();
    expect(decisions.map((d) => d.decision)).toEqual(['accepted']);
    // The reporter is told.
    const told = await waitForMail(smtp.received, reporter, 2);
    expect(told.text).toContain('accepted your report');
    // Then their address, whose only use that was, is forgotten.
    const forgotten = await db.db
      .selectFrom('reports')
      .selectAll()
      .where('id', '=', stored.id)
      .executeTakeFirstOrThrow();
    expect([forgotten.email_sealed, forgotten.email_hash]).toEqual([null, null]);
    // Deciding twice (a second moderator with the page still open) is refused.
    const twice = await secondModerator({ action: 'reject', reason: 'spam' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('already decided (accepted)');
  });

  it('rejects with a reason: nothing public, and a reporter who confirmed is told why', async () => {
    const reporter = address('rejected');
    const evidence = 'https://example.org/rumour-on-a-forum';
    await report({
      happened: 'started',
      date: '2025',
      evidence_1: evidence,
      email: reporter,
    });
    const stored = await newest();
    await app.inject({
      method: 'POST',
      url: link((await waitForMail(smtp.received, reporter)).text, 'contribute/confirm'),
    });
    const unknown = await decide(stored.id, { action: 'reject', reason: 'made-up' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('Choose a reason from the list');
    const rejected = await decide(stored.id, {
      action: 'reject',
      reason: 'evidence-does-not-show',
      note: 'The post is an unsourced rumour.',
    });
    expect(rejected.statusCode).toBe(303);
    const mail = await waitForMail(smtp.received, reporter, 2);
    expect(mail.text).toContain('Reason: The evidence does not show what the report says.');
    expect(mail.text).toContain('The post is an unsourced rumour.');
    expect((await publicChanges()).some((c) => c.report_id === stored.id || c.evidence.includes(evidence))).toBe(false);
    const api = (await app.inject(`/api/v1/deployments/${deployment.id}`)).json();
    expect(api.sources.map((s: any) => s.url)).not.toContain(evidence);
  });

  it('asks a moderator to say what a correction changes before accepting it, and keeps the edit', async () => {
    const agency = (
      await db.db
        .selectFrom('agencies')
        .select('id')
        .where('id', '!=', deployment.agency.id)
        .orderBy('id')
        .executeTakeFirstOrThrow()
    ).id;
    const res = await report({
      subject: 'deployment',
      agency,
      technology: 'drones',
      happened: 'correction',
      date: '2024-05',
      evidence_1: 'https://example.gov/minutes/drone-program',
      note: 'They fly drones since May 2024.',
    });
    expect(res.statusCode).toBe(303);
    const stored = await newest();
    const refused = await decide(stored.id, { action: 'accept' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('must say what it changes');
    const edited = await decide(stored.id, {
      action: 'edit',
      happened: 'started',
      date: '2024-05',
      agency,
      technology: 'drones',
      evidence: 'https://example.gov/minutes/drone-program',
    });
    expect(edited.statusCode).toBe(303);
    expect((await decide(stored.id, { action: 'accept', note: 'Minutes of May 2024.' })).statusCode).toBe(303);
    const created = (await app.inject(`/api/v1/deployments/${agency}--drones`)).json();
    expect(created).toMatchObject({ status: 'active', started_on: '2024-05' });
    const decisions = await db.db
      .selectFrom('report_decisions')
      .selectAll()
      .where('report_id', '=', stored.id)
      .orderBy('id')
      .execute();
    expect(decisions.map((d) => d.decision)).toEqual(['edited', 'accepted']);
    expect(JSON.parse(decisions[0]!.changes!)).toMatchObject({ happened: ['correction', 'started'] });
  });

  it('takes corrections of a policy and of an official: accepted, the evidence is cited on their pages and in their history', async () => {
    const policy = (await app.inject('/api/v1/policies?limit=1')).json().data[0];
    const official = (await app.inject('/api/v1/officials?limit=1')).json().data[0];
    for (const [type, record] of [
      ['policy', policy],
      ['official', official],
    ] as const) {
      const evidence = `https://example.gov/${type}-correction-minutes`;
      const form = await app.inject(`/contribute?${type}=${encodeURIComponent(record.id)}`);
      expect(form.body).toContain(`href="${record.url}"`);
      // About a policy or an official, a report is a correction in words.
      expect(form.body).not.toContain('value="started"');
      const sent = await submit(
        `/contribute?${type}=${encodeURIComponent(record.id)}`,
        '/contribute',
        {
          subject: type,
          subject_id: record.id,
          happened: 'correction',
          date: '2025-11-18',
          evidence_1: evidence,
          note: `The ${type} record is out of date.`,
        },
        `10.3.0.${type === 'policy' ? 1 : 2}`,
      );
      expect(sent.statusCode, type).toBe(303);
      expect(
        (await decide((await newest()).id, { action: 'accept', note: 'Checked against the minutes.' })).statusCode,
      ).toBe(303);
      const page = await app.inject(record.url);
      expect(page.body, type).toContain(`href="${evidence}"`);
      expect(page.body, type).toContain('Reported by a resident on');
      const entry = (await publicChanges()).find(
        (c) => c.entity_type === type && c.entity_id === record.id && c.kind === 'reported',
      );
      expect(entry?.evidence, type).toEqual([evidence]);
    }
    expect((await app.inject(`/api/v1/policies/${policy.id}`)).json().sources.map((s: any) => s.url)).toContain(
      'https://example.gov/policy-correction-minutes',
    );
  });

  it("reports on a named programme's record (Flock Safety) reach that record, not a new one", async () => {
    const flock = await db.db
      .selectFrom('deployments')
      .select(['id', 'agency_id', 'technology_slug'])
      .where('programme', '=', 'flock-safety')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const before = Number(
      (
        await db.db
          .selectFrom('deployments')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const form = await app.inject(`/contribute?deployment=${flock.id}`);
    expect(form.body).toContain('name="programme" value="flock-safety"');
    const evidence = 'https://example.gov/flock-contract-vote';
    const res = await submit(
      `/contribute?deployment=${flock.id}`,
      '/contribute',
      {
        subject: 'deployment',
        agency: flock.agency_id,
        technology: flock.technology_slug,
        programme: 'flock-safety',
        happened: 'vote',
        date: '2026-11-20',
        evidence_1: evidence,
      },
      '10.4.0.1',
    );
    expect(res.statusCode).toBe(303);
    const stored = await newest();
    expect(stored.subject_id).toBe(flock.id);
    expect((await decide(stored.id, { action: 'accept' })).statusCode).toBe(303);
    const after = (await app.inject(`/api/v1/deployments/${flock.id}`)).json();
    expect(after.sources.map((s: any) => s.url)).toContain(evidence);
    const count = Number(
      (
        await db.db
          .selectFrom('deployments')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(count).toBe(before);
  });

  it('lets a reporter find an agency without JavaScript, by part of its name', async () => {
    const name = (
      await db.db.selectFrom('agencies').select('name').where('id', '=', deployment.agency.id).executeTakeFirstOrThrow()
    ).name;
    const word = name.split(' ')[0]!;
    const page = await app.inject(`/contribute?agency_q=${encodeURIComponent(word)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`name="agency" value="${deployment.agency.id}"`);
    const json = (await app.inject(`/contribute/agencies?q=${encodeURIComponent(word)}`)).json();
    expect(json.data.map((a: any) => a.id)).toContain(deployment.agency.id);
  });

  it('lets anyone watch a place: confirm, one digest of an accepted change, then unsubscribe deletes the address', async () => {
    const watcher = address('watcher');
    const place = deployment.place.id;
    const asked = await submit(`/watch?place=${place}`, '/watch', { place, email: watcher }, '10.2.0.1');
    expect(asked.statusCode).toBe(303);
    const confirm = link((await waitForMail(smtp.received, watcher)).text, 'watch/confirm');
    expect((await app.inject(`/places/${place}`)).body).toContain('nobody watches yet');
    expect((await app.inject({ method: 'POST', url: confirm })).statusCode).toBe(303);
    expect((await app.inject(`/places/${place}`)).body).toContain('1 person watches');

    // A change there, accepted from a report.
    const evidence = 'https://example.org/contract-renewed-2026';
    await report(
      {
        happened: 'renewed',
        date: '2026-04',
        evidence_1: evidence,
      },
      '10.2.0.2',
    );
    expect((await decide((await newest()).id, { action: 'accept' })).statusCode).toBe(303);
    // Not yet a day since confirming: nothing goes. A day later: one digest, and no second one that day.
    expect(await app.watchers.sendDigests(new Date())).toBe(0);
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await app.watchers.sendDigests(later)).toBe(1);
    expect(await app.watchers.sendDigests(new Date(later.getTime() + 3_600_000))).toBe(0);
    const digest = await waitForMail(smtp.received, watcher, 2);
    expect(digest.text).toContain(`${PUBLIC}/deployments/${deployment.id}`);
    expect(digest.text).toContain(`Evidence: ${evidence}`);
    expect(digest.text).toMatch(/List-Unsubscribe:\s+<http:\/\/127\.0\.0\.1:3000\/watch\/stop\/[A-Za-z0-9_-]+>/);

    const stop = link(digest.text, 'watch/stop');
    expect((await app.inject(stop)).body).toContain('Stop and delete my address');
    expect((await app.inject({ method: 'POST', url: stop })).body).toContain('your address is deleted');
    expect(await db.db.selectFrom('watchers').selectAll().execute()).toHaveLength(0);
    expect((await app.inject(`/places/${place}`)).body).toContain('nobody watches yet');
  });

  it('forgets addresses nobody confirmed within 7 days: a reporter keeps the report, a watcher is deleted', async () => {
    const reporter = address('silent');
    await report({
      happened: 'renewed',
      date: '2026-01',
      evidence_1: 'https://example.org/never-confirmed',
      email: reporter,
    });
    const stored = await newest();
    expect(stored.email_sealed).not.toBeNull();
    await submit(
      `/watch?agency=${deployment.agency.id}`,
      '/watch',
      { agency: deployment.agency.id, email: address('silent-watcher') },
      '10.5.0.1',
    );
    const inSixDays = new Date(Date.now() + 6 * 86_400_000);
    expect(await app.reports.forgetUnconfirmedEmails(inSixDays)).toBe(0);
    expect(await app.watchers.deleteUnconfirmed(inSixDays)).toBe(0);
    const inEightDays = new Date(Date.now() + 8 * 86_400_000);
    expect(await app.reports.forgetUnconfirmedEmails(inEightDays)).toBe(1);
    expect(await app.watchers.deleteUnconfirmed(inEightDays)).toBe(1);
    const kept = await db.db.selectFrom('reports').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ status: 'pending', email_sealed: null, email_hash: null, confirm_token_hash: null });
  });

  it('lets only one of two moderators deciding at once decide', async () => {
    await report({ happened: 'renewed', date: '2025-09', evidence_1: 'https://example.org/two-moderators' });
    const stored = await newest();
    const outcomes = await Promise.allSettled([
      app.reports.accept(stored.id, 'operator:one@example.org', null),
      app.reports.reject(stored.id, 'operator:two@example.org', 'spam', null),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/decided/);
    const decisions = await db.db
      .selectFrom('report_decisions')
      .selectAll()
      .where('report_id', '=', stored.id)
      .execute();
    expect(decisions).toHaveLength(1);
    const entries = (await publicChanges()).filter((c) => c.report_id === stored.id);
    expect(entries).toHaveLength(decisions[0]!.decision === 'accepted' ? 1 : 0);
  });

  it('never writes an address in plain text to the database', async () => {
    const rows = JSON.stringify([
      await db.db.selectFrom('reports').selectAll().execute(),
      await db.db.selectFrom('watchers').selectAll().execute(),
      await db.db.selectFrom('outbox').selectAll().execute(),
      await db.db.selectFrom('report_decisions').selectAll().execute(),
    ]);
    for (const a of addresses) expect(rows).not.toContain(a);
    if (dialect === 'sqlite') {
      const file = db.url.replace(/^sqlite:/, '');
      const bytes = [file, `${file}-wal`]
        .filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1'))
        .join('');
      expect(bytes.length).toBeGreaterThan(0);
      for (const a of addresses) expect(bytes).not.toContain(a);
    }
  });
});

import { readFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { buildApp } from '#src/app';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { DeliveryService } from '#src/features/campaigns/delivery.service';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography, ringTownWithOfficial } from '../support/fixtures';
import { startSmtpServer, waitForMail } from '../support/smtp';
import { solve } from '#src/security/proof-of-work';

const CAMPAIGN = 'cancel-ring-partnership';

/** The campaign journey through the forms, with mail going to a real SMTP server on 127.0.0.1. */
describe.each(DATABASES)('campaign actions on %s', (dialect) => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let mailer: Mailer;
  let crypto: SupporterCrypto;
  let placeId: string;
  let act: string;
  const emails: string[] = [];
  const email = (who: string) => {
    const address = `${who}.${Math.random().toString(36).slice(2, 8)}@example.org`;
    emails.push(address);
    return address;
  };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    smtp = await startSmtpServer();
    crypto = new SupporterCrypto(randomBytes(32));
    mailer = new Mailer(db.db, crypto, { smtpUrl: smtp.url, from: 'campaigns@counterwatch.invalid' });
    app = await buildApp(db, {
      versionTtlMs: 0,
      campaigns: { crypto, mailer, publicUrl: 'http://127.0.0.1:3000', perAddressPerMinute: 20 },
    });
    await app.ready();
    placeId = await ringTownWithOfficial(db.db);
    act = `/campaigns/${CAMPAIGN}/places/${placeId}`;
  });
  afterAll(async () => {
    await app?.close();
    mailer?.close();
    await smtp?.close();
    await db?.destroy();
  });

  /** Opens the form page like a browser: its cookie and the signed hidden field. */
  async function openForm(ip = '10.0.0.1') {
    const res = await app.inject({ url: act, headers: { accept: 'text/html' }, remoteAddress: ip });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const csrf = res.body.match(/name="csrf" value="([^"]+)"/)![1]!;
    const pow = powFields(res.body);
    return { cookie, csrf, body: res.body, pow };
  }
  /** The first form's proof-of-work challenge, solved as the page's script would. */
  function powFields(html: string): Record<string, string> {
    const field = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
    const challenge = { salt: field('pow_salt'), challenge: field('pow_challenge'), max: Number(field('pow_max')) };
    return {
      pow_salt: challenge.salt,
      pow_challenge: challenge.challenge,
      pow_signature: field('pow_signature'),
      pow_number: String(solve(challenge)),
    };
  }
  /** Posts the form like a browser: a successful post is a 303 to the "check your email" page, which it follows. */
  async function post(
    fields: Record<string, string>,
    form?: { cookie: string; csrf: string; pow?: Record<string, string> },
    ip = '10.0.0.1',
  ) {
    const f = form ?? (await openForm(ip));
    const res = await app.inject({
      method: 'POST',
      url: `${act}/act`,
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie, accept: 'text/html' },
      payload: new URLSearchParams({ csrf: f.csrf, website: '', ...(f.pow ?? {}), ...fields }).toString(),
    });
    if (res.statusCode !== 303) return res;
    return app.inject({
      url: String(res.headers.location),
      remoteAddress: ip,
      headers: { accept: 'text/html', cookie: f.cookie },
    });
  }
  const tally = async () =>
    (await app.inject('/api/v1/campaigns')).json().data.find((c: any) => c.id === CAMPAIGN).tallies;
  const link = (text: string, path: 'confirm' | 'withdraw') =>
    text.match(new RegExp(`http://127\\.0\\.0\\.1:3000(/${path}/[A-Za-z0-9_-]+)`))![1]!;

  it('counts a signature once its emailed link is opened, and a second signature of the same person not at all', async () => {
    const form = await openForm();
    expect(form.body).toContain('Sign the petition');
    expect(form.body).toContain('Make it yours');
    const before = await tally();
    const who = email('resident');
    const res = await post({ kind: 'petition', name: 'A Resident', email: who }, form);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your email');
    // The page after the post is a GET of its own: reloading it sends nothing again, and it shows the
    // address only masked.
    expect(res.body).toContain(`${who.slice(0, 1)}…@example.org`);
    expect(res.body).not.toContain(who);
    expect((await tally()).confirmed).toBe(before.confirmed);
    const mail = await waitForMail(smtp.received, who);
    expect(mail.text).toContain('Cancel the Ring partnership');
    // Opening the link (what a mail scanner does too) only shows the button; the button's POST confirms.
    const opened = await app.inject({ url: link(mail.text, 'confirm'), headers: { accept: 'text/html' } });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain(`<form method="post" action="${link(mail.text, 'confirm')}">`);
    expect((await tally()).confirmed).toBe(before.confirmed);
    const confirm = await app.inject({ method: 'POST', url: link(mail.text, 'confirm') });
    expect(confirm.statusCode).toBe(303);
    const thanks = await app.inject({ url: confirm.headers.location as string, headers: { accept: 'text/html' } });
    expect(thanks.body).toContain('it counts');
    expect((await tally()).confirmed).toBe(before.confirmed + 1);
    expect((await tally()).petition).toBe(before.petition + 1);
    // Opening the link again, or signing again (any spelling of the address), changes nothing.
    await app.inject({ method: 'POST', url: link(mail.text, 'confirm') });
    const again = await post({ kind: 'petition', name: 'A Resident', email: `  ${who.toUpperCase()} ` });
    expect(again.body).toContain('Already counted');
    expect((await tally()).confirmed).toBe(before.confirmed + 1);
    // The place page shows the tally.
    const place = await app.inject({ url: `/places/${placeId}`, headers: { accept: 'text/html' } });
    expect(place.body).toContain(`${before.confirmed + 1} confirmed`);
  });

  it('refuses a post without the form cookie, or with the honeypot filled, and records nothing', async () => {
    const count = async () =>
      Number(
        (
          await db.db
            .selectFrom('campaign_actions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const form = await openForm();
    const forged = await app.inject({
      method: 'POST',
      url: `${act}/act`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ csrf: form.csrf, kind: 'petition', name: 'X', email: email('forged') }).toString(),
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Nothing was recorded');
    const bot = await post({ kind: 'petition', name: 'Bot', email: email('bot'), website: 'http://spam.example' });
    expect(bot.statusCode).toBe(400);
    expect(bot.body).toContain('If you are a person');
    const bad = await post({ kind: 'petition', name: 'Someone', email: 'not-an-email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Your email must be an email address');
    expect(await count()).toBe(before);
  });

  it('checks the proof of work: a wrong answer is refused, and posts without one (no JavaScript) get a stricter limit', async () => {
    const wrong = await post(
      { kind: 'petition', name: 'Wrong', email: email('wrong'), pow_number: '999999999' },
      undefined,
      '10.3.0.1',
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('automatic check');
    // The same solved challenge cannot be used twice.
    const form = await openForm('10.3.0.2');
    expect((await post({ kind: 'petition', name: 'Once', email: email('once') }, form, '10.3.0.2')).statusCode).toBe(
      200,
    );
    expect((await post({ kind: 'petition', name: 'Twice', email: email('twice') }, form, '10.3.0.2')).statusCode).toBe(
      400,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(
        {
          kind: 'petition',
          name: `No JS ${i}`,
          email: email(`nojs${i}`),
          pow_salt: '',
          pow_challenge: '',
          pow_signature: '',
          pow_number: '',
        },
        undefined,
        '10.3.0.3',
      );
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('sends a letter after confirmation, and refuses a word-for-word copy from someone else', async () => {
    const form = await openForm();
    const letter = form.body
      .match(/<textarea name="message"[^>]*>([\s\S]*?)<\/textarea>/)![1]!
      .replaceAll('&#39;', "'")
      .replaceAll('&amp;', '&');
    expect(letter).toMatch(/^Dear Mayor /);
    const mine = `${letter}Jo Writer, who lives here`;
    const first = email('writer');
    expect(
      (await post({ kind: 'letter', name: 'Jo Writer', email: first, message: mine, delivery: 'server' }, form)).body,
    ).toContain('Check your email');
    await app.inject({ method: 'POST', url: link((await waitForMail(smtp.received, first)).text, 'confirm') });
    const copy = await post({
      kind: 'letter',
      name: 'Someone Else',
      email: email('copier'),
      message: mine,
      delivery: 'server',
    });
    expect(copy.statusCode).toBe(422);
    expect(copy.body).toContain('in your own words');
    const stored = await db.db
      .selectFrom('campaign_actions')
      .select(['message_sealed', 'status'])
      .where('kind', '=', 'letter')
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.message_sealed).not.toContain('Jo Writer');
  });

  it('answers a flood from one address with 429s without losing the actions it accepted', async () => {
    const ip = '10.9.9.9';
    const statuses: number[] = [];
    const accepted: string[] = [];
    for (let i = 0; i < 30; i++) {
      const who = email(`flood${i}`);
      const res = await post({ kind: 'petition', name: `Person ${i}`, email: who }, undefined, ip);
      statuses.push(res.statusCode);
      if (res.statusCode === 200) accepted.push(who);
      else expect(res.body).toContain('Nothing you already sent is lost');
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(accepted.length).toBe(20);
    for (const who of accepted) await waitForMail(smtp.received, who);
    // Another address is not slowed down.
    expect(
      (await post({ kind: 'call', name: 'Neighbour', email: email('neighbour') }, undefined, '10.0.0.77')).statusCode,
    ).toBe(200);
  });

  it('deletes the personal data when the withdraw link is used, keeping the anonymous count', async () => {
    const who = email('leaver');
    await post({ kind: 'petition', name: 'Leaving Person', email: who });
    const mail = await waitForMail(smtp.received, who);
    await app.inject({ method: 'POST', url: link(mail.text, 'confirm') });
    const counted = (await tally()).confirmed;
    const page = await app.inject({ url: link(mail.text, 'withdraw'), headers: { accept: 'text/html' } });
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const csrf = page.body.match(/name="csrf" value="([^"]+)"/)![1]!;
    const posted = await app.inject({
      method: 'POST',
      url: link(mail.text, 'withdraw'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(posted.statusCode).toBe(303);
    const done = await app.inject({ url: String(posted.headers.location), headers: { accept: 'text/html' } });
    expect(done.body).toContain('Your personal data is deleted');
    const supporters = await db.db.selectFrom('supporters').selectAll().execute();
    const crypto = (app as any).campaignActions.crypto as SupporterCrypto;
    expect(supporters.map((s) => crypto.decrypt(s.email_sealed))).not.toContain(who);
    expect((await tally()).confirmed).toBe(counted);
  });

  it('reminds once after a day and deletes unconfirmed actions after 7 days', async () => {
    const who = email('forgetful');
    await post({ kind: 'petition', name: 'Forgetful', email: who });
    await waitForMail(smtp.received, who);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await db.db
      .updateTable('campaign_actions')
      .set({ created_at: twoDaysAgo })
      .where('status', '=', 'pending')
      .execute();
    const first = await app.campaignActions.sweep();
    expect(first.reminded).toBeGreaterThan(0);
    const reminder = await waitForMail(smtp.received, who, 2);
    expect(reminder.text).toContain('only reminder');
    // Every mail carries the same working withdraw link.
    const mails = smtp.received.filter((m) => m.to.includes(who));
    expect(mails).toHaveLength(2);
    expect(link(mails[1]!.text, 'withdraw')).toBe(link(mails[0]!.text, 'withdraw'));
    expect((await app.campaignActions.sweep()).reminded).toBe(0);
    const pending = Number(
      (
        await db.db
          .selectFrom('campaign_actions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    );
    await db.db
      .updateTable('campaign_actions')
      .set({ created_at: new Date(Date.now() - 8 * 86_400_000).toISOString() })
      .where('status', '=', 'pending')
      .execute();
    expect((await app.campaignActions.sweep()).deleted).toBe(pending);
    // The reminder link of a deleted action no longer works.
    expect((await app.inject({ method: 'POST', url: link(reminder.text, 'confirm') })).statusCode).toBe(404);
  });

  it('delivers confirmed actions as paced digests: test mode to the organizer only, business hours, one an hour, bounces recorded', async () => {
    const delivery = new DeliveryService(db.db, crypto, mailer);
    const tuesday10am = new Date('2026-12-01T15:00:00Z'); // 10:00 in Massachusetts
    // Off by default: nothing is sent.
    expect((await delivery.run(tuesday10am)).sent).toBe(0);
    const organizer = email('organizer');
    await db.db
      .updateTable('campaigns')
      .set({ delivery_mode: 'test', organizer_email_sealed: crypto.encrypt(organizer) })
      .where('id', '=', CAMPAIGN)
      .execute();
    const first = await delivery.run(tuesday10am);
    expect(first.sent).toBe(1);
    const digest = await waitForMail(smtp.received, organizer);
    expect(digest.text).toContain('[TEST: this digest would go to');
    expect(digest.text).toContain('A Resident');
    expect((await tally()).delivered).toBe(0); // a test digest is not a delivery to an official

    // A burst of new confirmed actions is held back until the hour has passed, then goes as one digest.
    for (let i = 0; i < 3; i++) {
      const who = email(`burst${i}`);
      await post({ kind: 'petition', name: `Burst ${i}`, email: who }, undefined, `10.1.0.${i}`);
      await app.inject({ method: 'POST', url: link((await waitForMail(smtp.received, who)).text, 'confirm') });
    }
    const held = await delivery.run(new Date(tuesday10am.getTime() + 10 * 60_000));
    expect(held.sent).toBe(0);
    expect(held.held.pace).toBe(1);
    expect(smtp.received.filter((m) => m.to.includes(organizer))).toHaveLength(1);
    expect((await delivery.run(new Date('2026-12-05T15:00:00Z'))).held.hours).toBe(1); // a Saturday
    const next = await delivery.run(new Date(tuesday10am.getTime() + 61 * 60_000));
    expect(next.sent).toBe(1);
    const second = await waitForMail(smtp.received, organizer, 2);
    expect(second.text).toMatch(/^3 people have asked you|\n3 people have asked you/m);
    // Nothing is delivered twice.
    expect((await delivery.run(new Date(tuesday10am.getTime() + 3 * 3_600_000))).sent).toBe(0);

    // Live: a refused address is recorded as a bounce; a working one as delivered, with its receipt.
    await db.db.updateTable('campaigns').set({ delivery_mode: 'live' }).where('id', '=', CAMPAIGN).execute();
    await db.db
      .updateTable('officials')
      .set({ email: 'bounce-mayor@example.org' })
      .where('place_id', '=', placeId)
      .execute();
    const who = email('live');
    await post({ kind: 'petition', name: 'Live Person', email: who }, undefined, '10.2.0.1');
    await app.inject({ method: 'POST', url: link((await waitForMail(smtp.received, who)).text, 'confirm') });
    expect((await delivery.run(new Date('2026-12-02T15:00:00Z'))).bounced).toBe(1);
    const bounced = await db.db
      .selectFrom('deliveries')
      .selectAll()
      .where('status', '=', 'bounced')
      .executeTakeFirstOrThrow();
    expect(bounced.error).toContain('No such mailbox');
    // The server's refusal named the address; what is kept does not.
    expect(bounced.error).toContain('<[address]>');
    expect(bounced.error).not.toContain('bounce-mayor');
    await db.db.updateTable('officials').set({ email: 'clerk@example.org' }).where('place_id', '=', placeId).execute();
    const who2 = email('live2');
    await post({ kind: 'call', name: 'Caller', email: who2 }, undefined, '10.2.0.2');
    await app.inject({ method: 'POST', url: link((await waitForMail(smtp.received, who2)).text, 'confirm') });
    expect((await delivery.run(new Date('2026-12-03T15:00:00Z'))).sent).toBe(1);
    await waitForMail(smtp.received, 'clerk@example.org');
    const sent = await db.db
      .selectFrom('deliveries')
      .selectAll()
      .where('mode', '=', 'live')
      .where('status', '=', 'sent')
      .executeTakeFirstOrThrow();
    expect(sent.receipt).toMatch(/250/);
    expect((await tally()).delivered).toBe(1);
    const official = (await app.inject(`/api/v1/officials?place=${placeId}`)).json().data[0];
    expect(official.tallies.delivered).toBe(1);
    expect(official.tallies.confirmed).toBeGreaterThan(1);
  });

  it('takes a withdrawing supporter out of the kept copies of the digests that carried their letter', async () => {
    const delivery = new DeliveryService(db.db, crypto, mailer);
    const who = email('writer');
    const letter = `Please end the partnership. Written by hand, ${Math.random().toString(36).slice(2)}.`;
    expect(
      (
        await post(
          { kind: 'letter', name: 'Wanda Writer', email: who, message: letter, delivery: 'server' },
          undefined,
          '10.3.0.1',
        )
      ).statusCode,
    ).toBe(200);
    const mail = await waitForMail(smtp.received, who);
    await app.inject({ method: 'POST', url: link(mail.text, 'confirm') });
    // The same person signs the petition too: the digest names them.
    await post({ kind: 'petition', name: 'Wanda Writer', email: who }, undefined, '10.3.0.1');
    await app.inject({ method: 'POST', url: link((await waitForMail(smtp.received, who, 2)).text, 'confirm') });
    expect((await delivery.run(new Date('2026-12-04T15:00:00Z'))).sent).toBe(1);
    const carried = await db.db
      .selectFrom('deliveries')
      .select('outbox_id')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const copy = async () =>
      crypto.decrypt(
        (
          await db.db
            .selectFrom('outbox')
            .select('body_sealed')
            .where('id', '=', carried.outbox_id!)
            .executeTakeFirstOrThrow()
        ).body_sealed,
      );
    expect(await copy()).toContain(letter);
    expect(await copy()).toContain('Wanda Writer');

    const page = await app.inject({ url: link(mail.text, 'withdraw'), headers: { accept: 'text/html' } });
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const csrf = page.body.match(/name="csrf" value="([^"]+)"/)![1]!;
    const done = await app.inject({
      method: 'POST',
      url: link(mail.text, 'withdraw'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      payload: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(done.headers.location).toBe('/withdrawn');
    const after = await copy();
    expect(after).not.toContain(letter);
    expect(after).not.toContain('Wanda Writer');
    expect(after).toContain('a resident who later asked to be anonymous');
    expect(after).toContain('[a letter its writer later withdrew]');
  });

  it("keeps a supporter's name to one plain line, and refuses a name that is a link", async () => {
    const who = email('oneline');
    expect(
      (
        await post(
          { kind: 'petition', name: 'Eve\r\nBcc: someone@example.net\u2028Hi', email: who },
          undefined,
          '10.3.0.2',
        )
      ).statusCode,
    ).toBe(200);
    const mail = await waitForMail(smtp.received, who);
    expect(mail.text).toContain('Hello Eve Bcc: someone@example.net Hi,');
    const linked = await post(
      { kind: 'petition', name: 'Visit https://evil.example', email: email('linker') },
      undefined,
      '10.3.0.3',
    );
    expect(linked.statusCode).toBe(400);
    expect(linked.body).toContain('must be a name, without links');
  });

  it("stores a mail server's refusal of a supporter's address without the address", async () => {
    const who = email('bounce');
    await post({ kind: 'petition', name: 'Bouncing Person', email: who }, undefined, '10.3.0.4');
    const failed = await db.db
      .selectFrom('outbox')
      .select('error')
      .where('status', '=', 'failed')
      .where('kind', '=', 'confirm')
      .execute();
    expect(failed.length).toBeGreaterThan(0);
    for (const row of failed) {
      expect(row.error).toContain('[address]');
      expect(row.error).not.toContain(who);
    }
  });

  it('forgets supporters whose latest action is older than the retention period, keeping the anonymous count', async () => {
    const counted = (await tally()).confirmed;
    const before = Number(
      (
        await db.db
          .selectFrom('supporters')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(before).toBeGreaterThan(0);
    // Everything moves 3 years into the past: older than the 730 days kept by default.
    const old = new Date(Date.now() - 3 * 365 * 86_400_000).toISOString();
    await db.db.updateTable('supporters').set({ created_at: old }).execute();
    await db.db.updateTable('campaign_actions').set({ created_at: old }).where('status', '=', 'confirmed').execute();
    await db.db
      .deleteFrom('campaign_action_targets')
      .where('action_id', 'in', db.db.selectFrom('campaign_actions').select('id').where('status', '=', 'pending'))
      .execute();
    await db.db.deleteFrom('campaign_actions').where('status', '=', 'pending').execute();
    const swept = await app.campaignActions.sweep();
    expect(swept.forgotten).toBeGreaterThan(0);
    expect(
      Number(
        (
          await db.db
            .selectFrom('supporters')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    expect((await tally()).confirmed).toBe(counted);
  });

  it("lists the ZIP code's own town first, each town with its state", async () => {
    const res = await app.inject({ url: `/campaigns/${CAMPAIGN}?q=02143`, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    const list = res.body.slice(res.body.indexOf('<h2>Pick your town</h2>'));
    const items = [...list.matchAll(/<li>(?:<a [^>]*>)?([^<:]+)/g)].map((m) => m[1]!.trim());
    expect(items[0]).toBe('Somerville, MA');
    expect(items).toEqual(expect.arrayContaining(['Everett, MA', 'Malden, MA']));
    expect(res.body).not.toMatch(/city city|city or town/);
  });

  it('says plainly when delivery to officials is off, and counts in words that agree with the numbers', async () => {
    await db.db.updateTable('campaigns').set({ delivery_mode: 'off' }).where('id', '=', CAMPAIGN).execute();
    await new Promise((r) => setTimeout(r, 5100)); // what a campaign asks in a place is remembered for 5 s
    try {
      const page = await app.inject({ url: act, headers: { accept: 'text/html' } });
      expect(page.body).toContain('Delivery to officials is off for this campaign.');
      expect(page.body).toMatch(/This campaign writes to the mayor( and \d+ council members?)? of /);
      expect(page.body).not.toMatch(/\b1 (signatures|letters|calls)\b/);
      expect(page.body).not.toContain('so far yet');
    } finally {
      await db.db.updateTable('campaigns').set({ delivery_mode: 'live' }).where('id', '=', CAMPAIGN).execute();
      await new Promise((r) => setTimeout(r, 5100));
    }
  });

  it('takes no action after a campaign has ended', async () => {
    const form = await openForm('10.4.0.1');
    await db.db.updateTable('campaigns').set({ ends_on: '2020-01-01' }).where('id', '=', CAMPAIGN).execute();
    try {
      await new Promise((r) => setTimeout(r, 5100)); // what a campaign asks in a place is remembered for 5 s
      const res = await post({ kind: 'petition', name: 'Too Late', email: email('late') }, form, '10.4.0.1');
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain('ended on 2020-01-01');
      expect((await app.inject({ url: act, headers: { accept: 'text/html' } })).statusCode).toBe(410);
    } finally {
      await db.db.updateTable('campaigns').set({ ends_on: null }).where('id', '=', CAMPAIGN).execute();
      await new Promise((r) => setTimeout(r, 5100));
    }
  });

  it('offers a widget another site can frame, and only that page', async () => {
    const widget = await app.inject({ url: `/embed/campaigns/${CAMPAIGN}`, headers: { accept: 'text/html' } });
    expect(widget.statusCode).toBe(200);
    expect(widget.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(widget.headers['content-security-policy']).toContain("default-src 'self'");
    expect(widget.headers['set-cookie']).toBeUndefined();
    expect(widget.body).toMatch(/<form[^>]+action="\/campaigns\/cancel-ring-partnership"[^>]+target="_blank"/);
    const campaignPage = await app.inject({ url: `/campaigns/${CAMPAIGN}`, headers: { accept: 'text/html' } });
    expect(campaignPage.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(campaignPage.body).toContain(`&lt;iframe src=&quot;http://127.0.0.1:3000/embed/campaigns/${CAMPAIGN}&quot;`);
  });

  it('keeps no test email address in plain text anywhere in the database', async () => {
    expect(emails.length).toBeGreaterThan(20);
    if (dialect === 'sqlite') {
      const file = db.url.replace(/^sqlite:/, '');
      await app.close();
      const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)));
      for (const address of emails) {
        expect(bytes.includes(Buffer.from(address)), address).toBe(false);
        expect(bytes.includes(Buffer.from(address.toUpperCase())), address).toBe(false);
      }
    } else {
      const tables = await db.db.introspection.getTables();
      for (const table of tables) {
        const rows = await db.db
          .selectFrom(table.name as any)
          .selectAll()
          .execute();
        const text = JSON.stringify(rows).toLowerCase();
        for (const address of emails)
          expect(text.includes(address.toLowerCase()), `${table.name}: ${address}`).toBe(false);
      }
    }
  });
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '#src/storage/dialect';
import { JobLeases } from '#src/jobs/job-leases';
import { Housekeeping, type BackgroundJob } from '#src/jobs/housekeeping';
import { SharedCounters } from '#src/http/shared-counters';
import { RateLimiter } from '#src/http/rate-limit';
import { ProofOfWork, solve } from '#src/security/proof-of-work';
import { SpentChallengesTable } from '#src/security/spent-challenges';
import { buildApp } from '#src/app';
import { SupporterCrypto } from '#src/security/supporter-crypto';
import { Mailer } from '#src/mail/mailer';
import { DeliveryService } from '#src/features/campaigns/delivery.service';
import { CampaignActions } from '#src/features/campaigns/campaign-actions.service';
import { findCampaign, findCampaignPlace } from '#src/features/campaigns/campaigns.repository';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { fixture, importFile, importGeography, ringTownWithOfficial } from '../support/fixtures';
import { startSmtpServer } from '../support/smtp';

const CAMPAIGN = 'cancel-ring-partnership';
const TUESDAY_10AM_BOSTON = new Date('2026-12-01T15:00:00Z');

/**
 * Several server processes on one PostgreSQL database behave as one: background jobs run once (claimed
 * through leases that expire when a process dies mid-job), and rate limits are counted together.
 * Each "instance" here has its own connection pool, as a separate process would.
 */
describe('several instances on one PostgreSQL database', () => {
  let db: TestDatabase;
  const instances: DatabaseHandle[] = [];
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const key = randomBytes(32);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await importGeography(db.db);
    await importFile(db.db, 'atlas', fixture('atlas-sample.csv'), '2020-10-07');
    await importFile(db.db, 'uscm-mayors', fixture('mayors-sample.csv'));
    smtp = await startSmtpServer();
    for (let i = 0; i < 3; i++) instances.push(openDatabase(db.url));
  });
  afterAll(async () => {
    for (const handle of instances) await handle.close();
    await smtp?.close();
    await db?.destroy();
  });

  /** A confirmed petition in the Ring town with an official, waiting for delivery. */
  async function confirmedPetition(name: string): Promise<void> {
    const crypto = new SupporterCrypto(key);
    const mailer = new Mailer(db.db, crypto, { smtpUrl: null, from: 'campaigns@counterwatch.invalid' });
    const actions = new CampaignActions(db.db, crypto, mailer, 'http://127.0.0.1:3000', 730, 'postgres');
    const campaign = (await findCampaign(db.db, CAMPAIGN))!;
    const at = (await findCampaignPlace(db.db, campaign, await ringTownWithOfficial(db.db)))!;
    const taken = await actions.take({
      campaign,
      at,
      kind: 'petition',
      name,
      email: `${name.replace(/\W/g, '').toLowerCase()}@example.org`,
      optIn: false,
    });
    expect(taken.status).toBe('pending');
    await db.db
      .updateTable('campaign_actions')
      .set({ status: 'confirmed', confirmed_at: new Date().toISOString() })
      .where('id', '=', (taken as { actionId: string }).actionId)
      .execute();
  }

  /** One instance's deliveries job, at a fixed time in business hours, through its own pool and mailer. */
  function deliveriesJob(handle: DatabaseHandle): BackgroundJob {
    const crypto = new SupporterCrypto(key);
    const delivery = new DeliveryService(
      handle.db,
      crypto,
      new Mailer(handle.db, crypto, { smtpUrl: smtp.url, from: 'campaigns@counterwatch.invalid' }),
    );
    return {
      name: 'deliveries',
      everyMs: 5 * 60_000,
      run: async () => {
        const report = await delivery.run(TUESDAY_10AM_BOSTON);
        return `${report.sent} sent`;
      },
    };
  }

  it('runs a job in one instance only when several try at the same moment', async () => {
    const runs: string[] = [];
    const leases = instances.map((h) => new JobLeases(h.db));
    const outcomes = await Promise.all(
      leases.map((l, i) =>
        l.run('race', { leaseMs: 5_000, everyMs: 60_000 }, async () => {
          runs.push(`instance ${i}`);
          await new Promise((r) => setTimeout(r, 200));
          return 'done';
        }),
      ),
    );
    expect(runs).toHaveLength(1);
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    // Done, and not due again for a minute: no instance runs it again now.
    const again = await Promise.all(
      leases.map((l) => l.run('race', { leaseMs: 5_000, everyMs: 60_000 }, async () => 'again')),
    );
    expect(again.every((o) => !o.ran)).toBe(true);
    const row = await db.db.selectFrom('job_leases').selectAll().where('name', '=', 'race').executeTakeFirstOrThrow();
    expect(row.holder).toBeNull();
    expect(row.last_outcome).toBe('done');
    // An operator's "run it now" (the CLI) may run it before it is due, but never beside a running one.
    expect(await leases[0]!.claim('race', 5_000, Date.now(), { evenIfNotDue: true })).toBe(true);
    expect(await leases[1]!.claim('race', 5_000, Date.now(), { evenIfNotDue: true })).toBe(false);
    await leases[0]!.release('race', 'run now', Date.now() + 60_000);
  });

  it('sends each digest to an official once when every instance runs its housekeeping at once', async () => {
    await db.db.updateTable('campaigns').set({ delivery_mode: 'live' }).where('id', '=', CAMPAIGN).execute();
    await db.db
      .updateTable('officials')
      .set({ email: 'clerk@example.org' })
      .where('place_id', '=', await ringTownWithOfficial(db.db))
      .execute();
    await confirmedPetition('Ada Once');
    const housekeepers = instances.map(
      (h) => new Housekeeping(new JobLeases(h.db), [deliveriesJob(h)], () => undefined),
    );
    const ran = await Promise.all(housekeepers.map((h) => h.runDue()));
    expect(ran.flat()).toEqual(['deliveries']);
    await new Promise((r) => setTimeout(r, 300));
    const digests = smtp.received.filter((m) => m.to.includes('clerk@example.org'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain('Ada Once');
    expect(
      Number(
        (
          await db.db
            .selectFrom('deliveries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(1);
  });

  it('lets another instance take over a job whose instance was killed mid-job, once its lease expires', async () => {
    await db.db.deleteFrom('job_leases').where('name', '=', 'deliveries').execute();
    await db.db.deleteFrom('deliveries').execute();
    await confirmedPetition('Bo Later');
    const before = smtp.received.length;
    // Another process claims the deliveries job with a 3 s lease, and is killed while it runs.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/lease-holder.ts', db.url, 'deliveries', '3000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => String(chunk).includes('started') && resolve());
      child.on('exit', (code) => reject(new Error(`the lease holder exited early (${code})`)));
      setTimeout(() => reject(new Error('the lease holder did not start')), 20_000);
    });
    // While it lives, its heartbeat keeps the lease: nobody else runs the job.
    const survivor = new Housekeeping(
      new JobLeases(instances[0]!.db),
      [deliveriesJob(instances[0]!)],
      () => undefined,
      3000,
    );
    await new Promise((r) => setTimeout(r, 3500));
    expect(await survivor.runDue()).toEqual([]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Right after the kill the lease still holds; once it expires, the survivor takes the job over.
    expect(await survivor.runDue()).toEqual([]);
    await new Promise((r) => setTimeout(r, 3200));
    expect(await survivor.runDue()).toEqual(['deliveries']);
    await new Promise((r) => setTimeout(r, 300));
    const digests = smtp.received.slice(before).filter((m) => m.to.includes('clerk@example.org'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain('Bo Later');
  });

  it("counts one client's requests across instances for the rate limit", async () => {
    const crypto = new SupporterCrypto(key);
    const counters = instances
      .slice(0, 2)
      .map((h) => new SharedCounters(h.db, (client) => crypto.sign(`client:${client}`)));
    const apps = await Promise.all(
      counters.map((c, i) => buildApp(instances[i]!, { versionTtlMs: 0, rateLimitPerMinute: 4, sharedCounters: c })),
    );
    // Each instance tells its counts and learns the totals every second; two rounds, so that each has
    // learnt what the other told.
    const exchangeAll = async () => {
      for (let round = 0; round < 2; round++) for (const c of counters) await c.exchange();
    };
    try {
      const hit = (i: number) => apps[i]!.inject({ url: '/api/v1/stats', remoteAddress: '192.0.2.10' });
      expect((await hit(0)).statusCode).toBe(200);
      expect((await hit(1)).statusCode).toBe(200);
      expect((await hit(0)).statusCode).toBe(200);
      await exchangeAll();
      // Three so far across both: one more passes, then either instance refuses.
      expect((await hit(1)).statusCode).toBe(200);
      await exchangeAll();
      expect((await hit(0)).statusCode).toBe(429);
      expect((await hit(1)).statusCode).toBe(429);
      // Another client is not affected; no address is stored in plain text.
      expect((await apps[1]!.inject({ url: '/api/v1/stats', remoteAddress: '192.0.2.11' })).statusCode).toBe(200);
      const stored = await db.db.selectFrom('rate_limit_counts').select('client').execute();
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.some((r) => r.client.includes('192.0.2'))).toBe(false);
    } finally {
      for (const app of apps) await app.close();
    }
  });

  it('accepts a solved proof of work once, whichever instance receives it', async () => {
    const crypto = new SupporterCrypto(key);
    const [one, two] = instances
      .slice(0, 2)
      .map((h) => new ProofOfWork(crypto, 1000, 60_000, new SpentChallengesTable(h.db)));
    const challenge = one!.issue();
    const fields = {
      pow_salt: challenge.salt,
      pow_challenge: challenge.challenge,
      pow_signature: challenge.signature,
      pow_number: String(solve(challenge)),
    };
    const verdicts = await Promise.all([one!.verify(fields), two!.verify(fields), two!.verify(fields)]);
    expect(verdicts.sort()).toEqual(['invalid', 'invalid', 'solved']);
  });

  it('holds an exact limit across instances for campaign actions and sign-ins', async () => {
    const crypto = new SupporterCrypto(key);
    const limiters = instances.slice(0, 2).map(
      (h) =>
        new RateLimiter(2, 60_000, {
          store: new SharedCounters(h.db, (c) => crypto.sign(`client:${c}`)),
          bucket: 'exact-test',
        }),
    );
    expect(await limiters[0]!.takeExact('198.51.100.1')).toBe(0);
    expect(await limiters[1]!.takeExact('198.51.100.1')).toBe(0);
    expect(await limiters[0]!.takeExact('198.51.100.1')).toBeGreaterThan(0);
    expect(await limiters[1]!.takeExact('198.51.100.1')).toBeGreaterThan(0);
    expect(await limiters[1]!.takeExact('198.51.100.2')).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';

export interface JobRun {
  readonly ran: boolean;
  /** Why it did not run: another process holds the lease, or the job ran less than `everyMs` ago. */
  readonly reason?: 'busy';
}

/**
 * Leases on background jobs, in the database, so that of several server processes on one database only
 * one runs a job at a time and each run happens once per period.
 *
 * Claiming is one atomic statement (an upsert that takes the row only where its lease has expired), so two
 * processes that try at once cannot both win. While a job runs its lease lasts `leaseMs`; a process killed
 * mid-job never gives it back, and another takes the job over once it expires. A finished job keeps the
 * lease until it is next due (`everyMs`), so the others do not run it again in between.
 */
export class JobLeases {
  /** This process, as written in `holder`. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes the job's lease for `leaseMs` if no process holds it and it is due (or, with `evenIfNotDue`, as
   * soon as no process is running it: an operator's "run it now"); true when taken.
   */
  async claim(
    name: string,
    leaseMs: number,
    now = Date.now(),
    options: { evenIfNotDue?: boolean } = {},
  ): Promise<boolean> {
    const taken = await this.db
      .insertInto('job_leases')
      .values({
        name,
        holder: this.holder,
        expires_at: now + leaseMs,
        last_started_at: new Date(now).toISOString(),
        last_finished_at: null,
        last_outcome: null,
      })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.holder, expires_at: now + leaseMs, last_started_at: new Date(now).toISOString() })
          .where((eb) =>
            options.evenIfNotDue
              ? eb.or([eb('job_leases.expires_at', '<=', now), eb('job_leases.holder', 'is', null)])
              : eb('job_leases.expires_at', '<=', now),
          ),
      )
      .returning('holder')
      .executeTakeFirst();
    return taken?.holder === this.holder;
  }

  /** Gives the lease back, keeping the job for this process until `nextDueAt` (ms since the epoch). */
  async release(name: string, outcome: string, nextDueAt: number): Promise<void> {
    await this.db
      .updateTable('job_leases')
      .set({
        holder: null,
        expires_at: nextDueAt,
        last_finished_at: new Date().toISOString(),
        last_outcome: outcome.slice(0, 500),
      })
      .where('name', '=', name)
      .where('holder', '=', this.holder)
      .execute();
  }

  /** Extends a lease this process holds (while its job is still running). */
  async renew(name: string, leaseMs: number): Promise<void> {
    await this.db
      .updateTable('job_leases')
      .set({ expires_at: Date.now() + leaseMs })
      .where('name', '=', name)
      .where('holder', '=', this.holder)
      .execute();
  }

  /**
   * Runs `job` if this process can claim it: at most one process at a time, at most once every `everyMs`
   * (counted from the start of the run). The lease is renewed while the job runs, so `leaseMs` can be short:
   * it is how long the others wait after a process dies mid-job. A job that throws is released at once, as
   * failed, to be tried again at the next tick.
   */
  async run(name: string, options: { leaseMs: number; everyMs: number }, job: () => Promise<string>): Promise<JobRun> {
    const started = Date.now();
    if (!(await this.claim(name, options.leaseMs, started))) return { ran: false, reason: 'busy' };
    const heartbeat = setInterval(
      () => void this.renew(name, options.leaseMs).catch(() => undefined),
      Math.max(50, options.leaseMs / 3),
    );
    heartbeat.unref();
    let outcome: string;
    try {
      outcome = await job();
    } catch (error) {
      clearInterval(heartbeat);
      await this.release(name, `failed: ${(error as Error).message}`, Date.now());
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
    // Due again one period after this run started (a little early, so that a timer with the same period
    // finds it due).
    await this.release(name, outcome, started + options.everyMs - Math.min(1000, options.everyMs / 10));
    return { ran: true };
  }
}

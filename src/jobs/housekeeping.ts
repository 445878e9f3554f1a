import type { JobLeases } from './job-leases';

/** A background job: what it is called (its lease), how often it is due, and what it does. */
export interface BackgroundJob {
  readonly name: string;
  readonly everyMs: number;
  /** Runs once; returns a one-line outcome (kept on its lease row and logged). */
  run(): Promise<string>;
}

/** How long other processes wait before taking over a job whose process died mid-run. */
export const JOB_LEASE_MS = 60_000;

/**
 * Runs the server's background jobs (reminders, expiry and retention of supporters' data, mail retries,
 * digests to officials, source syncs): every `tickMs`, each job that is due and not held by another
 * process is claimed and run, one after another. Safe to run in every server process on one database.
 */
export class Housekeeping {
  private running: Promise<void> | null = null;

  constructor(
    private readonly leases: JobLeases,
    private readonly jobs: readonly BackgroundJob[],
    private readonly log: (message: string) => void,
    private readonly leaseMs = JOB_LEASE_MS,
  ) {}

  /** Runs every job this process can claim now; returns the names of the jobs that ran. */
  async runDue(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs) {
      try {
        const outcome = await this.leases.run(job.name, { leaseMs: this.leaseMs, everyMs: job.everyMs }, () =>
          job.run(),
        );
        if (outcome.ran) ran.push(job.name);
      } catch (error) {
        this.log(`${job.name} failed: ${(error as Error).message}`);
      }
    }
    return ran;
  }

  /** Ticks every `tickMs` until the returned function is called (which waits for a tick in progress). */
  start(tickMs: number): () => Promise<void> {
    const tick = () => {
      if (this.running) return;
      this.running = this.runDue()
        .then(() => undefined)
        .finally(() => (this.running = null));
    };
    const timer = setInterval(tick, tickMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.running;
    };
  }
}

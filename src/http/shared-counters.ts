import { sql, type Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import type { RateLimiter, SharedCounterStore } from './rate-limit';

/**
 * Rate-limit counts shared by the server processes on one PostgreSQL database (`rate_limit_counts`).
 * PostgreSQL rather than Redis: it is the one service a deployment already runs, and the counts need no
 * more than one upsert per limiter and second (plus one per campaign action or sign-in).
 *
 * Clients are stored as keyed hashes, never as addresses or email domains, and windows older than ten
 * minutes are deleted.
 */
export class SharedCounters implements SharedCounterStore {
  private readonly limiters: RateLimiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly hashClient: (client: string) => string,
  ) {}

  register(limiter: RateLimiter): void {
    this.limiters.push(limiter);
  }

  async add(
    counts: readonly { bucket: string; client: string; windowStart: number; count: number }[],
  ): Promise<number[]> {
    if (counts.length === 0) return [];
    const rows = counts.map((c) => ({
      bucket: c.bucket,
      client: this.hashClient(c.client),
      window_start: c.windowStart,
      count: c.count,
    }));
    const totals = await this.db
      .insertInto('rate_limit_counts')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns(['bucket', 'client', 'window_start'])
          .doUpdateSet({ count: sql`rate_limit_counts.count + excluded.count` }),
      )
      .returning(['bucket', 'client', 'window_start', 'count'])
      .execute();
    const byKey = new Map(totals.map((t) => [`${t.bucket}|${t.client}|${Number(t.window_start)}`, Number(t.count)]));
    return rows.map((r) => byKey.get(`${r.bucket}|${r.client}|${r.window_start}`) ?? r.count);
  }

  /** Tells the store every limiter's new counts and learns the totals (what the timer does each second). */
  async exchange(now = Date.now()): Promise<void> {
    for (const limiter of this.limiters) {
      const pending = limiter.pending(now);
      if (pending.length === 0) continue;
      // Several clients in one statement; a client counted twice (two windows) goes in the next round.
      const seen = new Set<string>();
      const batch = pending.filter((p) => !seen.has(p.client) && seen.add(p.client)).slice(0, 1000);
      const totals = await this.add(
        batch.map((p) => ({ bucket: limiter.bucket!, client: p.client, windowStart: p.windowStart, count: p.count })),
      );
      batch.forEach((p, i) => p.settle(totals[i]!));
    }
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      await this.db
        .deleteFrom('rate_limit_counts')
        .where('window_start', '<', now - 10 * 60_000)
        .execute();
    }
  }

  start(everyMs = 1000): void {
    if (this.timer) return;
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.exchange()
        .catch((error) => process.stderr.write(`rate limits: could not share counts: ${(error as Error).message}\n`))
        .finally(() => (busy = false));
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

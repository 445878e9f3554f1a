import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

/** One client's count in one window, as this process knows it. */
interface Window {
  readonly start: number;
  /** Requests this process counted in the window. */
  mine: number;
  /** How many of `mine` the shared store has been told of. */
  told: number;
  /** The store's total for the window (every process) when it was last told. */
  shared: number;
  /** The client's count in the window before this one (what this process knew of it). */
  readonly previous: number;
}

/** A window's count: the store's total includes what this process told it; add what it has not told yet. */
function countOf(window: Window): number {
  return window.shared + (window.mine - window.told);
}

/** What limits share between server processes (PostgreSQL; `storage/shared-counters.ts`). */
export interface SharedCounterStore {
  /** Adds each count to its (bucket, client, window) total and returns the new totals, in order. */
  add(counts: readonly { bucket: string; client: string; windowStart: number; count: number }[]): Promise<number[]>;
  /** Keeps a limiter's counts in step with the other processes (every second). */
  register(limiter: RateLimiter): void;
}

/**
 * A limit of requests per client (address, email domain, ...) over a sliding window, estimated from two
 * fixed windows: the current one's count plus the previous one's, weighted by how much of it still lies
 * within the last `windowMs` (so a burst at the end of one window does not buy a full allowance at the
 * start of the next). Windows are aligned to the clock (multiples of the window since the epoch), so that
 * every process counts the same windows.
 *
 * Alone, it counts in memory. With a shared store (several processes on one PostgreSQL), `take` stays
 * synchronous and cheap (it runs before every request, including the ones answered from memory): it adds
 * the other processes' counts as of the last exchange, which happens every second, so a client spread over
 * N processes can exceed the limit by at most what it sends in that second. `takeExact` asks the store
 * first, for the rare requests where the limit must hold exactly (campaign actions, sign-ins).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
    private readonly shared: { store: SharedCounterStore; bucket: string } | null = null,
  ) {
    shared?.store.register(this);
  }

  get bucket(): string | null {
    return this.shared?.bucket ?? null;
  }

  /** Counts the request; returns the seconds to wait when it is over the limit, or 0. */
  take(client: string, now = Date.now()): number {
    const window = this.windowOf(client, now);
    window.mine++;
    return this.wait(window, now);
  }

  /** Like `take`, but with the count every process agrees on (one round trip to the shared store). */
  async takeExact(client: string, now = Date.now()): Promise<number> {
    const window = this.windowOf(client, now);
    window.mine++;
    if (this.shared) {
      const delta = window.mine - window.told;
      const sent = window.mine;
      const [total] = await this.shared.store.add([
        { bucket: this.shared.bucket, client, windowStart: window.start, count: delta },
      ]);
      window.told = Math.max(window.told, sent);
      window.shared = Math.max(window.shared, total!);
    }
    return this.wait(window, now);
  }

  /**
   * What to exchange with the shared store: the counts not yet told, and the clients of the current window
   * who are near the limit (at least half of it), whose totals must be learnt again even when this process
   * saw nothing new from them. `settle` records the total the store answered.
   */
  pending(now = Date.now()): { client: string; windowStart: number; count: number; settle: (total: number) => void }[] {
    const out = [];
    const current = Math.floor(now / this.windowMs) * this.windowMs;
    for (const [client, window] of this.windows) {
      const near = window.start === current && countOf(window) + window.previous >= this.max / 2;
      if (window.mine === window.told && !near) continue;
      const sent = window.mine;
      out.push({
        client,
        windowStart: window.start,
        count: sent - window.told,
        settle: (total: number) => {
          window.told = Math.max(window.told, sent);
          window.shared = Math.max(window.shared, total);
        },
      });
    }
    return out;
  }

  /** An onRequest hook that answers 429 for a client over the limit. */
  hook() {
    return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      const wait = this.take(request.ip);
      if (wait === 0) return done();
      reply.header('retry-after', String(wait));
      done(
        new HttpError(
          429,
          'rate_limited',
          `Too many requests: at most ${this.max} a minute from one address. Try again in ${wait} s.`,
        ),
      );
    };
  }

  private windowOf(client: string, now: number): Window {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    let window = this.windows.get(client);
    if (!window || window.start !== start) {
      if (this.windows.size > 50_000) this.sweep(start);
      const previous = window && window.start === start - this.windowMs ? countOf(window) : 0;
      window = { start, mine: 0, told: 0, shared: 0, previous };
      this.windows.set(client, window);
    }
    return window;
  }

  private wait(window: Window, now: number): number {
    const weight = 1 - (now - window.start) / this.windowMs;
    const count = countOf(window) + window.previous * weight;
    return count > this.max ? Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) : 0;
  }

  private sweep(start: number): void {
    // Windows before the previous one weigh nothing any more.
    for (const [client, window] of this.windows) if (window.start < start - this.windowMs) this.windows.delete(client);
  }
}

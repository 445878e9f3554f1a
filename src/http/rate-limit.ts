import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';

/**
 * A fixed-window limit of requests per client address, in memory. Lean on purpose: it runs before every
 * API request, including the ones answered from memory. A client over the limit gets a 429 with
 * Retry-After; the others are not slowed. (One process: behind several processes, limit at the proxy.)
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts the request; returns the seconds to wait when it is over the limit, or 0. */
  take(client: string, now = Date.now()): number {
    let window = this.windows.get(client);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 50_000) this.sweep(now);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(client, window);
    }
    window.count++;
    return window.count > this.max ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : 0;
  }

  /** An onRequest hook that answers 429 for a client over the limit. */
  hook() {
    return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      const wait = this.take(request.ip);
      if (wait === 0) return done();
      reply.header('retry-after', String(wait));
      done(new HttpError(429, 'rate_limited', `Too many requests: at most ${this.max} a minute from one address. Try again in ${wait} s.`));
    };
  }

  private sweep(now: number): void {
    for (const [client, window] of this.windows) if (window.resetAt <= now) this.windows.delete(client);
  }
}

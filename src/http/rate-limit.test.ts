import { describe, expect, it } from 'vitest';
import { RateLimiter, type SharedCounterStore } from './rate-limit';

/** Several processes' limiters over one store, as PostgreSQL would hold it. */
function memoryStore(): SharedCounterStore & { limiters: RateLimiter[]; exchange(): Promise<void> } {
  const totals = new Map<string, number>();
  const store = {
    limiters: [] as RateLimiter[],
    async add(counts: readonly { bucket: string; client: string; windowStart: number; count: number }[]) {
      return counts.map((c) => {
        const key = `${c.bucket}|${c.client}|${c.windowStart}`;
        totals.set(key, (totals.get(key) ?? 0) + c.count);
        return totals.get(key)!;
      });
    },
    register(limiter: RateLimiter) {
      store.limiters.push(limiter);
    },
    async exchange() {
      for (const limiter of store.limiters) {
        const pending = limiter.pending();
        const results = await store.add(pending.map((p) => ({ bucket: limiter.bucket!, ...p })));
        pending.forEach((p, i) => p.settle(results[i]!));
      }
    },
  };
  return store;
}

describe('RateLimiter', () => {
  it('lets a client make max requests a window, then says how long to wait', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([0, 1, 2].map(() => limiter.take('a', 1_000))).toEqual([0, 0, 0]);
    expect(limiter.take('a', 1_000)).toBe(59);
    expect(limiter.take('a', 31_000)).toBe(29);
    expect(limiter.take('b', 31_000)).toBe(0);
  });

  it('weighs the previous window by how much of it is still within the last window', () => {
    const limiter = new RateLimiter(10, 10_000);
    // Ten at the end of one window: at the start of the next they still count almost whole.
    for (let i = 0; i < 10; i++) expect(limiter.take('a', 9_000)).toBe(0);
    expect(limiter.take('a', 10_500)).toBeGreaterThan(0);
    // Halfway through it, half of them count: 5, plus the refused one, leaves room for 4 more.
    const passed = [0, 1, 2, 3, 4, 5].map(() => limiter.take('a', 15_000)).filter((w) => w === 0).length;
    expect(passed).toBe(4);
    // Two windows later, nothing of them is left.
    expect(limiter.take('a', 30_000)).toBe(0);
  });

  it('counts one client across processes once they have exchanged counts', async () => {
    const store = memoryStore();
    const one = new RateLimiter(4, 60_000, { store, bucket: 'api' });
    const two = new RateLimiter(4, 60_000, { store, bucket: 'api' });
    expect([one.take('a', 0), one.take('a', 0), two.take('a', 0)]).toEqual([0, 0, 0]);
    await store.exchange();
    // Three so far in all: the fourth passes, the fifth is refused, whichever process it reaches.
    expect(two.take('a', 1)).toBe(0);
    expect(one.take('a', 1)).toBe(0);
    await store.exchange();
    expect(one.take('a', 2)).toBe(60);
    expect(two.take('b', 2)).toBe(0);
  });

  it('takeExact asks the store first, so the limit holds exactly across processes', async () => {
    const store = memoryStore();
    const one = new RateLimiter(2, 60_000, { store, bucket: 'actions' });
    const two = new RateLimiter(2, 60_000, { store, bucket: 'actions' });
    expect(await one.takeExact('a', 0)).toBe(0);
    expect(await two.takeExact('a', 0)).toBe(0);
    expect(await one.takeExact('a', 0)).toBe(60);
    expect(await two.takeExact('a', 0)).toBe(60);
  });
});

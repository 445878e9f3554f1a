import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  it('lets a client make max requests a window, then says how long to wait', () => {
    const limiter = new RateLimiter(3, 60_000);
    expect([0, 1, 2].map(() => limiter.take('a', 1_000))).toEqual([0, 0, 0]);
    expect(limiter.take('a', 1_000)).toBe(60);
    expect(limiter.take('a', 31_000)).toBe(30);
    expect(limiter.take('b', 31_000)).toBe(0);
  });

  it('starts a new window once the old one is over', () => {
    const limiter = new RateLimiter(1, 10_000);
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('a', 5_000)).toBe(5);
    expect(limiter.take('a', 10_000)).toBe(0);
  });
});

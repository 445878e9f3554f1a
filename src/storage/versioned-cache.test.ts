import { describe, expect, it } from 'vitest';
import { VersionedCache } from './versioned-cache';

describe('VersionedCache', () => {
  const sized = (limits: { maxBytes: number; maxEntries: number }) =>
    new VersionedCache<string>(limits, (key, value) => key.length + value.length);

  it('lets the least recently used go first', () => {
    const cache = sized({ maxBytes: 1000, maxEntries: 3 });
    cache.get('', 'v1');
    for (const key of ['a', 'b', 'c']) cache.set(key, 'v1', key.toUpperCase());
    expect(cache.get('a', 'v1')).toBe('A'); // now the most recent
    cache.set('d', 'v1', 'D');
    expect(cache.get('b', 'v1')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k, 'v1'))).toEqual(['A', 'C', 'D']);
  });

  it('holds no more bytes than its bound, and refuses one value of over a sixteenth of it', () => {
    const cache = sized({ maxBytes: 160, maxEntries: 1000 });
    cache.get('', 'v1');
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, 'v1', 'x'.repeat(7));
    expect(cache.stats().bytes).toBeLessThanOrEqual(160);
    expect(cache.get('k99', 'v1')).toBe('xxxxxxx');
    cache.set('big', 'v1', 'y'.repeat(20));
    expect(cache.get('big', 'v1')).toBeUndefined();
  });

  it('forgets everything when a newer version is asked for, and keeps nothing made for an older one', () => {
    const cache = sized({ maxBytes: 1000, maxEntries: 100 });
    cache.get('', 'v1');
    cache.set('a', 'v1', 'A');
    expect(cache.get('a', 'v2')).toBeUndefined();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, version: 'v2' });
    cache.set('late', 'v1', 'old');
    expect(cache.get('late', 'v2')).toBeUndefined();
  });

  it('says whether a key is held without changing the version it holds', () => {
    const cache = sized({ maxBytes: 1000, maxEntries: 100 });
    cache.get('', 'v2');
    cache.set('a', 'v2', 'A');
    expect([cache.has('a', 'v2'), cache.has('b', 'v2'), cache.has('a', 'v1')]).toEqual([true, false, false]);
    expect(cache.stats()).toEqual({ entries: 1, bytes: 2, version: 'v2' });
  });
});

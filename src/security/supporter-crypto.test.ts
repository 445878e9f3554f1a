import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { newToken, randomChunk, SupporterCrypto, tokenHash } from './supporter-crypto';

describe('supporter data at rest', () => {
  const crypto = new SupporterCrypto(randomBytes(32));

  it('seals and opens text, with a fresh IV each time, and refuses a tampered value', () => {
    const a = crypto.encrypt('resident@example.org');
    const b = crypto.encrypt('resident@example.org');
    expect(a).not.toBe(b);
    expect(a).not.toContain('resident');
    expect(crypto.decrypt(a)).toBe('resident@example.org');
    const raw = Buffer.from(a.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => crypto.decrypt(`v1.${raw.toString('base64url')}`)).toThrow();
    expect(() => new SupporterCrypto(randomBytes(32)).decrypt(a)).toThrow();
  });

  it('hashes every spelling of one address alike, and differently under another key', () => {
    expect(crypto.emailHash(' Resident@Example.ORG ')).toBe(crypto.emailHash('resident@example.org'));
    expect(new SupporterCrypto(randomBytes(32)).emailHash('resident@example.org')).not.toBe(
      crypto.emailHash('resident@example.org'),
    );
  });

  it('makes distinct tokens from the random pool, stored only as hashes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newToken().token); // crosses several pool refills
    expect(seen.size).toBe(5000);
    const t = newToken();
    expect(t.hash).toBe(tokenHash(t.token));
    expect(randomChunk(12)).toHaveLength(12);
  });
});

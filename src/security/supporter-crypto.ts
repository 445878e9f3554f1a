import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Random bytes from a pool refilled 64 kB at a time: one system call for thousands of IVs and tokens
 * instead of one each (the pool is as random as crypto.randomBytes, which fills it).
 */
let pool = Buffer.alloc(0);
let offset = 0;
export function randomChunk(size: number): Buffer {
  if (offset + size > pool.length) {
    pool = randomBytes(64 * 1024);
    offset = 0;
  }
  const chunk = Buffer.from(pool.subarray(offset, offset + size));
  // Spent bytes are wiped, so a later look at the pool cannot recover an IV or token handed out.
  pool.fill(0, offset, offset + size);
  offset += size;
  return chunk;
}

/**
 * Supporters' personal data at rest: AES-256-GCM for what must be read back (email, name, address, letters),
 * a keyed hash (HMAC-SHA256) of the email for finding the same person again, and random tokens stored only
 * as hashes. Two keys are derived from the one configured key, so neither use can stand in for the other.
 */
export class SupporterCrypto {
  private readonly encryptionKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the supporter key must be 32 bytes');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'counterwatch supporter data v1', 32));
    this.hashKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'counterwatch email hash v1', 32));
  }

  /** `v1.` + base64url(iv ‖ tag ‖ ciphertext). */
  encrypt(plain: string): string {
    const iv = randomChunk(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  decrypt(sealed: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The same for every spelling of one address ("A@X.org " and "a@x.org"); useless without the key. */
  emailHash(email: string): string {
    return createHmac('sha256', this.hashKey).update(normalizeEmail(email)).digest('hex');
  }

  /** A keyed hash of any text (e.g. a letter, to spot identical messages) that leaks nothing of it. */
  textHash(text: string): string {
    return createHmac('sha256', this.hashKey)
      .update(`text:${text.replace(/\s+/g, ' ').trim().toLowerCase()}`)
      .digest('hex');
  }

  /** A signature of a value (CSRF tokens): HMAC, compared in constant time. */
  sign(value: string): string {
    return createHmac('sha256', this.hashKey).update(`sign:${value}`).digest('base64url');
  }

  verify(value: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(value));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A random token for a link (confirm, withdraw), and the hash that is stored instead of it. */
export function newToken(): { token: string; hash: string } {
  const token = randomChunk(24).toString('base64url');
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The configured key, or the embedded one in `file`, made (readable by this user only) on first use. */
export function loadSupporterKey(configured: string | null, file: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  if (existsSync(file)) {
    // Readable by its owner only, even if it was copied in with looser permissions.
    chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { SupporterCrypto } from './supporter-crypto';
import { html, type SafeHtml } from '#src/ui/safe-html';

/**
 * A self-hosted proof-of-work challenge in the style of ALTCHA: the server picks a secret number up to
 * `max`, publishes SHA-256(salt + number) with a signature, and the browser finds the number by trying
 * them all (tens of milliseconds for a person, a real cost for a flood). Nothing leaves this site.
 */
export interface Challenge {
  readonly salt: string;
  readonly challenge: string;
  readonly signature: string;
  readonly max: number;
}

export type PowVerdict = 'solved' | 'missing' | 'invalid';

/** Where the challenges already used are kept when several processes share the work (PostgreSQL). */
export interface SpentChallenges {
  /** Records the challenge as used; false when it had been used already (by any process). */
  spend(challenge: string, expiresAt: number): Promise<boolean>;
}

export class ProofOfWork {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly crypto: SupporterCrypto,
    private readonly max = 50_000,
    private readonly ttlMs = 20 * 60_000,
    /** Shared between processes; without it, this process remembers the used challenges itself. */
    private readonly spent: SpentChallenges | null = null,
  ) {}

  issue(now = Date.now()): Challenge {
    const salt = `${randomBytes(12).toString('hex')}.${now + this.ttlMs}`;
    const challenge = sha256(`${salt}${randomInt(0, this.max + 1)}`);
    return { salt, challenge, signature: this.crypto.sign(`pow:${challenge}`), max: this.max };
  }

  /** Checks a solution from a form; each challenge can be used once (across processes with `spent`). */
  async verify(
    fields: { pow_salt?: string; pow_challenge?: string; pow_signature?: string; pow_number?: string },
    now = Date.now(),
  ): Promise<PowVerdict> {
    const { pow_salt: salt, pow_challenge: challenge, pow_signature: signature, pow_number: number } = fields;
    if (!number) return 'missing';
    if (!salt || !challenge || !signature || !/^\d{1,9}$/.test(number)) return 'invalid';
    if (!this.crypto.verify(`pow:${challenge}`, signature)) return 'invalid';
    const expires = Number(salt.split('.')[1]);
    if (!Number.isFinite(expires) || expires < now) return 'invalid';
    if (sha256(`${salt}${number}`) !== challenge) return 'invalid';
    if (this.spent) return (await this.spent.spend(challenge, expires)) ? 'solved' : 'invalid';
    if (this.used.has(challenge)) return 'invalid';
    if (this.used.size > 100_000) for (const [c, until] of this.used) if (until < now) this.used.delete(c);
    this.used.set(challenge, expires);
    return 'solved';
  }

  /** The hidden fields of a form that carries a challenge. */
  fields(now = Date.now()): SafeHtml {
    const c = this.issue(now);
    return html`<input type="hidden" name="pow_salt" value="${c.salt}">\
<input type="hidden" name="pow_challenge" value="${c.challenge}">\
<input type="hidden" name="pow_signature" value="${c.signature}"><input type="hidden" name="pow_max" value="${c.max}">\
<input type="hidden" name="pow_number" value="">`;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Solves a challenge the way the browser does (for tests and tools). */
export function solve(challenge: Pick<Challenge, 'salt' | 'challenge' | 'max'>): number | null {
  for (let n = 0; n <= challenge.max; n++) if (sha256(`${challenge.salt}${n}`) === challenge.challenge) return n;
  return null;
}

import type { FastifyRequest } from 'fastify';
import type { ProofOfWork } from '#src/security/proof-of-work';
import type { FormGuard } from './forms';
import { RateLimiter, type SharedCounterStore } from './rate-limit';

/** Why a public form's post is refused, in words for the person who sent it. */
export interface Refusal {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  /** Seconds to wait, for a 429. */
  readonly retryAfter?: number;
}

export interface PublicFormLimits {
  readonly guard: FormGuard;
  readonly pow: ProofOfWork;
  /** Posts a minute from one address, and those of them that come without a solved proof of work (no JavaScript). */
  readonly perAddressPerMinute: number;
  readonly perAddressWithoutProofPerMinute: number;
  /** Posts a minute that give an email address at one domain (default 120). */
  readonly perDomainPerMinute?: number;
  /** Counts shared with the other server processes (PostgreSQL), so that the limits hold across them. */
  readonly sharedCounters?: SharedCounterStore | null;
}

/**
 * The checks every public form (campaign actions, reports, watching a place) makes before it reads the
 * fields: the signed CSRF field and the honeypot, the proof of work (a post without one gets a stricter
 * limit), then the limits per address.
 */
export class PublicFormGate {
  private readonly perAddress: RateLimiter;
  private readonly perAddressWithoutProof: RateLimiter;
  private readonly perDomain: RateLimiter;

  constructor(
    private readonly limits: PublicFormLimits,
    /** Keeps each form's counts apart, and names what it takes in the 429 ("actions", "reports"). */
    private readonly name: string,
  ) {
    const shared = (bucket: string) => (limits.sharedCounters ? { store: limits.sharedCounters, bucket } : null);
    this.perAddress = new RateLimiter(limits.perAddressPerMinute, 60_000, shared(`${name}-per-address`));
    this.perAddressWithoutProof = new RateLimiter(
      limits.perAddressWithoutProofPerMinute,
      60_000,
      shared(`${name}-without-proof`),
    );
    this.perDomain = new RateLimiter(limits.perDomainPerMinute ?? 120, 60_000, shared(`${name}-per-domain`));
  }

  /** The limit per email domain, for a post that gives an address (after its fields are read). */
  async checkEmailDomain(email: string): Promise<Refusal | null> {
    const domain = email.split('@')[1]?.toLowerCase() ?? '';
    const wait = await this.perDomain.takeExact(domain);
    if (wait === 0) return null;
    return {
      status: 429,
      title: 'One moment, please',
      message: `Many ${this.name} came from addresses at ${domain} in the last minute, so we are pausing them \
for ${wait} seconds. Please try again in a minute.`,
      retryAfter: wait,
    };
  }

  async check(request: FastifyRequest, body: Record<string, string>): Promise<Refusal | null> {
    const refused = this.limits.guard.check(request, body);
    if (refused === 'csrf')
      return {
        status: 403,
        title: 'Please try again',
        message:
          'This form had expired, or came from another site. Nothing was recorded. Please go back, reload the page and send it again.',
      };
    if (refused === 'honeypot')
      return {
        status: 400,
        title: 'Please try again',
        message:
          'Your browser filled in a field meant to stay empty, so we could not tell this from an automated post. Nothing was recorded. If you are a person, please go back and send the form again.',
      };
    const proof = await this.limits.pow.verify(body);
    if (proof === 'invalid')
      return {
        status: 400,
        title: 'Please try again',
        message:
          "Your browser's automatic check did not come out right, or the page was open too long. Nothing was recorded. Please reload the page and send it again.",
      };
    const wait = Math.max(
      await this.perAddress.takeExact(request.ip),
      proof === 'missing' ? await this.perAddressWithoutProof.takeExact(request.ip) : 0,
    );
    if (wait > 0)
      return {
        status: 429,
        title: 'One moment, please',
        message: `Many ${this.name} came from your network in the last minute, so we are pausing it for ${wait} \
seconds. \
Nothing you already sent is lost. Please try again in a minute.`,
        retryAfter: wait,
      };
    return null;
  }
}

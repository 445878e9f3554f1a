import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SupporterCrypto } from '#src/security/supporter-crypto';

const COOKIE = 'cw_form';

/** Parses HTML form posts (application/x-www-form-urlencoded) into a plain object; 64 kB at most. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(body as string)) if (!(key in fields)) fields[key] = value;
    done(null, fields);
  });
}

export function readCookie(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

/**
 * CSRF protection for forms without sessions (double-submit, signed): the form page sets a random
 * HTTP-only cookie and puts its signature in a hidden field; a post must bring both, matching, and come
 * from this site when the browser says where it comes from.
 */
export class FormGuard {
  constructor(
    private readonly crypto: SupporterCrypto,
    private readonly secureCookies: boolean,
  ) {}

  /** The hidden fields of a protected form (setting the cookie when the visitor has none). */
  fields(request: FastifyRequest, reply: FastifyReply): string {
    let nonce = readCookie(request, COOKIE);
    if (!nonce || !/^[A-Za-z0-9_-]{20,64}$/.test(nonce)) {
      nonce = randomBytes(18).toString('base64url');
      reply.header('set-cookie', `${COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Lax${this.secureCookies ? '; Secure' : ''}`);
    }
    // The honeypot: a field people never see or reach, which only form-filling robots fill in.
    return `<input type="hidden" name="csrf" value="${this.crypto.sign(nonce)}"><div class="hp" aria-hidden="true"><label>Leave this empty<input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>`;
  }

  /** Why a post must be refused, or null when it may go on. */
  check(request: FastifyRequest, body: Record<string, string>): 'csrf' | 'honeypot' | null {
    const origin = request.headers.origin;
    if (origin && origin !== 'null' && new URL(origin).host !== request.headers.host) return 'csrf';
    const nonce = readCookie(request, COOKIE);
    if (!nonce || !body.csrf || !this.crypto.verify(nonce, body.csrf)) return 'csrf';
    if (body.website) return 'honeypot';
    return null;
  }
}

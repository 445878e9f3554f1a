import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SupporterCrypto } from '#src/security/supporter-crypto';
import { HttpError } from './errors';
import { html, type SafeHtml } from '#src/ui/safe-html';

const COOKIE = 'cw_form';

/** Parses HTML form posts (application/x-www-form-urlencoded) into a plain object; 64 kB at most. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      const fields: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(body as string)) if (!(key in fields)) fields[key] = value;
      done(null, fields);
    },
  );
}

/**
 * The fields of a posted form, each a string. A body that is not a form of text fields (JSON with numbers,
 * arrays or objects in it) is a 400 naming the first field that is not text; an empty body has no fields.
 */
export function formFields(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(
      400,
      'invalid_parameter',
      'The form must be sent as fields (application/x-www-form-urlencoded)',
    );
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string')
      throw new HttpError(
        400,
        'invalid_parameter',
        `Form field "${name.slice(0, 40)}" must be text`,
        name.slice(0, 40),
      );
    if (value.includes('\0'))
      throw new HttpError(
        400,
        'invalid_parameter',
        `Form field "${name.slice(0, 40)}" holds a NUL character`,
        name.slice(0, 40),
      );
  }
  return body as Record<string, string>;
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
  fields(request: FastifyRequest, reply: FastifyReply): SafeHtml {
    let nonce = readCookie(request, COOKIE);
    if (!nonce || !/^[A-Za-z0-9_-]{20,64}$/.test(nonce)) {
      nonce = randomBytes(18).toString('base64url');
      reply.header(
        'set-cookie',
        `${COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Lax${this.secureCookies ? '; Secure' : ''}`,
      );
    }
    // The honeypot: a field people never see or reach, which only form-filling robots fill in.
    return html`<input type="hidden" name="csrf" value="${this.crypto.sign(nonce)}"><div class="hp" aria-hidden="true">\
<label>Leave this empty<input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>`;
  }

  /** Why a post must be refused, or null when it may go on. */
  check(request: FastifyRequest, body: Record<string, string>): 'csrf' | 'honeypot' | null {
    const origin = request.headers.origin;
    if (origin && origin !== 'null' && originHost(origin) !== request.headers.host) return 'csrf';
    const nonce = readCookie(request, COOKIE);
    if (!nonce || !body.csrf || !this.crypto.verify(nonce, body.csrf)) return 'csrf';
    if (body.website) return 'honeypot';
    return null;
  }
}

/** The host of an Origin header, or null when it is not a URL (which then never matches). */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

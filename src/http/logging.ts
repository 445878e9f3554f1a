import type { FastifyServerOptions } from 'fastify';
import { redactEmails, redactUrl } from '#src/security/redact';

/**
 * Fastify's structured logs (pino, one JSON object a line), with personal data left out: a request is
 * logged as its method, its URL with tokens and email addresses redacted, and its status; no address,
 * cookie or header; an error's message and stack lose any email address.
 */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (request: { method?: string; url?: string }) => ({
        method: request.method,
        url: redactUrl(request.url ?? ''),
      }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: (error: Error & { code?: string; statusCode?: number }) => ({
        type: error.name,
        code: error.code,
        statusCode: error.statusCode,
        message: redactEmails(String(error.message)),
        stack: redactEmails(String(error.stack ?? '')),
      }),
    },
  };
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { html, renderPage } from '#src/ui/html';

/** An error a client caused, with a stable code; the one error handler turns it into a response. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: 'invalid_parameter' | 'unknown_parameter' | 'unknown_value' | 'not_found' | 'rate_limited',
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

/** JSON `{"error": {code, message, parameter}}` for the API, an HTML page for browsers; never a stack trace. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    let status = 500;
    let code = 'internal_error';
    let message = 'Something went wrong on our side. It has been logged.';
    let parameter: string | undefined;
    if (error instanceof HttpError) {
      status = error.statusCode;
      code = error.code;
      message = error.message;
      parameter = error.parameter;
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      // The first problem, named by its parameter: {"code": "invalid_parameter", "parameter": "limit", ...}
      const first = error.validation[0]!;
      parameter = first.instancePath.replace(/^\//, '').split('/')[0] ?? '';
      const given = ((error.validationContext === 'params' ? request.params : request.query) ?? {}) as Record<
        string,
        unknown
      >;
      status = 400;
      code = 'invalid_parameter';
      message = Array.isArray(given[parameter])
        ? `"${parameter}" was given more than once; give it once`
        : given[parameter] === undefined
          ? `"${parameter}" is required`
          : `"${parameter}" ${first.message}`;
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      code = status === 404 ? 'not_found' : status === 429 ? 'rate_limited' : 'bad_request';
      message = error.message;
    } else {
      request.log.error({ err: error }, 'unhandled error');
    }
    send(request, reply, status, { code, message, ...(parameter ? { parameter } : {}) });
  });
  app.setNotFoundHandler((request, reply) => {
    send(request, reply, 404, { code: 'not_found', message: `Nothing is at ${request.url.split('?')[0]}` });
  });
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  error: { code: string; message: string; parameter?: string },
) {
  if (wantsHtml(request)) {
    const title = status === 404 ? 'Page not found' : 'Something went wrong';
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(
        renderPage({
          title,
          body: html`<h1>${title}</h1><p>${error.message}</p><p><a href="/">Back to the home page</a></p>`,
        }),
      );
    return;
  }
  reply.code(status).send({ error });
}

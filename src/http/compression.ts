import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const COMPRESSIBLE = /^(text\/html|text\/css|text\/csv|application\/json|application\/geo\+json|image\/svg\+xml)/;

/**
 * Compresses pages made in memory (brotli, else gzip), when the client accepts it. The API is left as it is:
 * its answers are remembered and replayed byte for byte (http/response-cache.ts); built files are served
 * pre-compressed by @fastify/static.
 */
export function registerCompression(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (
      request.url.startsWith('/api/') ||
      typeof payload !== 'string' ||
      payload.length < 1024 ||
      reply.getHeader('content-encoding')
    )
      return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!COMPRESSIBLE.test(type)) return payload;
    const accepted = String(request.headers['accept-encoding'] ?? '');
    reply.header('vary', 'accept-encoding');
    if (/\bbr\b/.test(accepted)) {
      reply.header('content-encoding', 'br').removeHeader('content-length');
      return brotliCompressSync(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    }
    if (/\bgzip\b/.test(accepted)) {
      reply.header('content-encoding', 'gzip').removeHeader('content-length');
      return gzipSync(payload, { level: 6 });
    }
    return payload;
  });
}

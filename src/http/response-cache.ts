import type { FastifyInstance, FastifyRequest } from 'fastify';

interface Entry {
  readonly version: string;
  /** Every header of the answer, so that a hit is written straight to the socket. */
  readonly headers: Record<string, string | number>;
  readonly body: Buffer;
}

/**
 * Remembers successful API answers by URL (and the Accept header's format) for the current dataset
 * version. The data changes only when an import runs, so between imports a repeated request is answered
 * from memory without touching the database. Bounded by total bytes, least recently used first out.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, version: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.version !== version) {
      this.bytes -= entry.body.length;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: Entry): void {
    if (entry.body.length > this.maxBytes / 16) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length;
    }
  }
}

/** The cache key of a request: its URL and the format its Accept header asks for. */
export function cacheKey(url: string, accept: string | undefined): string {
  const a = accept ?? '';
  return `${a.includes('text/csv') ? 'csv' : a.includes('application/geo+json') ? 'geojson' : 'json'} ${url}`;
}

/** Remembers each successful GET answer, with its headers, under the dataset version it was answered for. */
export function registerResponseCache(app: FastifyInstance, cache: ResponseCache, versionOf: (request: FastifyRequest) => string | undefined): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const v = versionOf(request);
    if (v !== undefined && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      const body = Buffer.from(payload);
      const headers: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && name !== 'content-length' && !name.startsWith('x-ratelimit')) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      headers['content-length'] = body.length;
      cache.set(cacheKey(request.url, request.headers.accept), { version: v, headers, body });
    }
    done(null, payload);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';

interface Entry {
  readonly version: string;
  /** Every header of the answer, so that a hit is written straight to the socket. */
  readonly headers: Record<string, string | number>;
  readonly body: Buffer;
}

export interface ResponseCacheLimits {
  /** Total bytes of keys, headers and bodies. */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/**
 * Remembers successful API answers by request (route, validated parameters and format) for the current
 * dataset version. The data changes only when an import runs, so between imports a repeated request is
 * answered from memory without touching the database. Bounded by entries and by total bytes (keys and
 * headers counted), least recently used first out; when a new dataset version is seen, every entry of the
 * old one goes at once.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry & { readonly size: number }>();
  private bytes = 0;
  private version: string | null = null;

  constructor(private readonly limits: ResponseCacheLimits) {}

  /** Entries and bytes held (for tests and operators). */
  stats(): { entries: number; bytes: number; version: string | null } {
    return { entries: this.entries.size, bytes: this.bytes, version: this.version };
  }

  /** The answer remembered for `key` under `version`, the newest version there is. */
  get(key: string, version: string): Entry | undefined {
    if (version !== this.version) {
      this.entries.clear();
      this.bytes = 0;
      this.version = version;
      return undefined;
    }
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: Entry): void {
    // An answer made for an older version than the newest asked for is not kept.
    if (entry.version !== this.version) return;
    let size = key.length * 2 + entry.body.length + 64;
    for (const [name, value] of Object.entries(entry.headers)) size += name.length + String(value).length + 4;
    if (size > this.limits.maxBytes / 16) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.size;
      this.entries.delete(key);
    }
    this.entries.set(key, { ...entry, size });
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.limits.maxBytes && this.entries.size <= this.limits.maxEntries) break;
      this.entries.delete(k);
      this.bytes -= e.size;
    }
  }
}

/** The format an Accept header asks for (`format=` in the query wins, and is part of the validated query). */
function acceptedFormat(accept: string | undefined): string {
  const a = accept ?? '';
  return a.includes('text/csv') ? 'csv' : a.includes('application/geo+json') ? 'geojson' : 'json';
}

/** JSON with object keys sorted, so that `a=1&b=2` and `b=2&a=1` give one key. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The cache key of a validated request: its route, its path parameters, its query as the route's schema
 * parsed it (unknown parameters dropped, values normalised), and the format the Accept header asks for.
 * A route without a query schema does not read its query, so the query is not part of its key.
 */
export function cacheKey(request: FastifyRequest): string {
  const route = request.routeOptions;
  const query = route.schema?.querystring ? stableJson(request.query) : '';
  return `${acceptedFormat(request.headers.accept)} ${route.url ?? ''} ${stableJson(request.params)} ${query}`;
}

/** Remembers each successful GET answer, with its headers, under the key and dataset version it was answered for. */
export function registerResponseCache(app: FastifyInstance, cache: ResponseCache, answeredFor: (request: FastifyRequest) => { version: string; key: string } | undefined): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const answer = answeredFor(request);
    if (answer !== undefined && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      const body = Buffer.from(payload);
      const headers: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && name !== 'content-length' && !name.startsWith('x-ratelimit')) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      headers['content-length'] = body.length;
      cache.set(answer.key, { version: answer.version, headers, body });
    }
    done(null, payload);
  });
}

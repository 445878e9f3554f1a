import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VersionedCache, type VersionedCacheLimits } from '#src/storage/versioned-cache';

interface Entry {
  readonly version: string;
  /** Every header of the answer, so that a hit is written straight to the socket. */
  readonly headers: Record<string, string | number>;
  readonly body: Buffer;
}

/**
 * Remembers successful API answers by request (route, validated parameters and format) for the current
 * dataset version. The data changes only when an import runs, so between imports a repeated request is
 * answered from memory without touching the database. Bounded by entries and by total bytes (keys and
 * headers counted), least recently used first out; when a new dataset version is seen, every entry of the
 * old one goes at once.
 */
export class ResponseCache {
  private readonly answers: VersionedCache<Entry>;

  constructor(limits: VersionedCacheLimits) {
    this.answers = new VersionedCache(limits, (key, entry) => {
      let size = key.length * 2 + entry.body.length + 64;
      for (const [name, value] of Object.entries(entry.headers)) size += name.length + String(value).length + 4;
      return size;
    });
  }

  /** Entries and bytes held (for tests and operators). */
  stats(): { entries: number; bytes: number; version: string | null } {
    return this.answers.stats();
  }

  /** The answer remembered for `key` under `version`, the newest version there is. */
  get(key: string, version: string): Entry | undefined {
    return this.answers.get(key, version);
  }

  /** Keeps an answer, unless it was made for an older version than the newest asked for. */
  set(key: string, entry: Entry): void {
    this.answers.set(key, entry.version, entry);
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
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
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
export function registerResponseCache(
  app: FastifyInstance,
  cache: ResponseCache,
  answeredFor: (request: FastifyRequest) => { version: string; key: string } | undefined,
): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const answer = answeredFor(request);
    if (answer !== undefined && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      // A Buffer is kept as it is (no copy: nothing writes to it after it is sent).
      const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
      const headers: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && name !== 'content-length' && !name.startsWith('x-ratelimit'))
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      headers['content-length'] = body.length;
      cache.set(answer.key, { version: answer.version, headers, body });
      // The bytes just made are the ones sent: not encoded a second time.
      return done(null, body);
    }
    done(null, payload);
  });
}

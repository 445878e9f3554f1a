import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { DatasetVersionCache } from '#src/storage/dataset-version';
import { cacheKey, registerResponseCache, ResponseCache } from './response-cache';
import { HttpError } from './errors';

export interface ApiOptions {
  /** How long a read of the dataset version is trusted (ms); answers may lag an import by this much. */
  readonly versionTtlMs: number;
  /** Memory for remembered answers (bytes, keys and headers included) and their number. */
  readonly responseCacheBytes: number;
  readonly responseCacheEntries?: number;
}

/** The dataset version each API request is answered for (set when the request arrives). */
const versionOf = new WeakMap<FastifyRequest, string>();

/**
 * The dataset version an API request is answered under: what a route may remember derived values by
 * (see storage/versioned-cache.ts). Undefined for answers that do not depend on the dataset alone.
 */
export function answerVersion(request: FastifyRequest): string | undefined {
  return versionOf.get(request);
}

/**
 * The API's plumbing: zod validates requests (and describes them in the OpenAPI document), responses are
 * plain JSON.stringify (their schemas document them; contract tests check them), conditional GETs on the
 * dataset version, answers remembered per dataset version.
 */
export async function registerApiPlumbing(
  app: FastifyInstance,
  db: Kysely<Database>,
  options: ApiOptions,
): Promise<void> {
  app.setValidatorCompiler((route) => {
    const validate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
    // Query strings are checked for names the route does not know (a typo would otherwise be silently
    // ignored and answer the unfiltered list), and enumerated values are read whatever their case.
    if (route.httpPart !== 'querystring' || !(route.schema instanceof z.ZodObject) || !route.url.startsWith('/api/'))
      return validate;
    const shape = route.schema.shape as Record<string, z.ZodType>;
    const known = Object.keys(shape);
    const enums = new Set(known.filter((name) => isEnum(shape[name]!)));
    return (data: unknown) => {
      const query = { ...((data ?? {}) as Record<string, unknown>) };
      for (const name of Object.keys(query)) {
        if (!(name in shape)) return { error: unknownParameter(name, known) };
        const value = query[name];
        if (enums.has(name) && typeof value === 'string') query[name] = value.toLowerCase();
      }
      return validate(query);
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Counterwatch API',
        version: '1',
        description:
          'Which US law-enforcement agencies use which surveillance technologies, since when, and who says so. Every list answers {data, total, next}; pass the value of next as cursor= for the next page. Lists are also CSV or GeoJSON, with format=csv or format=geojson, or an Accept header.',
      },
      servers: [{ url: '/' }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  // Every API answer is a function of the route, its validated parameters, the Accept header and the
  // dataset version: answer conditional GETs with 304, and repeated ones from memory.
  const versions = new DatasetVersionCache(db, options.versionTtlMs);
  const cache = new ResponseCache({
    maxBytes: options.responseCacheBytes,
    maxEntries: options.responseCacheEntries ?? 20_000,
  });
  app.decorate('responseCache', cache);
  const answeredFor = new WeakMap<FastifyRequest, { version: string; key: string }>();
  // Callback style and no promise when the version is fresh: this runs on every API request.
  const conditional = (request: FastifyRequest, reply: FastifyReply, version: string, done: () => void) => {
    const etag = `W/"${version}"`;
    reply.headers({ etag, 'cache-control': 'public, max-age=60', vary: 'Accept' });
    if (request.headers['if-none-match'] === etag) {
      reply.code(304).send();
      return;
    }
    versionOf.set(request, version);
    done();
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'GET' || !request.url.startsWith('/api/')) return done();
    // Routes whose answers change without the dataset (campaign tallies) say so, and are answered fresh.
    if (request.routeOptions.config?.live) {
      reply.header('cache-control', 'no-cache');
      return done();
    }
    const fresh = versions.peek();
    if (fresh !== undefined) return conditional(request, reply, fresh, done);
    versions.get().then((version) => conditional(request, reply, version, done), done);
  });
  // After validation: the key is the validated request, so unknown or reordered parameters share one entry.
  app.addHook('preHandler', (request, reply, done) => {
    const version = versionOf.get(request);
    if (version === undefined) return done();
    const key = cacheKey(request);
    const hit = cache.get(key, version);
    if (hit) {
      // Straight to the socket: the answer and all its headers were kept when it was first made.
      reply.hijack();
      reply.raw.writeHead(200, hit.headers);
      reply.raw.end(hit.body);
      return;
    }
    answeredFor.set(request, { version, key });
    done();
  });
  registerResponseCache(app, cache, (request) => answeredFor.get(request));

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** Whether a query parameter's schema is an enumeration (under optional / default / nullable). */
function isEnum(schema: z.ZodType): boolean {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault || inner instanceof z.ZodNullable)
    inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodEnum;
}

/** The 400 for a query parameter the route does not know, with the known name closest to it. */
function unknownParameter(name: string, known: readonly string[]): HttpError {
  const shown = name.slice(0, 40);
  const closest = closestName(name.toLowerCase(), known);
  return new HttpError(
    400,
    'unknown_parameter',
    `"${shown}" is not a parameter of this list${closest ? `; did you mean "${closest}"?` : ''} It \
takes: ${known.join(', ')}.`,
    shown,
  );
}

/** The known name nearest to a mistyped one: one that starts like it, else the fewest edits (at most 4). */
export function closestName(given: string, known: readonly string[]): string | null {
  const prefixed = known.filter((k) => k.startsWith(given) || given.startsWith(k));
  if (prefixed.length > 0)
    return prefixed.sort((a, b) => Math.abs(a.length - given.length) - Math.abs(b.length - given.length))[0]!;
  let best: string | null = null;
  let bestDistance = 5;
  for (const k of known) {
    const d = editDistance(given, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

export const API_FORMATS = ['json', 'csv', 'geojson'] as const;
export type ApiFormat = (typeof API_FORMATS)[number];

/** `format=` wins; otherwise the Accept header picks CSV or GeoJSON; JSON by default. */
export function negotiateFormat(request: FastifyRequest, format: ApiFormat | undefined): ApiFormat {
  if (format) return format;
  const accept = request.headers.accept ?? '';
  if (accept.includes('text/csv')) return 'csv';
  if (accept.includes('application/geo+json')) return 'geojson';
  return 'json';
}

export const listQuery = z.object({
  limit: z.coerce
    .number({ message: 'must be a whole number from 1 to 1000' })
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100)
    .describe('Records per page, 1–1000 (default 100)'),
  cursor: z
    .string()
    .max(400)
    .transform((text, ctx) => {
      const id = decodeCursor(text);
      if (id === null) {
        ctx.addIssue({
          code: 'custom',
          message: 'is not a cursor this API gave out; use the `next` value of the previous page',
        });
        return z.NEVER;
      }
      return id;
    })
    .optional()
    .describe('The `next` value of the previous page'),
  format: z
    .enum(API_FORMATS, { message: 'must be json, csv or geojson' })
    .optional()
    .describe('Answer as JSON (default), CSV or GeoJSON'),
});

export function encodeCursor(lastId: string): string {
  return Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // An id is printable text: a cursor that decodes to control characters (a NUL, which PostgreSQL
  // refuses in text) was not made here.
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return text.startsWith('v1:') && text.length > 3 && !/[\x00-\x1f]/.test(text) ? text.slice(3) : null;
}

/** The headers that say how many records an answer holds and how current it is (CSV readers see no body fields). */
export function answerHeaders(
  reply: FastifyReply,
  answer: { total: number; as_of?: string | null; warning?: string },
): void {
  if (answer.as_of !== undefined) reply.header('X-Data-As-Of', answer.as_of ?? 'none');
  if (answer.warning !== undefined) reply.header('X-Data-Warning', answer.warning.replace(/[^\x20-\x7e]/g, ' '));
  reply.header('X-Total-Count', String(answer.total));
}

/** Sends one page of a list as JSON or GeoJSON (a CSV list is streamed whole, not paged). */
export function sendPage<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  format: Exclude<ApiFormat, 'csv'>,
  page: { data: T[]; total: number; next: string | null; as_of?: string | null; warning?: string },
  as: { feature: (record: T) => object },
): FastifyReply {
  pageHeaders(request, reply, page);
  if (format === 'geojson') {
    const { data, ...rest } = page;
    return reply
      .type('application/geo+json')
      .send(JSON.stringify({ type: 'FeatureCollection', features: data.map(as.feature), ...rest }));
  }
  return reply.send(page);
}

/**
 * A JSON page whose records are already JSON, encoded (remembered apart from the answers they are part of):
 * the same bytes `sendPage` would send for the records they encode, copied together rather than joined as
 * text and encoded again (for a page of a hundred records, most of the cost of answering).
 */
export function sendJsonPage(
  request: FastifyRequest,
  reply: FastifyReply,
  recordsJson: readonly Buffer[],
  page: { total: number; next: string | null; as_of?: string | null; warning?: string },
): FastifyReply {
  pageHeaders(request, reply, page);
  const parts: Buffer[] = [DATA_OPEN];
  recordsJson.forEach((record, i) => parts.push(...(i === 0 ? [record] : [COMMA, record])));
  parts.push(Buffer.from(`],${JSON.stringify(page).slice(1)}`));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
}

const DATA_OPEN = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');

function pageHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  page: { total: number; next: string | null; as_of?: string | null; warning?: string },
): void {
  answerHeaders(reply, page);
  if (page.next) {
    // The request's own parameters (the API refuses any it does not know), with the next cursor.
    const next = new URL(request.url, 'http://counterwatch.invalid');
    next.searchParams.set('cursor', page.next);
    reply.header('Link', `<${next.pathname}${next.search}>; rel="next"`);
  }
}

/**
 * Keyset paging over a query ordered by `idColumn`: fetches one record more than asked to know whether
 * there is a next page. Returns the page and the cursor of the next one (null at the end).
 */
export async function keysetPage<Row extends Record<string, unknown>>(
  query: { where: (...args: any[]) => any; orderBy: (...args: any[]) => any },
  idColumn: string,
  page: { limit: number; after?: string },
  /** The field of a row holding the id, when it is selected under another name. */
  rowKey: string = idColumn.split('.').at(-1)!,
): Promise<{ rows: Row[]; next: string | null }> {
  let q: any = query;
  if (page.after !== undefined) q = q.where(idColumn, '>', page.after);
  const rows: Row[] = await q
    .orderBy(idColumn)
    .limit(page.limit + 1)
    .execute();
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  return { rows: kept, next: more ? encodeCursor(String(kept.at(-1)![rowKey])) : null };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer changes without the dataset changing (e.g. campaign tallies): no ETag, not remembered. */
    live?: boolean;
  }
  interface FastifyInstance {
    /** The remembered API answers (tests read its size). */
    responseCache: ResponseCache;
  }
}

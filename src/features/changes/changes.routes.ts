import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { encodeCursor, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { stateParam, technologyParam } from '#src/http/query-params';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyBySlug } from '#src/domain/technologies';
import { CHANGE_KINDS, findChanges, type ChangeFilter, type ChangeRecord } from './changes.repository';

export const changeSchema = z
  .object({
    id: z.number().int(),
    occurred_at: z.string().describe('When the change was recorded (ISO 8601)'),
    kind: z.string().describe(`One of: ${CHANGE_KINDS.join(', ')}`),
    entity_type: z.string().describe('deployment, agency, policy, official, technology, or dataset (a first load)'),
    entity_id: z.string(),
    url: z.string().nullable().describe("The record's page"),
    title: z.string(),
    detail: z.string().nullable(),
    state: z.string().nullable(),
    place_id: z.string().nullable(),
    agency_id: z.string().nullable(),
    technology: z.string().nullable(),
    source: z.string().nullable().describe('The source whose import made the change (npm run cli -- sources list)'),
    run_id: z.string().nullable().describe('The import run, when an import made it'),
    by: z.string().describe('An import of a source, or the editor who made it'),
    fields: z
      .record(z.string(), z.tuple([z.unknown(), z.unknown()]))
      .nullable()
      .describe('What changed: {field: [before, after]}'),
    report_id: z.string().nullable().describe("The resident's report whose acceptance by a moderator made it"),
    evidence: z.array(z.string()).describe('The evidence URLs it rests on (an accepted report cites them)'),
  })
  .meta({ id: 'Change' });

/** `since=2026-12-01` or a full ISO time: changes recorded then or later. */
const sinceParam = z
  .string()
  .max(40)
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    { message: 'must be a date (2026-12-01) or an ISO 8601 time' },
  )
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s).toISOString());

export const changeFilterQuery = z.object({
  since: sinceParam.optional().describe('Only changes recorded on or after this date or time'),
  state: stateParam.optional(),
  place: z.string().max(100).optional().describe('A place id (place-1714000)'),
  technology: technologyParam.optional(),
  kind: z.enum(CHANGE_KINDS, { message: `must be one of: ${CHANGE_KINDS.join(', ')}` }).optional(),
  source: z.string().max(80).optional().describe('Only changes an import of this source made (see /api/v1/datasets)'),
});

function cursorId(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const id = Number(cursor);
  if (!Number.isSafeInteger(id) || id < 0)
    throw new HttpError(
      400,
      'invalid_parameter',
      'cursor: is not a cursor this API gave out; use the `next` value of the previous page',
    );
  return id;
}

export function registerChangeRoutes(app: FastifyInstance, db: Kysely<Database>, publicUrl: string): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/changes',
    {
      schema: {
        summary: 'The change history: what changed, when, and on what evidence, oldest first from `since`',
        description:
          'Follow it with `since` and then the `next` cursor of each page. Changes from the first load of the bundled data are one entry per dataset.',
        tags: ['changes'],
        querystring: changeFilterQuery.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: { 200: z.object({ data: z.array(changeSchema), next: z.string().nullable() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const page = await findChanges(db, { ...filter, after: cursorId(cursor), limit, order: 'asc' });
      return { data: page.data, next: page.more ? encodeCursor(String(page.data.at(-1)!.id)) : null };
    },
  );

  const feed = async (
    reply: FastifyReply,
    filter: Omit<ChangeFilter, 'limit' | 'order'>,
    title: string,
    self: string,
    alternate: string,
  ) => {
    const { data } = await findChanges(db, { ...filter, limit: 50, order: 'desc' });
    reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300');
    return atomFeed({
      title,
      self: `${publicUrl}${self}`,
      alternate: `${publicUrl}${alternate}`,
      publicUrl,
      changes: data,
    });
  };
  app.get('/feeds/changes.atom', { schema: { hide: true } }, async (request, reply) => {
    const parsed = changeFilterQuery.safeParse(request.query);
    if (!parsed.success)
      throw new HttpError(
        400,
        'invalid_parameter',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    const query = new URLSearchParams(request.query as Record<string, string>).toString();
    return feed(
      reply,
      parsed.data,
      'Counterwatch: changes to the data',
      `/feeds/changes.atom${query ? `?${query}` : ''}`,
      `/changes${query ? `?${query}` : ''}`,
    );
  });
  app.get<{ Params: { id: string } }>('/feeds/places/:id.atom', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params;
    const place = await db
      .selectFrom('places')
      .select(['id', 'full_name', 'kind', 'state_code'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!place) throw new HttpError(404, 'not_found', `No place has the id "${id}"`);
    const [key, value] =
      place.kind === 'state' ? (['state', place.state_code] as const) : (['place', place.id] as const);
    return feed(
      reply,
      { [key]: value },
      `Counterwatch: changes in ${place.full_name}`,
      `/feeds/places/${id}.atom`,
      `/changes?${key}=${encodeURIComponent(value)}`,
    );
  });
  app.get<{ Params: { slug: string } }>(
    '/feeds/technologies/:slug.atom',
    { schema: { hide: true } },
    async (request, reply) => {
      const technology = findTechnologyBySlug(request.params.slug);
      if (!technology) throw new HttpError(404, 'not_found', `No technology has the slug "${request.params.slug}"`);
      return feed(
        reply,
        { technology: technology.slug },
        `Counterwatch: changes to ${technology.name}`,
        `/feeds/technologies/${technology.slug}.atom`,
        `/changes?technology=${technology.slug}`,
      );
    },
  );
}

/** Control characters XML 1.0 has no place for: they are dropped. */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

const xml = (text: string | null | undefined) =>
  String(text ?? '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(NOT_IN_XML, '');

/** An Atom 1.0 feed (RFC 4287) of changes, newest first. */
export function atomFeed(feed: {
  title: string;
  self: string;
  alternate: string;
  publicUrl: string;
  changes: readonly ChangeRecord[];
}): string {
  const host = new URL(feed.publicUrl).host;
  const updated = feed.changes[0]?.occurred_at ?? '2020-01-01T00:00:00.000Z';
  const entries = feed.changes.map((c) => {
    const place = c.state ? ` (${findStateByCode(c.state)?.name ?? c.state})` : '';
    const summary = [
      c.detail,
      `By ${c.by}${c.run_id ? `, import run ${c.run_id}` : ''}.`,
      c.evidence.length ? `Evidence: ${c.evidence.join(' ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return `<entry>
<id>tag:${xml(host)},2026:change-${c.id}</id>
<title>${xml(c.title + place)}</title>
<updated>${xml(c.occurred_at)}</updated>
<link rel="alternate" type="text/html" href="${xml(`${feed.publicUrl}${c.url ?? '/changes'}`)}"/>
<category term="${xml(c.kind)}"/>
<summary>${xml(summary)}</summary>
</entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>${xml(feed.title)}</title>
<id>${xml(feed.self)}</id>
<updated>${xml(updated)}</updated>
<link rel="self" type="application/atom+xml" href="${xml(feed.self)}"/>
<link rel="alternate" type="text/html" href="${xml(feed.alternate)}"/>
<author><name>Counterwatch</name></author>
<generator>Counterwatch</generator>
${entries.join('\n')}
</feed>
`;
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';

export const sourceSchema = z
  .object({
    id: z.string(),
    url: z.string().describe('Its page on this site'),
    link: z.string().describe('Where the source itself is'),
    publisher: z.string().nullable(),
    title: z.string().nullable(),
    kind: z.string(),
    archive_url: z.string().nullable(),
    citations: z.number().int().describe('How many deployments and policies cite it'),
  })
  .meta({ id: 'Source' });

const SOURCE_KINDS = ['news', 'government', 'vendor', 'dataset', 'advocacy', 'other'] as const;

async function withCitations(
  db: Kysely<Database>,
  rows: Array<{
    id: string;
    url: string;
    publisher: string | null;
    title: string | null;
    kind: string;
    archive_url: string | null;
  }>,
) {
  const ids = rows.map((r) => r.id);
  const counts =
    ids.length === 0
      ? []
      : await db
          .selectFrom('citations')
          .select(['source_id', (eb) => eb.fn.countAll().as('n')])
          .where('source_id', 'in', ids)
          .groupBy('source_id')
          .execute();
  const byId = new Map(counts.map((c) => [c.source_id, Number(c.n)]));
  return rows.map((r) => ({
    id: r.id,
    url: `/sources/${r.id}`,
    link: r.url,
    publisher: r.publisher,
    title: r.title,
    kind: r.kind,
    archive_url: r.archive_url,
    citations: byId.get(r.id) ?? 0,
  }));
}

export function registerSourceRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/sources',
    {
      schema: {
        summary: 'List sources: the evidence behind deployments and policies',
        tags: ['sources'],
        querystring: z.object({
          kind: z.enum(SOURCE_KINDS, { message: `must be one of: ${SOURCE_KINDS.join(', ')}` }).optional(),
          limit: listQuery.shape.limit,
          cursor: listQuery.shape.cursor,
        }),
        response: {
          200: z.object({ data: z.array(sourceSchema), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const q = request.query;
      let base = db.selectFrom('sources as s');
      if (q.kind) base = base.where('s.kind', '=', q.kind);
      const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const { rows, next } = await keysetPage<any>(
        base.select(['s.id', 's.url', 's.publisher', 's.title', 's.kind', 's.archive_url']),
        's.id',
        { limit: q.limit, after: q.cursor },
      );
      return { data: await withCitations(db, rows), total, next };
    },
  );
  api.get(
    '/api/v1/sources/:id',
    {
      schema: {
        summary: 'One source',
        tags: ['sources'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: sourceSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('sources')
        .select(['id', 'url', 'publisher', 'title', 'kind', 'archive_url'])
        .where('id', '=', request.params.id)
        .execute();
      if (rows.length === 0) throw new HttpError(404, 'not_found', `No source has the id "${request.params.id}"`);
      return (await withCitations(db, rows))[0]!;
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { vendorAliases } from '#src/domain/vendors';

export const vendorSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    name: z.string(),
    aliases: z
      .array(z.string())
      .describe('Other names the company is written as in the sources (spellings, former names)'),
    deployments: z.number().int(),
    technologies: z.array(z.string()),
  })
  .meta({ id: 'Vendor' });

async function withCounts(db: Kysely<Database>, rows: Array<{ id: string; name: string }>) {
  const ids = rows.map((r) => r.id);
  const links =
    ids.length === 0
      ? []
      : await db
          .selectFrom('deployment_vendors as dv')
          .innerJoin('deployments as d', 'd.id', 'dv.deployment_id')
          .select(['dv.vendor_id', 'd.technology_slug', (eb) => eb.fn.countAll().as('n')])
          .where('dv.vendor_id', 'in', ids)
          .groupBy(['dv.vendor_id', 'd.technology_slug'])
          .orderBy('d.technology_slug')
          .execute();
  return rows.map((r) => {
    const mine = links.filter((l) => l.vendor_id === r.id);
    return {
      id: r.id,
      url: `/vendors/${r.id}`,
      name: r.name,
      aliases: vendorAliases(r.id),
      deployments: mine.reduce((sum, l) => sum + Number(l.n), 0),
      technologies: mine.map((l) => l.technology_slug),
    };
  });
}

export function registerVendorRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/vendors',
    {
      schema: {
        summary: 'List vendors',
        tags: ['vendors'],
        querystring: z.object({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: {
          200: z.object({ data: z.array(vendorSchema), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const total = Number(
        (
          await db
            .selectFrom('vendors')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
      const { rows, next } = await keysetPage<{ id: string; name: string }>(
        db.selectFrom('vendors').select(['id', 'name']),
        'id',
        { limit: request.query.limit, after: request.query.cursor },
      );
      return { data: await withCounts(db, rows), total, next };
    },
  );
  api.get(
    '/api/v1/vendors/:id',
    {
      schema: {
        summary: 'One vendor',
        tags: ['vendors'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: vendorSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const rows = await db.selectFrom('vendors').select(['id', 'name']).where('id', '=', request.params.id).execute();
      if (rows.length === 0) throw new HttpError(404, 'not_found', `No vendor has the id "${request.params.id}"`);
      return (await withCounts(db, rows))[0]!;
    },
  );
}

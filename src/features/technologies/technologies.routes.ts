import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { listTechnologies } from './technologies.repository';

export const technologySchema = z
  .object({
    id: z.string(),
    url: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    counts: z.object({ deployments: z.number().int(), active: z.number().int(), agencies: z.number().int(), policies: z.number().int() }),
  })
  .meta({ id: 'Technology' });

export function registerTechnologyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const all = async () => (await listTechnologies(db)).map((t) => ({ id: t.slug, url: `/technologies/${t.slug}`, ...t }));
  api.get(
    '/api/v1/technologies',
    {
      schema: {
        summary: 'List technologies with their counts',
        tags: ['technologies'],
        response: { 200: z.object({ data: z.array(technologySchema), total: z.number().int(), next: z.null() }), ...ERROR_RESPONSES },
      },
    },
    async () => {
      const data = await all();
      return { data, total: data.length, next: null };
    },
  );
  api.get(
    '/api/v1/technologies/:slug',
    { schema: { summary: 'One technology', tags: ['technologies'], params: z.object({ slug: z.string().max(100) }), response: { 200: technologySchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const found = (await all()).find((t) => t.slug === request.params.slug);
      if (!found) throw new HttpError(404, 'not_found', `No technology has the slug "${request.params.slug}"`);
      return found;
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { partialDateSchema, precisionSchema } from '#src/http/dates.schema';
import { citedSourceSchema } from '#src/features/sources/source.schema';
import { findTechnologyEvents, listTechnologies, redirectIfMergedTechnology } from './technologies.repository';

export const technologySchema = z
  .object({
    id: z.string(),
    url: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string().describe('Empty for a technology no editor has reviewed yet'),
    synonyms: z.array(z.string()).describe('Other spellings datasets use for it; imports read them as this technology'),
    reviewed: z
      .boolean()
      .describe('False for a technology an import created from a value never seen before, until an editor reviews it'),
    counts: z.object({
      deployments: z.number().int(),
      active: z.number().int().describe('Deployments active when last seen'),
      active_last_seen: z
        .string()
        .nullable()
        .describe('The newest day one of those was last seen active: the counts are no newer than this'),
      agencies: z.number().int(),
      policies: z.number().int(),
    }),
    events: z
      .array(
        z.object({
          id: z.string(),
          occurred_on: partialDateSchema,
          precision: precisionSchema,
          title: z.string(),
          summary: z.string(),
          sources: z.array(citedSourceSchema),
        }),
      )
      .describe(
        'Dated, cited events that change what a status of this technology means (Ring ending police requests in 2024), oldest first',
      ),
  })
  .meta({ id: 'Technology' });

export function registerTechnologyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const all = async () => {
    const [technologies, events] = await Promise.all([listTechnologies(db), findTechnologyEvents(db)]);
    return technologies.map(({ counts: { lastSeen, ...counts }, ...t }) => ({
      id: t.slug,
      url: `/technologies/${t.slug}`,
      ...t,
      counts: { ...counts, active_last_seen: lastSeen },
      events: events.filter((e) => e.technology === t.slug).map(({ technology: _technology, ...e }) => e),
    }));
  };
  api.get(
    '/api/v1/technologies',
    {
      schema: {
        summary: 'List technologies with their counts',
        tags: ['technologies'],
        response: {
          200: z.object({ data: z.array(technologySchema), total: z.number().int(), next: z.null() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => {
      const data = await all();
      return { data, total: data.length, next: null };
    },
  );
  api.get(
    '/api/v1/technologies/:slug',
    {
      schema: {
        summary: 'One technology',
        tags: ['technologies'],
        params: z.object({ slug: z.string().max(100) }),
        response: { 200: technologySchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const found = (await all()).find((t) => t.slug === request.params.slug);
      if (
        !found &&
        (await redirectIfMergedTechnology(db, reply, request.params.slug, (slug) => `/api/v1/technologies/${slug}`))
      )
        return reply;
      if (!found) throw new HttpError(404, 'not_found', `No technology has the slug "${request.params.slug}"`);
      return found;
    },
  );
}

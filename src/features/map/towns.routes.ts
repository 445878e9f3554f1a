import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { deploymentFilterSchema } from '#src/features/deployments/deployment-filter';

const townSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  lat: z.number(),
  lon: z.number(),
  population: z.number().int().nullable(),
});

/**
 * The towns in a box, most populous first: what the map writes on itself at city zoom, from the bundled
 * Census places (the basemap has no labels and no third-party tiles).
 */
export function registerTownRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/towns',
    {
      schema: {
        summary: 'Towns in a box, for map labels',
        description: 'Cities and towns (Census places) whose point lies in bbox, the most populous first.',
        tags: ['map'],
        querystring: z.object({
          bbox: deploymentFilterSchema.shape.bbox.unwrap(),
          limit: z.coerce
            .number({ message: 'must be a whole number from 1 to 100' })
            .int()
            .min(1)
            .max(100)
            .default(40)
            .describe('At most this many (1–100, default 40)'),
        }),
        response: { 200: z.object({ data: z.array(townSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const [minLon, minLat, maxLon, maxLat] = request.query.bbox as [number, number, number, number];
      const rows = await db
        .selectFrom('places')
        .select(['id', 'name', 'state_code', 'lat', 'lon', 'population'])
        .where('kind', '=', 'city')
        .where('lat', '>=', minLat)
        .where('lat', '<=', maxLat)
        .where('lon', '>=', minLon)
        .where('lon', '<=', maxLon)
        .orderBy(sql`coalesce(population, 0)`, 'desc')
        .orderBy('id')
        .limit(request.query.limit)
        .execute();
      return {
        data: rows.map((r) => ({
          id: r.id,
          name: r.name,
          state: r.state_code,
          lat: Number(r.lat),
          lon: Number(r.lon),
          population: r.population === null ? null : Number(r.population),
        })),
      };
    },
  );
}

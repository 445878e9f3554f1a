import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { deploymentFilterSchema, toDeploymentFilter } from '#src/features/deployments/deployment-filter';
import { MAX_TILE_ZOOM, TileService } from './tiles.service';

const coordinate = (name: string) =>
  z.coerce
    .number({ message: `must be a whole number (${name})` })
    .int(`must be a whole number (${name})`)
    .min(0, 'must be 0 or more');

export function registerTileRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const tiles = new TileService(db);
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/tiles/:z/:x/:y.mvt',
    {
      schema: {
        summary: 'Map tile of deployments (Mapbox Vector Tile)',
        description: `Layer "deployments": clusters (cluster, cluster_id, point_count) below zoom ${MAX_TILE_ZOOM}, \
then points (id, technology, status, agency). Takes the filters of /api/v1/deployments.`,
        tags: ['tiles'],
        params: z.object({
          z: coordinate('zoom').max(MAX_TILE_ZOOM, `must be at most ${MAX_TILE_ZOOM}`),
          x: coordinate('column'),
          y: coordinate('row'),
        }),
        querystring: deploymentFilterSchema,
        response: { 200: z.any().describe('application/vnd.mapbox-vector-tile'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { z: zoom, x, y } = request.params;
      const size = 2 ** zoom;
      if (x >= size)
        throw new HttpError(400, 'invalid_parameter', `"x" must be less than ${size} at zoom ${zoom}`, 'x');
      if (y >= size)
        throw new HttpError(400, 'invalid_parameter', `"y" must be less than ${size} at zoom ${zoom}`, 'y');
      const { body } = await tiles.tile(toDeploymentFilter(request.query), zoom, x, y);
      return reply.type('application/vnd.mapbox-vector-tile').send(body);
    },
  );
}

import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { deploymentFilterSchema, toDeploymentFilter } from '#src/features/deployments/deployment-filter';
import { findUnknownFilterValue } from '#src/features/deployments/deployments.repository';
import { EXPORT_FORMATS, writeExport } from './export.service';

const CONTENT_TYPES = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  geojson: 'application/geo+json',
} as const;

/** The full dataset as one streamed download; it never holds the dataset in memory. */
export function registerExportRoute(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/export',
    {
      schema: {
        summary: 'Download the full dataset, or the deployments a filter matches',
        description:
          'JSON: every deployment, policy, official and technology event, one record per line. CSV and GeoJSON: every deployment. With any of the filters of /api/v1/deployments: only the deployments they match (JSON holds deployment records only).',
        tags: ['export'],
        querystring: deploymentFilterSchema.extend({
          format: z.enum(EXPORT_FORMATS, { message: 'must be json, csv or geojson' }).default('json'),
        }),
        response: { 200: z.any().describe('The export file'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const filtering = Object.values(query).some((v) => v !== undefined);
      const filter = filtering ? toDeploymentFilter(query) : undefined;
      if (filter) {
        const unknown = await findUnknownFilterValue(db, filter);
        if (unknown) throw new HttpError(400, 'unknown_value', unknown.message, unknown.parameter);
      }
      const stream = new PassThrough();
      writeExport(db, format, stream, filter).then(
        () => stream.end(),
        (error: unknown) => stream.destroy(error as Error),
      );
      return reply
        .type(CONTENT_TYPES[format])
        .header('Content-Disposition', `attachment; filename="counterwatch.${format}"`)
        .send(stream);
    },
  );
}

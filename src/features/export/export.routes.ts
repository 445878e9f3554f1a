import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { EXPORT_FORMATS, writeExport } from './export.service';

const CONTENT_TYPES = { json: 'application/json', csv: 'text/csv; charset=utf-8', geojson: 'application/geo+json' } as const;

/** The full dataset as one streamed download; it never holds the dataset in memory. */
export function registerExportRoute(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/export',
    {
      schema: {
        summary: 'Download the full dataset',
        description: 'JSON: every deployment, policy and official, one record per line. CSV and GeoJSON: every deployment.',
        tags: ['export'],
        querystring: z.object({ format: z.enum(EXPORT_FORMATS, { message: 'must be json, csv or geojson' }).default('json') }),
        response: { 200: z.any().describe('The export file'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const format = request.query.format;
      const stream = new PassThrough();
      writeExport(db, format, stream).then(
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

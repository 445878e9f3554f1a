import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { listDataSources } from './data-sources.repository';

export const datasetSchema = z
  .object({
    name: z.string().describe('The source name the change history and `npm run cli -- sync NAME` use'),
    kind: z.string().describe('The import kind that reads it'),
    title: z.string(),
    licence: z.string().describe('Licence and credit'),
    bundled: z.boolean().describe('Shipped with the app in data/'),
    location: z
      .string()
      .nullable()
      .describe("Its file in the repository (data/…) or its web address; null for a file on the operator's machine"),
    as_of: z.string().nullable().describe('When the version last imported was current (YYYY-MM-DD)'),
    as_of_rule: z.string().describe('How its as-of date is found: fixed:DATE, file-name, last-modified or given'),
    sha256: z.string().nullable().describe('SHA-256 of the version last imported'),
    last_checked_at: z.string().nullable(),
    last_outcome: z.string().nullable().describe('imported, not-modified, unchanged, or failed: why'),
    schedule_hours: z.number().int().nullable().describe('Synced this often while the server runs; null: by hand'),
    changes_url: z.string().describe('Its entries in the change history'),
  })
  .meta({ id: 'Dataset' });

/** `/api/v1/datasets`: every source the data comes from, with its date and its last sync. */
export function registerDatasetRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/datasets',
    {
      schema: {
        summary: 'The datasets (sources) the data comes from, each with its as-of date and last sync',
        tags: ['changes'],
        response: {
          200: z.object({ data: z.array(datasetSchema), total: z.number().int(), next: z.null() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async () => {
      // Operators' own file paths stay private: only bundled sources and web addresses are shown.
      const data = (await listDataSources(db)).map((s) => ({
        name: s.name,
        kind: s.kind,
        title: s.title,
        licence: s.licence,
        bundled: s.bundled,
        location: s.bundled ? `data/${s.location}` : /^https?:\/\//i.test(s.location) ? s.location : null,
        as_of: s.as_of,
        as_of_rule: s.as_of_rule,
        sha256: s.sha256,
        last_checked_at: s.checked_at,
        last_outcome: s.last_outcome,
        schedule_hours: s.schedule_hours,
        changes_url: `/changes?source=${encodeURIComponent(s.name)}`,
      }));
      return { data, total: data.length, next: null };
    },
  );
}

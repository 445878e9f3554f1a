import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';

const counts = z.record(z.string(), z.number().int());
export const statsSchema = z
  .object({
    dataset_version: z.string(),
    deployments: z.number().int(),
    by_technology: counts,
    by_state: counts,
    by_status: counts.describe('Deployments by their status when last seen: see by_status_last_seen for when that was'),
    by_status_last_seen: z
      .record(z.string(), z.object({ oldest: z.string().nullable(), newest: z.string().nullable() }))
      .describe(
        'For each status, the oldest and newest day a deployment was last seen in it: a status is only known as of then',
      ),
    by_start_year: counts.describe(
      'Deployments by the year a source says they started; those with no start are left out',
    ),
    by_first_documented_year: counts.describe(
      'Deployments by the year of the earliest document or dataset that shows them',
    ),
    agencies: z.number().int(),
    policies: z.number().int(),
    officials: z.number().int(),
  })
  .meta({ id: 'Stats' });

export function registerStatsRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/stats',
    {
      schema: {
        summary: 'Counts of deployments by technology, state, status and start year',
        tags: ['stats'],
        response: { 200: statsSchema, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const rows = await db
        .selectFrom('deployments as d')
        .innerJoin('agencies as a', 'a.id', 'd.agency_id')
        .select([
          'd.technology_slug',
          'a.state_code',
          'd.status',
          'd.started_on',
          'd.first_documented_on',
          (eb) => eb.fn.min('d.last_seen_on').as('oldest'),
          (eb) => eb.fn.max('d.last_seen_on').as('newest'),
          (eb) => eb.fn.countAll().as('n'),
        ])
        .groupBy(['d.technology_slug', 'a.state_code', 'd.status', 'd.started_on', 'd.first_documented_on'])
        .execute();
      const add = (into: Record<string, number>, key: string | null, n: number) => {
        if (key !== null) into[key] = (into[key] ?? 0) + n;
      };
      const byTechnology: Record<string, number> = {};
      const byState: Record<string, number> = {};
      const byStatus: Record<string, number> = {};
      const byYear: Record<string, number> = {};
      const byDocumentedYear: Record<string, number> = {};
      const lastSeen: Record<string, { oldest: string | null; newest: string | null }> = {};
      let deployments = 0;
      for (const r of rows) {
        const n = Number(r.n);
        deployments += n;
        add(byTechnology, r.technology_slug, n);
        add(byState, r.state_code, n);
        add(byStatus, r.status, n);
        add(byYear, r.started_on?.slice(0, 4) ?? null, n);
        add(byDocumentedYear, r.first_documented_on?.slice(0, 4) ?? null, n);
        const seen = (lastSeen[r.status] ??= { oldest: null, newest: null });
        const oldest = r.oldest ?? null;
        const newest = r.newest ?? null;
        if (oldest !== null && (seen.oldest === null || oldest < seen.oldest)) seen.oldest = oldest;
        if (newest !== null && (seen.newest === null || newest > seen.newest)) seen.newest = newest;
      }
      const sorted = (o: Record<string, number>) =>
        Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
      const [agencies, policies, officials, version] = await Promise.all([
        db
          .selectFrom('agencies')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
        db
          .selectFrom('policies')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
        db
          .selectFrom('officials')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
        db.selectFrom('meta').select('value').where('key', '=', 'dataset_version').executeTakeFirst(),
      ]);
      return {
        dataset_version: version?.value ?? '0',
        deployments,
        by_technology: sorted(byTechnology),
        by_state: sorted(byState),
        by_status: sorted(byStatus),
        by_status_last_seen: Object.fromEntries(Object.entries(lastSeen).sort(([a], [b]) => (a < b ? -1 : 1))),
        by_start_year: sorted(byYear),
        by_first_documented_year: sorted(byDocumentedYear),
        agencies: Number(agencies?.n ?? 0),
        policies: Number(policies?.n ?? 0),
        officials: Number(officials?.n ?? 0),
      };
    },
  );
}

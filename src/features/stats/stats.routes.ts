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
    by_status: counts,
    by_start_year: counts.describe('Deployments by the year they started; undated ones are left out'),
    agencies: z.number().int(),
    policies: z.number().int(),
    officials: z.number().int(),
  })
  .meta({ id: 'Stats' });

export function registerStatsRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/stats',
    { schema: { summary: 'Counts of deployments by technology, state, status and start year', tags: ['stats'], response: { 200: statsSchema, ...ERROR_RESPONSES } } },
    async () => {
      const rows = await db
        .selectFrom('deployments as d')
        .innerJoin('agencies as a', 'a.id', 'd.agency_id')
        .select(['d.technology_slug', 'a.state_code', 'd.status', 'd.started_on', (eb) => eb.fn.countAll().as('n')])
        .groupBy(['d.technology_slug', 'a.state_code', 'd.status', 'd.started_on'])
        .execute();
      const add = (into: Record<string, number>, key: string | null, n: number) => {
        if (key !== null) into[key] = (into[key] ?? 0) + n;
      };
      const byTechnology: Record<string, number> = {};
      const byState: Record<string, number> = {};
      const byStatus: Record<string, number> = {};
      const byYear: Record<string, number> = {};
      let deployments = 0;
      for (const r of rows) {
        const n = Number(r.n);
        deployments += n;
        add(byTechnology, r.technology_slug, n);
        add(byState, r.state_code, n);
        add(byStatus, r.status, n);
        add(byYear, r.started_on?.slice(0, 4) ?? null, n);
      }
      const sorted = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
      const [agencies, policies, officials, version] = await Promise.all([
        db.selectFrom('agencies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
        db.selectFrom('policies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
        db.selectFrom('officials').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
        db.selectFrom('meta').select('value').where('key', '=', 'dataset_version').executeTakeFirst(),
      ]);
      return {
        dataset_version: version?.value ?? '0',
        deployments,
        by_technology: sorted(byTechnology),
        by_state: sorted(byState),
        by_status: sorted(byStatus),
        by_start_year: sorted(byYear),
        agencies: Number(agencies?.n ?? 0),
        policies: Number(policies?.n ?? 0),
        officials: Number(officials?.n ?? 0),
      };
    },
  );
}

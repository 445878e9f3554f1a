import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { bindsPolice, POLICY_KINDS } from '#src/domain/policies';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { deploymentFilterSchema, toDeploymentFilter } from '#src/features/deployments/deployment-filter';
import { countDeploymentsByArea, findUnknownFilterValue } from '#src/features/deployments/deployments.repository';
import { HttpError } from '#src/http/errors';
import { isBinding, iteratePolicies } from '#src/features/policies/policies.repository';

const areaSchema = z
  .object({
    geoid: z.string().describe('Census GEOID: 2 digits for a state, 5 for a county'),
    deployments: z.number().int().describe('Deployments matching the filters, of agencies in the area'),
    law: z
      .enum(POLICY_KINDS)
      .nullable()
      .describe(
        'The strongest law of the area itself now binding its police (passed or in effect; ban > moratorium > oversight > regulation)',
      ),
    local_laws: z
      .number()
      .int()
      .describe('Laws of towns (and, for a state, counties) inside the area now binding their police'),
  })
  .meta({ id: 'Area' });

/** Per-state or per-county figures for shading the map: deployments matching the filters, and laws. */
export function registerAreaRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/areas',
    {
      schema: {
        summary: 'Deployments and laws per state or county',
        description:
          'For shading a map: every state (or county) with deployments matching the filters or with a law. Takes the filters of /api/v1/deployments.',
        tags: ['map'],
        querystring: deploymentFilterSchema.extend({
          level: z
            .enum(['state', 'county'], { message: 'must be state or county' })
            .default('state')
            .describe('state (default) or county'),
        }),
        response: { 200: z.object({ data: z.array(areaSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { level, ...query } = request.query;
      const filter = toDeploymentFilter(query);
      const unknown = await findUnknownFilterValue(db, filter);
      if (unknown) throw new HttpError(400, 'unknown_value', unknown.message, unknown.parameter);
      const counts = await countDeploymentsByArea(db, filter, level);
      const areas = new Map<string, z.infer<typeof areaSchema>>(
        counts.map((c) => [c.geoid, { geoid: c.geoid, deployments: c.n, law: null, local_laws: 0 }]),
      );
      const area = (geoid: string) =>
        areas.get(geoid) ?? areas.set(geoid, { geoid, deployments: 0, law: null, local_laws: 0 }).get(geoid)!;
      for await (const p of iteratePolicies(db)) {
        // Shading says where police are bound: not a pending bill, an expired law, or a law for schools or businesses.
        if (!isBinding(p) || !bindsPolice(p) || !p.place) continue;
        const own =
          level === 'state'
            ? p.place.kind === 'state'
              ? p.place.geoid
              : null
            : p.place.kind === 'county'
              ? p.place.geoid
              : null;
        const inside =
          level === 'state'
            ? p.place.kind !== 'state'
              ? (p.place.geoid?.slice(0, 2) ?? p.place.county_geoid?.slice(0, 2))
              : null
            : p.place.kind === 'city'
              ? p.place.county_geoid
              : null;
        if (own) {
          const a = area(own);
          const kind = p.kind as (typeof POLICY_KINDS)[number];
          if (a.law === null || POLICY_KINDS.indexOf(kind) < POLICY_KINDS.indexOf(a.law)) a.law = kind;
        }
        if (inside) area(inside).local_laws++;
      }
      return { data: [...areas.values()].sort((a, b) => (a.geoid < b.geoid ? -1 : 1)) };
    },
  );
}

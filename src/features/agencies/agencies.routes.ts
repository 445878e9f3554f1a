import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { stateParam, technologyParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { findAgencyById, toAgencies, withAgencyColumns } from './agencies.repository';
import { redirectIfMerged } from './agency-redirects';
import { placeSchema } from '#src/features/places/place.schema';

export const agencySchema = z
  .object({
    id: z.string(),
    url: z.string(),
    name: z.string(),
    state: z.string(),
    ori: z.string().nullable().describe('FBI Originating Agency Identifier'),
    type: z.string().nullable(),
    level: z
      .string()
      .nullable()
      .describe('city, county, state, federal, tribal or special (campus, transit, …): decides where it is drawn'),
    counties: z.array(z.string()).describe('5-digit GEOIDs of the counties it serves'),
    placement_issue: z
      .string()
      .nullable()
      .describe('Why it is left unplaced (its source row contradicts its state), or null'),
    place: placeSchema.nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    location_basis: z
      .string()
      .nullable()
      .describe(
        "city (its town's point), county (its county's internal point), ori (the FBI's point, where it agrees with its town or county)",
      ),
    technologies: z.array(z.string()).describe('Slugs of the technologies it has deployments of'),
  })
  .meta({ id: 'Agency' });

const filters = z.object({
  state: stateParam.optional(),
  technology: technologyParam.optional(),
});

export function registerAgencyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/agencies',
    {
      schema: {
        summary: 'List agencies',
        tags: ['agencies'],
        querystring: filters.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: {
          200: z.object({ data: z.array(agencySchema), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const q = request.query;
      let base = db.selectFrom('agencies as a');
      if (q.state) base = base.where('a.state_code', '=', q.state);
      if (q.technology) {
        const tech = q.technology;
        base = base.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('deployments as d')
              .select('d.id')
              .whereRef('d.agency_id', '=', 'a.id')
              .where('d.technology_slug', '=', tech),
          ),
        );
      }
      const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const list = withAgencyColumns(base);
      const { rows, next } = await keysetPage<Record<string, any>>(list, 'a.id', { limit: q.limit, after: q.cursor });
      return { data: await toAgencies(db, rows), total, next };
    },
  );
  api.get(
    '/api/v1/agencies/:id',
    {
      schema: {
        summary: 'One agency',
        tags: ['agencies'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: agencySchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const agency = await findAgencyById(db, request.params.id);
      if (agency) return agency;
      if (
        await redirectIfMerged(
          db,
          reply,
          'agency',
          request.params.id,
          (id) => `/api/v1/agencies/${encodeURIComponent(id)}`,
        )
      )
        return reply;
      throw new HttpError(404, 'not_found', `No agency has the id "${request.params.id}"`);
    },
  );
}

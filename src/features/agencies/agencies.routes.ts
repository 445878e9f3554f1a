import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { stateParam, technologyParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { numberOrNull, PLACE_COLUMNS, toPlaceRecord } from '#src/features/places/place-record';
import { placeSchema } from '#src/features/places/place.schema';

export const agencySchema = z
  .object({
    id: z.string(),
    url: z.string(),
    name: z.string(),
    state: z.string(),
    ori: z.string().nullable().describe('FBI Originating Agency Identifier'),
    type: z.string().nullable(),
    place: placeSchema.nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    location_basis: z.string().nullable(),
    technologies: z.array(z.string()).describe('Slugs of the technologies it has deployments of'),
  })
  .meta({ id: 'Agency' });

const filters = z.object({
  state: stateParam.optional(),
  technology: technologyParam.optional(),
});

function agencyQuery(db: Kysely<Database>) {
  return withAgencyColumns(db.selectFrom('agencies as a'));
}

/** The columns of an agency record and its place, on any (filtered) query of `agencies as a`. */
function withAgencyColumns(query: SelectQueryBuilder<Database & { a: Database['agencies'] }, 'a', object>) {
  return query
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select(['a.id', 'a.name', 'a.state_code', 'a.ori', 'a.agency_type', 'a.lat', 'a.lon', 'a.location_basis', ...PLACE_COLUMNS]);
}

async function toAgencies(db: Kysely<Database>, rows: Array<Record<string, any>>) {
  const ids = rows.map((r) => r.id as string);
  const techs = ids.length === 0 ? [] : await db.selectFrom('deployments').select(['agency_id', 'technology_slug']).distinct().where('agency_id', 'in', ids).orderBy('technology_slug').execute();
  return rows.map((r) => ({
    id: r.id as string,
    url: `/agencies/${r.id}`,
    name: r.name as string,
    state: r.state_code as string,
    ori: (r.ori as string | null) ?? null,
    type: (r.agency_type as string | null) ?? null,
    place: toPlaceRecord(r),
    lat: numberOrNull(r.lat),
    lon: numberOrNull(r.lon),
    location_basis: (r.location_basis as string | null) ?? null,
    technologies: techs.filter((t) => t.agency_id === r.id).map((t) => t.technology_slug),
  }));
}

export function registerAgencyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/agencies',
    {
      schema: {
        summary: 'List agencies',
        tags: ['agencies'],
        querystring: filters.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: { 200: z.object({ data: z.array(agencySchema), total: z.number().int(), next: z.string().nullable() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query;
      let base = db.selectFrom('agencies as a');
      if (q.state) base = base.where('a.state_code', '=', q.state);
      if (q.technology) {
        const tech = q.technology;
        base = base.where(({ exists, selectFrom }) => exists(selectFrom('deployments as d').select('d.id').whereRef('d.agency_id', '=', 'a.id').where('d.technology_slug', '=', tech)));
      }
      const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const list = withAgencyColumns(base);
      const { rows, next } = await keysetPage<Record<string, any>>(list, 'a.id', { limit: q.limit, after: q.cursor });
      return { data: await toAgencies(db, rows), total, next };
    },
  );
  api.get(
    '/api/v1/agencies/:id',
    { schema: { summary: 'One agency', tags: ['agencies'], params: z.object({ id: z.string().max(300) }), response: { 200: agencySchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const rows = await agencyQuery(db).where('a.id', '=', request.params.id).execute();
      if (rows.length === 0) throw new HttpError(404, 'not_found', `No agency has the id "${request.params.id}"`);
      return (await toAgencies(db, rows))[0]!;
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { stateParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { PLACE_COLUMNS, toPlaceRecord } from './place-record';
import { placeSchema } from './place.schema';

const placeWithCounts = placeSchema
  .extend({
    counts: z.object({ agencies: z.number().int(), deployments: z.number().int(), policies: z.number().int() }),
  })
  .meta({ id: 'PlaceWithCounts' });

const filters = z.object({
  kind: z.enum(['state', 'county', 'city'], { message: 'must be state, county or city' }).optional(),
  state: stateParam.optional(),
});

async function withCounts(db: Kysely<Database>, rows: Array<Record<string, unknown>>) {
  const ids = rows.map((r) => r.place_id as string);
  if (ids.length === 0) return [];
  const [agencies, deployments, policies] = await Promise.all([
    db
      .selectFrom('agencies')
      .select(['place_id', (eb) => eb.fn.countAll().as('n')])
      .where('place_id', 'in', ids)
      .groupBy('place_id')
      .execute(),
    db
      .selectFrom('deployments as d')
      .innerJoin('agencies as a', 'a.id', 'd.agency_id')
      .select(['a.place_id', (eb) => eb.fn.countAll().as('n')])
      .where('a.place_id', 'in', ids)
      .groupBy('a.place_id')
      .execute(),
    db
      .selectFrom('policies')
      .select(['place_id', (eb) => eb.fn.countAll().as('n')])
      .where('place_id', 'in', ids)
      .groupBy('place_id')
      .execute(),
  ]);
  const count = (list: Array<{ place_id: string | null; n: unknown }>, id: string) =>
    Number(list.find((x) => x.place_id === id)?.n ?? 0);
  return rows.map((r) => ({
    ...toPlaceRecord(r)!,
    counts: {
      agencies: count(agencies, r.place_id as string),
      deployments: count(deployments, r.place_id as string),
      policies: count(policies, r.place_id as string),
    },
  }));
}

export function registerPlaceRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/places',
    {
      schema: {
        summary: 'List places (states, counties, cities and towns)',
        tags: ['places'],
        querystring: filters.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: {
          200: z.object({ data: z.array(placeWithCounts), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const q = request.query;
      let base = db.selectFrom('places as p');
      if (q.kind) base = base.where('p.kind', '=', q.kind);
      if (q.state) base = base.where('p.state_code', '=', q.state);
      const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const { rows, next } = await keysetPage<Record<string, unknown>>(
        base.select([...PLACE_COLUMNS]),
        'p.id',
        { limit: q.limit, after: q.cursor },
        'place_id',
      );
      return { data: await withCounts(db, rows), total, next };
    },
  );
  api.get(
    '/api/v1/places/:id',
    {
      schema: {
        summary: 'One place',
        tags: ['places'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: placeWithCounts, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('places as p')
        .select([...PLACE_COLUMNS])
        .where('p.id', '=', request.params.id)
        .execute();
      if (rows.length === 0) throw new HttpError(404, 'not_found', `No place has the id "${request.params.id}"`);
      return (await withCounts(db, rows))[0]!;
    },
  );
}

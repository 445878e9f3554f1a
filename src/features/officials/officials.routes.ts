import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { stateParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { keysetPage, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import {
  findOfficialListings,
  officialQuery,
  reverifyReason,
  toOfficialRecord,
  type OfficialListing,
} from './officials.repository';
import { isStale, STALE_AFTER_DAYS } from '#src/domain/officials';
import { placeSchema } from '#src/features/places/place.schema';
import { officialTallies, type OfficialTally } from '#src/features/campaigns/campaigns.repository';

export const officialSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    role: z.string(),
    name: z.string(),
    jurisdiction: z.string(),
    state: z.string(),
    place: placeSchema.nullable(),
    email: z.string().nullable().describe('The public office address'),
    phone: z.string().nullable(),
    website_url: z.string().nullable(),
    source_url: z.string().nullable(),
    verified_on: z.string().nullable(),
    current: z
      .boolean()
      .describe(
        'True while the newest source that lists this office lists this person in it; campaigns address only current officials',
      ),
    ended_on: z
      .string()
      .nullable()
      .describe('When not current: the as-of date of the first source that showed someone else in the office'),
    started_on: z.string().nullable().describe('The start of the term, when a source gives it'),
    listings: z
      .array(
        z.object({
          source: z.string(),
          as_of: z.string(),
          status: z.enum(['current', 'retired']).or(z.string()),
          source_url: z.string().nullable(),
          term_ends_on: z.string().nullable(),
        }),
      )
      .describe(
        'Every source that lists this person, newest first; "retired" means the source stopped listing the role: a reason to re-verify, not proof they left',
      ),
    reverify: z.string().nullable().describe('Why the contact should be checked again, when a source gives a reason'),
    stale: z.boolean().describe(`True when not verified in the last ${STALE_AFTER_DAYS} days`),
    tallies: z
      .object({
        confirmed: z.number().int().describe('Confirmed campaign actions addressed to this official'),
        delivered: z.number().int(),
        last_delivery_at: z.string().nullable(),
      })
      .describe('Anonymous campaign tallies'),
  })
  .meta({ id: 'Official' });

function toOfficial(
  r: Record<string, any>,
  today: Date,
  tallies: Map<string, OfficialTally>,
  listings: Map<string, OfficialListing[]>,
) {
  const { bio_url: _bio, ...record } = toOfficialRecord(r);
  const listed = listings.get(r.id) ?? [];
  return {
    ...record,
    url: `/officials/${r.id}`,
    listings: listed,
    reverify: reverifyReason(record, listed),
    stale: isStale(record.verified_on, today),
    tallies: tallies.get(r.id) ?? { confirmed: 0, delivered: 0, last_delivery_at: null },
  };
}

export function registerOfficialRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/officials',
    {
      // Officials carry campaign tallies.
      config: { live: true },
      schema: {
        summary: 'List officials (public office contacts)',
        tags: ['officials'],
        querystring: z.object({
          state: stateParam.optional(),
          place: z.string().max(300).optional().describe('Place id, e.g. place-2562535'),
          role: z
            .enum(['mayor', 'council member', 'police chief'], {
              message: 'must be mayor, council member or police chief',
            })
            .optional(),
          current: z
            .enum(['true', 'false'], { message: 'must be true or false' })
            .transform((v) => v === 'true')
            .optional()
            .describe('true: only those in office by the newest source; false: only those a newer source replaced'),
          limit: listQuery.shape.limit,
          cursor: listQuery.shape.cursor,
        }),
        response: {
          200: z.object({ data: z.array(officialSchema), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const q = request.query;
      let base = db.selectFrom('officials as o');
      if (q.state) base = base.where('o.state_code', '=', q.state);
      if (q.place) base = base.where('o.place_id', '=', q.place);
      if (q.role) base = base.where('o.role', '=', q.role);
      if (q.current !== undefined) base = base.where('o.current', '=', q.current ? 1 : 0);
      const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      let list = officialQuery(db);
      if (q.state) list = list.where('o.state_code', '=', q.state);
      if (q.place) list = list.where('o.place_id', '=', q.place);
      if (q.role) list = list.where('o.role', '=', q.role);
      if (q.current !== undefined) list = list.where('o.current', '=', q.current ? 1 : 0);
      const { rows, next } = await keysetPage<Record<string, any>>(list, 'o.id', { limit: q.limit, after: q.cursor });
      const today = new Date();
      const ids = rows.map((r) => r.id as string);
      const [tallies, listings] = await Promise.all([officialTallies(db, ids), findOfficialListings(db, ids)]);
      return { data: rows.map((r) => toOfficial(r, today, tallies, listings)), total, next };
    },
  );
  api.get(
    '/api/v1/officials/:id',
    {
      config: { live: true },
      schema: {
        summary: 'One official',
        tags: ['officials'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: officialSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const row = await officialQuery(db).where('o.id', '=', request.params.id).executeTakeFirst();
      if (!row) throw new HttpError(404, 'not_found', `No official has the id "${request.params.id}"`);
      const [tallies, listings] = await Promise.all([
        officialTallies(db, [row.id]),
        findOfficialListings(db, [row.id]),
      ]);
      return toOfficial(row, new Date(), tallies, listings);
    },
  );
}

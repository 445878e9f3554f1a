import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { stateParam, technologyParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { POLICY_KINDS, POLICY_STATUSES } from '#src/domain/statuses';
import { encodeCursor, listQuery } from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { placeSchema } from '#src/features/places/place.schema';
import { citedSourceSchema } from '#src/features/sources/source.schema';
import { iteratePolicies, type PolicyRecord } from './policies.repository';

export const policySchema = z
  .object({
    id: z.string(),
    url: z.string(),
    kind: z.string().describe(POLICY_KINDS.join(', ')),
    title: z.string(),
    status: z.string().describe(POLICY_STATUSES.join(', ')),
    status_on: z.string().nullable(),
    summary: z.string().nullable(),
    jurisdiction: z.string(),
    state: z.string(),
    place: placeSchema.nullable(),
    technologies: z.array(z.string()),
    events: z.array(z.object({ status: z.string(), occurred_on: z.string().nullable(), source_url: z.string().nullable() })),
    sources: z.array(citedSourceSchema),
  })
  .meta({ id: 'Policy' });

const filters = z.object({
  state: stateParam.optional(),
  kind: z.enum(POLICY_KINDS, { message: `must be one of: ${POLICY_KINDS.join(', ')}` }).optional(),
  status: z.enum(POLICY_STATUSES, { message: `must be one of: ${POLICY_STATUSES.join(', ')}` }).optional(),
  technology: technologyParam.optional(),
});

const withUrl = (p: PolicyRecord) => ({ ...p, url: `/policies/${p.id}` });

export function registerPolicyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/policies',
    {
      schema: {
        summary: 'List bans, moratoria, oversight laws and regulations',
        tags: ['policies'],
        querystring: filters.extend({ limit: listQuery.shape.limit, cursor: listQuery.shape.cursor }),
        response: { 200: z.object({ data: z.array(policySchema), total: z.number().int(), next: z.string().nullable() }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query;
      // Policies number in the dozens to hundreds: filter the stream rather than build SQL for each filter.
      const matching: PolicyRecord[] = [];
      for await (const p of iteratePolicies(db)) {
        if (q.state && p.state !== q.state) continue;
        if (q.kind && p.kind !== q.kind) continue;
        if (q.status && p.status !== q.status) continue;
        if (q.technology && !p.technologies.includes(q.technology)) continue;
        matching.push(p);
      }
      const start = q.cursor === undefined ? 0 : matching.findIndex((p) => p.id > q.cursor!);
      const page = start < 0 ? [] : matching.slice(start, start + q.limit);
      const more = start >= 0 && start + q.limit < matching.length;
      return { data: page.map(withUrl), total: matching.length, next: more ? encodeCursor(page.at(-1)!.id) : null };
    },
  );
  api.get(
    '/api/v1/policies/:id',
    { schema: { summary: 'One policy', tags: ['policies'], params: z.object({ id: z.string().max(300) }), response: { 200: policySchema, ...ERROR_RESPONSES } } },
    async (request) => {
      for await (const p of iteratePolicies(db, 500, request.params.id)) return withUrl(p);
      throw new HttpError(404, 'not_found', `No policy has the id "${request.params.id}"`);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { stateParam, technologyParam } from '#src/http/query-params';
import type { Database } from '#src/storage/schema';
import { POLICY_KINDS, POLICY_LEVELS, POLICY_SCOPES, POLICY_STATUSES } from '#src/domain/policies';
import { partialDateSchema, precisionSchema } from '#src/http/dates.schema';
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
    status: z
      .string()
      .describe(`${POLICY_STATUSES.join(', ')}: from its dated steps; without any, as a list reports it`),
    status_on: partialDateSchema.nullable().describe('The date of the step that gave it its status'),
    status_precision: precisionSchema.nullable(),
    level: z
      .string()
      .nullable()
      .describe(`Who made it: ${POLICY_LEVELS.join(', ')}`),
    body: z.string().nullable().describe('The body that made it, e.g. "Oakland City Council"'),
    scope: z
      .string()
      .nullable()
      .describe(`Whom it binds: ${POLICY_SCOPES.join(', ')}`),
    scope_note: z.string().nullable(),
    summary: z.string().nullable(),
    jurisdiction: z.string(),
    state: z.string(),
    place: placeSchema.nullable(),
    technologies: z.array(z.string()),
    events: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        kind: z
          .string()
          .describe(
            "transition (the step happened then) or reported (a list says so; its date may be a vote's or an article's)",
          ),
        occurred_on: partialDateSchema.nullable(),
        precision: precisionSchema.nullable(),
        source_url: z.string().nullable(),
        note: z.string().nullable(),
      }),
    ),
    sources: z.array(citedSourceSchema),
    described_by: z.string().nullable().describe('The dataset whose description this is'),
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
        response: {
          200: z.object({ data: z.array(policySchema), total: z.number().int(), next: z.string().nullable() }),
          ...ERROR_RESPONSES,
        },
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
    {
      schema: {
        summary: 'One policy',
        tags: ['policies'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: policySchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      for await (const p of iteratePolicies(db, 500, request.params.id)) return withUrl(p);
      throw new HttpError(404, 'not_found', `No policy has the id "${request.params.id}"`);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import {
  answerHeaders,
  answerVersion,
  encodeCursor,
  listQuery,
  negotiateFormat,
  sendJsonPage,
  sendPage,
} from '#src/http/api';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { HttpError } from '#src/http/errors';
import { toFeature, writeExport } from '#src/features/export/export.service';
import { PassThrough } from 'node:stream';
import { deploymentSchema } from './deployment.schema';
import { deploymentFilterSchema, toDeploymentFilter } from './deployment-filter';
import {
  countDeployments,
  describeCurrency,
  findDeploymentAnswer,
  findDeploymentById,
  findDeploymentsByIds,
  findUnknownFilterValue,
  withDistance,
} from './deployments.repository';
import type { DeploymentJson } from './deployment-json';
import type { DeploymentIndex } from './deployment-index';
import { redirectIfMerged } from '#src/features/agencies/agency-redirects';

export function registerDeploymentRoutes(
  app: FastifyInstance,
  db: Kysely<Database>,
  { index, records: recordsJson }: { index: DeploymentIndex; records: DeploymentJson },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/deployments',
    {
      schema: {
        summary: 'List deployments',
        description:
          'Deployments (agency × technology) matching every filter given, in id order. As CSV (format=csv or Accept: text/csv): every matching row, streamed, without paging.',
        tags: ['deployments'],
        querystring: deploymentFilterSchema.extend(listQuery.shape),
        response: {
          200: z.object({
            data: z.array(deploymentSchema),
            total: z.number().int(),
            next: z.string().nullable(),
            as_of: z
              .string()
              .nullable()
              .optional()
              .describe('With active_on: the as-of date of the newest data behind the answer'),
            warning: z
              .string()
              .optional()
              .describe('With active_on: present when some deployments answered were last seen before that day'),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const filter = toDeploymentFilter(q);
      const unknown = await findUnknownFilterValue(db, filter);
      if (unknown) throw new HttpError(400, 'unknown_value', unknown.message, unknown.parameter);
      const format = negotiateFormat(request, q.format);
      if (format === 'csv') {
        // A spreadsheet wants every matching row, not a page: streamed, whatever limit and cursor say.
        const stream = new PassThrough();
        writeExport(db, 'csv', stream, filter).then(
          () => stream.end(),
          (error: unknown) => stream.destroy(error as Error),
        );
        const [total, currency] = await Promise.all([
          countDeployments(db, filter),
          filter.activeOn ? describeCurrency(db, filter, filter.activeOn) : Promise.resolve({}),
        ]);
        answerHeaders(reply, { total, ...currency });
        return reply.type('text/csv; charset=utf-8').send(stream as never);
      }
      const pageWanted = { limit: q.limit, after: q.cursor };
      const { keys, nextAfter, total, currency } =
        index.answer(filter, pageWanted, answerVersion(request)) ??
        (await findDeploymentAnswer(db, filter, pageWanted));
      const page = { total, next: nextAfter === null ? null : encodeCursor(nextAfter), ...currency };
      if (format === 'json')
        return sendJsonPage(request, reply, await recordsJson.of(keys, answerVersion(request)), page);
      const records = await findDeploymentsByIds(
        db,
        keys.map((k) => k.id),
      );
      return sendPage(
        request,
        reply,
        format,
        { data: records.map((r, i) => withDistance(r, keys[i]!)), ...page },
        { feature: toFeature },
      );
    },
  );

  api.get(
    '/api/v1/deployments/:id',
    {
      schema: {
        summary: 'One deployment',
        tags: ['deployments'],
        params: z.object({ id: z.string().max(300) }),
        response: { 200: deploymentSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const record = await findDeploymentById(db, request.params.id);
      if (record) return record;
      if (
        await redirectIfMerged(
          db,
          reply,
          'deployment',
          request.params.id,
          (id) => `/api/v1/deployments/${encodeURIComponent(id)}`,
        )
      )
        return reply;
      throw new HttpError(404, 'not_found', `No deployment has the id "${request.params.id}"`);
    },
  );
}

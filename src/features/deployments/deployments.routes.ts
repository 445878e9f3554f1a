import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { findTechnologyBySlug, TECHNOLOGIES } from '#src/domain/technologies';
import { findStateByCode } from '#src/domain/states';
import { parseQuery } from '#src/http/validation';
import { findDeployments } from './deployments.repository';

const query = z.object({
  technology: z
    .string()
    .refine((s) => findTechnologyBySlug(s) !== null, { message: `must be one of: ${TECHNOLOGIES.map((t) => t.slug).join(', ')}` })
    .optional(),
  state: z
    .string()
    .refine((s) => /^[A-Za-z]{2}$/.test(s) && findStateByCode(s) !== null, { message: 'must be a two-letter US state or territory code, e.g. CA' })
    .transform((s) => s.toUpperCase())
    .optional(),
  limit: z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(100),
  offset: z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(10_000_000).default(0),
});

export function registerDeploymentRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/api/v1/deployments', async (request) => {
    const q = parseQuery(query, request.query);
    const { records, total } = await findDeployments(db, { technology: q.technology, state: q.state }, { limit: q.limit, offset: q.offset });
    return { data: records, total };
  });
}

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { listTechnologies } from './technologies.repository';

export function registerTechnologyRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/api/v1/technologies', async () => ({ data: await listTechnologies(db) }));
}

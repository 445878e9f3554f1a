import Fastify, { type FastifyInstance } from 'fastify';
import type { DatabaseHandle } from '#src/storage/dialect';
import { installErrorHandlers } from '#src/http/errors';
import { registerHomePage } from '#src/features/home/home.page';
import { registerTechnologyRoutes } from '#src/features/technologies/technologies.routes';
import { registerDeploymentRoutes } from '#src/features/deployments/deployments.routes';

/** Builds the web app over an open, migrated database. The caller owns the database handle. */
export function buildApp(handle: DatabaseHandle, options: { logger?: boolean } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  installErrorHandlers(app);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
  });
  app.get('/healthz', async () => {
    await handle.db.selectFrom('meta').select('key').limit(1).execute();
    return { status: 'ok', database: handle.dialect };
  });
  registerHomePage(app, handle.db);
  registerTechnologyRoutes(app, handle.db);
  registerDeploymentRoutes(app, handle.db);
  return app;
}

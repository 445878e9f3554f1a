import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { REPO_ROOT } from '#src/config/config';
import { SITE_CSS, SITE_CSS_PATH } from '#src/ui/html';

const WEB_DIR = join(REPO_ROOT, 'dist', 'web');
const YEAR = 'public, max-age=31536000, immutable';

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" \
fill="#8a1c1c"/><circle cx="16" cy="16" r="6" fill="none" stroke="#fff" stroke-width="3"/><path d="M3 16h7M22 16h7" \
stroke="#fff" stroke-width="3"/></svg>`;

export interface WebEntry {
  script: string;
  styles: string[];
}

const entries = new Map<string, WebEntry | null>();

/**
 * The built files of a browser entry (from Vite's manifest), or null when `npm run build` has not run.
 * Read once per entry: the build happens before the server starts.
 */
export function webEntry(name: string): WebEntry | null {
  if (entries.has(name)) return entries.get(name)!;
  const manifestPath = join(WEB_DIR, '.vite', 'manifest.json');
  let found: WebEntry | null = null;
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<
      string,
      { file: string; css?: string[]; isEntry?: boolean; name?: string }
    >;
    const entry = Object.values(manifest).find((e) => e.isEntry && e.name === name);
    if (entry) found = { script: `/${entry.file}`, styles: (entry.css ?? []).map((c) => `/${c}`) };
  }
  entries.set(name, found);
  return found;
}

/** The stylesheet, favicon, robots.txt and the built browser files (hashed names, cached for a year). */
export async function registerStaticAssets(app: FastifyInstance): Promise<void> {
  app.get(SITE_CSS_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', YEAR).type('text/css; charset=utf-8').send(SITE_CSS),
  );
  app.get('/favicon.svg', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON),
  );
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/favicon.svg', 301));
  app.get('/robots.txt', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('User-agent: *\nAllow: /\nDisallow: /api/v1/tiles/\n'),
  );
  if (existsSync(join(WEB_DIR, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(WEB_DIR, 'assets'),
      prefix: '/assets/',
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.header('cache-control', path.includes('/basemap/') ? 'public, max-age=86400' : YEAR);
      },
    });
  }
}

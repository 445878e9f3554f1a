// Builds what `npm start` runs:
// - the server and CLI to dist/ with esbuild (one file each, dependencies left external), so that they run
//   on plain Node.js: faster to start and lighter than compiling TypeScript on the fly;
// - the map's browser code (web/) to dist/web/ with Vite, with hashed file names and a manifest the server
//   reads, plus the basemap outlines and gzip/brotli copies. Skipped when web/ and the lockfile are unchanged.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const quiet = process.argv.includes('--quiet');

const built = await build({
  metafile: true,
  entryPoints: { main: 'src/main.ts', cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Commands load what only they need (the web server, mail, password hashing) when they run, so that
  // `cli import` and `cli --help` start without them: shared code goes into chunks.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: quiet ? 'warning' : 'info',
});

// Chunk names change with their contents: remove the chunks of earlier builds (after writing the new
// ones, so that a command starting meanwhile still finds every file it imports).
const fresh = new Set(Object.keys(built.metafile.outputs).map((path) => path.replace(/^dist\/chunks\//, '')));
for (const file of existsSync('dist/chunks') ? readdirSync('dist/chunks') : [])
  if (!fresh.has(file)) rmSync(join('dist/chunks', file));

const webOut = 'dist/web';
const stampFile = join(webOut, '.stamp');
const inputs = ['scripts/build.mjs', 'package-lock.json', ...readdirSync('web').map((f) => join('web', f))].sort();
const stamp = createHash('sha256')
  .update(inputs.map((f) => `${f}\n${readFileSync(f)}`).join('\n'))
  .digest('hex');
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
  const vite = await import('vite');
  await vite.build({
    configFile: false,
    root: 'web',
    logLevel: quiet ? 'warn' : 'info',
    build: {
      outDir: '../dist/web',
      emptyOutDir: true,
      manifest: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 1500,
      rollupOptions: { input: { map: 'web/map.ts', pow: 'web/pow.ts', 'agency-search': 'web/agency-search.ts' } },
    },
  });
  mkdirSync(join(webOut, 'assets/basemap'), { recursive: true });
  for (const file of ['states-10m.json', 'counties-10m.json'])
    copyFileSync(join('node_modules/us-atlas', file), join(webOut, 'assets/basemap', file));
  // Pre-compressed copies, served by @fastify/static to clients that accept them.
  const compress = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) compress(path);
      else if (/\.(js|mjs|css|json)$/.test(entry.name)) {
        const data = readFileSync(path);
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${path}.br`, brotliCompressSync(data));
      }
    }
  };
  compress(join(webOut, 'assets'));
  writeFileSync(stampFile, stamp);
}

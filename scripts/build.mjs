// Compiles the server and CLI to dist/ with esbuild (one file each, dependencies left external), so that
// they run on plain Node.js: faster to start and lighter than compiling TypeScript on the fly.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/main.ts', cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: process.argv.includes('--quiet') ? 'warning' : 'info',
});

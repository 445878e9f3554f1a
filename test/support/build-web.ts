import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '#src/config/config';

/** Vitest global setup: build the browser code (skipped when unchanged), which the pages and e2e tests serve. */
export default function setup(): void {
  execFileSync('node', ['scripts/build.mjs', '--quiet'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

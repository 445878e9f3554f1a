import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '#src/config/config';

/**
 * `node` and its arguments for the built CLI exactly as `npm run cli` runs it (the heap limits in
 * package.json's "cli" script), less npm and the build step, so benchmarks measure what users run.
 */
export function cliCommand(...args: string[]): [string, string[]] {
  return cliCommandIn(REPO_ROOT, ...args);
}

/** The same, for the build of another checkout (a before-and-after comparison). */
export function cliCommandIn(checkout: string, ...args: string[]): [string, string[]] {
  const script: string = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')).scripts.cli;
  const flags = script
    .split('&&')
    .at(-1)!
    .trim()
    .split(/\s+/)
    .filter((part) => part.startsWith('--max-'));
  return ['node', [...flags, join(checkout, 'dist/cli.js'), ...args]];
}

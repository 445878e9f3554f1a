import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export interface Config {
  readonly databaseUrl: string;
  readonly host: string;
  readonly port: number;
  /** Folder of the bundled datasets. */
  readonly dataDir: string;
  /** Load the bundled datasets into an empty database on start. */
  readonly loadBundledData: boolean;
  /** API requests per minute per client address before 429. */
  readonly rateLimitPerMinute: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The folder holding package.json, whether the code runs from src/ (tsx) or from the built dist/. */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '..', '..');
  }
}

/** Reads the environment once. Defaults: embedded SQLite under var/, 127.0.0.1:3000, bundled data loaded. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got "${env.PORT}")`);
  const load = env.LOAD_BUNDLED_DATA ?? 'true';
  if (!['true', 'false', '1', '0'].includes(load)) throw new ConfigError(`LOAD_BUNDLED_DATA must be true or false (got "${load}")`);
  const rate = env.RATE_LIMIT_PER_MINUTE === undefined || env.RATE_LIMIT_PER_MINUTE === '' ? 600 : Number(env.RATE_LIMIT_PER_MINUTE);
  if (!Number.isInteger(rate) || rate < 1) throw new ConfigError(`RATE_LIMIT_PER_MINUTE must be a whole number of at least 1 (got "${env.RATE_LIMIT_PER_MINUTE}")`);
  return {
    rateLimitPerMinute: rate,
    databaseUrl: env.DATABASE_URL || `sqlite:${join(REPO_ROOT, 'var', 'counterwatch.db')}`,
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: env.DATA_DIR ? resolve(env.DATA_DIR) : join(REPO_ROOT, 'data'),
    loadBundledData: load === 'true' || load === '1',
  };
}

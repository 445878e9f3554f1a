import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export interface Config {
  readonly databaseUrl: string;
  readonly host: string;
  readonly port: number;
  /** Folder of the bundled datasets. */
  readonly dataDir: string;
  /** Where syncs keep the raw file of every source version they fetch (var/sources/). */
  readonly sourcesDir: string;
  /** Load the bundled datasets into an empty database on start. */
  readonly loadBundledData: boolean;
  /** API requests per minute per client address before 429. */
  readonly rateLimitPerMinute: number;
  /** Where mail goes (`smtp://host:port`); without it, mail stays in the local outbox and never leaves. */
  readonly smtpUrl: string | null;
  /** The From address of the campaign mail. */
  readonly mailFrom: string;
  /** The site's address as people reach it, for the links in emails (default http://HOST:PORT). */
  readonly publicUrl: string;
  /**
   * The key that encrypts supporters' personal data (base64 of 32 bytes). Without it, embedded mode keeps
   * one in var/supporter.key, made on the first start.
   */
  readonly supporterKey: string | null;
  /** Campaign actions a minute from one address, and from one email domain, before a kind 429. */
  readonly actionsPerMinutePerAddress: number;
  readonly actionsPerMinutePerDomain: number;
  /** …and from one address without a solved proof of work (a browser without JavaScript). */
  readonly actionsPerMinuteWithoutProof: number;
  /** Days a supporter's personal data is kept after their latest action. */
  readonly supporterRetentionDays: number;
  /**
   * The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges): then limits count
   * the client's address. Empty: forwarded headers are ignored, and the connecting address counts.
   */
  readonly trustProxy: readonly string[];
  /** Memory for deployments' records read ahead for the API's lists, in MB. */
  readonly recordsMemoryMb: number;
  /** Structured logs (pino, JSON lines on stdout): warnings and errors by default; `info` adds every request. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
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
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got "${env.PORT}")`);
  const load = env.LOAD_BUNDLED_DATA ?? 'true';
  if (!['true', 'false', '1', '0'].includes(load))
    throw new ConfigError(`LOAD_BUNDLED_DATA must be true or false (got "${load}")`);
  const rate =
    env.RATE_LIMIT_PER_MINUTE === undefined || env.RATE_LIMIT_PER_MINUTE === ''
      ? 600
      : Number(env.RATE_LIMIT_PER_MINUTE);
  if (!Number.isInteger(rate) || rate < 1)
    throw new ConfigError(
      `RATE_LIMIT_PER_MINUTE must be a whole number of at least 1 (got "${env.RATE_LIMIT_PER_MINUTE}")`,
    );
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]+/.test(smtpUrl))
    throw new ConfigError(`SMTP_URL must look like smtp://host:port (got "${smtpUrl}")`);
  const supporterKey = env.SUPPORTER_KEY || null;
  if (supporterKey !== null && Buffer.from(supporterKey, 'base64').length !== 32)
    throw new ConfigError('SUPPORTER_KEY must be 32 bytes, base64-encoded (e.g. openssl rand -base64 32)');
  const whole = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError(`${name} must be a whole number of at least 1 (got "${raw}")`);
    return n;
  };
  const trustProxy = (env.TRUST_PROXY ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const address of trustProxy) {
    const [ip, bits, ...rest] = address.split('/');
    if (rest.length > 0 || isIP(ip!) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError(
        `TRUST_PROXY must list proxy addresses or CIDR ranges, comma-separated, e.g. 127.0.0.1,10.0.0.0/8 (got \
"${address}")`,
      );
    }
  }
  const logLevel = env.LOG_LEVEL || 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, silent (got "${logLevel}")`);
  return {
    trustProxy,
    recordsMemoryMb: whole('RECORDS_MEMORY_MB', 256),
    logLevel: logLevel as Config['logLevel'],
    actionsPerMinutePerAddress: whole('ACTIONS_PER_MINUTE_PER_ADDRESS', 10),
    actionsPerMinutePerDomain: whole('ACTIONS_PER_MINUTE_PER_DOMAIN', 120),
    actionsPerMinuteWithoutProof: whole('ACTIONS_PER_MINUTE_WITHOUT_PROOF', 3),
    supporterRetentionDays: whole('SUPPORTER_RETENTION_DAYS', 730),
    smtpUrl,
    mailFrom: env.MAIL_FROM || 'Counterwatch <campaigns@counterwatch.invalid>',
    publicUrl: (env.PUBLIC_URL || `http://${env.HOST || '127.0.0.1'}:${port}`).replace(/\/$/, ''),
    supporterKey,
    rateLimitPerMinute: rate,
    databaseUrl: env.DATABASE_URL || `sqlite:${join(REPO_ROOT, 'var', 'counterwatch.db')}`,
    host: env.HOST || '127.0.0.1',
    port,
    dataDir: env.DATA_DIR ? resolve(env.DATA_DIR) : join(REPO_ROOT, 'data'),
    sourcesDir: env.SOURCES_DIR ? resolve(env.SOURCES_DIR) : join(REPO_ROOT, 'var', 'sources'),
    loadBundledData: load === 'true' || load === '1',
  };
}

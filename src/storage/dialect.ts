import { Kysely, PostgresDialect, SqliteAdapter, SqliteDialect } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import type PgModule from 'pg';
import { createRequire } from 'node:module';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './schema';

/** The only place that knows which database is behind the query layer. */
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  /** A human-readable location without credentials. */
  readonly location: string;
  close(): Promise<void>;
}

export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

/**
 * Opens the database named by a URL: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:PATH`
 * (or `sqlite::memory:`) for a SQLite file. SQLite runs in WAL mode with foreign keys on.
 */
export function openDatabase(url: string): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Loaded only here: most runs of the CLI and the embedded server never talk to PostgreSQL.
    const pg = createRequire(import.meta.url)('pg') as typeof PgModule;
    // Dates and bigints stay text and numbers in JS exactly as SQLite gives them.
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection that fails (a server restart, a dropped database) is replaced on next use; it must
    // not take the process down.
    pool.on('error', (error) => process.stderr.write(`postgres: an idle connection failed: ${error.message}\n`));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const parsed = new URL(url);
    return {
      db,
      dialect: 'postgres',
      location: `postgres://${parsed.host}${parsed.pathname}`,
      close: () => db.destroy(),
    };
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '')
      throw new DatabaseUrlError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:var/counterwatch.db');
    if (path !== ':memory:') createOwnerOnly(path);
    const sqlite = new SqliteDatabase(path);
    // Deleted data (a withdrawn supporter's sealed name and letters) is overwritten with zeros, not left
    // in free pages of the file.
    sqlite.pragma('secure_delete = ON');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Imports insert into B-trees keyed by text ids; a 64 MB page cache keeps their working set in memory.
    sqlite.pragma(`cache_size = -${Number(process.env.SQLITE_CACHE_MB ?? 64) * 1024}`);
    sqlite.pragma('temp_store = MEMORY');
    // Checkpoint the WAL every 16 MB instead of 4 MB: each checkpoint syncs the database file, and under a
    // stream of small writes (campaign actions) four times fewer syncs is worth the longer WAL.
    sqlite.pragma('wal_autocheckpoint = 4096');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    sqliteConnections.set(db, sqlite);
    return { db, dialect: 'sqlite', location: `sqlite:${path}`, close: () => db.destroy() };
  }
  throw new DatabaseUrlError(
    `DATABASE_URL must start with postgres:// or sqlite: (got "${url.replace(/\/\/[^@]*@/, '//***@')}")`,
  );
}

/**
 * Creates the database file (and its WAL and shared-memory files, which SQLite makes with the main file's
 * permissions) readable and writable by its owner only; an existing file is narrowed to that too.
 */
function createOwnerOnly(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/** Which database a Kysely instance (or transaction) talks to. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

const sqliteConnections = new WeakMap<Kysely<any>, SqliteDatabase.Database>();

/**
 * The one better-sqlite3 connection behind a Kysely instance opened here, for bulk work that Kysely's
 * per-statement cost would slow (see bulk-writes.ts); null on PostgreSQL. Statements run on it join
 * whatever transaction Kysely has open, as SQLite has only this one connection.
 */
export function sqliteConnectionOf(db: Kysely<any>): SqliteDatabase.Database | null {
  return sqliteConnections.get(db) ?? null;
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small one (a list page's query,
 * with its forty columns and joins, took longer to prepare than to run). Remember the last 500 prepared
 * statements of up to 8,000 characters by their SQL: that holds every list query, and the detail queries
 * of each page size (`in` lists of 1 to 1,000 ids). Longer ones (multi-row inserts) are not kept, as they
 * are rarely repeated and a prepared statement holds memory. (Safe because better-sqlite3 runs one
 * statement at a time, and nothing here streams rows with iterate(), which would keep a statement busy.)
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (sql: string) => {
        if (sql.length > 8000) return prepare(sql);
        let statement = cache.get(sql);
        if (statement) {
          cache.delete(sql);
        } else {
          statement = prepare(sql);
          if (cache.size >= 500) cache.delete(cache.keys().next().value!);
        }
        cache.set(sql, statement);
        return statement;
      };
    },
  });
}

import { SqliteAdapter, sql, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import { sqliteConnectionOf } from './dialect';

type Values = Record<string, unknown>;

/**
 * Runs a long series of write transactions (an import) with SQLite's automatic WAL checkpoints spaced out,
 * (every 64 MB rather than 4 MB), then checkpoints at the end: checkpointing after every batch costs more
 * than the batch itself, and never checkpointing makes every page read search a growing WAL.
 * On PostgreSQL it just runs `work`.
 */
export async function withBulkWrites<T>(db: Kysely<any>, work: () => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return work();
  const before = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
  const previous = Number(before.rows[0]?.wal_autocheckpoint ?? 1000);
  await sql`pragma wal_autocheckpoint = 16384`.execute(db);
  try {
    return await work();
  } finally {
    await sql.raw(`pragma wal_autocheckpoint = ${previous}`).execute(db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  }
}

/** Reads records by key and inserts records in bulk, inside the caller's transaction. */
export interface BulkRows {
  /** The records of `table` whose `keyColumn` is one of `keys` (every column). */
  selectByKeys(table: string, keyColumn: string, keys: readonly string[]): Promise<Values[]>;
  /** Inserts records that all have the same columns. */
  insert(table: string, rows: readonly Values[]): Promise<void>;
}

/**
 * Bulk reads and writes for `trx`, a transaction of `db`. On SQLite they go straight to the one
 * better-sqlite3 connection through statements prepared once: an import runs about a million small
 * inserts, and Kysely would build, compile and prepare each multi-row insert anew (most of an import's
 * JavaScript time). On PostgreSQL they are multi-row statements through Kysely, one round trip each.
 */
export function bulkRowsFor(db: Kysely<any>, trx: Kysely<any>): BulkRows {
  const sqlite = sqliteConnectionOf(db);
  return sqlite ? new SqliteBulkRows(sqlite) : new KyselyBulkRows(trx);
}

// Both databases accept this many bound parameters per statement with room to spare.
const MAX_PARAMETERS = 30000;
const LOOKUP_CHUNK = 500;

class KyselyBulkRows implements BulkRows {
  constructor(private readonly trx: Kysely<any>) {}

  async selectByKeys(table: string, keyColumn: string, keys: readonly string[]): Promise<Values[]> {
    const found: Values[] = [];
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      found.push(
        ...(await this.trx
          .selectFrom(table)
          .selectAll()
          .where(keyColumn, 'in', keys.slice(i, i + LOOKUP_CHUNK))
          .execute()),
      );
    }
    return found;
  }

  async insert(table: string, rows: readonly Values[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement).map((r) => {
        const full: Values = {};
        for (const c of columns) full[c] = r[c] ?? null;
        return full;
      });
      await this.trx.insertInto(table).values(chunk).execute();
    }
  }
}

// Keys per lookup statement; a short final chunk repeats its last key (harmless in `in (…)`), so one
// prepared statement serves every chunk.
const SQLITE_LOOKUP_CHUNK = 100;

class SqliteBulkRows implements BulkRows {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(private readonly sqlite: SqliteDatabase.Database) {}

  async selectByKeys(table: string, keyColumn: string, keys: readonly string[]): Promise<Values[]> {
    if (keys.length === 0) return [];
    const placeholders = Array(SQLITE_LOOKUP_CHUNK).fill('?').join(',');
    const select = this.statement(`select * from ${quote(table)} where ${quote(keyColumn)} in (${placeholders})`);
    const found: Values[] = [];
    for (let i = 0; i < keys.length; i += SQLITE_LOOKUP_CHUNK) {
      const chunk = keys.slice(i, i + SQLITE_LOOKUP_CHUNK);
      while (chunk.length < SQLITE_LOOKUP_CHUNK) chunk.push(chunk[chunk.length - 1]!);
      for (const row of select.all(chunk) as Values[]) found.push(row);
    }
    return found;
  }

  async insert(table: string, rows: readonly Values[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const insert = this.statement(
      `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
    const values: unknown[] = new Array(columns.length);
    for (const row of rows) {
      for (let c = 0; c < columns.length; c++) values[c] = row[columns[c]!] ?? null;
      insert.run(values);
    }
  }

  private statement(text: string): SqliteDatabase.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.sqlite.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

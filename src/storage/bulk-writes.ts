import { SqliteAdapter, sql, type Kysely } from 'kysely';

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

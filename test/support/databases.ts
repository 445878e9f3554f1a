import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type DialectName } from '#src/storage/dialect';
import { prepareDatabase } from '#src/bootstrap/prepare-database';

/** Every integration test runs once per database. */
export const DATABASES: readonly DialectName[] = ['sqlite', 'postgres'];

/** The PostgreSQL server tests create their throwaway databases on. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends DatabaseHandle {
  /** Closes the connection and deletes the database (file or PostgreSQL database). */
  destroy(): Promise<void>;
  readonly url: string;
}

/** A fresh, migrated, empty database of the given kind: a SQLite file in a temp folder or a new PostgreSQL database. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'counterwatch-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const handle = openDatabase(url);
    await prepareDatabase(handle);
    return {
      ...handle,
      url,
      destroy: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `cw_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const adminUrl = new URL(POSTGRES_ADMIN_URL);
  adminUrl.pathname = `/${name}`;
  const url = adminUrl.toString();
  const handle = openDatabase(url);
  await prepareDatabase(handle);
  return {
    ...handle,
    url,
    destroy: async () => {
      await handle.close();
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      // The pool's connections may still be saying goodbye; dropping "with (force)" under them makes them
      // report an error after the test has ended. Wait (up to 5 s) until they are gone.
      for (let i = 0; i < 100; i++) {
        const { rows } = await client.query('select count(*)::int as n from pg_stat_activity where datname = $1', [
          name,
        ]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Row counts of every evidence table, to check that a refused import wrote nothing. */
export async function countRows(handle: DatabaseHandle): Promise<Record<string, number>> {
  const tables = [
    'places',
    'agencies',
    'deployments',
    'deployment_events',
    'sources',
    'citations',
    'policies',
    'officials',
    'origins',
    'revisions',
    'import_runs',
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await handle.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

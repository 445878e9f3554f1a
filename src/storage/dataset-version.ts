import type { Kysely } from 'kysely';

const KEY = 'dataset_version';

/** The dataset version changes on every write that changes data; caches and ETags key on it. */
export async function readDatasetVersion(db: Kysely<any>): Promise<string> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', KEY).executeTakeFirst();
  return row?.value ?? '0';
}

export async function bumpDatasetVersion(db: Kysely<any>, now: Date): Promise<string> {
  const version = `${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await writeMeta(db, KEY, version);
  return version;
}

export async function readMeta(db: Kysely<any>, key: string): Promise<string | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeMeta(db: Kysely<any>, key: string, value: string): Promise<void> {
  const existing = await readMeta(db, key);
  if (existing === null) await db.insertInto('meta').values({ key, value }).execute();
  else await db.updateTable('meta').set({ value }).where('key', '=', key).execute();
}

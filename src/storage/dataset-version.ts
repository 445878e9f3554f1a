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

/**
 * The dataset version, read from the database at most once per `ttlMs`. Imports may run in another
 * process (the CLI), so the version is re-read rather than pushed; answers may lag a write by `ttlMs`.
 */
export class DatasetVersionCache {
  private value: string | undefined;
  private readAt = 0;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly db: Kysely<any>,
    private readonly ttlMs: number,
  ) {}

  /** The version last read, if it is still fresh; undefined otherwise. */
  peek(): string | undefined {
    return this.value !== undefined && Date.now() - this.readAt < this.ttlMs ? this.value : undefined;
  }

  async get(): Promise<string> {
    const fresh = this.peek();
    if (fresh !== undefined) return fresh;
    this.pending ??= readDatasetVersion(this.db).then(
      (v) => {
        this.value = v;
        this.readAt = Date.now();
        this.pending = null;
        return v;
      },
      (error: unknown) => {
        this.pending = null;
        throw error;
      },
    );
    return this.pending;
  }
}

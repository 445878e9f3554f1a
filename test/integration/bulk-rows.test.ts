import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkRowsFor } from '#src/storage/bulk-writes';
import { DATABASES, createTestDatabase, type TestDatabase } from '../support/databases';

describe.each(DATABASES)('bulk rows on %s', (dialect) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await db.destroy();
  });

  const vendor = (i: number) => ({ id: `v${String(i).padStart(4, '0')}`, name: i % 2 === 0 ? `Vendor ${i}` : null });

  it('inserts records and finds them by key across many lookup chunks, inside the transaction', async () => {
    // 257 keys: more than two of SQLite's 100-key lookup chunks, with a short last chunk.
    const rows = Array.from({ length: 257 }, (_, i) => vendor(i));
    await db.db.transaction().execute(async (trx) => {
      const bulk = bulkRowsFor(db.db, trx);
      // A missing column (undefined) is written as null; vendors.name is NOT NULL, so give it text.
      await bulk.insert(
        'vendors',
        rows.map((r) => ({ id: r.id, name: r.name ?? `unnamed ${r.id}` })),
      );
      const wanted = [...rows.map((r) => r.id).filter((_, i) => i % 3 === 0), 'missing-1', 'missing-2'];
      const found = await bulk.selectByKeys('vendors', 'id', wanted);
      expect(found.map((f) => f.id).sort()).toEqual(wanted.filter((w) => !w.startsWith('missing')).sort());
      expect(found.find((f) => f.id === 'v0006')).toEqual({ id: 'v0006', name: 'Vendor 6' });
      expect(found.find((f) => f.id === 'v0003')).toEqual({ id: 'v0003', name: 'unnamed v0003' });
      expect(await bulk.selectByKeys('vendors', 'id', [])).toEqual([]);
    });
    expect(
      (await db.db.selectFrom('vendors').select(db.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    ).toEqual(dialect === 'postgres' ? '257' : 257);
  });

  it('writes nothing when the transaction fails', async () => {
    await expect(
      db.db.transaction().execute(async (trx) => {
        await bulkRowsFor(db.db, trx).insert('vendors', [vendor(2), vendor(4)]);
        // A duplicate key fails the insert, and the transaction with it.
        await bulkRowsFor(db.db, trx).insert('vendors', [vendor(6), vendor(2)]);
      }),
    ).rejects.toThrow(/unique|duplicate/i);
    expect(await db.db.selectFrom('vendors').selectAll().execute()).toEqual([]);
  });
});

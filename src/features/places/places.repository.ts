import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { PLACE_COLUMNS, toPlaceRecord, type PlaceRecord } from './place-record';

export async function findPlaceById(db: Kysely<Database>, id: string): Promise<PlaceRecord | null> {
  const row = await db
    .selectFrom('places as p')
    .select([...PLACE_COLUMNS])
    .where('p.id', '=', id)
    .executeTakeFirst();
  return row ? toPlaceRecord(row) : null;
}

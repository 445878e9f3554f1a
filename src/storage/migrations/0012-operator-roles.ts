import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Operators get a role: admin, moderator or organizer (see features/operators/permissions.ts). Operators made
 * before roles could do everything, so they are admins.
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('operators')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('admin'))
    .execute();
}

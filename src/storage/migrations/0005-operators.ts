import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/** Operators (organizers and editors) who sign in to the operator pages, and their sessions. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema
    .createTable('operators')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('email', text, (c) => c.notNull().unique())
    // argon2id, in its PHC string form.
    .addColumn('password_hash', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('operator_sessions')
    // Only the hash of the cookie's token is stored.
    .addColumn('token_hash', text, (c) => c.primaryKey())
    .addColumn('operator_id', text, (c) => c.notNull().references('operators.id').onDelete('cascade'))
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .execute();
}

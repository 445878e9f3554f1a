import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Personalisation prompts: what a campaign suggests writers add to make a letter their own. And the
 * supporter's withdraw link kept sealed, so that every mail carries the same working link.
 */
export async function up(db: Kysely<any>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('prompts', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('supporters').addColumn('withdraw_token_sealed', 'text').execute();
}

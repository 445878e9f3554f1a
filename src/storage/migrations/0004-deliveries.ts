import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/** Delivery of confirmed actions to officials: per-campaign mode and pace, digests, and which action went in which. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  // off: nothing is sent; test: digests go only to the organizer; live: to the officials.
  await db.schema
    .alterTable('campaigns')
    .addColumn('delivery_mode', text, (c) => c.notNull().defaultTo('off'))
    .execute();
  await db.schema.alterTable('campaigns').addColumn('organizer_email_sealed', text).execute();
  await db.schema
    .alterTable('campaigns')
    .addColumn('deliveries_per_target_per_hour', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('campaign_id', text, (c) => c.notNull().references('campaigns.id'))
    .addColumn('official_id', text, (c) => c.notNull().references('officials.id'))
    .addColumn('mode', text, (c) => c.notNull())
    .addColumn('recipient_sealed', text, (c) => c.notNull())
    .addColumn('actions', 'integer', (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('receipt', text)
    .addColumn('error', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deliveries_pace')
    .on('deliveries')
    .columns(['campaign_id', 'official_id', 'created_at'])
    .execute();
  await db.schema.alterTable('campaign_action_targets').addColumn('delivery_id', text).execute();
}

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Campaigns and the actions supporters take in them. Personal data is only ever stored sealed
 * (`*_sealed`: AES-256-GCM) or as keyed hashes (`*_hash`); see security/supporter-crypto.ts.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';

  await db.schema
    .createTable('campaigns')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('title', text, (c) => c.notNull())
    .addColumn('ask', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    // Who is asked: a rule name (see features/campaigns/target-rules.ts) and the technology it concerns.
    .addColumn('target_rule', text, (c) => c.notNull())
    .addColumn('technology_slug', text, (c) => c.references('technologies.slug'))
    .addColumn('letter_subject', text, (c) => c.notNull())
    .addColumn('letter_template', text, (c) => c.notNull())
    .addColumn('call_script', text, (c) => c.notNull())
    .addColumn('starts_on', text, (c) => c.notNull())
    .addColumn('ends_on', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('supporters')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('email_hash', text, (c) => c.notNull().unique())
    .addColumn('email_sealed', text, (c) => c.notNull())
    .addColumn('name_sealed', text, (c) => c.notNull())
    .addColumn('address_sealed', text)
    .addColumn('opt_in_updates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('withdraw_token_hash', text, (c) => c.notNull().unique())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('campaign_actions')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('campaign_id', text, (c) => c.notNull().references('campaigns.id'))
    // Null once the supporter withdraws: the confirmed action stays in the tally, anonymous.
    .addColumn('supporter_id', text, (c) => c.references('supporters.id').onDelete('set null'))
    .addColumn('place_id', text, (c) => c.notNull().references('places.id'))
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('message_sealed', text)
    .addColumn('message_hash', text)
    .addColumn('delivery', text)
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('confirm_token_hash', text, (c) => c.unique())
    // The link's token, sealed, so that the one reminder can carry the same link.
    .addColumn('confirm_token_sealed', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('reminded_at', text)
    .addColumn('confirmed_at', text)
    .execute();
  await db.schema
    .createIndex('campaign_actions_pending')
    .on('campaign_actions')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('campaign_actions_supporter')
    .on('campaign_actions')
    .columns(['supporter_id', 'campaign_id', 'kind'])
    .execute();
  await db.schema
    .createIndex('campaign_actions_tally')
    .on('campaign_actions')
    .columns(['campaign_id', 'status', 'place_id'])
    .execute();
  await db.schema
    .createIndex('campaign_actions_message')
    .on('campaign_actions')
    .columns(['campaign_id', 'message_hash'])
    .execute();

  await db.schema
    .createTable('campaign_action_targets')
    .addColumn('action_id', text, (c) => c.notNull().references('campaign_actions.id').onDelete('cascade'))
    .addColumn('official_id', text, (c) => c.notNull().references('officials.id'))
    .addPrimaryKeyConstraint('campaign_action_targets_pk', ['action_id', 'official_id'])
    .execute();
  await db.schema
    .createIndex('campaign_action_targets_official')
    .on('campaign_action_targets')
    .column('official_id')
    .execute();

  // Mail to supporters waits here; without SMTP_URL it stays here (operators read it), never the internet.
  await db.schema
    .createTable('outbox')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('recipient_sealed', text, (c) => c.notNull())
    .addColumn('subject', text, (c) => c.notNull())
    .addColumn('body_sealed', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('supporter_id', text, (c) => c.references('supporters.id').onDelete('cascade'))
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('sent_at', text)
    .addColumn('error', text)
    .execute();
}

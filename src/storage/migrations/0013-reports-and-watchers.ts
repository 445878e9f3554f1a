import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Residents' reports, their moderation, and watchers of a place.
 *
 * - `reports`: what a resident says happened (an agency, a technology, what and when), with at least one
 *   evidence URL and an optional note. The reporter's email, if given, is sealed like a supporter's, with a
 *   keyed hash and the hash of the link that confirms it (double opt-in): nothing is mailed to an address
 *   before it is confirmed, save that link. A report is never public until a moderator accepts it.
 * - `report_decisions`: every decision on a report (edited, accepted, rejected, duplicate), by whom, why.
 * - `watchers`: an email (sealed, keyed hash) watching a place, an agency or a technology in a state; the
 *   hashes of its confirm and unsubscribe links; when it was confirmed and last sent a digest.
 * - A change entry made by an accepted report keeps the report's id and the evidence it cited.
 */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  await db.schema
    .createTable('reports')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', text)
    .addColumn('agency_id', text)
    .addColumn('technology_slug', text)
    .addColumn('happened', 'text', (c) => c.notNull())
    .addColumn('happened_on', 'text', (c) => c.notNull())
    .addColumn('happened_precision', 'text', (c) => c.notNull())
    .addColumn('evidence_urls', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('email_sealed', 'text')
    .addColumn('email_hash', 'text')
    .addColumn('confirm_token_hash', 'text')
    .addColumn('email_confirmed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('duplicate_of', text)
    .execute();
  await db.schema.createIndex('reports_status').on('reports').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('reports_confirm').on('reports').column('confirm_token_hash').execute();

  await db.schema
    .createTable('report_decisions')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('report_id', text, (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('operator', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('note', 'text')
    .addColumn('changes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_decisions_report').on('report_decisions').column('report_id').execute();

  await db.schema
    .createTable('watchers')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', text, (c) => c.notNull())
    .addColumn('email_sealed', 'text', (c) => c.notNull())
    .addColumn('email_hash', 'text', (c) => c.notNull())
    .addColumn('confirm_token_hash', 'text')
    .addColumn('unsubscribe_token_hash', 'text', (c) => c.notNull())
    .addColumn('unsubscribe_token_sealed', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('last_digest_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('watchers_target_email')
    .on('watchers')
    .columns(['target_type', 'target_id', 'email_hash'])
    .unique()
    .execute();
  await db.schema.createIndex('watchers_confirm').on('watchers').column('confirm_token_hash').execute();
  await db.schema.createIndex('watchers_unsubscribe').on('watchers').column('unsubscribe_token_hash').execute();

  await db.schema.alterTable('changes').addColumn('report_id', text).execute();
  await db.schema.alterTable('changes').addColumn('evidence_urls', 'text').execute();
}

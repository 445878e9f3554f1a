import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { isBusinessHours, timeZoneOfState } from '#src/domain/time-zones';
import type { SupporterCrypto } from '#src/security/supporter-crypto';
import type { Mailer } from '#src/mail/mailer';
import { redactEmails } from '#src/security/redact';

/** The most actions one digest carries; more wait for the next. */
const DIGEST_LIMIT = 500;

export interface DeliveryReport {
  sent: number;
  held: { pace: number; hours: number; noAddress: number };
  bounced: number;
  failed: number;
}

/**
 * Delivers confirmed actions to the officials they address, as one digest per official:
 * - only for campaigns whose delivery is on (`test` sends every digest to the organizer instead);
 * - paced: at most the campaign's number of digests per official per hour, and only Monday to Friday,
 *   9:00 to 17:00 in the official's time zone; what is held back goes in a later digest;
 * - deduplicated: an action reaches an official once (its target row keeps the digest that carried it);
 * - recorded: each digest keeps the mail server's receipt, or the refusal (bounced) or error (retried).
 */
export class DeliveryService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly crypto: SupporterCrypto,
    private readonly mailer: Mailer,
  ) {}

  async run(now = new Date()): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, held: { pace: 0, hours: 0, noAddress: 0 }, bounced: 0, failed: 0 };
    const campaigns = await this.db.selectFrom('campaigns').selectAll().where('delivery_mode', '!=', 'off').execute();
    for (const campaign of campaigns) {
      const waiting = await this.db
        .selectFrom('campaign_action_targets as t')
        .innerJoin('campaign_actions as a', 'a.id', 't.action_id')
        .innerJoin('officials as o', 'o.id', 't.official_id')
        .select(['o.id', 'o.name', 'o.role', 'o.email', 'o.state_code', 'o.jurisdiction'])
        .distinct()
        .where('a.campaign_id', '=', campaign.id)
        .where('a.status', '=', 'confirmed')
        .where('t.delivery_id', 'is', null)
        // An official a newer source replaced is not written to, even for actions taken before.
        .where('o.current', '=', 1)
        .orderBy('o.id')
        .execute();
      for (const official of waiting) {
        const recipient =
          campaign.delivery_mode === 'test'
            ? campaign.organizer_email_sealed
              ? this.crypto.decrypt(campaign.organizer_email_sealed)
              : null
            : official.email;
        if (!recipient) {
          report.held.noAddress++;
          continue;
        }
        if (!isBusinessHours(now, timeZoneOfState(official.state_code))) {
          report.held.hours++;
          continue;
        }
        const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
        const recent = await this.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', campaign.id)
          .where('official_id', '=', official.id)
          .where('status', 'in', ['sent', 'kept'])
          .where('created_at', '>', hourAgo)
          .executeTakeFirstOrThrow();
        if (Number(recent.n) >= campaign.deliveries_per_target_per_hour) {
          report.held.pace++;
          continue;
        }
        const actions = await this.db
          .selectFrom('campaign_action_targets as t')
          .innerJoin('campaign_actions as a', 'a.id', 't.action_id')
          .leftJoin('supporters as s', 's.id', 'a.supporter_id')
          .select(['a.id', 'a.kind', 'a.message_sealed', 'a.confirmed_at', 's.name_sealed'])
          .where('a.campaign_id', '=', campaign.id)
          .where('a.status', '=', 'confirmed')
          .where('t.official_id', '=', official.id)
          .where('t.delivery_id', 'is', null)
          .orderBy('a.confirmed_at')
          .orderBy('a.id')
          .limit(DIGEST_LIMIT)
          .execute();
        const names = (kind: string) =>
          actions
            .filter((a) => a.kind === kind)
            .map((a) =>
              a.name_sealed ? this.crypto.decrypt(a.name_sealed) : 'a resident who later asked to be anonymous',
            );
        const letters = actions
          .filter((a) => a.kind === 'letter' && a.message_sealed)
          .map((a) => this.crypto.decrypt(a.message_sealed!));
        const signers = names('petition');
        const callers = names('call');
        const text = [
          `${
            campaign.delivery_mode === 'test'
              ? `[TEST: this digest would go to ${official.name}, ${official.role} \
of ${official.jurisdiction}${
                  official.email
                    ? ` \
<${official.email}>`
                    : ''
                }]\n\n`
              : ''
          }Dear ${official.role} ${official.name},`,
          '',
          `${actions.length} ${actions.length === 1 ? 'person has' : 'people have'} asked you, through the campaign \
"${campaign.title}": ${campaign.ask}`,
          '',
          signers.length ? `Signed the petition (${signers.length}): ${signers.join(', ')}.` : '',
          callers.length ? `Called your office (${callers.length}): ${callers.join(', ')}.` : '',
          letters.length
            ? `Letters (${letters.length}):\n\n${letters.map((l, i) => `--- ${i + 1} ---\n${l}`).join('\n\n')}`
            : '',
          '',
          'Each person confirmed their action by email. Counterwatch keeps their contact details private.',
        ]
          .filter((line, i, all) => line !== '' || all[i - 1] !== '')
          .join('\n');
        const id = randomUUID();
        let status: 'sent' | 'kept' | 'bounced' | 'failed';
        let receipt: string | null = null;
        let error: string | null = null;
        // The outbox copy is kept with the delivery, so that a supporter who withdraws is taken out of it.
        const mail = {
          kind: 'delivery',
          to: recipient,
          subject: `${actions.length} ${actions.length === 1 ? 'resident asks' : 'residents ask'}: ${campaign.title}`,
          text,
        };
        const outboxId = await this.mailer.enqueue(this.db, mail);
        try {
          const info = await this.mailer.dispatch(outboxId, mail);
          status = info ? 'sent' : 'kept';
          receipt = info ? `${info.messageId} ${info.response}`.trim() : null;
        } catch (e) {
          const code = (e as { responseCode?: number }).responseCode;
          status = code !== undefined && code >= 500 ? 'bounced' : 'failed';
          error = redactEmails(String((e as Error).message)).slice(0, 500);
        }
        await this.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('deliveries')
            .values({
              id,
              campaign_id: campaign.id,
              official_id: official.id,
              mode: campaign.delivery_mode as 'test' | 'live',
              recipient_sealed: this.crypto.encrypt(recipient),
              actions: actions.length,
              status,
              receipt,
              error,
              created_at: now.toISOString(),
              outbox_id: outboxId,
            })
            .execute();
          // Sent, kept or refused for good: these actions are done for this official. A failure is retried.
          if (status !== 'failed') {
            await trx
              .updateTable('campaign_action_targets')
              .set({ delivery_id: id })
              .where('official_id', '=', official.id)
              .where(
                'action_id',
                'in',
                actions.map((a) => a.id),
              )
              .execute();
          }
        });
        if (status === 'sent' || status === 'kept') report.sent++;
        else if (status === 'bounced') report.bounced++;
        else report.failed++;
      }
    }
    return report;
  }
}

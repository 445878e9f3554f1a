import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '#src/storage/dialect';
import type { CampaignActionKind, CampaignRow, Database } from '#src/storage/schema';
import { newToken, tokenHash, type SupporterCrypto } from '#src/security/supporter-crypto';
import type { Mailer } from '#src/mail/mailer';
import type { CampaignPlace } from './campaigns.repository';

export interface ActionInput {
  readonly campaign: CampaignRow;
  readonly at: CampaignPlace;
  readonly kind: CampaignActionKind;
  readonly name: string;
  readonly email: string;
  readonly optIn: boolean;
  /** The letter as the supporter edited it. */
  readonly message?: string;
  readonly delivery?: 'server' | 'mailto';
}

/** Text as one plain line: control characters and line breaks become spaces, runs of spaces one. */
export function oneLine(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export type ActionOutcome =
  | { status: 'pending'; actionId: string }
  | { status: 'resent'; actionId: string }
  | { status: 'already-counted'; actionId: string }
  | { status: 'duplicate-message' };

/**
 * Records supporters' actions with double opt-in: an action is stored as pending and counts only once the
 * link mailed to the supporter is opened. One person (by keyed email hash) counts once per campaign, place
 * and kind of action. Every mail carries a link that deletes the supporter's personal data.
 */
export class CampaignActions {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly crypto: SupporterCrypto,
    private readonly mailer: Mailer,
    private readonly publicUrl: string,
    /** Personal data of supporters with no action for this many days is deleted (confirmed actions stay, anonymous). */
    private readonly retentionDays = 730,
    private readonly dialect: DialectName = 'sqlite',
  ) {}

  async take(input: ActionInput): Promise<ActionOutcome> {
    const now = new Date().toISOString();
    const emailHash = this.crypto.emailHash(input.email);
    const messageHash = input.message ? this.crypto.textHash(input.message) : null;
    const confirm = newToken();
    if (this.dialect === 'postgres' && !input.message) {
      const fast = await this.takeAsNewSupporter(input, emailHash, confirm, now);
      if (fast) return fast;
    }
    let withdrawToken: string | null = null;
    const outcome = await this.db.transaction().execute(async (trx) => {
      // One statement for a new supporter (the usual case); a returning one is found by the keyed hash.
      const withdraw = newToken();
      withdrawToken = withdraw.token;
      const created = await trx
        .insertInto('supporters')
        .values({
          id: randomUUID(),
          email_hash: emailHash,
          email_sealed: this.crypto.encrypt(input.email.trim()),
          name_sealed: this.crypto.encrypt(oneLine(input.name)),
          address_sealed: null,
          opt_in_updates: input.optIn ? 1 : 0,
          withdraw_token_hash: withdraw.hash,
          withdraw_token_sealed: this.crypto.encrypt(withdraw.token),
          created_at: now,
        })
        .onConflict((oc) => oc.column('email_hash').doNothing())
        .returning('id')
        .executeTakeFirst();
      let supporter: { id: string };
      let earlier: { id: string; status: string } | undefined;
      if (created) {
        supporter = created;
      } else {
        const found = await trx
          .selectFrom('supporters')
          .select(['id', 'opt_in_updates', 'withdraw_token_sealed'])
          .where('email_hash', '=', emailHash)
          .executeTakeFirstOrThrow();
        supporter = found;
        // Every mail to one person carries the same withdraw link (kept sealed; only its hash is looked up).
        if (found.withdraw_token_sealed) {
          withdrawToken = this.crypto.decrypt(found.withdraw_token_sealed);
        } else {
          await trx
            .updateTable('supporters')
            .set({ withdraw_token_hash: withdraw.hash, withdraw_token_sealed: this.crypto.encrypt(withdraw.token) })
            .where('id', '=', found.id)
            .execute();
        }
        if (input.optIn && !found.opt_in_updates)
          await trx.updateTable('supporters').set({ opt_in_updates: 1 }).where('id', '=', found.id).execute();
        earlier = await trx
          .selectFrom('campaign_actions')
          .select(['id', 'status'])
          .where('supporter_id', '=', supporter.id)
          .where('campaign_id', '=', input.campaign.id)
          .where('place_id', '=', input.at.place.id)
          .where('kind', '=', input.kind)
          .executeTakeFirst();
      }
      if (earlier?.status === 'confirmed') return { status: 'already-counted', actionId: earlier.id } as const;
      if (messageHash) {
        // The same letter word for word from someone else in this campaign: a copy-paste flood, not a person.
        const copy = await trx
          .selectFrom('campaign_actions')
          .select('id')
          .where('campaign_id', '=', input.campaign.id)
          .where('message_hash', '=', messageHash)
          .where((eb) => eb.or([eb('supporter_id', '!=', supporter.id), eb('supporter_id', 'is', null)]))
          .executeTakeFirst();
        if (copy) return { status: 'duplicate-message' } as const;
      }
      const sealedMessage = input.message ? this.crypto.encrypt(input.message) : null;
      if (earlier) {
        await trx
          .updateTable('campaign_actions')
          .set({
            confirm_token_hash: confirm.hash,
            confirm_token_sealed: this.crypto.encrypt(confirm.token),
            message_sealed: sealedMessage,
            message_hash: messageHash,
            delivery: input.delivery ?? null,
          })
          .where('id', '=', earlier.id)
          .execute();
        const mailId = await this.mailer.enqueue(
          trx,
          this.confirmationMail(input, confirm.token, withdrawToken, supporter.id),
        );
        return { status: 'resent', actionId: earlier.id, mailId } as const;
      }
      const actionId = randomUUID();
      await trx
        .insertInto('campaign_actions')
        .values({
          id: actionId,
          campaign_id: input.campaign.id,
          supporter_id: supporter.id,
          place_id: input.at.place.id,
          kind: input.kind,
          message_sealed: sealedMessage,
          message_hash: messageHash,
          delivery: input.delivery ?? null,
          status: 'pending',
          confirm_token_hash: confirm.hash,
          confirm_token_sealed: this.crypto.encrypt(confirm.token),
          created_at: now,
          reminded_at: null,
          confirmed_at: null,
        })
        .execute();
      if (input.at.targets.length > 0) {
        await trx
          .insertInto('campaign_action_targets')
          .values(input.at.targets.map((t) => ({ action_id: actionId, official_id: t.id })))
          .execute();
      }
      const mailId = await this.mailer.enqueue(
        trx,
        this.confirmationMail(input, confirm.token, withdrawToken, supporter.id),
      );
      return { status: 'pending', actionId, mailId } as const;
    });
    if (outcome.status === 'pending' || outcome.status === 'resent') {
      // Committed, with its mail in the outbox: a failed hand-over to SMTP is retried by the housekeeping.
      await this.mailer
        .dispatch(outcome.mailId, this.confirmationMail(input, confirm.token, withdrawToken!, ''))
        .catch(() => undefined);
      return { status: outcome.status, actionId: outcome.actionId };
    }
    return outcome;
  }

  /**
   * PostgreSQL, the usual case (a new person, no letter): the supporter, the action, its targets and the
   * confirmation mail in one statement, one round trip, atomic. Null when the address is known already:
   * then the general path in `take` applies.
   */
  private async takeAsNewSupporter(
    input: ActionInput,
    emailHash: string,
    confirm: { token: string; hash: string },
    now: string,
  ): Promise<ActionOutcome | null> {
    const supporterId = randomUUID();
    const actionId = randomUUID();
    const withdraw = newToken();
    const mail = this.confirmationMail(input, confirm.token, withdraw.token, supporterId);
    const out = this.mailer.outboxRow(mail);
    const targets = input.at.targets.map((t) => t.id);
    const result = await sql<{ supporter_id: string | null }>`
      with s as (
        insert into supporters (id, email_hash, email_sealed, name_sealed, address_sealed, opt_in_updates, \
withdraw_token_hash, withdraw_token_sealed, created_at)
        values (${supporterId}, ${emailHash}, ${this.crypto.encrypt(input.email.trim())}, \
${this.crypto.encrypt(oneLine(input.name))}, null, ${input.optIn ? 1 : 0}, ${withdraw.hash}, \
${this.crypto.encrypt(withdraw.token)}, ${now})
        on conflict (email_hash) do nothing
        returning id
      ), a as (
        insert into campaign_actions (id, campaign_id, supporter_id, place_id, kind, message_sealed, message_hash, \
delivery, status, confirm_token_hash, confirm_token_sealed, created_at, reminded_at, confirmed_at)
        select ${actionId}, ${input.campaign.id}, s.id, ${input.at.place.id}, ${input.kind}, null, \
null, ${input.delivery ?? null}, 'pending', ${confirm.hash}, ${this.crypto.encrypt(confirm.token)}, ${now}, null, null \
from s
        returning id
      ), t as (
        insert into campaign_action_targets (action_id, official_id, delivery_id)
        select a.id, x.official_id, null from a cross join unnest(cast(${targets} as text[])) as x(official_id)
        returning action_id
      ), o as (
        insert into outbox (id, kind, recipient_sealed, subject, body_sealed, status, supporter_id, created_at, \
sent_at, error)
        select ${out.id}, ${out.kind}, ${out.recipient_sealed}, ${out.subject}, ${out.body_sealed}, ${out.status}, \
s.id, ${out.created_at}, null, null from s
        returning id
      )
      select (select id from s) as supporter_id, (select count(*) from t) as targets, (select count(*) from o) as \
mails`.execute(this.db);
    if (!result.rows[0]?.supporter_id) return null;
    await this.mailer.dispatch(out.id, mail).catch(() => undefined);
    return { status: 'pending', actionId };
  }

  /**
   * A reference to a just-taken action, signed, for the "check your email" page the form redirects to (so
   * that reloading it posts nothing again). It opens that page for an hour.
   */
  receiptFor(actionId: string): string {
    return `${actionId}.${this.crypto.sign(`receipt:${actionId}`)}`;
  }

  /** The action a receipt names, while it is under an hour old: its kind, letter and a masked address. */
  async readReceipt(
    receipt: string,
    now = Date.now(),
  ): Promise<{
    kind: CampaignActionKind;
    status: string;
    message: string | null;
    delivery: string | null;
    maskedEmail: string | null;
  } | null> {
    const dot = receipt.lastIndexOf('.');
    const actionId = receipt.slice(0, dot);
    if (dot <= 0 || !this.crypto.verify(`receipt:${actionId}`, receipt.slice(dot + 1))) return null;
    const action = await this.db
      .selectFrom('campaign_actions as a')
      .leftJoin('supporters as s', 's.id', 'a.supporter_id')
      .select(['a.kind', 'a.status', 'a.message_sealed', 'a.delivery', 'a.created_at', 's.email_sealed'])
      .where('a.id', '=', actionId)
      .executeTakeFirst();
    if (!action || now - Date.parse(action.created_at) > 3_600_000) return null;
    const email = action.email_sealed ? this.crypto.decrypt(action.email_sealed) : null;
    return {
      kind: action.kind,
      status: action.status,
      message: action.message_sealed ? this.crypto.decrypt(action.message_sealed) : null,
      delivery: action.delivery,
      // "j…@example.org": enough to recognise one's own address, not to read someone else's.
      maskedEmail: email ? `${email.slice(0, 1)}…${email.slice(email.indexOf('@'))}` : null,
    };
  }

  /** What a confirmation link is for, without confirming it (the page the link opens); null when unknown. */
  async pendingConfirmation(
    token: string,
  ): Promise<{ kind: CampaignActionKind; campaignTitle: string; placeName: string; confirmed: boolean } | null> {
    const action = await this.db
      .selectFrom('campaign_actions as a')
      .innerJoin('campaigns as c', 'c.id', 'a.campaign_id')
      .innerJoin('places as p', 'p.id', 'a.place_id')
      .select(['a.kind', 'a.status', 'c.title', 'p.full_name'])
      .where('a.confirm_token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    return action
      ? {
          kind: action.kind,
          campaignTitle: action.title,
          placeName: action.full_name,
          confirmed: action.status === 'confirmed',
        }
      : null;
  }

  /** Counts the action whose confirmation was posted; posting it again changes nothing. */
  async confirm(
    token: string,
  ): Promise<{ campaignId: string; placeId: string; kind: CampaignActionKind; alreadyConfirmed: boolean } | null> {
    const hash = tokenHash(token);
    const action = await this.db
      .selectFrom('campaign_actions')
      .select(['id', 'campaign_id', 'place_id', 'kind', 'status'])
      .where('confirm_token_hash', '=', hash)
      .executeTakeFirst();
    if (!action) return null;
    if (action.status !== 'confirmed') {
      await this.db
        .updateTable('campaign_actions')
        .set({ status: 'confirmed', confirmed_at: new Date().toISOString(), confirm_token_sealed: null })
        .where('id', '=', action.id)
        .where('status', '=', 'pending')
        .execute();
    }
    return {
      campaignId: action.campaign_id,
      placeId: action.place_id,
      kind: action.kind,
      alreadyConfirmed: action.status === 'confirmed',
    };
  }

  /**
   * Deletes a supporter's personal data: the supporter record, their unconfirmed actions, the letters they
   * wrote and the mail to them. Confirmed actions stay in the public tallies, with no link to anyone.
   */
  async withdraw(token: string): Promise<boolean> {
    const supporter = await this.db
      .selectFrom('supporters')
      .select('id')
      .where('withdraw_token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (!supporter) return false;
    await this.forget(supporter.id);
    return true;
  }

  private async forget(supporterId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.redactDigests(trx, supporterId);
      const pending = trx
        .selectFrom('campaign_actions')
        .select('id')
        .where('supporter_id', '=', supporterId)
        .where('status', '=', 'pending');
      await trx.deleteFrom('campaign_action_targets').where('action_id', 'in', pending).execute();
      await trx
        .deleteFrom('campaign_actions')
        .where('supporter_id', '=', supporterId)
        .where('status', '=', 'pending')
        .execute();
      await trx
        .updateTable('campaign_actions')
        .set({
          supporter_id: null,
          message_sealed: null,
          message_hash: null,
          confirm_token_hash: null,
          confirm_token_sealed: null,
        })
        .where('supporter_id', '=', supporterId)
        .execute();
      await trx.deleteFrom('outbox').where('supporter_id', '=', supporterId).execute();
      await trx.deleteFrom('supporters').where('id', '=', supporterId).execute();
    });
  }

  /**
   * Takes a supporter out of the outbox copies of the digests that carried their actions to officials: their
   * name becomes "a resident who later asked to be anonymous" and their letters are removed. (What an
   * official already received cannot be recalled; our copy keeps nothing of the person.)
   */
  private async redactDigests(trx: Kysely<Database>, supporterId: string): Promise<void> {
    const mine = await trx
      .selectFrom('campaign_actions as a')
      .innerJoin('campaign_action_targets as t', 't.action_id', 'a.id')
      .innerJoin('deliveries as d', 'd.id', 't.delivery_id')
      .select(['d.outbox_id', 'a.message_sealed'])
      .where('a.supporter_id', '=', supporterId)
      .where('d.outbox_id', 'is not', null)
      .execute();
    if (mine.length === 0) return;
    const supporter = await trx
      .selectFrom('supporters')
      .select('name_sealed')
      .where('id', '=', supporterId)
      .executeTakeFirst();
    const name = supporter ? this.crypto.decrypt(supporter.name_sealed).trim() : null;
    const letters = [
      ...new Set(mine.filter((m) => m.message_sealed).map((m) => this.crypto.decrypt(m.message_sealed!))),
    ];
    // The name as a whole word (not inside a longer name), in any letters or digits.
    const namePattern = name
      ? new RegExp(`(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'gu')
      : null;
    for (const outboxId of new Set(mine.map((m) => m.outbox_id!))) {
      const copy = await trx.selectFrom('outbox').select('body_sealed').where('id', '=', outboxId).executeTakeFirst();
      if (!copy) continue;
      let body = this.crypto.decrypt(copy.body_sealed);
      for (const letter of letters) body = body.split(letter).join('[a letter its writer later withdrew]');
      if (namePattern) body = body.replace(namePattern, 'a resident who later asked to be anonymous');
      await trx
        .updateTable('outbox')
        .set({ body_sealed: this.crypto.encrypt(body) })
        .where('id', '=', outboxId)
        .execute();
    }
  }

  /**
   * Housekeeping, run every few minutes: one reminder for an action still unconfirmed after a day, and
   * deletion of actions unconfirmed after 7 days (with supporters left with nothing).
   */
  async sweep(now = new Date()): Promise<{ reminded: number; deleted: number; forgotten: number }> {
    const day = 86_400_000;
    const remindBefore = new Date(now.getTime() - day).toISOString();
    const deleteBefore = new Date(now.getTime() - 7 * day).toISOString();
    const due = await this.db
      .selectFrom('campaign_actions as a')
      .innerJoin('supporters as s', 's.id', 'a.supporter_id')
      .innerJoin('campaigns as c', 'c.id', 'a.campaign_id')
      .innerJoin('places as p', 'p.id', 'a.place_id')
      .select([
        'a.id',
        'a.kind',
        'a.confirm_token_sealed',
        's.id as supporter_id',
        's.email_sealed',
        's.name_sealed',
        's.withdraw_token_sealed',
        'c.title',
        'p.full_name',
      ])
      .where('a.status', '=', 'pending')
      .where('a.reminded_at', 'is', null)
      .where('a.created_at', '<', remindBefore)
      .where('a.created_at', '>=', deleteBefore)
      .execute();
    let reminded = 0;
    for (const a of due) {
      if (!a.confirm_token_sealed) continue;
      await this.db
        .updateTable('campaign_actions')
        .set({ reminded_at: now.toISOString() })
        .where('id', '=', a.id)
        .execute();
      await this.mailer.send({
        kind: 'reminder',
        to: this.crypto.decrypt(a.email_sealed),
        supporterId: a.supporter_id,
        subject: `Reminder: confirm "${a.title}"`,
        text: [
          `Hello ${this.crypto.decrypt(a.name_sealed)},`,
          '',
          `Your action for "${a.title}" in ${a.full_name} is not counted yet. To confirm it, open:`,
          '',
          `${this.publicUrl}/confirm/${this.crypto.decrypt(a.confirm_token_sealed)}`,
          '',
          'This is the only reminder. Unconfirmed requests are deleted 7 days after they were made.',
          '',
          ...(a.withdraw_token_sealed
            ? [
                `To delete everything we hold about you, \
open: ${this.publicUrl}/withdraw/${this.crypto.decrypt(a.withdraw_token_sealed)}`,
                '',
              ]
            : []),
          'Counterwatch',
        ].join('\n'),
      });
      reminded++;
    }
    const stale = this.db
      .selectFrom('campaign_actions')
      .select('id')
      .where('status', '=', 'pending')
      .where('created_at', '<', deleteBefore);
    await this.db.deleteFrom('campaign_action_targets').where('action_id', 'in', stale).execute();
    const deleted = await this.db
      .deleteFrom('campaign_actions')
      .where('status', '=', 'pending')
      .where('created_at', '<', deleteBefore)
      .executeTakeFirst();
    // Supporters with no action left (all expired unconfirmed) are deleted with their mail.
    const orphans = this.db
      .selectFrom('supporters as s')
      .select('s.id')
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('campaign_actions as a').select('a.id').whereRef('a.supporter_id', '=', 's.id'))),
      );
    await this.db.deleteFrom('outbox').where('supporter_id', 'in', orphans).execute();
    await this.db.deleteFrom('supporters').where('id', 'in', orphans).execute();
    // Retention: supporters whose latest action is older than the retention period are forgotten.
    const retainAfter = new Date(now.getTime() - this.retentionDays * day).toISOString();
    const expired = await this.db
      .selectFrom('supporters as s')
      .select('s.id')
      .where('s.created_at', '<', retainAfter)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('campaign_actions as a')
              .select('a.id')
              .whereRef('a.supporter_id', '=', 's.id')
              .where('a.created_at', '>=', retainAfter),
          ),
        ),
      )
      .execute();
    for (const s of expired) await this.forget(s.id);
    return { reminded, deleted: Number(deleted.numDeletedRows), forgotten: expired.length };
  }

  private confirmationMail(input: ActionInput, confirmToken: string, withdrawToken: string, supporterId: string) {
    return {
      kind: 'confirm',
      to: input.email.trim(),
      supporterId,
      subject: `Confirm: ${input.campaign.title}`,
      text: this.confirmationText(input, confirmToken, withdrawToken),
    };
  }

  private confirmationText(input: ActionInput, confirmToken: string, withdrawToken: string): string {
    const what =
      input.kind === 'petition'
        ? 'sign the petition'
        : input.kind === 'letter'
          ? 'send your letter'
          : 'record your call';
    return [
      `Hello ${oneLine(input.name)},`,
      '',
      `To ${what} "${input.campaign.title}" for ${input.at.place.full_name}, open this link:`,
      '',
      `${this.publicUrl}/confirm/${confirmToken}`,
      '',
      'It counts only once you do. If this was not you, ignore this mail: nothing will count, and the unconfirmed request is deleted after 7 days.',
      '',
      `To delete everything we hold about you, open: ${this.publicUrl}/withdraw/${withdrawToken}`,
      '',
      'Counterwatch',
    ].join('\n');
  }
}

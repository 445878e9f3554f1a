import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, WatcherRow } from '#src/storage/schema';
import { newToken, tokenHash, type SupporterCrypto } from '#src/security/supporter-crypto';
import type { Mail, Mailer } from '#src/mail/mailer';
import type { BackgroundJob } from '#src/jobs/housekeeping';
import { findChanges, type ChangeFilter, type ChangeRecord } from '#src/features/changes/changes.repository';

/** What can be watched: a place (state, county or town), an agency, or a technology in a state (`ma:ring-neighbors`). */
export const WATCH_TARGETS = ['place', 'agency', 'technology-state'] as const;
export type WatchTarget = (typeof WATCH_TARGETS)[number];

export type WatchOutcome = 'pending' | 'resent' | 'already-watching';

const DAY_MS = 86_400_000;
/** A digest lists this many changes at most, then links to the rest. */
const DIGEST_CHANGES = 50;

/**
 * People watching a place, an agency or a technology in a state: double opt-in, then at most one digest a
 * day of the changes recorded there (accepted reports and sync events), each linking to its record, with a
 * one-click unsubscribe that deletes the address. Addresses are kept sealed, with a keyed hash.
 */
export class Watchers {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly crypto: SupporterCrypto,
    private readonly mailer: Mailer,
    private readonly publicUrl: string,
  ) {}

  async watch(input: { type: WatchTarget; id: string; title: string; email: string }): Promise<WatchOutcome> {
    const emailHash = this.crypto.emailHash(input.email);
    const confirm = newToken();
    const now = new Date().toISOString();
    const existing = await this.db
      .selectFrom('watchers')
      .selectAll()
      .where('target_type', '=', input.type)
      .where('target_id', '=', input.id)
      .where('email_hash', '=', emailHash)
      .executeTakeFirst();
    if (existing?.confirmed_at) return 'already-watching';
    let unsubscribe: string;
    const mailId = await this.db.transaction().execute(async (trx) => {
      if (existing) {
        unsubscribe = this.crypto.decrypt(existing.unsubscribe_token_sealed);
        await trx
          .updateTable('watchers')
          .set({ confirm_token_hash: confirm.hash })
          .where('id', '=', existing.id)
          .execute();
      } else {
        const leave = newToken();
        unsubscribe = leave.token;
        await trx
          .insertInto('watchers')
          .values({
            id: `w-${randomBytes(8).toString('hex')}`,
            target_type: input.type,
            target_id: input.id,
            email_sealed: this.crypto.encrypt(input.email),
            email_hash: emailHash,
            confirm_token_hash: confirm.hash,
            unsubscribe_token_hash: leave.hash,
            unsubscribe_token_sealed: this.crypto.encrypt(leave.token),
            confirmed_at: null,
            last_digest_at: null,
            created_at: now,
          })
          .execute();
      }
      return this.mailer.enqueue(trx, this.confirmMail(input, confirm.token, unsubscribe));
    });
    await this.mailer.dispatch(mailId, this.confirmMail(input, confirm.token, unsubscribe!)).catch(() => undefined);
    return existing ? 'resent' : 'pending';
  }

  private confirmMail(input: { title: string; email: string }, token: string, unsubscribe: string): Mail {
    return {
      to: input.email,
      kind: 'watch-confirm',
      subject: `Confirm: watch ${input.title} on Counterwatch`,
      text: `Someone (we hope you) asked to be told of changes to ${input.title} on Counterwatch.

To start, confirm this address (the link opens a page with one button):
${this.publicUrl}/watch/confirm/${token}

You will then get at most one email a day, only on days when something there changed.
If you did not ask, ignore this mail: without confirmation we never write again. To delete this address now:
${this.publicUrl}/watch/stop/${unsubscribe}
`,
    };
  }

  async byConfirmToken(token: string): Promise<WatcherRow | null> {
    return (
      (await this.db
        .selectFrom('watchers')
        .selectAll()
        .where('confirm_token_hash', '=', tokenHash(token))
        .executeTakeFirst()) ?? null
    );
  }

  /** Confirms a watcher; digests list changes recorded from now on. Null when the link is unknown. */
  async confirm(token: string): Promise<WatcherRow | null> {
    const watcher = await this.byConfirmToken(token);
    if (!watcher) return null;
    const now = new Date().toISOString();
    await this.db
      .updateTable('watchers')
      .set({ confirmed_at: now, confirm_token_hash: null, last_digest_at: now })
      .where('id', '=', watcher.id)
      .execute();
    return watcher;
  }

  async byUnsubscribeToken(token: string): Promise<WatcherRow | null> {
    return (
      (await this.db
        .selectFrom('watchers')
        .selectAll()
        .where('unsubscribe_token_hash', '=', tokenHash(token))
        .executeTakeFirst()) ?? null
    );
  }

  /** Stops the watch and deletes the address; false when the link is unknown (already gone). */
  async unsubscribe(token: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('watchers')
      .where('unsubscribe_token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Deletes watchers who never confirmed within 7 days (their address with them). Returns how many. */
  async deleteUnconfirmed(now = new Date()): Promise<number> {
    const result = await this.db
      .deleteFrom('watchers')
      .where('confirmed_at', 'is', null)
      .where('created_at', '<', new Date(now.getTime() - 7 * DAY_MS).toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** How many people watch this (confirmed only); public, anonymous. */
  count(type: WatchTarget, id: string): Promise<number> {
    return countWatchers(this.db, type, id);
  }

  /**
   * Sends each confirmed watcher whose last digest is a day old or more the changes recorded there since;
   * nothing on a day without changes. Returns how many digests went.
   */
  async sendDigests(now = new Date()): Promise<number> {
    const due = await this.db
      .selectFrom('watchers')
      .selectAll()
      .where('confirmed_at', 'is not', null)
      .where('last_digest_at', '<=', new Date(now.getTime() - DAY_MS).toISOString())
      .orderBy('last_digest_at')
      .limit(500)
      .execute();
    let sent = 0;
    for (const watcher of due) {
      const filter = await this.filterOf(watcher);
      if (!filter) continue;
      const { data, more } = await findChanges(this.db, {
        ...filter,
        since: watcher.last_digest_at!,
        limit: DIGEST_CHANGES,
        order: 'asc',
      });
      const fresh = data.filter((c) => c.occurred_at > watcher.last_digest_at!);
      if (fresh.length === 0) continue;
      const unsubscribe = this.crypto.decrypt(watcher.unsubscribe_token_sealed);
      const title = await this.titleOf(watcher);
      await this.mailer
        .send({
          to: this.crypto.decrypt(watcher.email_sealed),
          kind: 'watch-digest',
          subject: `Counterwatch: ${fresh.length}${more ? '+' : ''} change${fresh.length === 1 ? '' : 's'} in ${title}`,
          text: this.digestText(title, fresh, more, filter, unsubscribe),
          // One-click unsubscribe from the mail client itself (RFC 8058): a POST to the same link.
          headers: {
            'List-Unsubscribe': `<${this.publicUrl}/watch/stop/${unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        })
        .catch(() => undefined);
      await this.db
        .updateTable('watchers')
        .set({ last_digest_at: now.toISOString() })
        .where('id', '=', watcher.id)
        .execute();
      sent++;
    }
    return sent;
  }

  private digestText(
    title: string,
    changes: readonly ChangeRecord[],
    more: boolean,
    filter: Omit<ChangeFilter, 'limit' | 'order'>,
    unsubscribe: string,
  ): string {
    const lines = changes.map((c) => {
      const detail = c.detail ? `. ${c.detail}` : '';
      const evidence = c.evidence.length ? `\n  Evidence: ${c.evidence.join(' ')}` : '';
      const page = `${this.publicUrl}${c.url ?? '/changes'}`;
      return `- ${c.occurred_at.slice(0, 10)}: ${c.title}${detail}\n  ${page}${evidence}`;
    });
    const all = new URLSearchParams(
      Object.entries({ place: filter.place, agency: filter.agency, state: filter.state, technology: filter.technology })
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([k, v]) => [k, v]),
    );
    return `What changed in ${title} on Counterwatch since the last email:

${lines.join('\n')}
${more ? `\nAnd more: ${this.publicUrl}/changes?${all}\n` : ''}
Stop these emails and delete your address (one click):
${this.publicUrl}/watch/stop/${unsubscribe}
`;
  }

  /** The change-history filter a watch reads; null when its target is gone. */
  private async filterOf(w: WatcherRow): Promise<Omit<ChangeFilter, 'limit' | 'order'> | null> {
    if (w.target_type === 'agency') return { agency: w.target_id };
    if (w.target_type === 'technology-state') {
      const [state, technology] = w.target_id.split(':');
      return state && technology ? { state: state.toUpperCase(), technology } : null;
    }
    const place = await this.db
      .selectFrom('places')
      .select(['kind', 'state_code'])
      .where('id', '=', w.target_id)
      .executeTakeFirst();
    if (!place) return null;
    return place.kind === 'state' ? { state: place.state_code } : { place: w.target_id };
  }

  /** A watched thing's name, for mails: "Somerville, MA", "Boston Police Department", "Ring in Massachusetts". */
  async titleOf(w: Pick<WatcherRow, 'target_type' | 'target_id'>): Promise<string> {
    if (w.target_type === 'agency') {
      const a = await this.db.selectFrom('agencies').select('name').where('id', '=', w.target_id).executeTakeFirst();
      return a?.name ?? w.target_id;
    }
    if (w.target_type === 'technology-state') {
      const [state, technology] = w.target_id.split(':');
      const t = await this.db
        .selectFrom('technologies')
        .select('name')
        .where('slug', '=', technology ?? '')
        .executeTakeFirst();
      return `${t?.name ?? technology} in ${state?.toUpperCase()}`;
    }
    const p = await this.db
      .selectFrom('places')
      .select(['name', 'kind', 'state_code'])
      .where('id', '=', w.target_id)
      .executeTakeFirst();
    return p ? (p.kind === 'state' ? p.name : `${p.name}, ${p.state_code}`) : w.target_id;
  }
}

/** How many people watch this (confirmed only); public, anonymous. */
export async function countWatchers(db: Kysely<Database>, type: WatchTarget, id: string): Promise<number> {
  const row = await db
    .selectFrom('watchers')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('target_type', '=', type)
    .where('target_id', '=', id)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The watchers' background jobs: digests, checked every 15 minutes, at most one a day per watcher; and the
 * deletion of watchers who never confirmed.
 */
export function watcherJobs(watchers: Watchers): BackgroundJob[] {
  return [
    {
      name: 'watch-digests',
      everyMs: 15 * 60_000,
      run: async () => `${await watchers.sendDigests()} digests sent`,
    },
    {
      name: 'watchers-unconfirmed',
      everyMs: 60 * 60_000,
      run: async () => `${await watchers.deleteUnconfirmed()} unconfirmed watchers deleted`,
    },
  ];
}

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database } from '#src/storage/schema';
import type { SupporterCrypto } from '#src/security/supporter-crypto';
import { redactEmails } from '#src/security/redact';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the mail is for: confirm, reminder, ... */
  readonly kind: string;
  readonly supporterId?: string;
  /** Extra headers (List-Unsubscribe); not kept in the outbox, so a retried mail goes without them. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Every mail is first written to the outbox, sealed. With SMTP_URL it is then handed to that server and
 * marked sent (or failed, with the error); without it, it stays in the outbox for operators to read and
 * never leaves the machine.
 */
export class Mailer {
  private readonly transport: Transporter | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly crypto: SupporterCrypto,
    private readonly options: { smtpUrl: string | null; from: string },
  ) {
    this.transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  }

  get delivers(): boolean {
    return this.transport !== null;
  }

  /**
   * Writes the mail to the outbox and hands it to the SMTP server; returns its receipt, or null when it stays in the
   * outbox.
   */
  async send(mail: Mail): Promise<{ messageId: string; response: string } | null> {
    const id = await this.enqueue(this.db, mail);
    return this.dispatch(id, mail);
  }

  /**
   * Writes the mail to the outbox, sealed, in the caller's transaction (so that a mail exists exactly when
   * what it confirms does). Call `dispatch` after the commit.
   */
  async enqueue(db: Kysely<Database>, mail: Mail): Promise<string> {
    const row = this.outboxRow(mail);
    await db.insertInto('outbox').values(row).execute();
    return row.id;
  }

  /** The outbox row of a mail, sealed (for callers that insert it in a statement of their own). */
  outboxRow(mail: Mail) {
    return {
      id: randomUUID(),
      kind: mail.kind,
      recipient_sealed: this.crypto.encrypt(mail.to),
      subject: mail.subject,
      body_sealed: this.crypto.encrypt(mail.text),
      status: this.transport ? ('queued' as const) : ('kept' as const),
      supporter_id: mail.supporterId ?? null,
      created_at: new Date().toISOString(),
      sent_at: null,
      error: null,
    };
  }

  /** Hands an enqueued mail to the SMTP server and records the outcome; null when there is no server. */
  async dispatch(
    id: string,
    mail: Pick<Mail, 'to' | 'subject' | 'text' | 'headers'>,
  ): Promise<{ messageId: string; response: string } | null> {
    if (!this.transport) return null;
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        headers: mail.headers,
      });
      await this.db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
    } catch (error) {
      // The server's words may hold the recipient's address ("550 <a@b.org>: no such user"): never kept plain.
      await this.db
        .updateTable('outbox')
        .set({ status: 'failed', error: redactEmails(String((error as Error).message)).slice(0, 500) })
        .where('id', '=', id)
        .execute();
      throw error;
    }
  }

  /** Sends again what a crash or an SMTP failure left queued or failed for over a minute. */
  async retryQueued(now = new Date()): Promise<number> {
    if (!this.transport) return 0;
    const before = new Date(now.getTime() - 60_000).toISOString();
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('status', 'in', ['queued', 'failed'])
      .where('kind', '!=', 'delivery')
      .where('created_at', '<', before)
      .limit(200)
      .execute();
    let sent = 0;
    for (const r of rows) {
      try {
        await this.dispatch(r.id, {
          to: this.crypto.decrypt(r.recipient_sealed),
          subject: r.subject,
          text: this.crypto.decrypt(r.body_sealed),
        });
        sent++;
      } catch {
        // Left as failed; tried again next time.
      }
    }
    return sent;
  }

  close(): void {
    this.transport?.close();
  }
}

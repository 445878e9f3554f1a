import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database } from '#src/storage/schema';
import type { SupporterCrypto } from '#src/security/supporter-crypto';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** What the mail is for: confirm, reminder, ... */
  readonly kind: string;
  readonly supporterId?: string;
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

  /** Writes the mail to the outbox and hands it to the SMTP server; returns its receipt, or null when it stays in the outbox. */
  async send(mail: Mail): Promise<{ messageId: string; response: string } | null> {
    const id = randomUUID();
    await this.db
      .insertInto('outbox')
      .values({
        id,
        kind: mail.kind,
        recipient_sealed: this.crypto.encrypt(mail.to),
        subject: mail.subject,
        body_sealed: this.crypto.encrypt(mail.text),
        status: this.transport ? 'queued' : 'kept',
        supporter_id: mail.supporterId ?? null,
        created_at: new Date().toISOString(),
        sent_at: null,
        error: null,
      })
      .execute();
    if (!this.transport) return null;
    try {
      const info = await this.transport.sendMail({ from: this.options.from, to: mail.to, subject: mail.subject, text: mail.text });
      await this.db.updateTable('outbox').set({ status: 'sent', sent_at: new Date().toISOString() }).where('id', '=', id).execute();
      return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
    } catch (error) {
      await this.db.updateTable('outbox').set({ status: 'failed', error: String((error as Error).message).slice(0, 500) }).where('id', '=', id).execute();
      throw error;
    }
  }

  close(): void {
    this.transport?.close();
  }
}

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  /** The message with quoted-printable soft breaks and escapes undone. */
  text: string;
}

/** A real SMTP server on 127.0.0.1 (the smtp-server package) that keeps what it receives. */
export async function startSmtpServer(): Promise<{ url: string; received: ReceivedMail[]; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Addresses starting with "bounce" are refused, as a mailbox that does not exist would be.
    onRcptTo(address, _session, callback) {
      // Like real servers, the refusal names the address it refuses.
      if (address.address.startsWith('bounce'))
        return callback(
          Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: No such mailbox`), {
            responseCode: 550,
          }),
        );
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const text = raw
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until a mail to `to` has arrived, and returns the newest one. */
export async function waitForMail(
  received: ReceivedMail[],
  to: string,
  count = 1,
  timeoutMs = 10_000,
): Promise<ReceivedMail> {
  const started = Date.now();
  for (;;) {
    const mine = received.filter((m) => m.to.includes(to.toLowerCase()) || m.to.includes(to));
    if (mine.length >= count) return mine.at(-1)!;
    if (Date.now() - started > timeoutMs)
      throw new Error(`no mail to ${to} after ${timeoutMs} ms (have ${received.length})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

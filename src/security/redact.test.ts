import { describe, expect, it } from 'vitest';
import { redactEmails, redactUrl } from './redact';

describe('redaction', () => {
  it('replaces every email address in a mail server error', () => {
    expect(redactEmails('550 5.1.1 <Jane.Doe+x@Mail.Example.org>: Recipient address rejected; also bob@a.b')).toBe(
      '550 5.1.1 <[address]>: Recipient address rejected; also [address]',
    );
    expect(redactEmails('no address here: 5.1.1 No such mailbox')).toBe('no address here: 5.1.1 No such mailbox');
  });

  it('hides the secret of confirmation and withdrawal links in logged URLs', () => {
    expect(redactUrl('/confirm/abc123?x=1')).toBe('/confirm/[token]?x=1');
    expect(redactUrl('/withdraw/abc123')).toBe('/withdraw/[token]');
    expect(redactUrl('/search?q=me@example.org')).toBe('/search?q=[address]');
    expect(redactUrl('/search?q=me%40example.org')).toBe('/search?q=[address]');
  });
});

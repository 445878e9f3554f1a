/** Email addresses as they appear in mail servers' errors and URLs (`<a@b.org>`, `a@b.org`). */
const EMAIL =
  /[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*/g;

/** The text with every email address replaced by `[address]` (errors and logs keep no address in plain text). */
export function redactEmails(text: string): string {
  return text.replace(EMAIL, '[address]');
}

/**
 * A URL as logs may keep it: the secret in a confirmation or withdrawal link is replaced, and so is any
 * email address.
 */
export function redactUrl(url: string): string {
  return redactEmails(url.replace(/\/(confirm|withdraw|unsubscribe)\/[^/?#]+/g, '/$1/[token]').replace(/%40/gi, '@'));
}

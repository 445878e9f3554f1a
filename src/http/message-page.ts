import type { FastifyReply } from 'fastify';
import { html, renderPage, type SafeHtml } from '#src/ui/html';

/** A page that says one thing in words (a refusal, an expired link, a thank-you), with a way back. */
export function sendMessagePage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: SafeHtml | string | undefined,
  back?: string,
  backLabel = 'Back to the form',
): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      renderPage({
        title,
        body: html`<h1>${title}</h1><p role="${status >= 400 ? 'alert' : 'status'}">${message}</p>${
          back ? html`<p><a href="${back}">${backLabel}</a></p>` : ''
        }`,
      }),
    );
}

/**
 * A page with one button that POSTs to `form.action`: what a link in an email opens, so that only a person's
 * press (never a mail scanner's GET) confirms or deletes anything.
 */
export function sendButtonPage(
  reply: FastifyReply,
  title: string,
  text: SafeHtml | string,
  form: { action: string; label: string },
): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      renderPage({
        title,
        body: html`<h1>${title}</h1><p>${text}</p><form method="post" action="${form.action}"><button \
type="submit">${form.label}</button></form>`,
      }),
    );
}

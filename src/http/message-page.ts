import type { FastifyReply } from 'fastify';
import { html, renderPage, type Page, type SafeHtml } from '#src/ui/html';

/** A page for one person (a form with its tokens, a message, an operator's page): HTML, never cached. */
export function sendPrivatePage(reply: FastifyReply, page: Page, status = 200): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(renderPage(page));
}

/** A page that says one thing in words (a refusal, an expired link, a thank-you), with a way back. */
export function sendMessagePage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: SafeHtml | string | undefined,
  back?: string,
  backLabel = 'Back to the form',
): FastifyReply {
  return sendPrivatePage(
    reply,
    {
      title,
      body: html`<h1>${title}</h1><p role="${status >= 400 ? 'alert' : 'status'}">${message}</p>${
        back ? html`<p><a href="${back}">${backLabel}</a></p>` : ''
      }`,
    },
    status,
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
  return sendPrivatePage(reply, {
    title,
    body: html`<h1>${title}</h1><p>${text}</p><form method="post" action="${form.action}"><button \
type="submit">${form.label}</button></form>`,
  });
}

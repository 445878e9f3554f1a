import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyBySlug } from '#src/domain/technologies';
import { html, type SafeHtml } from '#src/ui/html';
import { formatNumber, link } from '#src/ui/page-parts';
import { formFields } from '#src/http/forms';
import { PublicFormGate, type PublicFormLimits } from '#src/http/public-form-gate';
import { sendButtonPage, sendMessagePage, sendPrivatePage } from '#src/http/message-page';
import { webEntry } from '#src/http/static-assets';
import { countWatchers, type WatchTarget, type Watchers } from './watchers.service';

export interface WatchDeps extends Omit<PublicFormLimits, 'perAddressPerMinute' | 'perAddressWithoutProofPerMinute'> {
  readonly watchers: Watchers;
}

/** A watchable thing, found: its kind and id as stored, its name and its page. */
interface Watched {
  readonly type: WatchTarget;
  readonly id: string;
  readonly title: string;
  readonly url: string;
}

const emailField = z.object({
  email: z.email({ message: 'must be an email address' }).max(254, 'must be at most 254 characters'),
});

/** What `?place=`, `?agency=` or `?state=&technology=` names, or null. */
async function findWatched(db: Kysely<Database>, q: Record<string, string | undefined>): Promise<Watched | null> {
  if (q.place) {
    const p = await db
      .selectFrom('places')
      .select(['id', 'name', 'kind', 'state_code'])
      .where('id', '=', q.place)
      .executeTakeFirst();
    return p
      ? {
          type: 'place',
          id: p.id,
          title: p.kind === 'state' ? p.name : `${p.name}, ${p.state_code}`,
          url: `/places/${p.id}`,
        }
      : null;
  }
  if (q.agency) {
    const a = await db.selectFrom('agencies').select(['id', 'name']).where('id', '=', q.agency).executeTakeFirst();
    return a ? { type: 'agency', id: a.id, title: a.name, url: `/agencies/${a.id}` } : null;
  }
  const state = q.state ? findStateByCode(q.state.toUpperCase()) : null;
  const technology = q.technology ? findTechnologyBySlug(q.technology.toLowerCase()) : null;
  if (state && technology)
    return {
      type: 'technology-state',
      id: `${state.code.toLowerCase()}:${technology.slug}`,
      title: `${technology.name} in ${state.name}`,
      url: `/deployments?technology=${technology.slug}&state=${state.code}`,
    };
  return null;
}

/** What record pages show: "Watch for changes (3 people watch)", linking to the form. */
export async function watchLink(
  db: Kysely<Database>,
  target: { type: WatchTarget; id: string; query: string },
): Promise<SafeHtml> {
  const watching = await countWatchers(db, target.type, target.id);
  return html`<p class="watch"><a href="/watch?${target.query}">Watch for changes</a> <span class="note">(${
    watching === 0
      ? 'nobody watches yet'
      : `${formatNumber(watching)} ${watching === 1 ? 'person watches' : 'people watch'}`
  }; an email at most once a day)</span></p>`;
}

/** `/watch`: an email (double opt-in) for a daily digest of changes in a place, an agency or a technology in a state. */
export function registerWatchPages(app: FastifyInstance, db: Kysely<Database>, deps: WatchDeps): void {
  const gate = new PublicFormGate(
    {
      guard: deps.guard,
      pow: deps.pow,
      perAddressPerMinute: 10,
      perAddressWithoutProofPerMinute: 3,
      sharedCounters: deps.sharedCounters,
    },
    'watch requests',
  );
  const pow = webEntry('pow');

  async function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    watched: Watched,
    error?: string,
  ): Promise<FastifyReply> {
    const watching = await deps.watchers.count(watched.type, watched.id);
    const hidden =
      watched.type === 'technology-state'
        ? html`<input type="hidden" name="state" value="${watched.id.split(':')[0]}"><input type="hidden" \
name="technology" value="${watched.id.split(':')[1]}">`
        : html`<input type="hidden" name="${watched.type}" value="${watched.id}">`;
    return sendPrivatePage(
      reply,
      {
        title: `Watch ${watched.title}`,
        scripts: pow ? [pow.script] : [],
        body: html`<h1>Watch ${watched.title} for changes</h1><p>Get one email on days when something \
recorded about ${link(watched.url, watched.title)} changes (accepted reports from residents, updates from the \
sources we sync), each linking to its record. At most one a day; nothing on quiet days.</p><p class="note">${
          watching === 0
            ? 'Nobody watches it yet.'
            : `${formatNumber(watching)} ${watching === 1 ? 'person watches' : 'people watch'} it.`
        } We keep your address encrypted, use it for this only, and delete it when you stop (every email has \
the link).</p>${
          error ? html`<p class="error" role="alert">Your email ${error}. Nothing was recorded.</p>` : ''
        }<form method="post" action="/watch" class="action-form" data-pow aria-label="Watch for \
changes">${deps.guard.fields(request, reply)}${deps.pow.fields()}${hidden}<label>Your email<input name="email" \
type="email" autocomplete="email" required></label><button type="submit">Watch for changes</button></form>`,
      },
      error ? 422 : 200,
    );
  }

  const nothing = (reply: FastifyReply) =>
    sendMessagePage(
      reply,
      404,
      'Nothing to watch here',
      'This link names no place, agency, or technology in a state that we know. Open the page of what you \
want to watch and follow its "Watch for changes" link.',
    );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/watch',
    { schema: { hide: true } },
    async (request, reply) => {
      const watched = await findWatched(db, request.query);
      return watched ? formPage(request, reply, watched) : nothing(reply);
    },
  );

  app.post<{ Body: Record<string, string> }>('/watch', { schema: { hide: true } }, async (request, reply) => {
    const body = formFields(request);
    const watched = await findWatched(db, body);
    if (!watched) return nothing(reply);
    const refusal = await gate.check(request, body);
    if (refusal) {
      if (refusal.retryAfter) reply.header('retry-after', String(refusal.retryAfter));
      return sendMessagePage(reply, refusal.status, refusal.title, refusal.message, watched.url, 'Back');
    }
    const parsed = emailField.safeParse({ email: (body.email ?? '').trim() });
    if (!parsed.success) return formPage(request, reply, watched, parsed.error.issues[0]!.message);
    const domainRefusal = await gate.checkEmailDomain(parsed.data.email);
    if (domainRefusal) {
      reply.header('retry-after', String(domainRefusal.retryAfter));
      return sendMessagePage(
        reply,
        domainRefusal.status,
        domainRefusal.title,
        domainRefusal.message,
        watched.url,
        'Back',
      );
    }
    const outcome = await deps.watchers.watch({ ...watched, email: parsed.data.email });
    return reply.redirect(`/watch/sent?${new URLSearchParams({ outcome, url: watched.url })}`, 303);
  });

  app.get<{ Querystring: { outcome?: string; url?: string } }>(
    '/watch/sent',
    { schema: { hide: true } },
    async (request, reply) => {
      const back = /^\/[a-z]/.test(request.query.url ?? '') ? request.query.url! : '/';
      return sendMessagePage(
        reply,
        200,
        request.query.outcome === 'already-watching' ? 'You watch it already' : 'Check your email',
        request.query.outcome === 'already-watching'
          ? 'This address already watches it; nothing changed.'
          : 'We sent you a link. Open it and press the button to start; until then, we never write to you again.',
        back,
        'Back',
      );
    },
  );

  // Confirming and stopping: the link opens a page with one button, and only its POST acts (mail scanners
  // fetch links). Mail clients that offer one-click unsubscribe POST to the same address (RFC 8058).
  app.get<{ Params: { token: string } }>(
    '/watch/confirm/:token',
    { schema: { hide: true } },
    async (request, reply) => {
      const watcher = await deps.watchers.byConfirmToken(request.params.token);
      if (!watcher) return unknownLink(reply);
      const title = await deps.watchers.titleOf(watcher);
      return sendButtonPage(reply, `Watch ${title}`, `Start the daily digest of changes in ${title}.`, {
        action: `/watch/confirm/${request.params.token}`,
        label: 'Start watching',
      });
    },
  );

  app.post<{ Params: { token: string } }>(
    '/watch/confirm/:token',
    { schema: { hide: true } },
    async (request, reply) => {
      const watcher = await deps.watchers.confirm(request.params.token);
      if (!watcher) return unknownLink(reply);
      return reply.redirect(
        `/watch/started?${new URLSearchParams({ type: watcher.target_type, id: watcher.target_id })}`,
        303,
      );
    },
  );

  app.get<{ Querystring: { type?: string; id?: string } }>(
    '/watch/started',
    { schema: { hide: true } },
    async (request, reply) => {
      const title =
        request.query.type && request.query.id
          ? await deps.watchers.titleOf({ target_type: request.query.type, target_id: request.query.id })
          : 'it';
      return sendMessagePage(
        reply,
        200,
        'You are watching',
        `You will get an email on days when something in ${title} changes. Every email has a link that stops \
them and deletes your address.`,
      );
    },
  );

  app.get<{ Params: { token: string } }>('/watch/stop/:token', { schema: { hide: true } }, async (request, reply) => {
    const watcher = await deps.watchers.byUnsubscribeToken(request.params.token);
    if (!watcher)
      return sendMessagePage(reply, 200, 'Stopped', 'This address no longer watches anything here: it is deleted.');
    const title = await deps.watchers.titleOf(watcher);
    return sendButtonPage(reply, 'Stop watching', `Stop the emails about ${title} and delete your address.`, {
      action: `/watch/stop/${request.params.token}`,
      label: 'Stop and delete my address',
    });
  });

  app.post<{ Params: { token: string } }>('/watch/stop/:token', { schema: { hide: true } }, async (request, reply) => {
    await deps.watchers.unsubscribe(request.params.token);
    return sendMessagePage(reply, 200, 'Stopped', 'No more emails: your address is deleted.');
  });
}

function unknownLink(reply: FastifyReply): FastifyReply {
  return sendMessagePage(
    reply,
    404,
    'This link does not work',
    'This confirmation link is unknown, or was used already. Ask again from the page you want to watch.',
  );
}

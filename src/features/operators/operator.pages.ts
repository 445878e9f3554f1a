import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { html, join, type SafeHtml } from '#src/ui/html';
import { formatNumber, link } from '#src/ui/page-parts';
import { formFields, readCookie, type FormGuard } from '#src/http/forms';
import { sendPrivatePage } from '#src/http/message-page';
import { RateLimiter, type SharedCounterStore } from '#src/http/rate-limit';
import type { SupporterCrypto } from '#src/security/supporter-crypto';
import { diff, writeRevision } from '#src/storage/revisions';
import {
  campaignTallies,
  listCampaigns,
  optedInSupportersCsv,
  tallyOf,
} from '#src/features/campaigns/campaigns.repository';
import { isStale } from '#src/domain/officials';
import { searchPlaces } from '#src/features/search/search.repository';
import { placeLabel } from '#src/features/places/place-record';
import { slugify } from '#src/domain/names';
import { OfficialInputError, saveOfficial } from '#src/features/officials/officials.service';
import type { Operators } from './operators.service';
import { homeOf, may, ROUTE_PERMISSIONS, type Permission } from './permissions';

const SESSION_COOKIE = 'cw_op';

const campaignEdit = z.object({
  title: z.string().trim().min(3, 'must have at least 3 characters').max(200, 'must be at most 200 characters'),
  ask: z.string().trim().min(3, 'must have at least 3 characters').max(500, 'must be at most 500 characters'),
  description: z.string().trim().max(3000, 'must be at most 3,000 characters'),
  letter_subject: z
    .string()
    .trim()
    .min(3, 'must have at least 3 characters')
    .max(200, 'must be at most 200 characters'),
  letter_template: z
    .string()
    .trim()
    .min(20, 'must have at least 20 characters')
    .max(5000, 'must be at most 5,000 characters'),
  call_script: z
    .string()
    .trim()
    .min(10, 'must have at least 10 characters')
    .max(2000, 'must be at most 2,000 characters'),
  prompts: z.string().trim().max(2000, 'must be at most 2,000 characters').default(''),
  ends_on: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')]),
  delivery_mode: z.enum(['off', 'test', 'live'], { message: 'must be off, test or live' }),
  organizer_email: z.union([z.literal(''), z.email({ message: 'must be an email address' })]),
  deliveries_per_target_per_hour: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(60, 'must be at most 60'),
});

const LABELS: Record<string, string> = {
  title: 'Title',
  ask: 'The ask',
  description: 'Description',
  letter_subject: 'Letter subject',
  letter_template: 'Letter',
  call_script: 'Call script',
  prompts: 'Personalisation prompts',
  ends_on: 'Ends on',
  delivery_mode: 'Delivery',
  organizer_email: 'Organizer email',
  deliveries_per_target_per_hour: 'Digests per official per hour',
  place_id: 'Place',
  role: 'Role',
  name: 'Name',
  email: 'Email',
  phone: 'Phone',
  website_url: 'Website',
  source_url: 'Source',
  verified_on: 'Verified on',
};

export interface OperatorDeps {
  readonly operators: Operators;
  readonly guard: FormGuard;
  readonly crypto: SupporterCrypto;
  readonly secureCookies: boolean;
  /** Counts shared with the other server processes (PostgreSQL), so that the sign-in limit holds across them. */
  readonly sharedCounters?: SharedCounterStore | null;
}

/** The operator pages' links, each shown to the roles that may open it. */
const OPERATOR_NAV: ReadonlyArray<[string, string, Permission]> = [
  ['/operator', 'Campaigns', 'campaigns'],
  ['/operator/reports', 'Reports', 'reports'],
  ['/operator/roster', 'Roster', 'roster'],
  ['/operator/outbox', 'Outbox', 'outbox'],
];

/** An operator page: the navigation the operator's role may open, then `body`; never cached. */
export function operatorPage(reply: FastifyReply, title: string, body: SafeHtml, status = 200): FastifyReply {
  const role = (reply.request as FastifyRequest & { operator?: { role: string } }).operator?.role;
  // Before sign-in (no role) every link shows, as it always did; each page says who may open it.
  const links = OPERATOR_NAV.filter(([, , permission]) => role === undefined || may(role, permission));
  return sendPrivatePage(
    reply,
    {
      title,
      body: html`<nav aria-label="Operator"><p>${join(
        links.map(([href, label]) => link(href, label)),
        ' · ',
      )}</p></nav>${body}`,
    },
    status,
  );
}

/** What each delivery mode means, as the campaign form offers it. */
const DELIVERY_MODES: Record<string, string> = {
  off: 'off: nothing is sent',
  test: 'test: every digest to the organizer only',
  live: 'live: to the officials',
};

const PLACEHOLDERS = 'placeholders: {official} {role} {Role} {place} {agency} {since} {name}';

function field(
  name: string,
  value: string | number | null | undefined,
  options: { type?: string; area?: number; required?: boolean; note?: string } = {},
): SafeHtml {
  const label = html`${LABELS[name] ?? name}${options.note ? html` <span class="note">${options.note}</span>` : ''}`;
  const required = options.required === false ? '' : ' required';
  return options.area
    ? html`<label>${label}<textarea name="${name}" rows="${options.area}"${required}>${value ?? ''}</textarea></label>`
    : html`<label>${label}<input name="${name}" type="${options.type ?? 'text'}" \
value="${value ?? ''}"${required}></label>`;
}

function problem(error: z.ZodError): SafeHtml {
  const issue = error.issues[0]!;
  const name = String(issue.path[0] ?? '');
  return html`<p class="error" role="alert">${LABELS[name] ?? name} ${issue.message}. Nothing was saved.</p>`;
}

/**
 * Puts every route registered in `scope` behind an operator's sign-in and the permission its rule in
 * permissions.ts names (a route without a rule does not start). Feature folders with operator pages of
 * their own (reports) call it on their scope too.
 */
export function guardOperatorRoutes(scope: FastifyInstance, deps: Pick<OperatorDeps, 'operators'>): void {
  // Pages, not API: kept out of the OpenAPI document.
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
    // Every operator page has a rule in permissions.ts; one without a rule does not start.
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const permission = ROUTE_PERMISSIONS[`${method} ${route.url}`];
      if (!permission) throw new Error(`operator route ${method} ${route.url} has no rule in permissions.ts`);
      route.config = { ...route.config, permission } as typeof route.config;
    }
  });
  scope.addHook('onRequest', async (request, reply) => {
    const operator = await deps.operators.session(readCookie(request, SESSION_COOKIE));
    if (!operator) return reply.redirect('/operator/login', 303);
    (request as FastifyRequest & { operator?: SignedInOperator }).operator = operator;
    const permission = (request.routeOptions.config as { permission?: Permission }).permission;
    if (!permission || !may(operator.role, permission)) {
      return operatorPage(
        reply,
        'Not allowed',
        html`<h1>Not allowed</h1><p role="alert">Your role (${operator.role}) does not open this page. \
An admin can change roles with <code>npm run cli -- operators role EMAIL ROLE</code>.</p>`,
        403,
      );
    }
  });
}

export interface SignedInOperator {
  readonly id: string;
  readonly email: string;
  readonly role: string;
}

/** Who is signed in, as revisions and decisions credit them: `operator:<email>`. */
export function operatorActor(request: FastifyRequest): string {
  return `operator:${(request as FastifyRequest & { operator?: SignedInOperator }).operator!.email}`;
}

/** The operator pages, behind a sign-in: campaigns, the officials roster, the outbox and exports. */
export function registerOperatorPages(app: FastifyInstance, db: Kysely<Database>, deps: OperatorDeps): void {
  const signInLimit = new RateLimiter(
    10,
    60_000,
    deps.sharedCounters ? { store: deps.sharedCounters, bucket: 'sign-ins' } : null,
  );
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; \
Max-Age=${maxAge}${deps.secureCookies ? '; Secure' : ''}`;

  app.get('/operator/login', { schema: { hide: true } }, async (request, reply) =>
    operatorPage(
      reply,
      'Operator sign-in',
      html`<h1>Operator sign-in</h1><form method="post" action="/operator/login" \
class="action-form">${deps.guard.fields(request, reply)}${field('email', '', { type: 'email' })}<label>Password<input \
name="password" type="password" autocomplete="current-password" required></label><button type="submit">Sign \
in</button></form><p class="note">Operators are created with <code>npm run cli -- operators create EMAIL</code>.</p>`,
    ),
  );

  app.post<{ Body: Record<string, string> }>('/operator/login', { schema: { hide: true } }, async (request, reply) => {
    const body = formFields(request);
    if (deps.guard.check(request, body) !== null)
      return operatorPage(
        reply,
        'Please try again',
        html`<h1>Please try again</h1><p role="alert">This form had expired. <a href="/operator/login">Sign in \
again</a>.</p>`,
        403,
      );
    const wait = await signInLimit.takeExact(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return operatorPage(
        reply,
        'One moment, please',
        html`<h1>One moment, please</h1><p role="alert">Too many sign-in attempts from your address. Try again \
in ${wait} seconds.</p>`,
        429,
      );
    }
    const session = await deps.operators.signIn(String(body.email ?? ''), String(body.password ?? ''));
    if (!session)
      return operatorPage(
        reply,
        'Sign-in failed',
        html`<h1>Sign-in failed</h1><p role="alert">That email and password do not match an operator. <a \
href="/operator/login">Try again</a>.</p>`,
        401,
      );
    const operator = await deps.operators.session(session.token);
    return reply.header('set-cookie', cookie(session.token, 7 * 86_400)).redirect(homeOf(operator?.role ?? ''), 303);
  });

  app.post<{ Body: Record<string, string> }>('/operator/logout', { schema: { hide: true } }, async (request, reply) => {
    const token = readCookie(request, SESSION_COOKIE);
    // Always ends the session on the server, whatever the form brought: signing out is never harmful, and a
    // stale form must not leave a session alive that the person believes ended.
    if (token) await deps.operators.signOut(token);
    return reply.header('set-cookie', cookie('', 0)).redirect('/operator/login', 303);
  });

  // Everything else under /operator needs a signed-in operator.
  app.register(async (scope) => {
    guardOperatorRoutes(scope, deps);
    const actor = operatorActor;

    scope.get('/operator', async (request, reply) => {
      const [campaigns, tallies] = await Promise.all([listCampaigns(db), campaignTallies(db)]);
      const rows = campaigns.map((c) => {
        const t = tallyOf(tallies, c.id);
        return html`<tr><th scope="row">${link(`/operator/campaigns/${c.id}`, c.title)}</th><td>${c.delivery_mode}</td>\
<td class="n">${formatNumber(t.confirmed)}</td><td \
class="n">${formatNumber(t.delivered)}</td><td>${link(
          `/operator/exports/${c.id}.csv\
`,
          'supporters who opted in (CSV)',
        )}</td></tr>`;
      });
      return operatorPage(
        reply,
        'Operator',
        html`<h1>Campaigns</h1><div class="table-wrap"><table><caption>Campaigns</caption><thead><tr><th \
scope="col">Campaign</th><th scope="col">Delivery</th><th scope="col" class="n">Confirmed</th><th scope="col" \
class="n">Delivered</th><th scope="col">Export</th></tr></thead><tbody>${rows}</tbody></table></div><form \
method="post" action="/operator/logout">${deps.guard.fields(request, reply)}<button type="submit" \
class="secondary">Sign out</button></form>`,
      );
    });

    const campaignForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      c: Record<string, any>,
      error: SafeHtml | '' = '',
    ) =>
      html`<form method="post" action="/operator/campaigns/${c.id}" \
class="action-form">${deps.guard.fields(request, reply)}${error}
${field('title', c.title)}${field('ask', c.ask, { area: 2 })}\
${field('description', c.description, { area: 4, required: false })}${field('letter_subject', c.letter_subject)}
${field('letter_template', c.letter_template, { area: 12, note: PLACEHOLDERS })}\
${field('call_script', c.call_script, { area: 4 })}\
${field('prompts', c.prompts, { area: 4, required: false, note: 'one suggestion per line, shown above the letter' })}
${field('ends_on', c.ends_on ?? '', { type: 'date', required: false })}
<label>Delivery to officials<select name="delivery_mode">${['off', 'test', 'live'].map(
        (m) => html`<option \
value="${m}"${c.delivery_mode === m ? ' selected' : ''}>\
${DELIVERY_MODES[m]}</option>`,
      )}</select></label>
${field('organizer_email', c.organizer_email ?? '', { type: 'email', required: false, note: 'where test digests go' })}\
${field('deliveries_per_target_per_hour', c.deliveries_per_target_per_hour, { type: 'number' })}
<button type="submit">Save</button></form>`;

    scope.get<{ Params: { id: string } }>('/operator/campaigns/:id', async (request, reply) => {
      const c = await db.selectFrom('campaigns').selectAll().where('id', '=', request.params.id).executeTakeFirst();
      if (!c) return operatorPage(reply, 'Not found', html`<h1>Not found</h1><p>No campaign has this id.</p>`, 404);
      const organizer = c.organizer_email_sealed ? deps.crypto.decrypt(c.organizer_email_sealed) : '';
      return operatorPage(
        reply,
        c.title,
        html`<h1>${c.title}</h1><p>${link(`/campaigns/${c.id}`, 'Its public page')}</p>\
${campaignForm(request, reply, { ...c, organizer_email: organizer })}`,
      );
    });

    scope.post<{ Params: { id: string }; Body: Record<string, string> }>(
      '/operator/campaigns/:id',
      async (request, reply) => {
        const body = formFields(request);
        const c = await db.selectFrom('campaigns').selectAll().where('id', '=', request.params.id).executeTakeFirst();
        if (!c) return operatorPage(reply, 'Not found', html`<h1>Not found</h1>`, 404);
        if (deps.guard.check(request, body) !== null)
          return operatorPage(
            reply,
            'Please try again',
            html`<h1>Please try again</h1><p role="alert">This form had expired. Nothing was saved.</p>`,
            403,
          );
        const parsed = campaignEdit.safeParse(body);
        if (!parsed.success)
          return operatorPage(
            reply,
            c.title,
            html`<h1>${c.title}</h1>${campaignForm(request, reply, { ...c, ...body }, problem(parsed.error))}`,
            400,
          );
        const v = parsed.data;
        if (v.delivery_mode === 'test' && !v.organizer_email) {
          return operatorPage(
            reply,
            c.title,
            html`<h1>${c.title}</h1>${campaignForm(
              request,
              reply,
              { ...c, ...body },
              html`<p class="error" \
role="alert">Test delivery sends every digest to the organizer: give the organizer email. Nothing was saved.</p>`,
            )}`,
            400,
          );
        }
        const update = {
          title: v.title,
          ask: v.ask,
          description: v.description,
          letter_subject: v.letter_subject,
          letter_template: v.letter_template,
          call_script: v.call_script,
          prompts: v.prompts,
          ends_on: v.ends_on || null,
          delivery_mode: v.delivery_mode,
          deliveries_per_target_per_hour: v.deliveries_per_target_per_hour,
          organizer_email_sealed: v.organizer_email ? deps.crypto.encrypt(v.organizer_email) : null,
        };
        // The organizer's address is sealed anew on every save: it is left out of what changed.
        const { organizer_email_sealed: _sealed, ...visible } = update;
        const changes = diff(c, visible);
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('campaigns').set(update).where('id', '=', c.id).execute();
          await writeRevision(trx, { entity: 'campaign', id: c.id, action: 'update', changes, actor: actor(request) });
        });
        return reply.redirect(`/operator/campaigns/${c.id}?saved=1`, 303);
      },
    );

    scope.get<{ Querystring: { q?: string } }>('/operator/roster', async (request, reply) => {
      const q = (typeof request.query.q === 'string' ? request.query.q : '').trim().slice(0, 100);
      let results: SafeHtml | SafeHtml[] | '' = '';
      if (q) {
        const places = (await searchPlaces(db, q, 10)).filter((p) => p.kind === 'city');
        const officials = places.length
          ? await db
              .selectFrom('officials')
              .selectAll()
              .where(
                'place_id',
                'in',
                places.map((p) => p.id),
              )
              .orderBy('name')
              .execute()
          : [];
        results = places.length
          ? places.map((p) => {
              const mine = officials.filter((o) => o.place_id === p.id);
              return html`<h2>${placeLabel(p)}</h2><ul>${mine.map(
                (o) =>
                  html`<li>${link(
                    `/operator/roster/${o.id}`,
                    `\
${o.name}, ${o.role}`,
                  )}${
                    isStale(o.verified_on)
                      ? html` <span class="stale">(verified \
${o.verified_on ?? 'never'})</span>`
                      : ''
                  }</li>`,
              )}<li>${link(
                `/operator/roster/new?place=${p.id}`,
                `Add an official of \
${p.name}`,
              )}</li></ul>`;
            })
          : html`<p role="status">No town matches “${q}”.</p>`;
      }
      return operatorPage(
        reply,
        'Roster',
        html`<h1>Officials roster</h1><form method="get" action="/operator/roster" class="filters" role="search" \
aria-label="Find a town"><label>Town<input name="q" value="${q}" placeholder="Somerville, MA"></label><button \
type="submit">Find</button></form>${results}`,
      );
    });

    const officialForm = (
      request: FastifyRequest,
      reply: FastifyReply,
      action: string,
      o: Record<string, any>,
      error: SafeHtml | '' = '',
    ) =>
      html`<form method="post" action="${action}" \
class="action-form">${deps.guard.fields(request, reply)}${error}<input type="hidden" name="place_id" \
value="${o.place_id}">
<label>Role<select name="role">${['mayor', 'council member', 'police chief'].map(
        (r) => html`<option\
${o.role === r ? ' selected' : ''}>${r}</option>`,
      )}</select></label>
${field('name', o.name)}${field('email', o.email ?? '', { type: 'email', required: false })}\
${field('phone', o.phone ?? '', { required: false })}\
${field('website_url', o.website_url ?? '', { type: 'url', required: false })}
${field('source_url', o.source_url ?? '', { type: 'url', note: 'where you checked these details' })}\
${field('verified_on', o.verified_on ?? new Date().toISOString().slice(0, 10), { type: 'date' })}
<button type="submit">Save</button></form>`;

    scope.get<{ Querystring: { place?: string } }>('/operator/roster/new', async (request, reply) => {
      const place = await db
        .selectFrom('places')
        .select(['id', 'full_name'])
        .where('id', '=', String(request.query.place ?? ''))
        .executeTakeFirst();
      if (!place)
        return operatorPage(
          reply,
          'Not found',
          html`<h1>Not found</h1><p>Pick the town from the roster search first.</p>`,
          404,
        );
      return operatorPage(
        reply,
        'Add an official',
        html`<h1>Add an official \
of ${place.full_name}</h1>${officialForm(request, reply, '/operator/roster', { place_id: place.id })}`,
      );
    });

    scope.get<{ Params: { id: string } }>('/operator/roster/:id', async (request, reply) => {
      const o = await db.selectFrom('officials').selectAll().where('id', '=', request.params.id).executeTakeFirst();
      if (!o) return operatorPage(reply, 'Not found', html`<h1>Not found</h1>`, 404);
      return operatorPage(
        reply,
        o.name,
        html`<h1>${o.name}</h1><p>${link(`/officials/${o.id}`, 'Public page')}</p>${officialForm(
          request,
          reply,
          `/oper\
ator/roster/${o.id}`,
          o,
        )}`,
      );
    });

    async function saveFromForm(
      request: FastifyRequest<{ Params: { id?: string }; Body: Record<string, string> }>,
      reply: FastifyReply,
    ) {
      const body = formFields(request);
      const existing = request.params.id
        ? await db.selectFrom('officials').selectAll().where('id', '=', request.params.id).executeTakeFirst()
        : undefined;
      if (request.params.id && !existing) return operatorPage(reply, 'Not found', html`<h1>Not found</h1>`, 404);
      const action = existing ? `/operator/roster/${existing.id}` : '/operator/roster';
      if (deps.guard.check(request, body) !== null)
        return operatorPage(
          reply,
          'Please try again',
          html`<h1>Please try again</h1><p role="alert">This form had expired. Nothing was saved.</p>`,
          403,
        );
      try {
        const { id } = await saveOfficial(db, body, actor(request), existing?.id);
        return reply.redirect(`/operator/roster/${encodeURIComponent(id)}?saved=1`, 303);
      } catch (error) {
        if (!(error instanceof OfficialInputError)) throw error;
        const message = html`<p class="error" \
role="alert">${LABELS[error.field] ?? error.field} ${error.message.slice(error.field.length + 1)}. Nothing was \
saved.</p>`;
        return operatorPage(
          reply,
          'Official',
          html`<h1>${existing?.name ?? 'Add an official'}</h1>\
${officialForm(request, reply, action, { ...existing, ...body }, message)}`,
          400,
        );
      }
    }
    scope.post('/operator/roster', saveFromForm);
    scope.post('/operator/roster/:id', saveFromForm);

    scope.get<{ Querystring: { offset?: string } }>('/operator/outbox', async (request, reply) => {
      const offset = Math.max(0, Number(request.query.offset ?? 0) || 0);
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(50)
        .offset(offset)
        .execute();
      const list = rows.map(
        (m) =>
          html`<tr><td class="date">${m.created_at.slice(0, 16).replace('T', ' ')}</td><td>${m.kind}</td><td>\
${deps.crypto.decrypt(m.recipient_sealed)}</td><th \
scope="row">${link(`/operator/outbox/${m.id}`, m.subject)}</th><td>${m.status}</td></tr>`,
      );
      return operatorPage(
        reply,
        'Outbox',
        html`<h1>Outbox</h1><p class="note">Every mail the site sends. Without SMTP_URL, mail stays here ("kept") and \
never leaves this machine.</p><div class="table-wrap"><table><caption>Mail, newest first</caption><thead><tr><th \
scope="col">When (UTC)</th><th scope="col">Kind</th><th scope="col">To</th><th scope="col">Subject</th><th \
scope="col">Status</th></tr></thead><tbody>${
          list ||
          html`<tr><td colspan="5">No mail \
yet.</td></tr>`
        }</tbody></table></div>${
          rows.length === 50
            ? html`<p>${link(
                `/operator/outbox?offset=${offset + 50}\
`,
                'Older mail',
              )}</p>`
            : ''
        }`,
      );
    });

    scope.get<{ Params: { id: string } }>('/operator/outbox/:id', async (request, reply) => {
      const m = await db.selectFrom('outbox').selectAll().where('id', '=', request.params.id).executeTakeFirst();
      if (!m) return operatorPage(reply, 'Not found', html`<h1>Not found</h1>`, 404);
      return operatorPage(
        reply,
        m.subject,
        html`<h1>${m.subject}</h1><p>To ${deps.crypto.decrypt(m.recipient_sealed)}, ${m.status}${
          m.error
            ? `: \
${m.error}`
            : ''
        }</p><pre>${deps.crypto.decrypt(m.body_sealed)}</pre>`,
      );
    });

    scope.get<{ Params: { file: string } }>('/operator/exports/:file', async (request, reply) => {
      const id = request.params.file.replace(/\.csv$/, '');
      const csv = (await optedInSupportersCsv(db, deps.crypto, id)).join('\n') + '\n';
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${slugify(id)}-supporters.csv"`)
        .type('text/csv; charset=utf-8')
        .send(csv);
    });
  });
}

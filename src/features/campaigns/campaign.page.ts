import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { CampaignRow, Database } from '#src/storage/schema';
import { HttpError } from '#src/http/errors';
import { html, join, renderPage, SITE_CSS_PATH, type SafeHtml } from '#src/ui/html';
import { formatDay, formatNumber, link, statusAsOf, telHref, technologyName } from '#src/ui/page-parts';
import { technologyEventList } from '#src/features/technologies/technology-context';
import { formFields, type FormGuard } from '#src/http/forms';
import { PublicFormGate } from '#src/http/public-form-gate';
import { sendMessagePage } from '#src/http/message-page';
import type { SharedCounterStore } from '#src/http/rate-limit';
import { isStale } from '#src/domain/officials';
import { lookupZip, searchPlaces, townsOfZip } from '#src/features/search/search.repository';
import { placeLabel, type PlaceRecord } from '#src/features/places/place-record';
import {
  campaignTallies,
  fillTemplate,
  findCampaign,
  findCampaignPlace,
  listCampaigns,
  placesInCampaign,
  tallyOf,
  TARGET_RULES,
  type CampaignPlace,
  type Tally,
} from './campaigns.repository';
import { oneLine, type CampaignActions } from './campaign-actions.service';
import type { ProofOfWork } from '#src/security/proof-of-work';
import { webEntry } from '#src/http/static-assets';

const actionForm = z.object({
  kind: z.enum(['petition', 'letter', 'call'], { message: 'must be petition, letter or call' }),
  // One line of plain text: it is put into mails (to the supporter, and in digests to officials).
  name: z
    .string()
    .transform(oneLine)
    .pipe(
      z.string().min(1, 'is needed, so that officials know a person wrote').max(100, 'must be at most 100 characters'),
    )
    .refine((name) => !/:\/\/|www\.|[<>]/i.test(name), 'must be a name, without links or angle brackets'),
  email: z
    .string()
    .trim()
    .max(254, 'is too long')
    .pipe(z.email({ message: 'must be an email address, such as you@example.org' })),
  message: z.string().trim().max(5000, 'must be at most 5,000 characters').optional(),
  delivery: z.enum(['server', 'mailto']).optional(),
  opt_in: z.literal('yes').optional(),
});
type ActionForm = z.infer<typeof actionForm>;

const FIELD_LABELS: Record<string, string> = {
  name: 'Your name',
  email: 'Your email',
  message: 'The letter',
  kind: 'The action',
};

export interface CampaignPageDeps {
  /** The site's address, for the embed snippet. */
  readonly publicUrl: string;
  readonly actions: CampaignActions;
  readonly guard: FormGuard;
  readonly pow: ProofOfWork;
  /** Actions a minute from one address that come without a solved proof of work (no JavaScript). */
  readonly perAddressWithoutProofPerMinute?: number;
  /** Actions a minute from one address, and from one email domain. */
  readonly perAddressPerMinute?: number;
  readonly perDomainPerMinute?: number;
  /** Counts shared with the other server processes (PostgreSQL), so that the limits hold across them. */
  readonly sharedCounters?: SharedCounterStore | null;
}

/** "1 signature", "2 signatures". */
function count(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** The tally of a campaign, in a place or everywhere (`where`: "in Somerville", or nothing). */
function tallyLine(t: Tally, where?: string): SafeHtml {
  const at = where ? ` ${where}` : '';
  if (t.confirmed === 0) return html`<p class="note">No confirmed action${at} yet. Be the first.</p>`;
  return html`<p><strong>${formatNumber(t.confirmed)}</strong> \
confirmed ${t.confirmed === 1 ? 'action' : 'actions'}${at}: ${count(t.petition, 'signature', 'signatures')}, \
${count(t.letter, 'letter', 'letters')}, ${count(t.call, 'call', 'calls')}. <span class="note">Last on \
${t.last_confirmed_at?.slice(0, 10) ?? ''}.</span></p>`;
}

/** Whom a place's letter goes to, in words: "the mayor", "the mayor and 2 council members". */
function whomWords(targets: CampaignPlace['targets']): string {
  const mayors = targets.filter((o) => o.role === 'mayor').length;
  const council = targets.length - mayors;
  const parts = [
    mayors > 0 ? 'the mayor' : '',
    council > 0 ? count(council, 'council member', 'council members') : '',
  ].filter(Boolean);
  return parts.join(' and ');
}

/** What happens to actions when the campaign's delivery is off or in test: said plainly where people act. */
function deliveryNote(campaign: CampaignRow): SafeHtml | '' {
  if (campaign.delivery_mode === 'live') return '';
  return html`<p class="notice" role="note"><strong>Delivery to officials is off for this campaign.</strong> Letters, \
signatures and calls are counted here and kept; nothing is sent to officials until the organizers turn delivery \
on.</p>`;
}

function kindMessage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: SafeHtml | string | undefined,
  back?: string,
): FastifyReply {
  return sendMessagePage(reply, status, title, message, back);
}

/** Whether a campaign takes actions today: after its start, not after its end. */
export function campaignOpen(
  campaign: CampaignRow,
  today = new Date().toISOString().slice(0, 10),
): { open: boolean; why?: string } {
  if (campaign.starts_on > today) return { open: false, why: `This campaign opens on ${campaign.starts_on}.` };
  if (campaign.ends_on && campaign.ends_on < today)
    return { open: false, why: `This campaign ended on ${campaign.ends_on}. Thank you to everyone who took part.` };
  return { open: true };
}

/** The one snippet another site pastes to show a campaign's form. */
export function embedSnippet(publicUrl: string, campaign: CampaignRow): string {
  return `<iframe src="${publicUrl}/embed/campaigns/${campaign.id}" \
title="${campaign.title.replaceAll('"', '&quot;')}" width="100%" height="380" style="border:0;max-width:40rem" \
loading="lazy"></iframe>`;
}

/** The campaign pages: find your town, see the evidence and whom to ask, then sign, write or call. */
export function registerCampaignPages(app: FastifyInstance, db: Kysely<Database>, deps: CampaignPageDeps): void {
  const gate = new PublicFormGate(
    {
      guard: deps.guard,
      pow: deps.pow,
      perAddressPerMinute: deps.perAddressPerMinute ?? 10,
      perAddressWithoutProofPerMinute: deps.perAddressWithoutProofPerMinute ?? 3,
      perDomainPerMinute: deps.perDomainPerMinute ?? 120,
      sharedCounters: deps.sharedCounters,
    },
    'actions',
  );
  const powScript = webEntry('pow');

  async function campaignOr404(id: string): Promise<CampaignRow> {
    const campaign = await findCampaign(db, id);
    if (!campaign) throw new HttpError(404, 'not_found', `No campaign has the id "${id}"`);
    return campaign;
  }

  // The widget: the campaign's first step, made to sit in another site's page. Its links and form open
  // this site in a new tab, where the action itself happens (with its cookie and checks).
  app.get<{ Params: { id: string } }>('/embed/campaigns/:id', { schema: { hide: true } }, async (request, reply) => {
    const campaign = await campaignOr404(request.params.id);
    const tally = tallyOf(await campaignTallies(db, { campaignId: campaign.id }), campaign.id);
    return reply
      .header(
        'content-security-policy',
        String(reply.getHeader('content-security-policy')).replace("frame-ancestors 'none'", 'frame-ancestors *'),
      )
      .type('text/html; charset=utf-8')
      .send(
        html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, \
initial-scale=1"><title>${campaign.title} · Counterwatch</title><meta name="description" \
content="${campaign.ask}"><link rel="stylesheet" href="${SITE_CSS_PATH}"></head>
<body class="embed"><main id="content">
<h1>${campaign.title}</h1>
<p>${campaign.ask}</p>
${tallyLine(tally)}
<form class="filters" method="get" action="/campaigns/${campaign.id}" target="_blank" role="search" aria-label="Find \
your town">
<label>Your ZIP code or town<input name="q" autocomplete="postal-code" placeholder="02143 or Somerville, MA" \
required></label>
<button type="submit">Find my officials</button>
</form>
<p class="note">Opens <a href="/campaigns/${campaign.id}" target="_blank" rel="noopener">Counterwatch</a> in a new \
tab.</p>
</main></body></html>`.value,
      );
  });

  app.get('/campaigns', { schema: { hide: true } }, async (_request, reply) => {
    const [campaigns, tallies] = await Promise.all([listCampaigns(db), campaignTallies(db)]);
    const items = campaigns.map(
      (c) =>
        html`<li><h2>${link(`/campaigns/${c.id}`, c.title)}</h2><p>${c.ask}</p>${tallyLine(tallyOf(tallies, c.id))}</li\
>`,
    );
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Campaigns',
        description: 'Ask your city to end police surveillance partnerships.',
        body: html`<h1>Campaigns</h1><ul class="plain">${items}</ul>`,
      }),
    );
    return reply;
  });

  app.get<{ Params: { id: string }; Querystring: { q?: string } }>(
    '/campaigns/:id',
    { schema: { hide: true } },
    async (request, reply) => {
      const campaign = await campaignOr404(request.params.id);
      const q = (typeof request.query.q === 'string' ? request.query.q : '').trim().slice(0, 100);
      const tally = tallyOf(await campaignTallies(db, { campaignId: campaign.id }), campaign.id);
      let results: SafeHtml | '' = '';
      if (q) {
        const zip = /^\d{5}$/.test(q) ? lookupZip(q) : null;
        let places: PlaceRecord[] = [];
        if (zip) {
          places = await townsOfZip(db, zip);
        } else if (!/^\d+$/.test(q)) {
          places = (await searchPlaces(db, q, 20)).filter((p) => p.kind === 'city');
        }
        const covered = await placesInCampaign(
          db,
          campaign,
          places.map((p) => p.id),
        );
        // The ZIP code's own town first (townsOfZip gives it first), then the towns where the campaign asks.
        const own = zip && places[0]?.name.toLowerCase() === zip.city.toLowerCase() ? 1 : 0;
        const sorted = [
          ...places.slice(0, own),
          ...places.slice(own).sort((a, b) => Number(covered.has(b.id)) - Number(covered.has(a.id))),
        ];
        results = sorted.length
          ? html`<h2>Pick your town</h2>${
              zip
                ? html`<p>ZIP code ${zip.zip} is in ${zip.city}, ${zip.state}; a ZIP \
code can span several towns.</p>`
                : ''
            }<ul>${sorted.map((p) =>
              covered.has(p.id)
                ? html`<li>${link(`/campaigns/${campaign.id}/places/${p.id}`, placeLabel(p))}: <strong>its police \
had a ${technologyName(campaign.technology_slug ?? '')}</strong></li>`
                : html`<li>${placeLabel(p)}: <span class="note">no ${technologyName(campaign.technology_slug ?? '')} \
is recorded for its police, so this campaign has no ask there. <a href="${p.url}">What is recorded</a></span></li>`,
            )}</ul>`
          : html`<p role="status"><strong>No town matches “${q}”.</strong> Try your town's name with its state \
(Somerville, MA) or a five-digit ZIP code.</p>`;
      }
      const body = html`
<h1>${campaign.title}</h1>
<p><strong>${campaign.ask}</strong></p>
${campaignOpen(campaign).open ? '' : html`<p role="status"><strong>${campaignOpen(campaign).why}</strong></p>`}
<p>${campaign.description}</p>
${tallyLine(tally, 'in this campaign')}
<form class="filters" method="get" action="/campaigns/${campaign.id}" role="search" aria-label="Find your town">
<label>Your ZIP code or town<input name="q" value="${q}" autocomplete="postal-code" placeholder="02143 or Somerville, \
MA"></label>
<button type="submit">Find my officials</button>
</form>
${results}
<details><summary>Put this campaign on your own site</summary><p>Paste this where the form should appear. It loads \
nothing but this campaign's form from this site, and sets no \
cookies.</p><pre><code>${embedSnippet(deps.publicUrl, campaign)}</code></pre></details>
${deliveryNote(campaign)}
<p class="note">Whom this asks: ${TARGET_RULES[campaign.target_rule]?.describe ?? campaign.target_rule}. The \
partnerships come from the EFF's Atlas of Surveillance, which ends in mid-2020; officials from the US Conference of \
Mayors' 2020 directory.</p>`;
      reply
        .type('text/html; charset=utf-8')
        .send(
          renderPage({ title: campaign.title, description: campaign.ask, body, crumbs: [['Campaigns', '/campaigns']] }),
        );
      return reply;
    },
  );

  function actPage(
    request: FastifyRequest,
    reply: FastifyReply,
    campaign: CampaignRow,
    at: CampaignPlace,
    tally: Tally,
    form?: { values: Partial<Record<string, string>>; error?: { field: string; message: string } },
  ) {
    const { place, evidence, targets } = at;
    const base = `/campaigns/${campaign.id}/places/${place.id}`;
    const fields = html`${deps.guard.fields(request, reply)}${deps.pow.fields()}`;
    const v = form?.values ?? {};
    const errorFor = (kind: string) =>
      form?.error && v.kind === kind
        ? html`<p class="error" role="alert" \
id="error-${kind}">${FIELD_LABELS[form.error.field] ?? form.error.field} ${form.error.message}.</p>`
        : '';
    const person = (kind: string) => html`
<label>Your name<input name="name" autocomplete="name" required maxlength="100" \
value="${v.kind === kind ? v.name : ''}"></label>
<label>Your email <span class="note">(to confirm it was you; never shown, never given to officials)</span><input \
name="email" type="email" autocomplete="email" required maxlength="254" \
value="${v.kind === kind ? v.email : ''}"></label>
<label class="inline"><input type="checkbox" name="opt_in" \
value="yes"${v.kind === kind && v.opt_in ? ' checked' : ''}> Tell me about this campaign's progress (at most a few \
emails)</label>`;
    const first = targets[0] ?? null;
    const letter =
      v.kind === 'letter' && v.message
        ? v.message
        : fillTemplate(campaign.letter_template, { official: first, place, evidence, name: '' });
    const subject = fillTemplate(campaign.letter_subject, { official: first, place, evidence });
    const evidenceList = evidence.length
      ? html`<ul>${evidence.map(
          (d) => html`<li>${link(d.agency.url, d.agency.name)}: \
${link(d.url, technologyName(d.technology))} ${statusAsOf(d)}${
            d.started_on
              ? html`, started \
${formatDay(d.started_on)}`
              : ''
          }</li>`,
        )}</ul>${
          at.since.length
            ? html`<section class="notice" \
aria-labelledby="since-heading"><h3 id="since-heading">What changed \
since</h3>${technologyEventList(at.since)}</section>`
            : ''
        }`
      : '';
    const officials = targets.length
      ? html`<ul>${targets.map(
          (o) =>
            html`<li>${link(`/officials/${o.id}`, o.name)}, ${o.role}${
              o.phone
                ? html`: <a \
href="${telHref(o.phone)}">${o.phone}</a>`
                : ''
            }${
              isStale(o.verified_on)
                ? html` <span class="stale">(contact last \
verified ${o.verified_on ?? 'never'}; may be out of date)</span>`
                : ''
            }</li>`,
        )}</ul>`
      : html`<p class="note">We have no contact for the officials of ${place.name} yet. Your signature still counts, \
and is shown on the town's page.</p>`;
    const mailto = first?.email
      ? `mailto:${encodeURIComponent(first.email)}?subject=${encodeURIComponent(subject)}&body=\
${encodeURIComponent(letter)}`
      : null;
    const body = html`
<h1>${campaign.title}: ${place.full_name}</h1>
<p>${campaign.ask}</p>
<h2>What is on record</h2>
${evidenceList}
${tallyLine(tally, `in ${place.name}`)}
<h2>Whom you are asking</h2>
${targets.length ? html`<p>This campaign writes to ${whomWords(targets)} of ${place.name}.</p>` : ''}
${deliveryNote(campaign)}
${officials}
<h2 id="sign">Sign the petition</h2>
<form method="post" action="${base}/act" class="action-form" aria-labelledby="sign" data-pow>${fields}<input \
type="hidden" name="kind" value="petition">
${errorFor('petition')}${person('petition')}
<button type="submit">Sign</button>
</form>
<h2 id="write">Write a letter</h2>
<form method="post" action="${base}/act" class="action-form" aria-labelledby="write" data-pow>${fields}<input \
type="hidden" name="kind" value="letter">
${errorFor('letter')}
${
  campaign.prompts.trim()
    ? html`<div id="letter-prompts"><p>Make it yours: letters in your own words count most.</p><ul>${campaign.prompts
        .split('\n')
        .filter((p) => p.trim())
        .map((p) => html`<li>${fillTemplate(p, { official: first, place, evidence })}</li>`)}</ul></div>`
    : ''
}
<label>The letter <span class="note">(edit it: letters in your own words count most)</span><textarea name="message" \
rows="14" maxlength="5000" required>${letter}</textarea></label>
${person('letter')}
<button type="submit" name="delivery" value="server">Send it through Counterwatch</button>
${
  mailto
    ? html`<button type="submit" name="delivery" value="mailto" class="secondary">Send it from my own \
email</button>`
    : ''
}
</form>
<h2 id="call">Call</h2>
${
  targets.filter((o) => o.phone).length
    ? html`<p>Call ${join(
        targets.filter((o) => o.phone).map((o) => html`<a href="${telHref(o.phone!)}">${o.name} (${o.phone})</a>`),
        ', ',
      )}. You could say:</p>`
    : html`<p>We have no phone number for these officials yet. If you find one, you could say:</p>`
}
<blockquote>${fillTemplate(campaign.call_script, { official: first, place, evidence })}</blockquote>
<form method="post" action="${base}/act" class="action-form" aria-labelledby="call" data-pow>${fields}<input \
type="hidden" name="kind" value="call">
${errorFor('call')}${person('call')}
<button type="submit">I called</button>
</form>
<p class="note">We keep your name and email encrypted, only to confirm your action and, if you ask, to tell you about \
this campaign. Every email we send has a link that deletes them.</p>`;
    return reply
      .code(form?.error ? 400 : 200)
      .type('text/html; charset=utf-8')
      .send(
        renderPage({
          title: `${campaign.title}: ${place.full_name}`,
          description: `${campaign.ask} ${place.full_name}.`,
          crumbs: [
            ['Campaigns', '/campaigns'],
            [campaign.title, `/campaigns/${campaign.id}`],
          ],
          body,
          scripts: powScript ? [powScript.script] : [],
        }),
      );
  }

  // A campaign and what it asks in a place change rarely (an import, an operator's edit), while actions
  // arrive by the hundred a second in a rush: both are remembered for a few seconds.
  const recent = new Map<string, { at: number; value: Promise<{ campaign: CampaignRow; at: CampaignPlace | null }> }>();
  function campaignAt(campaignId: string, placeId: string) {
    const key = `${campaignId}\n${placeId}`;
    const hit = recent.get(key);
    if (hit && Date.now() - hit.at < 5000) return hit.value;
    if (recent.size > 1000) recent.clear();
    const value = campaignOr404(campaignId).then(async (campaign) => ({
      campaign,
      at: await findCampaignPlace(db, campaign, placeId),
    }));
    value.catch(() => recent.delete(key));
    recent.set(key, { at: Date.now(), value });
    return value;
  }

  async function load(campaignId: string, placeId: string, options: { tally: boolean } = { tally: true }) {
    const { campaign, at } = await campaignAt(campaignId, placeId);
    if (!at) throw new HttpError(404, 'not_found', `No place has the id "${placeId}"`);
    const tally = options.tally
      ? tallyOf(await campaignTallies(db, { campaignId: campaign.id, placeId: at.place.id }), campaign.id)
      : null;
    return { campaign, at, tally };
  }

  app.get<{ Params: { id: string; placeId: string } }>(
    '/campaigns/:id/places/:placeId',
    { schema: { hide: true } },
    async (request, reply) => {
      const { campaign, at, tally } = await load(request.params.id, request.params.placeId);
      const state = campaignOpen(campaign);
      if (!state.open) return kindMessage(reply, 410, campaign.title, state.why);
      if (at.evidence.length === 0) {
        return kindMessage(
          reply,
          404,
          campaign.title,
          html`No ${technologyName(campaign.technology_slug ?? '')} is recorded for the police \
of ${at.place.full_name}, so this campaign has no ask there. <a href="${at.place.url}">See what is recorded \
for ${at.place.name}</a>.`,
        );
      }
      return actPage(request, reply, campaign, at, tally!);
    },
  );

  app.post<{ Params: { id: string; placeId: string }; Body: Record<string, string> }>(
    '/campaigns/:id/places/:placeId/act',
    { schema: { hide: true } },
    async (request, reply) => {
      const { campaign, at } = await load(request.params.id, request.params.placeId, { tally: false });
      const back = `/campaigns/${campaign.id}/places/${at.place.id}`;
      const rerender = async (values: Record<string, string>, error: { field: string; message: string }) =>
        actPage(
          request,
          reply,
          campaign,
          at,
          tallyOf(await campaignTallies(db, { campaignId: campaign.id, placeId: at.place.id }), campaign.id),
          { values, error },
        );
      const body = formFields(request);
      const state = campaignOpen(campaign);
      if (!state.open) return kindMessage(reply, 410, campaign.title, `${state.why} Nothing was recorded.`);
      const refusal = await gate.check(request, body);
      if (refusal) {
        if (refusal.retryAfter) reply.header('retry-after', String(refusal.retryAfter));
        return kindMessage(reply, refusal.status, refusal.title, refusal.message, back);
      }
      if (at.evidence.length === 0)
        return kindMessage(reply, 404, campaign.title, 'This campaign has no ask in this place.', back);
      const parsed = actionForm.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return rerender(body, { field: String(issue.path[0] ?? 'form'), message: issue.message });
      }
      const form: ActionForm = parsed.data;
      const domainRefusal = await gate.checkEmailDomain(form.email);
      if (domainRefusal) {
        reply.header('retry-after', String(domainRefusal.retryAfter));
        return kindMessage(reply, domainRefusal.status, domainRefusal.title, domainRefusal.message, back);
      }
      if (form.kind === 'letter' && !form.message) return rerender(body, { field: 'message', message: 'is empty' });
      const outcome = await deps.actions.take({
        campaign,
        at,
        kind: form.kind,
        name: form.name,
        email: form.email,
        optIn: form.opt_in === 'yes',
        message: form.kind === 'letter' ? form.message : undefined,
        delivery: form.kind === 'letter' ? (form.delivery ?? 'server') : undefined,
      });
      if (outcome.status === 'duplicate-message') {
        return kindMessage(
          reply,
          422,
          'Please make it your own',
          'This letter is word for word the same as one someone else already sent. Officials discount copies, and so do we: please change it a little, in your own words, and send it again.',
          back,
        );
      }
      // Done: a redirect to the "check your email" page, so that reloading it does not post the form again.
      const done = outcome.status === 'already-counted' ? 'counted' : outcome.status;
      return reply.redirect(
        `${back}/sent?${new URLSearchParams({ receipt: deps.actions.receiptFor(outcome.actionId), outcome: done })}`,
        303,
      );
    },
  );

  app.get<{ Params: { id: string; placeId: string }; Querystring: { receipt?: string; outcome?: string } }>(
    '/campaigns/:id/places/:placeId/sent',
    { schema: { hide: true } },
    async (request, reply) => {
      const { campaign, at } = await load(request.params.id, request.params.placeId, { tally: false });
      const back = `/campaigns/${campaign.id}/places/${at.place.id}`;
      const sent =
        typeof request.query.receipt === 'string' ? await deps.actions.readReceipt(request.query.receipt) : null;
      if (!sent)
        return kindMessage(
          reply,
          404,
          'This page has expired',
          'This page is shown for an hour after you act. Your action, if you took it, is not lost: open the link we emailed you.',
          back,
        );
      reply.header('cache-control', 'no-store');
      if (request.query.outcome === 'counted') {
        return kindMessage(
          reply,
          200,
          'Already counted',
          `You have already done this for ${placeLabel(at.place)}, and it counts. Thank you! It counts once per \
person, so nothing changed.`,
          back,
        );
      }
      const first = at.targets[0];
      const subject = first
        ? fillTemplate(campaign.letter_subject, { official: first, place: at.place, evidence: at.evidence })
        : '';
      const mailto =
        sent.kind === 'letter' && sent.delivery === 'mailto' && first?.email && sent.message
          ? html`<p><a href="mailto:${encodeURIComponent(first.email)}?subject=${encodeURIComponent(subject)}\
&amp;body=${encodeURIComponent(sent.message)}">Open your letter in your email app</a>, addressed to ${first.name}.</p>`
          : '';
      const what = sent.kind === 'petition' ? 'signature' : sent.kind === 'letter' ? 'letter' : 'call';
      return reply.type('text/html; charset=utf-8').send(
        renderPage({
          title: 'Check your email',
          body: html`<h1>Check your email</h1><p role="status">We sent a link \
to ${sent.maskedEmail ?? 'your address'}. Your ${what} counts once you open it and press \
"Confirm".${request.query.outcome === 'resent' ? ' (You had started this before: we sent a fresh link.)' : ''}</p>\
${mailto}<p><a href="${back}">Back to ${at.place.name}</a></p>`,
        }),
      );
    },
  );

  // The link in the mail opens a page with one button; only the POST it sends confirms. Mail scanners
  // and link previews fetch links with GET, and must not confirm on a person's behalf.
  app.get<{ Params: { token: string } }>('/confirm/:token', { schema: { hide: true } }, async (request, reply) => {
    const pending = await deps.actions.pendingConfirmation(request.params.token);
    if (!pending)
      return kindMessage(
        reply,
        404,
        'This link does not work',
        'This confirmation link is unknown: it may have expired (after 7 days), or been withdrawn. You can take the action again.',
      );
    const what = pending.kind === 'petition' ? 'signature' : pending.kind === 'letter' ? 'letter' : 'call';
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderPage({
          title: 'Confirm your action',
          body: pending.confirmed
            ? html`<h1>Already confirmed</h1><p role="status">This ${what} for “${pending.campaignTitle}” \
in ${pending.placeName} is confirmed already; it counts once.</p>`
            : html`<h1>Confirm your ${what}</h1><p>For “${pending.campaignTitle}” in ${pending.placeName}. It counts \
once you press the button.</p><form method="post" action="/confirm/${request.params.token}"><button \
type="submit">Confirm my ${what}</button></form>`,
        }),
      );
  });

  app.post<{ Params: { token: string } }>('/confirm/:token', { schema: { hide: true } }, async (request, reply) => {
    const confirmed = await deps.actions.confirm(request.params.token);
    if (!confirmed)
      return kindMessage(
        reply,
        404,
        'This link does not work',
        'This confirmation link is unknown: it may have expired (after 7 days), or been withdrawn. You can take the action again.',
      );
    // A redirect, so that reloading the thank-you page does not post again.
    return reply.redirect(
      `/confirmed/${encodeURIComponent(confirmed.campaignId)}/${encodeURIComponent(confirmed.placeId)}?kind=\
${confirmed.kind}${confirmed.alreadyConfirmed ? '&again=1' : ''}`,
      303,
    );
  });

  app.get<{ Params: { id: string; placeId: string }; Querystring: { kind?: string; again?: string } }>(
    '/confirmed/:id/:placeId',
    { schema: { hide: true } },
    async (request, reply) => {
      const { campaign, at, tally } = await load(request.params.id, request.params.placeId);
      const kind = request.query.kind;
      const what =
        kind === 'petition' ? 'signature' : kind === 'letter' ? 'letter' : kind === 'call' ? 'call' : 'action';
      return reply.type('text/html; charset=utf-8').send(
        renderPage({
          title: 'Thank you',
          body: html`<h1>Thank you: it counts</h1><p \
role="status">${
            request.query.again
              ? 'This was already confirmed; it counts once.'
              : `Your ${what} for \
“${campaign.title}” in ${at.place.full_name} is confirmed.`
          }</p>${tallyLine(tally!, `in ${at.place.name}`)}<p><a \
href="/campaigns/${campaign.id}/places/${at.place.id}">Do more for ${at.place.name}</a> · <a \
href="${at.place.url}">What is recorded there</a></p>`,
        }),
      );
    },
  );

  app.get<{ Params: { token: string } }>('/withdraw/:token', { schema: { hide: true } }, async (request, reply) => {
    const fields = deps.guard.fields(request, reply);
    return reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Delete your data',
        body: html`<h1>Delete your data</h1><p>This deletes your name, email, letters and unconfirmed actions from \
Counterwatch. Confirmed actions stay in the public counts, with nothing that links them to you.</p><form method="post" \
action="/withdraw/${request.params.token}">${fields}<button type="submit">Delete my data</button></form>`,
      }),
    );
  });

  app.post<{ Params: { token: string }; Body: Record<string, string> }>(
    '/withdraw/:token',
    { schema: { hide: true } },
    async (request, reply) => {
      const body = formFields(request);
      if (deps.guard.check(request, body) !== null)
        return kindMessage(
          reply,
          403,
          'Please try again',
          'This form had expired. Nothing was deleted yet: please open the link from your email again.',
        );
      const done = await deps.actions.withdraw(request.params.token);
      if (!done)
        return kindMessage(reply, 404, 'Nothing to delete', 'This link is unknown: your data may already be deleted.');
      return reply.redirect('/withdrawn', 303);
    },
  );

  app.get('/withdrawn', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Deleted',
        body: html`<h1>Deleted</h1><p role="status">Your personal data is deleted. Thank you for taking part.</p>`,
      }),
    ),
  );
}

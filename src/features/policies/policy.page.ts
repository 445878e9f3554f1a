import type { FastifyInstance } from 'fastify';
import { reportLink } from '#src/features/reports/report-link';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { scopeLabel } from '#src/domain/policies';
import { HttpError } from '#src/http/errors';
import { externalLink, html, join, renderPage, type SafeHtml } from '#src/ui/html';
import {
  dateInWords,
  formatDay,
  link,
  policyTable,
  sourceList,
  statusBadge,
  technologyLink,
  withQuery,
} from '#src/ui/page-parts';
import { findPolicies, isBinding, iteratePolicies, type PolicyRecord } from './policies.repository';

const LEVEL_WORDS: Record<string, string> = {
  city: 'a city or town',
  county: 'a county',
  state: 'a state',
  'transit-district': 'a transit district',
  'school-district': 'a school district',
};

/** One step of a policy's life: its date at its precision, the step, what the source says, and the source. */
function stepItem(e: PolicyRecord['events'][number]): SafeHtml {
  const what = e.kind === 'reported' ? html`reported as ${statusBadge(e.status)}` : statusBadge(e.status);
  const source = e.source_url ? html` (${externalLink(e.source_url, 'source')})` : '';
  return html`<li>${formatDay(e.occurred_on, 'undated')}: ${what}${e.note ? `. ${e.note}` : ''}${source}</li>`;
}

/** Every ban, moratorium, oversight law and regulation, and a page for each. */
export function registerPolicyPages(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/policies', { schema: { hide: true } }, async (_request, reply) => {
    const all = await findPolicies(db);
    all.sort((a, b) => a.state.localeCompare(b.state) || a.title.localeCompare(b.title));
    const inForce = all.filter(isBinding);
    const others = all.filter((p) => !isBinding(p));
    const body = html`
<h1>Bans, moratoria and oversight laws</h1>
<p>${all.length} laws limiting police surveillance technology: Fight for the Future's face-recognition map (to May \
2021), DeFlock's list of licence-plate reader bans, and laws Counterwatch checked against their own records and \
reporting. Each shows whom it binds and the date of its latest known step. <span class="note">This list is not \
complete: many local laws are not in these datasets yet.</span></p>
${policyTable(inForce, `${inForce.length} laws in force (passed or in effect), by state`)}
<h2>Proposed, failed or ended</h2>
${policyTable(
  others,
  `${others.length} laws that were introduced and not passed, expired or \
repealed`,
  'None is recorded.',
)}`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Bans, moratoria and oversight laws',
        description: `${all.length} US laws that ban, pause or oversee police surveillance technology, with whom they \
bind and their status.`,
        body,
      }),
    );
    return reply;
  });
  app.get<{ Params: { id: string } }>('/policies/:id', { schema: { hide: true } }, async (request, reply) => {
    let policy: PolicyRecord | null = null;
    for await (const p of iteratePolicies(db, 500, request.params.id)) policy = p;
    if (!policy) throw new HttpError(404, 'not_found', `No law has the id "${request.params.id}"`);
    const reportedOnly = policy.events.length > 0 && policy.events.every((e) => e.kind === 'reported');
    const body = html`
<h1>${policy.title}</h1>
<p>${statusBadge(policy.status)} ${policy.kind}${
      policy.status_on
        ? html`, ${policy.status.replace('-', ' ')} \
${formatDay(policy.status_on)}`
        : ''
    }.${
      reportedOnly
        ? html` <span class="note">As a list reports it: no dated step of \
the law itself is recorded here.</span>`
        : ''
    }</p>
<dl class="facts">
<dt>Made by</dt><dd>${policy.body ? policy.body : html`<span class="note">not recorded</span>`}${
      policy.level
        ? html` \
<span class="note">(${LEVEL_WORDS[policy.level] ?? policy.level})</span>`
        : ''
    }</dd>
<dt>Jurisdiction</dt><dd>${policy.place ? link(policy.place.url, policy.place.full_name) : policy.jurisdiction}\
${
  policy.place && policy.place.full_name !== policy.jurisdiction
    ? html` <span \
class="note">(${policy.jurisdiction})</span>`
    : ''
}</dd>
<dt>Binds</dt><dd>${scopeLabel(policy.scope, policy.level)}${
      policy.scope_note
        ? html`. <span \
class="note">${policy.scope_note}</span>`
        : ''
    }</dd>
<dt>Covers</dt><dd>${
      policy.technologies.length
        ? join(
            policy.technologies.map((t) => technologyLink(t)),
            ', ',
          )
        : html`<span class="note">not recorded</span>`
    }</dd>
</dl>
${policy.summary ? html`<h2>Summary</h2><p>${policy.summary}</p>` : ''}
<h2>History</h2>
${
  policy.events.length
    ? html`<ol class="timeline">${policy.events.map(stepItem)}</ol>`
    : html`<p class="note">No \
dated step is recorded.</p>`
}
<h2>Sources</h2>
${sourceList(policy.sources)}
${
  policy.place
    ? html`<p><a href="\
${withQuery('/deployments', policy.place.geoid ? { place: policy.place.geoid } : { state: policy.state })}">Surveillanc\
e documented in ${policy.place.full_name}</a></p>`
    : ''
}
${reportLink('policy', policy.id)}${await historySection(db, { entity: { type: 'policy', id: policy.id } }, {})}
<p class="note">Data: <a href="/api/v1/policies/${policy.id}">this law as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: policy.title,
        description: `${policy.title}: ${policy.kind}, ${policy.status}${
          policy.status_on
            ? ` \
since ${dateInWords(policy.status_on)}`
            : ''
        }, binding ${scopeLabel(policy.scope, policy.level)}, with sources.`,
        crumbs: [['Laws', '/policies']],
        body,
      }),
    );
    return reply;
  });
}

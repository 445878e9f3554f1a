import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { HttpError } from '#src/http/errors';
import { escapeHtml, renderPage } from '#src/http/html';
import { formatDay, link, policyTable, sourceList, statusBadge, technologyName, withQuery } from '#src/http/page-parts';
import { findPolicies, iteratePolicies } from './policies.repository';

/** Every ban, moratorium, oversight law and regulation, and a page for each. */
export function registerPolicyPages(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/policies', { schema: { hide: true } }, async (_request, reply) => {
    const all = await findPolicies(db);
    all.sort((a, b) => a.state.localeCompare(b.state) || a.title.localeCompare(b.title));
    const body = `
<h1>Bans, moratoria and oversight laws</h1>
<p>${all.length} laws limiting police surveillance technology, from Fight for the Future's face-recognition ban map and DeFlock's list of cancelled Flock contracts. <span class="note">This list is not complete: many local laws are not in these datasets yet.</span></p>
${policyTable(all, 'Laws, by state')}`;
    reply.type('text/html; charset=utf-8').send(renderPage({ title: 'Bans, moratoria and oversight laws', description: `${all.length} US laws that ban, pause or oversee police surveillance technology.`, body }));
    return reply;
  });
  app.get<{ Params: { id: string } }>('/policies/:id', { schema: { hide: true } }, async (request, reply) => {
    let policy = null;
    for await (const p of iteratePolicies(db, 500, request.params.id)) policy = p;
    if (!policy) throw new HttpError(404, 'not_found', `No law has the id "${request.params.id}"`);
    const body = `
<h1>${escapeHtml(policy.title)}</h1>
<p>${statusBadge(policy.status)} ${escapeHtml(policy.kind)}${policy.status_on ? `, ${escapeHtml(policy.status)} ${formatDay(policy.status_on)}` : ''}.</p>
<dl class="facts">
<dt>Jurisdiction</dt><dd>${policy.place ? link(policy.place.url, policy.place.full_name) : escapeHtml(policy.jurisdiction)}${policy.place && policy.place.full_name !== policy.jurisdiction ? ` <span class="note">(${escapeHtml(policy.jurisdiction)})</span>` : ''}</dd>
<dt>Covers</dt><dd>${policy.technologies.map((t) => link(`/technologies/${t}`, technologyName(t))).join(', ') || '<span class="note">not recorded</span>'}</dd>
</dl>
${policy.summary ? `<h2>Summary</h2><p>${escapeHtml(policy.summary)}</p>` : ''}
<h2>History</h2>
${policy.events.length ? `<ol class="timeline">${policy.events.map((e) => `<li>${formatDay(e.occurred_on)}: ${statusBadge(e.status)}${e.source_url ? ` (<a href="${escapeHtml(e.source_url)}" rel="nofollow noopener">source</a>)` : ''}</li>`).join('')}</ol>` : '<p class="note">No dated step is recorded.</p>'}
<h2>Sources</h2>
${sourceList(policy.sources)}
${policy.place ? `<p><a href="${escapeHtml(withQuery('/deployments', policy.place.geoid ? { place: policy.place.geoid } : { state: policy.state }))}">Surveillance documented in ${escapeHtml(policy.place.full_name)}</a></p>` : ''}
<p class="note">Data: <a href="/api/v1/policies/${escapeHtml(policy.id)}">this law as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({ title: policy.title, description: `${policy.title}: ${policy.kind}, ${policy.status}${policy.status_on ? ` on ${policy.status_on}` : ''}, with sources.`, crumbs: [['Laws', '/policies']], body }),
    );
    return reply;
  });
}

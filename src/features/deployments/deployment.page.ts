import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { HttpError } from '#src/http/errors';
import { escapeHtml, renderPage } from '#src/http/html';
import { deploymentTable, formatDay, link, policyTable, sourceList, statusBadge, technologyName } from '#src/http/page-parts';
import { findPoliciesCovering } from '#src/features/policies/policies.repository';
import { findDeploymentById, findDeploymentsSorted } from './deployments.repository';

/** One deployment: who, what, since when, its status timeline and the evidence for each step. */
export function registerDeploymentPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/deployments/:id', { schema: { hide: true } }, async (request, reply) => {
    const d = await findDeploymentById(db, request.params.id);
    if (!d) throw new HttpError(404, 'not_found', `No deployment has the id "${request.params.id}"`);
    const [others, policies] = await Promise.all([
      findDeploymentsSorted(db, { agency: d.agency.id }, { sort: 'technology', descending: false, offset: 0, limit: 50 }),
      d.place ? findPoliciesCovering(db, d.place) : Promise.resolve([]),
    ]);
    const tech = technologyName(d.technology);
    const title = `${d.agency.name}: ${tech}`;
    const timeline = d.events.length
      ? `<ol class="timeline">${d.events
          .map((e) => `<li>${formatDay(e.occurred_on)}: ${statusBadge(e.status)}${e.note ? ` ${escapeHtml(e.note)}` : ''}${e.source_url ? ` (<a href="${escapeHtml(e.source_url)}" rel="nofollow noopener">source</a>)` : ''}</li>`)
          .join('')}</ol>`
      : '<p class="note">No dated status change is recorded.</p>';
    const body = `
<h1>${escapeHtml(title)}</h1>
<p>${statusBadge(d.status)} ${d.status === 'active' ? 'Active when a source last showed it' : `Status: ${escapeHtml(d.status)}`}${d.last_verified_on ? `, last seen ${formatDay(d.last_verified_on)}` : ''}.</p>
<dl class="facts">
<dt>Agency</dt><dd>${link(d.agency.url, d.agency.name)}${d.agency.ori ? ` <span class="note">(FBI ORI ${escapeHtml(d.agency.ori)})</span>` : ''}</dd>
<dt>Place</dt><dd>${d.place ? link(d.place.url, d.place.full_name) : `${escapeHtml(d.agency.state)} <span class="note">(not placed on the map)</span>`}</dd>
<dt>Technology</dt><dd>${link(`/technologies/${d.technology}`, tech)}</dd>
${d.programme ? `<dt>Programme</dt><dd>${escapeHtml(d.programme)}</dd>` : ''}
<dt>Vendor</dt><dd>${d.vendors.length ? d.vendors.map((v) => link(`/vendors/${v.id}`, v.name)).join(', ') : '<span class="note">not recorded</span>'}</dd>
<dt>Started</dt><dd>${formatDay(d.started_on)}</dd>
${d.ended_on ? `<dt>Ended</dt><dd>${formatDay(d.ended_on)}</dd>` : ''}
</dl>
${d.summary ? `<h2>Summary</h2><p>${escapeHtml(d.summary)}</p>` : ''}
<h2>Status over time</h2>
${timeline}
<h2>Sources</h2>
${sourceList(d.sources)}
<h2>Laws that apply here</h2>
${policyTable(policies, `Bans, moratoria and oversight laws covering ${d.place?.full_name ?? d.agency.state}`)}
<h2>Everything ${escapeHtml(d.agency.name)} is documented using</h2>
${deploymentTable(others, `Deployments of ${d.agency.name}`, { showAgency: false })}
<p class="note">Data: <a href="/api/v1/deployments/${escapeHtml(d.id)}">this record as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title,
        description: `${d.agency.name} (${d.agency.state}) and ${tech}: status ${d.status}${d.started_on ? `, since ${d.started_on}` : ''}, with sources.`,
        crumbs: [...(d.place ? [[d.place.full_name, d.place.url] as [string, string]] : []), [d.agency.name, d.agency.url]],
        body,
      }),
    );
    return reply;
  });
}

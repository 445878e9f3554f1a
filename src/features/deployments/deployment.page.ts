import type { FastifyInstance } from 'fastify';
import { reportLink } from '#src/features/reports/report-link';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { HttpError } from '#src/http/errors';
import { externalLink, html, join, renderPage, type SafeHtml } from '#src/ui/html';
import {
  dateInWords,
  deploymentTable,
  formatDay,
  link,
  policyTable,
  sourceList,
  statusAsOf,
  statusAsOfInWords,
  statusBadge,
  technologyName,
} from '#src/ui/page-parts';
import { findPoliciesCovering } from '#src/features/policies/policies.repository';
import { technologyContext } from '#src/features/technologies/technology-context';
import { findDeploymentById, findDeploymentsSorted, type DeploymentRecord } from './deployments.repository';
import { redirectIfMerged } from '#src/features/agencies/agency-redirects';

/** One piece of evidence on the timeline: its date at its precision, what it says, and its source. */
function evidenceItem(e: DeploymentRecord['events'][number]): SafeHtml {
  const note = e.note ? e.note : '';
  const what =
    e.kind === 'transition'
      ? html`${statusBadge(e.status)} from this date${note ? `: ${note}` : ''}`
      : e.kind === 'listed'
        ? html`${statusBadge(e.status)}: listed${note ? ` by ${note}` : ''} as of this date`
        : e.kind === 'unlisted'
          ? html`no longer listed by <a href="/about#source-${e.note ?? ''}">${note}</a> as of this date <span \
class="note">(not proof that it ended)</span>`
          : html`${statusBadge(e.status)}: shown in a document of this date${note ? ` (${note})` : ''}`;
  const source = e.source_url ? html` (${externalLink(e.source_url, 'source')})` : '';
  return html`<li>${formatDay(e.occurred_on, 'undated')}: ${what}${source}</li>`;
}

/**
 * One deployment: who, what, its status as of when it was last seen, what its dates mean, and the evidence for each.
 */
export function registerDeploymentPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/deployments/:id', { schema: { hide: true } }, async (request, reply) => {
    const d = await findDeploymentById(db, request.params.id);
    if (!d) {
      if (
        await redirectIfMerged(
          db,
          reply,
          'deployment',
          request.params.id,
          (id) => `/deployments/${encodeURIComponent(id)}`,
        )
      )
        return reply;
      throw new HttpError(404, 'not_found', `No deployment has the id "${request.params.id}"`);
    }
    const [others, policies, context] = await Promise.all([
      findDeploymentsSorted(
        db,
        { agency: d.agency.id },
        { sort: 'technology', descending: false, offset: 0, limit: 50 },
      ),
      d.place ? findPoliciesCovering(db, d.place) : Promise.resolve([]),
      technologyContext(db, d.technology, d.last_seen_on),
    ]);
    const tech = technologyName(d.technology);
    const title = `${d.agency.name}: ${tech}`;
    const timeline = d.events.length
      ? html`<ol class="timeline">${d.events.map(evidenceItem)}</ol>`
      : html`<p class="note">No dated evidence is recorded.</p>`;
    const history = await historySection(db, { entity: { type: 'deployment', id: d.id } }, {});
    const body = html`
<h1>${title}</h1>
<p>${statusAsOf(d)}: its status when a source last showed it${
      d.last_seen_on
        ? html`, \
on ${formatDay(d.last_seen_on)}`
        : ''
    }. It may have changed since.</p>
${context}
<dl class="facts">
<dt>Agency</dt><dd>${link(d.agency.url, d.agency.name)}${
      d.agency.ori
        ? html` <span class="note">(FBI \
ORI ${d.agency.ori})</span>`
        : ''
    }</dd>
<dt>Place</dt><dd>${
      d.place
        ? link(d.place.url, d.place.full_name)
        : html`${d.agency.state} <span class="note">(not \
placed on the map${d.agency.placement_issue ? `: ${d.agency.placement_issue}` : ''})</span>`
    }</dd>
<dt>Technology</dt><dd>${link(`/technologies/${d.technology}`, tech)}</dd>
${d.programme ? html`<dt>Programme</dt><dd>${d.programme}</dd>` : ''}
<dt>Vendor</dt><dd>${
      d.vendors.length
        ? join(
            d.vendors.map((v) => link(`/vendors/${v.id}`, v.name)),
            ', ',
          )
        : html`<span class="note">not recorded</span>`
    }</dd>
<dt>Started</dt><dd>${
      d.started_on
        ? formatDay(d.started_on)
        : html`<span class="note">no source says when use \
began</span>`
    }</dd>
<dt>First documented</dt><dd>${formatDay(d.first_documented_on, 'not known')} <span class="note">(the earliest dated \
document or dataset that shows it)</span></dd>
<dt>Last seen</dt><dd>${formatDay(d.last_seen_on, 'not known')} <span class="note">(the newest source that shows \
it ${d.status})</span></dd>
${d.ended_on ? html`<dt>Ended</dt><dd>${formatDay(d.ended_on)}</dd>` : ''}
${
  d.no_longer_listed
    ? html`<dt>No longer listed</dt><dd>by ${d.no_longer_listed.by ?? 'a source'} as \
of ${formatDay(d.no_longer_listed.on)} <span class="note">(a source that listed it stopped; that is not proof that it \
ended)</span></dd>`
    : ''
}
</dl>
${d.summary ? html`<h2>Summary</h2><p>${d.summary}</p>` : ''}
<h2>Evidence over time</h2>
${timeline}
<h2>Sources</h2>
${sourceList(d.sources)}
<h2>Laws that apply here</h2>
${policyTable(
  policies,
  `Bans, moratoria and oversight laws in force or proposed \
where ${d.place?.full_name ?? d.agency.state} is`,
)}
<h2>Everything ${d.agency.name} is documented using</h2>
${deploymentTable(others, `Deployments of ${d.agency.name}`, { showAgency: false })}
${reportLink('deployment', d.id)}${history}
<p class="note">Data: <a href="/api/v1/deployments/${d.id}">this record as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title,
        description: `${d.agency.name} (${d.agency.state}) and ${tech}: ${statusAsOfInWords(d)}${
          d.started_on
            ? `, \
started ${dateInWords(d.started_on)}`
            : ''
        }, with sources.`,
        crumbs: [
          ...(d.place ? [[d.place.full_name, d.place.url] as [string, string]] : []),
          [d.agency.name, d.agency.url],
        ],
        body,
      }),
    );
    return reply;
  });
}

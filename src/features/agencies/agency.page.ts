import type { FastifyInstance } from 'fastify';
import { reportLink } from '#src/features/reports/report-link';
import { watchLink } from '#src/features/watchers/watch.page';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { findStateByCode } from '#src/domain/states';
import { HttpError } from '#src/http/errors';
import { html, renderPage } from '#src/ui/html';
import { deploymentTable, link, policyTable } from '#src/ui/page-parts';
import { findDeploymentsSorted } from '#src/features/deployments/deployments.repository';
import { findPoliciesCovering } from '#src/features/policies/policies.repository';
import { findAgencyById } from './agencies.repository';
import { redirectIfMerged } from './agency-redirects';

const LOCATION_BASIS: Record<string, string> = {
  ori: "the FBI's recorded location of the agency, which lies in its town or county",
  city: "its town's point (Census and USGS)",
  county: "its county's internal point (Census)",
};

/** One agency: where it is and every surveillance technology it is documented using. */
export function registerAgencyPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/agencies/:id', { schema: { hide: true } }, async (request, reply) => {
    const agency = await findAgencyById(db, request.params.id);
    if (!agency) {
      if (await redirectIfMerged(db, reply, 'agency', request.params.id, (id) => `/agencies/${encodeURIComponent(id)}`))
        return reply;
      throw new HttpError(404, 'not_found', `No agency has the id "${request.params.id}"`);
    }
    const [deployments, policies] = await Promise.all([
      findDeploymentsSorted(
        db,
        { agency: agency.id },
        { sort: 'technology', descending: false, offset: 0, limit: 200 },
      ),
      agency.place ? findPoliciesCovering(db, agency.place) : Promise.resolve([]),
    ]);
    const state = findStateByCode(agency.state);
    const watch = await watchLink(db, {
      type: 'agency',
      id: agency.id,
      query: `agency=${encodeURIComponent(agency.id)}`,
    });
    const history = await historySection(db, { agency: agency.id }, {});
    const body = html`
<h1>${agency.name}</h1>
<dl class="facts">
<dt>Place</dt><dd>${
      agency.place
        ? link(agency.place.url, agency.place.full_name)
        : html`${state?.name ?? agency.state}\
 <span class="note">(its city or county is not known to us)</span>`
    }</dd>
${agency.type ? html`<dt>Type</dt><dd>${agency.type}</dd>` : ''}
${agency.ori ? html`<dt>FBI ORI</dt><dd>${agency.ori}</dd>` : ''}
<dt>On the map at</dt><dd>${
      agency.lat !== null && agency.lon !== null
        ? html`${agency.lat.toFixed(4)}, \
${agency.lon.toFixed(4)}${
            agency.location_basis
              ? html` <span \
class="note">(${LOCATION_BASIS[agency.location_basis] ?? agency.location_basis})</span>`
              : ''
          } · <a \
href="/map?agency=${agency.id}#8/${agency.lat.toFixed(4)}/${agency.lon.toFixed(4)}">show on the map</a>`
        : html`<span \
class="note">not placed${agency.placement_issue ? `: ${agency.placement_issue}` : ''}</span>`
    }</dd>
</dl>
<h2>Surveillance technology it is documented using</h2>
${deploymentTable(deployments, `Deployments of ${agency.name}`, { showAgency: false })}
<h2>Laws that apply here</h2>
${policyTable(
  policies,
  `Bans, moratoria and oversight laws \
covering ${agency.place?.full_name ?? state?.name ?? agency.state}`,
)}
${reportLink('agency', agency.id)}${watch}${history}
<p class="note">Data: <a href="/api/v1/agencies/${agency.id}">this agency as JSON</a> · <a \
href="/api/v1/deployments?agency=${agency.id}">its deployments as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: `${agency.name}, ${agency.state}`,
        description: `Surveillance technologies documented at ${agency.name} (${agency.state}): ${deployments.length} \
deployments, with sources.`,
        crumbs: [
          ...(state ? [[state.name, `/places/${state.code.toLowerCase()}`] as [string, string]] : []),
          ...(agency.place && agency.place.kind !== 'state'
            ? [[agency.place.name, agency.place.url] as [string, string]]
            : []),
        ],
        body,
      }),
    );
    return reply;
  });
}

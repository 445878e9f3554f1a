import type { FastifyInstance } from 'fastify';
import { watchLink } from '#src/features/watchers/watch.page';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { HttpError } from '#src/http/errors';
import { html, join, renderPage } from '#src/ui/html';
import {
  deploymentTable,
  formatNumber,
  link,
  officialList,
  policyTable,
  technologyCounts,
  withQuery,
} from '#src/ui/page-parts';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import {
  countDeployments,
  countDeploymentsByTechnology,
  findDeploymentsSorted,
} from '#src/features/deployments/deployments.repository';
import {
  findPolicies,
  findPoliciesCovering,
  isBinding,
  type PolicyRecord,
} from '#src/features/policies/policies.repository';
import { technologyContext } from '#src/features/technologies/technology-context';
import { officialQuery, toOfficialRecord } from '#src/features/officials/officials.repository';
import { isStale } from '#src/domain/officials';
import type { PlaceRecord } from './place-record';
import { findPlaceById } from './places.repository';
import {
  campaignTallies,
  listCampaigns,
  placesInCampaign,
  tallyOf,
} from '#src/features/campaigns/campaigns.repository';

const SHOWN = 100;

/** The deployments of a place: a state's by state code, a county's with its towns, a town's own. */
function placeFilter(place: PlaceRecord): { filter: DeploymentFilter; listParams: Record<string, string> } {
  if (place.kind === 'state') return { filter: { state: place.state }, listParams: { state: place.state } };
  if (place.kind === 'county' && place.geoid)
    return { filter: { place: place.geoid }, listParams: { place: place.geoid } };
  if (place.geoid) return { filter: { place: place.geoid }, listParams: { place: place.geoid } };
  return { filter: { placeId: place.id }, listParams: { state: place.state, q: place.name } };
}

/**
 * A state, county or town: what its police are documented using, the laws that apply there, and (for
 * towns) its officials. Deployments of a county include those of agencies in its towns.
 */
export function registerPlacePage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { code: string } }>('/states/:code', { schema: { hide: true } }, async (request, reply) =>
    reply.redirect(`/places/${encodeURIComponent(request.params.code.toLowerCase())}`, 301),
  );
  app.get<{ Params: { id: string } }>('/places/:id', { schema: { hide: true } }, async (request, reply) => {
    const place = await findPlaceById(db, request.params.id);
    if (!place) throw new HttpError(404, 'not_found', `No place has the id "${request.params.id}"`);
    const { filter, listParams } = placeFilter(place);
    const [total, byTechnology, deployments, policies, officials, parents] = await Promise.all([
      countDeployments(db, filter),
      countDeploymentsByTechnology(db, filter),
      findDeploymentsSorted(db, filter, { sort: 'agency', descending: false, offset: 0, limit: SHOWN }),
      place.kind === 'state'
        ? findPolicies(db, (p) => p.state === place.state)
        : place.kind === 'county'
          ? countyPolicies(db, place)
          : findPoliciesCovering(db, place),
      place.kind === 'city'
        ? officialQuery(db).where('o.place_id', '=', place.id).orderBy('o.role').orderBy('o.name').execute()
        : Promise.resolve([]),
      parentPlaces(db, place),
    ]);
    const campaigns = place.kind === 'city' ? await campaignsHere(db, place.id) : [];
    // What changed for a technology after the newest data here was seen (Ring ended police requests in 2024).
    const newestSeen =
      deployments
        .map((d) => d.last_seen_on)
        .filter((d): d is string => d !== null)
        .sort()
        .at(-1) ?? null;
    const contexts = (
      await Promise.all(byTechnology.map((t) => technologyContext(db, t.technology, newestSeen)))
    ).filter((c) => c !== '');
    const inForce = policies.filter(isBinding);
    const otherPolicies = policies.filter((p) => !isBinding(p));
    const listUrl = withQuery('/deployments', listParams);
    const kindWord = place.kind === 'state' ? 'state' : place.kind === 'county' ? 'county' : 'place';
    const roster = officials.map(toOfficialRecord);
    const history =
      place.kind === 'county'
        ? ''
        : await historySection(
            db,
            place.kind === 'state' ? { state: place.state } : { place: place.id },
            place.kind === 'state' ? { state: place.state } : { place: place.id },
            `/feeds/places/${place.id}.atom`,
          );
    const body = html`
<h1>${place.full_name}</h1>
<p>${
      total === 0
        ? html`No police surveillance deployment is documented in this ${kindWord}. <span \
class="note">Absence from this data does not mean none is used.</span>`
        : `${formatNumber(total)} \
documented ${total === 1 ? 'deployment' : 'deployments'} of police surveillance \
technology${place.kind === 'county' ? ' by agencies of the county and its towns' : ''}.`
    }${
      place.population
        ? ` \
Population ${formatNumber(place.population)}.`
        : ''
    }</p>
${
  total > 0 && place.lat !== null && place.lon !== null
    ? html`<p><a \
href="${withQuery('/map', listParams)}#${place.kind === 'state' ? 5 : place.kind === 'county' ? 8 : 10}/\
${place.lat.toFixed(4)}/${place.lon.toFixed(4)}">See them on the map</a> · <a href="${listUrl}">as a list you can \
filter and sort</a></p>`
    : ''
}
${technologyCounts(
  byTechnology,
  (t) => withQuery('/deployments', { ...listParams, technology: t }),
  `Deployments \
in ${place.full_name} by technology`,
)}
${
  campaigns.length
    ? html`<h2>Take \
action</h2><ul>${campaigns.map(
        (c) => html`<li>${link(
          `/campaigns/${c.campaign.id}/places/${place.id}\
`,
          c.campaign.title,
        )}: ${formatNumber(c.tally.confirmed)} confirmed ${c.tally.confirmed === 1 ? 'action' : 'actions'} \
here so far${c.tally.last_confirmed_at ? `, the last on ${c.tally.last_confirmed_at.slice(0, 10)}` : ''}.</li>`,
      )}</ul>`
    : ''
}
<h2>Laws that apply here</h2>
${policyTable(
  inForce,
  place.kind === 'city'
    ? `Laws in force in ${place.full_name}: its own, its county's and its \
state's, with whom each binds`
    : `Laws in force in ${place.full_name}, with whom each \
binds`,
  'No ban, moratorium or oversight law in force here is recorded.',
)}
${
  otherPolicies.length
    ? html`<h3>Proposed, failed or ended</h3>${policyTable(
        otherPolicies,
        `Laws \
of ${place.full_name} that are pending or no longer in force`,
      )}`
    : ''
}
${
  place.kind === 'city'
    ? html`<h2>Officials</h2>${officialList(roster)}\
${
  roster.some((o) => o.current && isStale(o.verified_on))
    ? html`<p class="note">Our mayors list dates from 2020: \
check a contact before relying on it.</p>`
    : ''
}`
    : ''
}
<h2>Deployments</h2>
${join(contexts, '\n')}
${deploymentTable(
  deployments,
  `Deployments in ${place.full_name}${
    total > SHOWN
      ? `, the first ${SHOWN} by \
agency`
      : ''
  }`,
)}
${total > SHOWN ? html`<p><a href="${listUrl}">See all ${formatNumber(total)} deployments in the list →</a></p>` : ''}
${
  parents.length
    ? html`<p class="note">Part of ${join(
        parents.map((p) => link(p.url, p.full_name)),
        ', ',
      )}.</p>`
    : ''
}
${await watchLink(db, { type: 'place', id: place.id, query: `place=${encodeURIComponent(place.id)}` })}${history}
<p class="note">Data: <a href="/api/v1/places/${place.id}">this place as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: place.full_name,
        description: `Police surveillance in ${place.full_name}: ${total} documented deployments, ${policies.length} \
laws, with sources.`,
        crumbs: parents.map((p) => [p.name, p.url] as [string, string]),
        feeds:
          place.kind === 'county'
            ? []
            : [{ title: `Changes in ${place.full_name}`, href: `/feeds/places/${place.id}.atom` }],
        body,
      }),
    );
    return reply;
  });
}

async function parentPlaces(db: Kysely<Database>, place: PlaceRecord): Promise<PlaceRecord[]> {
  if (place.kind === 'state') return [];
  const ids = [
    place.state.toLowerCase(),
    ...(place.kind === 'city' && place.county_geoid ? [`county-${place.county_geoid}`] : []),
  ];
  const found = await Promise.all(ids.map((id) => findPlaceById(db, id)));
  return found.filter((p): p is PlaceRecord => p !== null);
}

/** A county's own laws, its state's, and those of its towns. */
function countyPolicies(db: Kysely<Database>, county: PlaceRecord): Promise<PolicyRecord[]> {
  return findPolicies(
    db,
    (p) =>
      p.place !== null &&
      (p.place.id === county.id ||
        (p.level === 'state' && p.state === county.state) ||
        (p.place.kind === 'city' && p.place.county_geoid === county.geoid)),
  );
}

/** The campaigns that have an ask in this town, with its tally there. */
async function campaignsHere(db: Kysely<Database>, placeId: string) {
  const found = [];
  for (const campaign of await listCampaigns(db)) {
    if (!(await placesInCampaign(db, campaign, [placeId])).has(placeId)) continue;
    found.push({
      campaign,
      tally: tallyOf(await campaignTallies(db, { campaignId: campaign.id, placeId }), campaign.id),
    });
  }
  return found;
}

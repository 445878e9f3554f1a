import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { findStateByCode } from '#src/domain/states';
import { HttpError } from '#src/http/errors';
import { html, join, renderPage } from '#src/ui/html';
import { formatDay, formatNumber, link, policyTable, withQuery } from '#src/ui/page-parts';
import { findPolicies } from '#src/features/policies/policies.repository';
import { findTechnologyEvents, listTechnologies, redirectIfMergedTechnology } from './technologies.repository';
import { technologyEventList } from './technology-context';

/** The vocabulary of technologies, and a page for each: where it is used, by whom, from which vendors. */
export function registerTechnologyPages(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/technologies', { schema: { hide: true } }, async (_request, reply) => {
    const technologies = await listTechnologies(db);
    const body = html`
<h1>Surveillance technologies</h1>
<p>The categories of the EFF's Atlas of Surveillance, and those later datasets named. Each links to where police are \
documented using it. A technology marked <em>unreviewed</em> was named by a dataset in words no editor has checked \
yet: its deployments are kept and shown, under the dataset's own name for it.</p>
<div class="table-wrap"><table><caption>Technologies and how often they are documented</caption>
<thead><tr><th scope="col">Technology</th><th scope="col">What it is</th><th scope="col" class="n">Deployments</th><th \
scope="col" class="n">Agencies</th><th scope="col" class="n">Laws</th></tr></thead>
<tbody>${technologies.map(
      (t) => html`<tr><th \
scope="row">${link(`/technologies/${t.slug}`, t.name)}${
        t.reviewed
          ? ''
          : html` <span \
class="badge">unreviewed</span>`
      }</th><td>${
        t.description
          ? t.description
          : html`<span class="note">Not described \
yet.</span>`
      }</td><td class="n">${formatNumber(t.counts.deployments)}</td><td \
class="n">${formatNumber(t.counts.agencies)}</td><td \
class="n">${formatNumber(t.counts.policies)}</td></tr>`,
    )}</tbody></table></div>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Surveillance technologies',
        description: 'The surveillance technologies US police are documented using, with counts.',
        body,
      }),
    );
    return reply;
  });
  app.get<{ Params: { slug: string } }>('/technologies/:slug', { schema: { hide: true } }, async (request, reply) => {
    const technology = (await listTechnologies(db)).find((t) => t.slug === request.params.slug);
    if (
      !technology &&
      (await redirectIfMergedTechnology(db, reply, request.params.slug, (slug) => `/technologies/${slug}`))
    )
      return reply;
    if (!technology) throw new HttpError(404, 'not_found', `No technology has the slug "${request.params.slug}"`);
    const slug = technology.slug;
    const [byState, vendors, policies, events] = await Promise.all([
      db
        .selectFrom('deployments')
        .select((eb) => ['state_code', eb.fn.countAll().as('n')])
        .where('technology_slug', '=', slug)
        .groupBy('state_code')
        .orderBy('state_code')
        .execute(),
      db
        .selectFrom('deployment_vendors as dv')
        .innerJoin('deployments as d', 'd.id', 'dv.deployment_id')
        .innerJoin('vendors as v', 'v.id', 'dv.vendor_id')
        .select((eb) => ['v.id', 'v.name', eb.fn.countAll().as('n')])
        .where('d.technology_slug', '=', slug)
        .groupBy(['v.id', 'v.name'])
        .orderBy('n', 'desc')
        .orderBy('v.name')
        .limit(25)
        .execute(),
      findPolicies(db, (p) => p.technologies.includes(slug)),
      findTechnologyEvents(db, slug),
    ]);
    const body = html`
<h1>${technology.name}${technology.reviewed ? '' : html` <span class="badge">unreviewed</span>`}</h1>
${
  technology.reviewed
    ? ''
    : html`<p class="note" role="note">A dataset named this technology in words no editor has \
reviewed yet. Its deployments are kept as the dataset gave them; an editor may rename it or merge it into another.</p>`
}
${technology.description ? html`<p>${technology.description}</p>` : ''}
${technology.synonyms.length > 0 ? html`<p class="note">Also written: ${join(technology.synonyms, '; ')}</p>` : ''}
<ul class="figures" aria-label="Figures">
<li><strong>${formatNumber(technology.counts.deployments)}</strong> documented deployments</li>
<li><strong>${formatNumber(technology.counts.active)}</strong> active when last \
seen${technology.counts.lastSeen ? html` (as of ${formatDay(technology.counts.lastSeen)} at the latest)` : ''}</li>
<li><strong>${formatNumber(technology.counts.agencies)}</strong> agencies</li>
<li><strong>${formatNumber(policies.length)}</strong> laws covering it</li>
</ul>
<p><a href="/map?technology=${slug}">See it on the map</a> · <a href="/deployments?technology=${slug}">every \
deployment as a list</a></p>
${
  slug === 'ring-neighbors'
    ? html`<p class="note">Ring published its partner agencies with an "Active Date" until \
mid-2020, and the Atlas export here is of October 2020: every status below is as of then.</p>`
    : ''
}
${events.length ? html`<h2>What changed what a status means</h2>${technologyEventList(events)}` : ''}
<h2>By state</h2>
${
  byState.length
    ? html`<div class="table-wrap"><table><caption>${technology.name}: deployments by state</caption><thead><tr><th \
scope="col">State</th><th scope="col" class="n">Deployments</th></tr></thead><tbody>${byState.map((s) => {
        const list = withQuery('/deployments', { technology: slug, state: s.state_code });
        const state = findStateByCode(s.state_code)?.name ?? s.state_code;
        return html`<tr><th scope="row">${link(list, state)}</th><td class="n">${formatNumber(Number(s.n))}</td></tr>`;
      })}</tbody></table></div>`
    : html`<p class="note">No deployment is documented.</p>`
}
<h2>Vendors</h2>
${
  vendors.length
    ? html`<ul>${vendors.map(
        (v) => html`<li>${link(`/vendors/${v.id}`, v.name)}: \
${formatNumber(Number(v.n))}</li>`,
      )}</ul>`
    : html`<p class="note">No vendor is recorded.</p>`
}
<h2>Laws</h2>
${policyTable(policies, `Laws covering ${technology.name}`)}
${await historySection(db, { technology: slug }, { technology: slug }, `/feeds/technologies/${slug}.atom`)}`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: technology.name,
        feeds: [{ title: `Changes to ${technology.name}`, href: `/feeds/technologies/${slug}.atom` }],
        description: `${technology.name}: ${technology.counts.deployments} documented police deployments in the US, by \
state and vendor.`,
        crumbs: [['Technologies', '/technologies']],
        body,
      }),
    );
    return reply;
  });
}

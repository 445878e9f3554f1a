import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { HttpError } from '#src/http/errors';
import { vendorAliases } from '#src/domain/vendors';
import { html, join, renderPage } from '#src/ui/html';
import { deploymentTable, formatNumber, technologyCounts, withQuery } from '#src/ui/page-parts';
import {
  countDeployments,
  countDeploymentsByTechnology,
  findDeploymentsSorted,
} from '#src/features/deployments/deployments.repository';

const SHOWN = 100;

/** One vendor: which agencies are documented buying what from it. */
export function registerVendorPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/vendors/:id', { schema: { hide: true } }, async (request, reply) => {
    const vendor = await db
      .selectFrom('vendors')
      .select(['id', 'name'])
      .where('id', '=', request.params.id)
      .executeTakeFirst();
    if (!vendor) throw new HttpError(404, 'not_found', `No vendor has the id "${request.params.id}"`);
    const filter = { vendor: vendor.id };
    const [total, byTechnology, deployments] = await Promise.all([
      countDeployments(db, filter),
      countDeploymentsByTechnology(db, filter),
      findDeploymentsSorted(db, filter, { sort: 'state', descending: false, offset: 0, limit: SHOWN }),
    ]);
    const body = html`
<h1>${vendor.name}</h1>
${
  vendorAliases(vendor.id).length
    ? html`<p class="note">Also written as: ${join(vendorAliases(vendor.id), ', ')}.</p>`
    : ''
}
<p>${formatNumber(total)} documented ${total === 1 ? 'deployment' : 'deployments'} by police. <a \
href="/map?vendor=${vendor.id}">See them on the map</a> · <a href="/deployments?vendor=${vendor.id}">as a list</a>.</p>
${technologyCounts(
  byTechnology,
  (t) => withQuery('/deployments', { vendor: vendor.id, technology: t }),
  `\
${vendor.name}: deployments by technology`,
)}
<h2>Agencies</h2>
${deploymentTable(deployments, `Deployments of ${vendor.name}${total > SHOWN ? `, the first ${SHOWN} by state` : ''}`)}
${
  total > SHOWN
    ? html`<p><a href="/deployments?vendor=${vendor.id}">See all ${formatNumber(total)} in the list \
→</a></p>`
    : ''
}
<p class="note">Data: <a href="/api/v1/vendors/${vendor.id}">this vendor as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: vendor.name,
        description: `${vendor.name}: ${total} documented police surveillance deployments in the US.`,
        body,
      }),
    );
    return reply;
  });
}

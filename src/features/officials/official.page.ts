import type { FastifyInstance } from 'fastify';
import { reportLink } from '#src/features/reports/report-link';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { historySection } from '#src/features/changes/change-history';
import { HttpError } from '#src/http/errors';
import { externalLink, html, renderPage } from '#src/ui/html';
import { formatDay, link, sourceList, telHref } from '#src/ui/page-parts';
import { findCitedSources } from '#src/features/sources/sources.repository';
import { findOfficialListings, officialQuery, reverifyReason, toOfficialRecord } from './officials.repository';
import { isStale } from '#src/domain/officials';

/** One official's public contact details, with where they come from and how old they are. */
export function registerOfficialPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { id: string } }>('/officials/:id', { schema: { hide: true } }, async (request, reply) => {
    const row = await officialQuery(db).where('o.id', '=', request.params.id).executeTakeFirst();
    if (!row) throw new HttpError(404, 'not_found', `No official has the id "${request.params.id}"`);
    const o = toOfficialRecord(row);
    const listings = (await findOfficialListings(db, [o.id])).get(o.id) ?? [];
    // Evidence from residents' reports that a moderator accepted.
    const cited = (await findCitedSources(db, 'official', [o.id])).get(o.id) ?? [];
    const stale = o.current && isStale(o.verified_on);
    const reverify = reverifyReason(o, listings);
    const body = html`
<h1>${o.name}</h1>
<p>${o.role} of ${o.place ? link(o.place.url, o.place.full_name) : o.jurisdiction}</p>
${
  o.current
    ? ''
    : html`<p class="notice" role="note">No longer in office: a newer source, as \
of ${formatDay(o.ended_on)}, lists someone else as ${o.role} of ${o.jurisdiction}. Campaigns no longer write to this \
person.</p>`
}
${reverify ? html`<p class="stale" role="note">Check before relying on this: ${reverify}</p>` : ''}
${
  stale
    ? html`<p class="stale" role="note">These contact details were last \
verified ${o.verified_on ? formatDay(o.verified_on) : 'never'}, more than a year ago. This person may no longer hold \
the office.</p>`
    : ''
}
<dl class="facts">
${o.phone ? html`<dt>Phone</dt><dd><a href="${telHref(o.phone)}">${o.phone}</a></dd>` : ''}
${o.email ? html`<dt>Email</dt><dd><a href="mailto:${o.email}">${o.email}</a></dd>` : ''}
${o.website_url ? html`<dt>Website</dt><dd>${externalLink(o.website_url)}</dd>` : ''}
<dt>Source</dt><dd>${o.source_url ? html`${externalLink(o.source_url)}` : 'not recorded'}</dd>
<dt>Verified</dt><dd>${formatDay(o.verified_on)}</dd>
${o.started_on ? html`<dt>Term began</dt><dd>${formatDay(o.started_on)}</dd>` : ''}
</dl>
${
  listings.length
    ? html`<h2>Sources that list this person</h2>
<div class="table-wrap"><table><caption>Listings of ${o.name}, newest first</caption>
<thead><tr><th scope="col">Source</th><th scope="col">As of</th><th scope="col">Lists them as</th><th scope="col">Term \
ends</th></tr></thead>
<tbody>${listings.map(
        (l) => html`<tr><th \
scope="row">${l.source_url ? externalLink(l.source_url, l.source) : l.source}</th><td \
class="date">${formatDay(l.as_of)}</td><td>${l.status === 'current' ? 'in office' : 'no longer listed (re-verify)'}</td\
><td class="date">${formatDay(l.term_ends_on, 'not given')}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
${cited.length ? html`<h2>Evidence from accepted reports</h2>${sourceList(cited)}` : ''}
${reportLink('official', o.id)}${await historySection(db, { entity: { type: 'official', id: o.id } }, {})}
<p class="note">Data: <a href="/api/v1/officials/${o.id}">this official as JSON</a>.</p>`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: `${o.name}, ${o.role} of ${o.jurisdiction}`,
        description: `Public contact details of ${o.name}, ${o.role} of ${o.jurisdiction}, \
verified ${o.verified_on ?? 'never'}.`,
        crumbs: o.place ? [[o.place.full_name, o.place.url]] : [],
        body,
      }),
    );
    return reply;
  });
}

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { countMatchingDeployments, searchWords } from '#src/storage/search-index';
import { html, join, renderPage, type SafeHtml } from '#src/ui/html';
import { formatNumber, link, withQuery } from '#src/ui/page-parts';
import { placeLabel, placeType, type PlaceRecord } from '#src/features/places/place-record';
import { lookupZip, searchAgencies, searchPlaces, townsOfZip } from './search.repository';

/** Deployments mentioning the words are counted up to this many. */
const MENTIONS_CAP = 1000;

function placeItems(places: readonly PlaceRecord[]): SafeHtml {
  return html`<ul>${places.map(
    (p) => html`<li>${link(p.url, placeLabel(p))} <span \
class="note">(${placeType(p)}${p.population ? `, population ${formatNumber(p.population)}` : ''})</span></li>`,
  )}</ul>`;
}

/** "Find your city": by name or ZIP code, plus agencies by name and deployments by any word. */
export function registerSearchPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Querystring: { q?: string | string[] } }>('/search', { schema: { hide: true } }, async (request, reply) => {
    const given = request.query.q;
    const q = ((Array.isArray(given) ? given[0] : given) ?? '').trim().slice(0, 200);
    const form = html`<form method="get" action="/search" role="search" class="filters" aria-label="Search \
again"><label>City, county, state, agency or ZIP code<input name="q" type="search" value="${q}" \
autocomplete="off"></label><button type="submit">Search</button></form>`;
    if (!q) {
      reply.type('text/html; charset=utf-8').send(
        renderPage({
          title: 'Search',
          description:
            'Find your city, county or state, a police agency, or a ZIP code, and see what surveillance is documented there.',
          body: html`<h1>Find your city</h1>${form}<p class="note">Try a ZIP code (02139), a city with its state \
(Cambridge, MA), a county, or an agency ("sheriff").</p>`,
        }),
      );
      return reply;
    }
    const zip = /^\d{5}$/.test(q) ? lookupZip(q) : null;
    const words = searchWords(q);
    const [places, zipPlaces, agencies, deploymentCount] = await Promise.all([
      zip ? Promise.resolve([]) : searchPlaces(db, q),
      zip ? townsOfZip(db, zip) : Promise.resolve([]),
      zip ? Promise.resolve([]) : searchAgencies(db, q),
      // Counted up to 1,000: past that, "1,000 or more" says enough, and the count stays cheap.
      !zip && words.length > 0 ? countMatchingDeployments(db, words, MENTIONS_CAP) : Promise.resolve(0),
    ]);
    const sections: SafeHtml[] = [];
    if (/^\d{5}$/.test(q) && !zip)
      sections.push(html`<p role="status">We do not know the ZIP code ${q}. Try your city's name instead.</p>`);
    if (zip) {
      sections.push(
        html`<h2>ZIP code ${zip.zip}</h2><p>ZIP code ${zip.zip} is in ${zip.city}, ${zip.state}. A ZIP code can span \
several towns: pick yours.</p>${
          zipPlaces.length
            ? placeItems(zipPlaces)
            : html`<p class="note">No town of ours lies \
near it.</p>`
        }`,
      );
    } else {
      if (places.length) sections.push(html`<h2>Places</h2>${placeItems(places)}`);
      if (agencies.length)
        sections.push(
          html`<h2>Agencies</h2><ul>${agencies.map(
            (a) => html`<li>${link(`/agencies/${a.id}`, a.name)} <span \
class="note">${a.state_code}</span></li>`,
          )}</ul>`,
        );
      const mentions =
        deploymentCount >= MENTIONS_CAP
          ? `${formatNumber(MENTIONS_CAP)} or more deployments mention`
          : `${formatNumber(deploymentCount)} ${deploymentCount === 1 ? 'deployment mentions' : 'deployments mention'}`;
      if (deploymentCount > 0)
        sections.push(html`<h2>Deployments</h2><p>${link(withQuery('/deployments', { q }), `${mentions} “${q}”`)}</p>`);
    }
    const found = sections.length > 0 && !(/^\d{5}$/.test(q) && !zip);
    const body = html`<h1>Search results for “${q}”</h1>${form}${
      found
        ? join(sections, '\n')
        : html`${sections}<p \
role="status"><strong>Nothing matches “${q}”.</strong> Check the spelling, or try a nearby city, a county or a \
state.</p>`
    }`;
    reply
      .type('text/html; charset=utf-8')
      .send(
        renderPage({ title: `Search: ${q}`, description: `Places, agencies and deployments matching ${q}.`, body }),
      );
    return reply;
  });
}

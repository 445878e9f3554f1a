import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';
import { readStats } from '#src/features/stats/stats.repository';
import { escapeHtml, renderPage } from '#src/http/html';
import { formatNumber } from '#src/http/page-parts';

/** Where the data comes from, its dates, licences and credit, how it is joined, and what it cannot tell. */
export function registerAboutPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/about', { schema: { hide: true } }, async (_request, reply) => {
    const stats = await readStats(db);
    const loaded = new Map(stats.imports.map((i) => [i.file, i]));
    const rows = BUNDLED_DATASETS.map((d) => {
      const run = loaded.get(d.path.split('/').at(-1)!);
      return `<tr><th scope="row">${escapeHtml(d.title)}</th><td>${escapeHtml(d.credit)}</td><td>${escapeHtml(d.licence)}</td><td class="date">${escapeHtml(d.asOf)}</td><td class="n">${run ? formatNumber(run.rows_read) : 'not loaded'}</td></tr>`;
    }).join('\n');
    const body = `
<h1>About the data</h1>
<p>Counterwatch joins public datasets about police surveillance into one model: <em>which agency uses which technology, since when, and who says so</em>, and which places ban or oversee it. Every fact on this site links to the dataset row and the sources it came from.</p>
<h2>Where it comes from</h2>
<div class="table-wrap"><table><caption>Bundled datasets, with their dates</caption>
<thead><tr><th scope="col">Dataset</th><th scope="col">Compiled by</th><th scope="col">Licence</th><th scope="col">As of</th><th scope="col" class="n">Rows read</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p>Also used: state and county outlines for the map from the US Census Bureau's cartographic boundary files, as packaged by Mike Bostock's <code>us-atlas</code> (ISC licence); ZIP code centres from the <code>zipcodes</code> package (federalgovernmentzipcodes.us). The map is drawn with MapLibre GL JS (BSD licence). Everything is served from this site: no page loads anything from another one.</p>
<h2>How it is put together</h2>
<ul>
<li><strong>Deployments</strong> are one agency using one technology. Their status (proposed, active, ended, cancelled, rejected) comes from dated events, each with its source. Ring's "Active Date" is the start of a Ring/Neighbors partnership.</li>
<li><strong>Agencies</strong> named in several datasets are matched: names are normalised ("Police Dept." and "Police Department" are one), then matched by FBI ORI, then by name in the state, then by the one police department or sheriff of the place.</li>
<li><strong>Locations</strong>: an agency is drawn at the FBI's point for it, else at the centre of its town or county. ${formatNumber(stats.deployments_placed)} of ${formatNumber(stats.deployments)} deployments are placed.</li>
<li><strong>Laws</strong> are bans, moratoria, oversight (CCOPS-style) ordinances and regulations of a city, county or state, with the technologies they cover.</li>
<li><strong>Officials</strong> keep their source and the day they were last verified; contacts older than a year are marked as possibly out of date.</li>
<li>Every change is kept as a revision, with the import or person that made it (${formatNumber(stats.revisions)} so far).</li>
</ul>
<h2>What it cannot tell you</h2>
<ul>
<li><strong>Absent from this map does not mean not used.</strong> The datasets hold what reporters, researchers and agencies have made public.</li>
<li>The data is old in places: Ring partnerships end in mid-2020, when Ring stopped publishing them; the mayors list is from October 2020; the face-recognition laws from 2021. Each page says how old its data is.</li>
<li>"Active" means active when a source last showed it, not confirmed active today.</li>
<li>Data problems are kept as the sources have them, not fixed by hand: for example, rows filed under the wrong state are left off the map.</li>
</ul>
<h2>Use it</h2>
<p>All of it is open: the <a href="/api">API</a> answers JSON, CSV and GeoJSON, and <a href="/api/v1/export?format=json">the full export</a> holds every record with its sources. Credit the original compilers above when you publish.</p>`;
    reply.type('text/html; charset=utf-8').send(renderPage({ title: 'About the data', description: 'Where Counterwatch data comes from, its dates and licences, how it is joined, and its limits.', body }));
    return reply;
  });
}

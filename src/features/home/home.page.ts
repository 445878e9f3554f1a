import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { readStats } from '#src/features/stats/stats.repository';
import { listTechnologies } from '#src/features/technologies/technologies.repository';
import { BUNDLED_DATASETS } from '#src/bootstrap/bundled-datasets';
import { html, join, renderPage } from '#src/ui/html';
import { formatDay } from '#src/ui/page-parts';
import { parseListQuery } from '#src/features/deployments/deployments-list.page';
import { renderMapSection, withDefaultLayer } from '#src/features/map/map.page';

const fmt = new Intl.NumberFormat('en-US');

/** The home page: headline figures straight from the database, and the date of every dataset behind them. */
export function registerHomePage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const raw = withDefaultLayer(request.query as Record<string, unknown>);
    const query = parseListQuery(raw, reply, 'Counterwatch');
    if (!query) return reply;
    const [stats, technologies, map] = await Promise.all([
      readStats(db),
      listTechnologies(db),
      renderMapSection(db, raw, query, 'h2'),
    ]);
    const loaded = new Map(stats.imports.map((i) => [i.file, i]));
    const techRows = technologies
      .filter((t) => t.counts.deployments > 0 || t.counts.policies > 0)
      .map(
        (t, i) =>
          html`${i > 0 ? '\n' : ''}<tr><th scope="row">${t.name}</th><td \
class="n">${fmt.format(t.counts.deployments)}</td>\
<td class="n">${fmt.format(t.counts.active)}</td><td class="date">${formatDay(t.counts.lastSeen, '')}</td>\
<td class="n">${fmt.format(t.counts.agencies)}</td><td class="n">${fmt.format(t.counts.policies)}</td>\
<td><a href="/technologies/${t.slug}">page</a> · <a href="/api/v1/deployments?technology=${t.slug}">JSON</a></td></tr>`,
      );
    const datasetRows = BUNDLED_DATASETS.map((d) => {
      const run = loaded.get(d.path.split('/').at(-1)!);
      return html`<tr><th scope="row">${d.title}</th><td>${d.credit}</td><td class="date">${d.asOf}</td>\
<td class="n">${run ? fmt.format(run.rows_read) : 'not loaded'}</td></tr>`;
    });
    const empty = stats.deployments === 0;
    const ring = technologies.find((t) => t.slug === 'ring-neighbors')?.counts.deployments ?? 0;
    const body = html`
<h1>Who watches the watchers' partners?</h1>
<p>Counterwatch tracks which US law-enforcement agencies use which surveillance technologies and partnerships \
(Amazon's Ring, face recognition, licence-plate readers, drones and more), since when, and who says so, along with \
the places that ban or oversee them.</p>
${
  empty
    ? html`<p><strong>The database is empty.</strong> Load the bundled data with <code>npm run cli -- import</code> \
or restart with <code>LOAD_BUNDLED_DATA=true</code>.</p>`
    : ''
}
<ul class="figures" aria-label="Headline figures">
  <li><strong>${fmt.format(stats.agencies_with_deployments)}</strong> agencies with documented surveillance \
technology</li>
  <li><strong>${fmt.format(stats.deployments)}</strong> documented deployments</li>
  <li><strong>${fmt.format(ring)}</strong> Ring/Neighbors partnerships (to mid-2020)</li>
  <li><strong>${fmt.format(stats.policies)}</strong> bans, moratoria and oversight laws</li>
</ul>
<form class="filters" method="get" action="/search" role="search" aria-label="Find your city">
<label>Find your city: name or ZIP code<input name="q" type="search" placeholder="Somerville, MA or 02143" \
autocomplete="off"></label>
<button type="submit">Find</button>
</form>
${map.html}
<h2>Deployments by technology</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Technology</th><th scope="col" class="n">Deployments</th>\
<th scope="col" class="n">Active when last seen</th><th scope="col">Newest of those seen</th>\
<th scope="col" class="n">Agencies</th><th scope="col" class="n">Laws</th><th scope="col">Data</th></tr></thead>
<tbody>${techRows.length ? techRows : html`<tr><td colspan="7">No deployments yet.</td></tr>`}</tbody>
</table></div>
<h2>How current is this?</h2>
<p class="note">Each figure is only as recent as its source. Absence from this data does not mean a technology is not \
used.</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Dataset</th><th scope="col">Compiled by</th><th scope="col">As of</th>\
<th scope="col" class="n">Rows</th></tr></thead>
<tbody>${join(datasetRows, '\n')}</tbody>
</table></div>`;
    reply
      .type('text/html; charset=utf-8')
      .send(renderPage({ title: 'Police surveillance partnerships', body, scripts: map.scripts, styles: map.styles }));
    return reply;
  });
}

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { technologyVocabulary } from '#src/domain/technologies';
import { html, renderPage, type SafeHtml } from '#src/ui/html';
import { webEntry } from '#src/http/static-assets';
import {
  activeFilters,
  filterForm,
  parseListQuery,
  renderDeploymentResults,
  vendorsInUse,
} from '#src/features/deployments/deployments-list.page';
import { findStartDateSpans } from '#src/features/deployments/deployments.repository';

/** One colour per technology layer; each is distinct and dark enough for white cluster counts. */
const LAYER_COLORS = [
  '#b3261e',
  '#1f4e9c',
  '#6a3d9a',
  '#00695c',
  '#8c5400',
  '#ad1457',
  '#37474f',
  '#2e7d32',
  '#4e342e',
  '#0277bd',
  '#5d4037',
  '#c62828',
  '#283593',
];

/** A map opened without any filter shows the Ring/Neighbors layer; `technology=all` shows every one. */
export function withDefaultLayer(query: Record<string, unknown>): Record<string, unknown> {
  return Object.keys(query).length === 0 ? { technology: 'ring-neighbors' } : query;
}

/** The map section: filters, timeline, the map, and the list twin (the server renders all but the map). */
export async function renderMapSection(
  db: Kysely<Database>,
  raw: Record<string, unknown>,
  query: NonNullable<ReturnType<typeof parseListQuery>>,
  heading: string,
): Promise<{ html: SafeHtml; scripts: string[]; styles: string[] }> {
  const filters = activeFilters(raw);
  const [results, vendors, spans] = await Promise.all([
    renderDeploymentResults(db, query, filters),
    vendorsInUse(db),
    findStartDateSpans(db),
  ]);
  const entry = webEntry('map');
  const config = {
    technologies: technologyVocabulary().technologies.map((t, i) => ({
      slug: t.slug,
      name: t.reviewed ? t.name : `${t.name} (unreviewed)`,
      color: LAYER_COLORS[i % LAYER_COLORS.length],
    })),
    spans,
    basemap: { states: '/assets/basemap/states-10m.json', counties: '/assets/basemap/counties-10m.json' },
  };
  const level = heading === 'h1' ? 1 : 2;
  const noScript = entry
    ? 'The interactive map needs JavaScript. The list below holds the same results, and the filters work without it.'
    : html`The map has not been built (run <code>npm run build</code>). The list below holds the same results.`;
  const section = html`
<h${level}>Map of police surveillance</h${level}>
<div class="map-layout">
<details class="filters-panel" data-filters-panel open><summary>Filters</summary>
${filterForm('/map', filters, vendors)}
</details>
<div class="map-controls">

<div id="timeline-control" class="timeline-control" hidden>
<label for="timeline">Timeline</label><input id="timeline" type="range" min="0" max="1" value="1" step="1" \
aria-describedby="timeline-count">
<output id="timeline-date" for="timeline">All dates</output>
<button type="button" id="timeline-play" class="secondary" aria-pressed="false">Play</button>
<span id="timeline-count" class="timeline-count" aria-live="polite"></span>
</div>
<p id="timeline-note" class="note" role="note" hidden></p>
<label id="shade-control" hidden>Shade states and counties by <select id="shade">\
<option value="density">deployments</option><option value="laws">laws</option><option value="none">nothing</option>\
</select></label>
</div>
<div class="map-shell">
<div id="view-control" class="view-control" role="group" aria-label="Show on the map" hidden>
<button type="button" class="secondary" data-view="us">Lower 48</button>\
<button type="button" class="secondary" data-view="ak">Alaska</button>\
<button type="button" class="secondary" data-view="hi">Hawaii</button>\
<button type="button" class="secondary" data-view="pr">Puerto Rico</button>
</div>
<div id="map" data-config="${JSON.stringify(config)}" role="region" \
aria-label="Interactive map of deployments; the list after it holds the same results">
<p id="map-noscript" class="note">${noScript}</p>
</div>
</div>
</div>
<ul id="map-legend" class="legend" aria-label="Map legend"></ul>
<p id="shade-legend" class="note"></p>
<p id="map-status" class="visually-hidden" aria-live="polite"></p>
<p><a data-list-link href="/deployments?${new URLSearchParams(filters).toString()}">Open these results as the full \
list</a> (sortable, every page).</p>
${results.html}`;
  return { html: section, scripts: entry ? [entry.script] : [], styles: entry?.styles ?? [] };
}

/** The map page: the map with its timeline and filters, and the list twin below it. */
export function registerMapPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/map', { schema: { hide: true } }, async (request, reply) => {
    const raw = withDefaultLayer(request.query as Record<string, unknown>);
    const q = parseListQuery(raw, reply, 'Map');
    if (!q) return reply;
    const section = await renderMapSection(db, raw, q, 'h1');
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: 'Map of police surveillance',
        description:
          'Interactive map of US police surveillance partnerships and technologies, with a timeline of their spread and the laws that limit them.',
        body: section.html,
        scripts: section.scripts,
        styles: section.styles,
      }),
    );
    return reply;
  });
}

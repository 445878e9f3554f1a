/// <reference types="vite/client" />
/**
 * The interactive map: an offline basemap (us-atlas outlines), one clustered vector-tile layer per
 * technology from /api/v1/tiles, states and counties shaded by deployments or laws, popups linking to
 * record pages, a timeline that replays the spread, and the list twin below kept in step. The page works
 * without this script: the server renders the filters and the list.
 */
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './map.css';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';

interface MapConfig {
  technologies: Array<{ slug: string; name: string; color: string }>;
  /** First and last start date per technology. */
  spans: Record<string, [string, string]>;
  basemap: { states: string; counties: string };
}

const container = document.getElementById('map') as HTMLElement;
// Its own hook: other forms on the page (the home page's "Find your city") share the styling class.
const form = document.querySelector<HTMLFormElement>('form[data-deployment-filters]')!;
const config = JSON.parse(container.dataset.config!) as MapConfig;
const colorOf = new Map(config.technologies.map((t) => [t.slug, t.color]));
const nameOf = new Map(config.technologies.map((t) => [t.slug, t.name]));
const announcer = document.getElementById('map-status')!;
const slider = document.getElementById('timeline') as HTMLInputElement;
const sliderDate = document.getElementById('timeline-date') as HTMLOutputElement;
const timelineCount = document.getElementById('timeline-count')!;
const timelineNote = document.getElementById('timeline-note')!;
const playButton = document.getElementById('timeline-play') as HTMLButtonElement;
const shadeSelect = document.getElementById('shade') as HTMLSelectElement;

document.getElementById('map-noscript')?.remove();
// On a phone the map comes first (CSS), and the filters wait behind their one control.
const filtersPanel = document.querySelector<HTMLDetailsElement>('details[data-filters-panel]');
if (filtersPanel && window.matchMedia('(max-width: 40rem)').matches) filtersPanel.open = false;
document.getElementById('timeline-control')!.hidden = false;
document.getElementById('shade-control')!.hidden = false;

// ---- filters and the URL ----------------------------------------------------------------------------

/** The form's filters as URL parameters: the ticked technologies as one list (`all` when none is ticked). */
function formParams(): URLSearchParams {
  const params = new URLSearchParams();
  const technologies: string[] = [];
  for (const [key, value] of new FormData(form)) {
    if (typeof value !== 'string' || value === '') continue;
    if (key === 'technology') technologies.push(value);
    else params.set(key, value);
  }
  params.set('technology', technologies.length ? technologies.join(',') : 'all');
  return params;
}

/** The filters the API takes: the form's, without empty values. */
function apiParams(params: URLSearchParams, extra: Record<string, string> = {}): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of params) if (value !== '') out.set(key, value);
  for (const [key, value] of Object.entries(extra)) out.set(key, value);
  return out;
}

function selectedTechnologies(params: URLSearchParams): string[] {
  const t = params.get('technology');
  return !t || t === 'all' ? config.technologies.map((x) => x.slug) : t.split(',');
}

// ---- the map ----------------------------------------------------------------------------------------

const map = new maplibregl.Map({
  container,
  // The map keeps its view in the address on the map page only (the home page's address stays "/").
  hash: location.pathname === '/map',
  // The whole of the lower 48: on a wide screen this view holds it; a narrow one fits it to its width
  // (a view in the address wins over both).
  ...(window.matchMedia('(max-width: 40rem)').matches
    ? {
        bounds: [
          [-124.8, 24.4],
          [-66.9, 49.4],
        ] as [[number, number], [number, number]],
        fitBoundsOptions: { padding: 8 },
      }
    : { center: [-96, 38.5] as [number, number], zoom: 3.2 }),
  minZoom: 2,
  maxZoom: 16,
  attributionControl: { compact: true, customAttribution: 'Outlines: US Census Bureau via us-atlas · Data: see About' },
  style: {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dfe6ee' } }],
  },
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
container
  .querySelector('canvas')
  ?.setAttribute('aria-label', 'Map of deployments. The list after the map holds the same results.');

async function loadOutlines(url: string, object: string): Promise<GeoJSON.FeatureCollection> {
  const topology = (await (await fetch(url)).json()) as Topology;
  const collection = feature(topology, topology.objects[object] as GeometryCollection) as GeoJSON.FeatureCollection;
  for (const f of collection.features)
    f.properties = { geoid: String(f.id), name: (f.properties as { name?: string } | null)?.name ?? '' };
  return collection;
}

let countiesLoaded = false;
async function ensureCounties(): Promise<void> {
  if (countiesLoaded || map.getZoom() < 5) return;
  countiesLoaded = true;
  map.addSource('counties', { type: 'geojson', data: await loadOutlines(config.basemap.counties, 'counties') });
  map.addLayer(
    {
      id: 'county-fill',
      type: 'fill',
      source: 'counties',
      minzoom: 5,
      paint: { 'fill-color': '#ffffff', 'fill-opacity': 0 },
    },
    'state-lines',
  );
  map.addLayer(
    {
      id: 'county-lines',
      type: 'line',
      source: 'counties',
      minzoom: 5,
      paint: { 'line-color': '#9aa3ad', 'line-width': 0.5 },
    },
    'state-lines',
  );
  await shade();
}

// ---- deployments: one clustered layer per technology ------------------------------------------------

const shownSources = new Set<string>();
const listening = new Set<string>();

function tileUrl(slug: string, params: URLSearchParams): string {
  const query = apiParams(params, { technology: slug });
  return `${location.origin}/api/v1/tiles/{z}/{x}/{y}.mvt?${query}`;
}

function showDeployments(params: URLSearchParams): void {
  const wanted = new Set(selectedTechnologies(params));
  for (const slug of config.technologies.map((t) => t.slug)) {
    const id = `dep-${slug}`;
    if (!wanted.has(slug)) {
      for (const layer of [`${id}-clusters`, `${id}-points`]) if (map.getLayer(layer)) map.removeLayer(layer);
      if (map.getSource(id)) map.removeSource(id);
      shownSources.delete(id);
      continue;
    }
    const url = tileUrl(slug, params);
    const existing = map.getSource<maplibregl.VectorTileSource>(id);
    if (existing && existing.tiles?.[0] === url) continue;
    // A changed filter is a new source: MapLibre would otherwise keep drawing the tiles it has cached.
    if (existing) {
      for (const layer of [`${id}-clusters`, `${id}-points`]) if (map.getLayer(layer)) map.removeLayer(layer);
      map.removeSource(id);
    }
    map.addSource(id, { type: 'vector', tiles: [url], minzoom: 0, maxzoom: 16 });
    const color = colorOf.get(slug) ?? '#8a1c1c';
    map.addLayer({
      id: `${id}-clusters`,
      type: 'circle',
      source: id,
      'source-layer': 'deployments',
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': color,
        'circle-opacity': 0.8,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
        'circle-radius': ['step', ['get', 'point_count'], 11, 10, 15, 50, 20, 200, 26],
      },
    });
    map.addLayer({
      id: `${id}-points`,
      type: 'circle',
      source: id,
      'source-layer': 'deployments',
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': color,
        'circle-radius': 6,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    });
    for (const layer of [`${id}-clusters`, `${id}-points`]) {
      if (listening.has(layer)) continue;
      listening.add(layer);
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
    shownSources.add(id);
  }
  renderLegend(wanted);
}

function renderLegend(wanted: Set<string>): void {
  const legend = document.getElementById('map-legend')!;
  legend.replaceChildren(
    ...config.technologies
      .filter((t) => wanted.has(t.slug))
      .map((t) => {
        const item = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = t.color;
        item.append(swatch, t.name);
        return item;
      }),
  );
}

// Cluster counts are HTML markers: the map has no font files to draw text with (nothing loads from elsewhere).
const countMarkers = new Map<string, maplibregl.Marker>();
function updateCountMarkers(): void {
  const seen = new Set<string>();
  for (const source of shownSources) {
    for (const f of map.querySourceFeatures(source, { sourceLayer: 'deployments', filter: ['has', 'point_count'] })) {
      const props = f.properties as { cluster_id: number; point_count: number };
      const key = `${source}:${props.cluster_id}:${Math.floor(map.getZoom())}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (countMarkers.has(key)) continue;
      const el = document.createElement('div');
      el.className = 'cluster-count';
      el.setAttribute('aria-hidden', 'true');
      el.textContent = String(props.point_count);
      // The label carries its circle's colour, so its contrast holds wherever it is drawn.
      el.style.background = colorOf.get(source.replace(/^dep-/, '')) ?? '#8a1c1c';
      const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
      countMarkers.set(key, new maplibregl.Marker({ element: el }).setLngLat([lon, lat]).addTo(map));
      // A label drawn over its circle, not a control: keep it out of the keyboard and accessibility trees.
      el.removeAttribute('role');
      el.removeAttribute('aria-label');
      el.removeAttribute('tabindex');
    }
  }
  for (const [key, marker] of countMarkers) {
    if (!seen.has(key)) {
      marker.remove();
      countMarkers.delete(key);
    }
  }
}

// ---- popups -----------------------------------------------------------------------------------------

const dayFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const monthFormat = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', timeZone: 'UTC' });

/** A date at its precision ("2020-10-07", "2026-08", "2019") in words at that precision. */
function dateInWords(date: string | undefined): string {
  if (!date) return 'an unknown date';
  if (/^\d{4}$/.test(date)) return date;
  if (/^\d{4}-\d{2}$/.test(date)) return monthFormat.format(new Date(`${date}-01T00:00:00Z`));
  return dayFormat.format(new Date(`${date}T00:00:00Z`));
}

function anchor(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

/** One popup per click: the points under it (an agency may have several technologies), else the cluster. */
function onClick(event: maplibregl.MapMouseEvent): void {
  const layers = [...shownSources].flatMap((s) => [`${s}-points`, `${s}-clusters`]).filter((l) => map.getLayer(l));
  if (layers.length === 0) return;
  const features = map.queryRenderedFeatures(event.point, { layers });
  if (features.length === 0) return;
  const points = features.filter((f) => !f.properties?.cluster);
  const box = document.createElement('div');
  box.className = 'map-popup';
  let at: [number, number];
  if (points.length > 0) {
    at = (points[0]!.geometry as GeoJSON.Point).coordinates as [number, number];
    const seen = new Set<string>();
    const list = document.createElement('ul');
    for (const f of points) {
      const props = f.properties as Record<string, string>;
      if (seen.has(props.id!) || seen.size >= 6) continue;
      seen.add(props.id!);
      const item = document.createElement('li');
      const title = document.createElement('strong');
      title.textContent = props.agency ?? '';
      const details = document.createElement('span');
      details.textContent = ` ${nameOf.get(props.technology!) ?? props.technology} · ${props.status} as \
of ${dateInWords(props.last_seen)} · `;
      item.append(title, details, anchor(`/deployments/${encodeURIComponent(props.id!)}`, 'Open its page'));
      list.append(item);
    }
    box.append(list);
  } else {
    const f = features[0]!;
    const props = f.properties as { point_count: number };
    const [lon, lat] = (f.geometry as GeoJSON.Point).coordinates as [number, number];
    at = [lon, lat];
    // A cluster gathers points within about 40 px of tile space: list what lies in that box.
    const span = ((40 / 512) * 360) / 2 ** Math.floor(map.getZoom());
    const bbox = [lon - span, lat - span * 0.8, lon + span, lat + span * 0.8].map((x) => x.toFixed(4)).join(',');
    const slug = f.source.replace(/^dep-/, '');
    const params = apiParams(formParams(), { technology: slug, bbox });
    const title = document.createElement('p');
    title.textContent = `${props.point_count} ${nameOf.get(slug) ?? ''} deployments here`;
    const zoom = document.createElement('button');
    zoom.type = 'button';
    zoom.className = 'secondary';
    zoom.textContent = 'Zoom in';
    zoom.addEventListener('click', () => {
      popup.remove();
      map.easeTo({ center: [lon, lat], zoom: Math.min(map.getZoom() + 2.5, 16) });
    });
    box.append(title, anchor(`/deployments?${params}`, 'List them'), ' ', zoom);
  }
  const popup = new maplibregl.Popup({ maxWidth: '20rem' }).setLngLat(at).setDOMContent(box).addTo(map);
}
map.on('click', onClick);

// ---- shading: states and counties by deployments or laws --------------------------------------------

const LAW_COLORS: Record<string, string> = {
  ban: '#1d5e2c',
  moratorium: '#3f8f4f',
  oversight: '#7fb88a',
  regulation: '#b9d9bf',
};
const DENSITY = ['#efeae4', '#ddd3c8', '#c6b7a7', '#a89582', '#86725e'];

async function shade(): Promise<void> {
  const mode = shadeSelect.value;
  const params = formParams();
  for (const level of ['state', 'county'] as const) {
    const layer = level === 'state' ? 'state-fill' : 'county-fill';
    if (!map.getLayer(layer)) continue;
    if (mode === 'none') {
      map.setPaintProperty(layer, 'fill-opacity', 0);
      continue;
    }
    const response = await fetch(`/api/v1/areas?${apiParams(params, { level })}`);
    if (!response.ok) continue;
    const areas = (
      (await response.json()) as {
        data: Array<{ geoid: string; deployments: number; law: string | null; local_laws: number }>;
      }
    ).data;
    const max = Math.max(1, ...areas.map((a) => a.deployments));
    const pairs: string[] = [];
    for (const a of areas) {
      const color =
        mode === 'laws'
          ? a.law
            ? LAW_COLORS[a.law]
            : a.local_laws > 0
              ? '#d7ecd9'
              : null
          : a.deployments > 0
            ? DENSITY[
                Math.min(
                  DENSITY.length - 1,
                  Math.floor((Math.log(a.deployments + 1) / Math.log(max + 1)) * DENSITY.length),
                )
              ]
            : null;
      if (color) pairs.push(a.geoid, color);
    }
    const expression = pairs.length
      ? (['match', ['get', 'geoid'], ...pairs, '#ffffff'] as unknown as maplibregl.ExpressionSpecification)
      : '#ffffff';
    map.setPaintProperty(layer, 'fill-color', expression);
    map.setPaintProperty(layer, 'fill-opacity', level === 'state' ? 0.75 : 0.6);
  }
  document.getElementById('shade-legend')!.textContent =
    mode === 'laws'
      ? 'Dark green: ban; mid green: moratorium; light green: oversight or regulation; palest: a town or county inside has one.'
      : mode === 'density'
        ? 'Darker brown: more deployments matching the filters.'
        : '';
}

// ---- the timeline -----------------------------------------------------------------------------------

function monthEnds(first: string, last: string): string[] {
  const out: string[] = [];
  const end = new Date(`${last}T00:00:00Z`);
  for (
    let d = new Date(Date.UTC(+first.slice(0, 4), +first.slice(5, 7) - 1, 1));
    d <= end;
    d.setUTCMonth(d.getUTCMonth() + 1)
  ) {
    const monthEnd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
    out.push((monthEnd > end ? end : monthEnd).toISOString().slice(0, 10));
  }
  return out;
}

let steps: string[] = [];
function setUpTimeline(params: URLSearchParams): void {
  const spans = selectedTechnologies(params)
    .map((s) => config.spans[s])
    .filter((s): s is [string, string] => Boolean(s));
  if (spans.length === 0) {
    steps = [];
    slider.disabled = true;
    return;
  }
  const first = spans.map((s) => s[0]).sort()[0]!;
  const last = spans
    .map((s) => s[1])
    .sort()
    .at(-1)!;
  steps = monthEnds(first, last);
  slider.disabled = false;
  slider.min = '0';
  slider.max = String(steps.length);
  const active = params.get('active_on');
  const index = active ? steps.findIndex((s) => s >= active) : -1;
  slider.value = String(active ? (index < 0 ? steps.length - 1 : index) : steps.length);
  labelSlider();
}

/** The last position means "every date": no active_on filter. */
function sliderDay(): string {
  const i = Number(slider.value);
  return i >= steps.length ? '' : steps[i]!;
}

function labelSlider(): void {
  const day = sliderDay();
  sliderDate.value = day ? `Known in use on ${day}` : 'All dates';
  slider.setAttribute('aria-valuetext', sliderDate.value);
}

const activeOnInput = form.elements.namedItem('active_on') as HTMLInputElement;
slider.addEventListener('input', () => {
  labelSlider();
  activeOnInput.value = sliderDay();
  void refresh({ list: false });
});
slider.addEventListener('change', () => void refresh({ list: true }));

let playing: number | undefined;
function stop(): void {
  window.clearInterval(playing);
  playing = undefined;
  playButton.textContent = 'Play';
  playButton.setAttribute('aria-pressed', 'false');
  void refresh({ list: true });
}
playButton.addEventListener('click', () => {
  if (playing !== undefined) return stop();
  if (Number(slider.value) >= steps.length - 1) slider.value = '0';
  playButton.textContent = 'Pause';
  playButton.setAttribute('aria-pressed', 'true');
  const step = () => {
    labelSlider();
    activeOnInput.value = sliderDay();
    void refresh({ list: false });
  };
  step();
  playing = window.setInterval(() => {
    if (Number(slider.value) >= steps.length - 1) return stop();
    slider.value = String(Number(slider.value) + 1);
    step();
  }, 900);
});

// ---- keeping map, count, URL and list in step -------------------------------------------------------

let generation = 0;
async function refresh(options: { list: boolean }): Promise<void> {
  const mine = ++generation;
  const params = formParams();
  // The address follows the filters on the map page only; the home page's map leaves it alone.
  if (location.pathname === '/map') history.replaceState(null, '', `/map?${params}${location.hash}`);
  document
    .querySelectorAll<HTMLAnchorElement>('a[data-list-link]')
    .forEach((a) => (a.href = `/deployments?${apiParams(params)}`));
  showDeployments(params);
  const count = await fetch(`/api/v1/deployments?${apiParams(params, { limit: '1' })}`);
  if (mine !== generation) return;
  if (count.ok) {
    const answer = (await count.json()) as { total: number; as_of?: string | null; warning?: string };
    const total = answer.total;
    const day = params.get('active_on');
    timelineCount.textContent = `${total.toLocaleString('en-US')} \
${total === 1 ? 'deployment' : 'deployments'}${day ? ` known in use on ${day}` : ''}`;
    timelineCount.dataset.total = String(total);
    // A day later than the data behind the count says so: a 2020 status is not a 2026 one.
    timelineNote.hidden = !answer.warning;
    timelineNote.textContent = answer.warning ?? '';
  }
  // The shading follows the filters, the timeline's day included (while it plays too).
  void shade();
  if (options.list) {
    const page = await fetch(`/deployments?${apiParams(params)}`, { headers: { accept: 'text/html' } });
    if (mine !== generation || !page.ok) return;
    const fresh = new DOMParser().parseFromString(await page.text(), 'text/html').getElementById('results');
    const current = document.getElementById('results');
    if (fresh && current) {
      current.replaceWith(document.importNode(fresh, true));
      announcer.textContent = `Map and list updated: ${fresh.dataset.total ?? 0} deployments.`;
    }
  }
}

form.addEventListener('change', (event) => {
  if ((event.target as HTMLElement).getAttribute('name') === 'technology') setUpTimeline(formParams());
  if ((event.target as HTMLElement).getAttribute('name') === 'active_on') setUpTimeline(formParams());
  void refresh({ list: true });
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh({ list: true });
});
shadeSelect.addEventListener('change', () => void shade());

map.on(
  'load',
  () =>
    void (async () => {
      map.addSource('states', { type: 'geojson', data: await loadOutlines(config.basemap.states, 'states') });
      map.addLayer(
        { id: 'state-fill', type: 'fill', source: 'states', paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.75 } },
        undefined,
      );
      map.addLayer({
        id: 'state-lines',
        type: 'line',
        source: 'states',
        paint: { 'line-color': '#5c6670', 'line-width': 1 },
      });
      const params = formParams();
      setUpTimeline(params);
      showDeployments(params);
      await Promise.all([shade(), ensureCounties(), refresh({ list: false })]);
      container.dataset.ready = 'true';
    })(),
);
map.on('zoomend', () => void ensureCounties());

// ---- town names at city zoom, from the bundled Census places (the basemap has no labels) -----------

const TOWN_ZOOM = 9;
let townMarkers: maplibregl.Marker[] = [];
let townsAsked = '';
async function showTowns(): Promise<void> {
  if (map.getZoom() < TOWN_ZOOM) {
    townMarkers.forEach((m) => m.remove());
    townMarkers = [];
    townsAsked = '';
    return;
  }
  const b = map.getBounds();
  const clamp = (x: number, limit: number) => Math.max(-limit, Math.min(limit, x)).toFixed(3);
  const bbox = `${clamp(b.getWest(), 180)},${clamp(b.getSouth(), 90)},${clamp(b.getEast(), 180)},\
${clamp(b.getNorth(), 90)}`;
  if (bbox === townsAsked) return;
  townsAsked = bbox;
  const response = await fetch(`/api/v1/towns?bbox=${bbox}&limit=30`);
  if (!response.ok || bbox !== townsAsked) return;
  const towns = ((await response.json()) as { data: Array<{ name: string; lat: number; lon: number }> }).data;
  townMarkers.forEach((m) => m.remove());
  townMarkers = towns.map((t) => {
    const label = document.createElement('span');
    label.className = 'town-label';
    label.textContent = t.name;
    return new maplibregl.Marker({ element: label, anchor: 'top', offset: [0, 4] })
      .setLngLat([t.lon, t.lat])
      .addTo(map);
  });
}
map.on('moveend', () => void showTowns());
map.on('load', () => void showTowns());

// ---- views: the lower 48 first, and a switcher for Alaska, Hawaii and Puerto Rico -------------------

const VIEWS: Record<string, [[number, number], [number, number]]> = {
  us: [
    [-124.8, 24.4],
    [-66.9, 49.4],
  ],
  ak: [
    [-170, 51.2],
    [-129.9, 71.4],
  ],
  hi: [
    [-160.3, 18.9],
    [-154.8, 22.3],
  ],
  pr: [
    [-67.3, 17.9],
    [-65.2, 18.6],
  ],
};
const viewControl = document.getElementById('view-control');
if (viewControl) {
  viewControl.hidden = false;
  viewControl.addEventListener('click', (event) => {
    const view = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-view]')?.dataset.view;
    if (view && VIEWS[view]) map.fitBounds(VIEWS[view], { padding: 8 });
  });
}
// The bounds in view, for people's tools and the browser tests: [[west, south], [east, north]].
const showBounds = () => (container.dataset.bounds = JSON.stringify(map.getBounds().toArray()));
map.on('load', showBounds);
map.on('moveend', showBounds);
map.on('idle', () => {
  updateCountMarkers();
  // How many deployment features are drawn: read by people's tools and by the browser tests.
  const layers = [...shownSources].flatMap((s) => [`${s}-clusters`, `${s}-points`]).filter((l) => map.getLayer(l));
  container.dataset.renderedFeatures = String(layers.length ? map.queryRenderedFeatures({ layers }).length : 0);
});
map.on('moveend', updateCountMarkers);

import type { FastifyInstance, FastifyReply } from 'fastify';
import { watchLink } from '#src/features/watchers/watch.page';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { STATES } from '#src/domain/states';
import { technologyVocabulary } from '#src/domain/technologies';
import { DEPLOYMENT_STATUSES } from '#src/domain/statuses';
import type { Database } from '#src/storage/schema';
import { html, renderPage, type SafeHtml } from '#src/ui/html';
import {
  formatDay,
  formatNumber,
  link,
  pager,
  statusAsOf,
  technologyLink,
  technologyName,
  withQuery,
} from '#src/ui/page-parts';
import { deploymentFilterSchema, toDeploymentFilter, type DeploymentFilterQuery } from './deployment-filter';
import {
  countDeployments,
  DEPLOYMENT_SORTS,
  describeCurrency,
  findDeploymentsSorted,
  type DeploymentSort,
} from './deployments.repository';

const PAGE_SIZE = 50;

/** The query of the list twin: the API's deployment filters, plus sort, direction and offset. */
const listPageQuery = deploymentFilterSchema.extend({
  sort: z.enum(DEPLOYMENT_SORTS, { message: `must be one of: ${DEPLOYMENT_SORTS.join(', ')}` }).default('agency'),
  dir: z.enum(['asc', 'desc'], { message: 'must be asc or desc' }).default('asc'),
  offset: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(1_000_000)
    .default(0),
});

/** The filter parameters the list and the map share, as they appear in URLs. */
export const SHARED_FILTER_KEYS = [
  'technology',
  'status',
  'vendor',
  'state',
  'q',
  'active_on',
  'place',
  'agency',
  'bbox',
  'near',
  'radius_km',
  'started_after',
  'started_before',
] as const;

const COLUMNS: Array<{ sort: DeploymentSort | null; label: string }> = [
  { sort: 'agency', label: 'Agency' },
  { sort: 'state', label: 'State' },
  { sort: null, label: 'Place' },
  { sort: 'technology', label: 'Technology' },
  { sort: 'status', label: 'Status, as last seen' },
  { sort: 'started', label: 'Started' },
];

/** Parses a page's query with a zod schema; on a bad parameter, answers a 400 page that names it. */
export function parsePageQuery<T extends z.ZodType>(
  schema: T,
  query: unknown,
  reply: FastifyReply,
  title: string,
): z.infer<T> | null {
  // An empty form field ("All technologies") means no filter, as if it were not given.
  const given = Object.fromEntries(
    Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''),
  );
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const parameter = String(issue.path[0] ?? '');
  const value = given[parameter];
  const message = Array.isArray(value)
    ? `"${parameter}" was given more than once; give it once`
    : `"${parameter}" ${issue.message}`;
  reply
    .code(400)
    .type('text/html; charset=utf-8')
    .send(
      renderPage({
        title,
        noindex: true,
        body: html`<h1>${title}</h1><p role="alert">This address has a problem: ${message}.</p>\
<p><a href="${reply.request.url.split('?')[0]}">Start again without filters</a></p>`,
      }),
    );
  return null;
}

/** The filters that are set, as URL parameters (strings as given in the request). */
export function activeFilters(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SHARED_FILTER_KEYS) {
    const value = raw[key];
    // Checkboxes send `technology` once per box: keep them as one comma-separated value.
    const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string' && v !== '').join(',') : value;
    if (typeof text === 'string' && text !== '') out[key] = text;
  }
  return out;
}

function option(value: string, label: string, selected: string | undefined): SafeHtml {
  return html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`;
}

/** The filter form of the list and the map, pre-filled from the URL; works without JavaScript. */
export function filterForm(
  action: string,
  filters: Record<string, string>,
  vendors: Array<{ id: string; name: string }>,
  extra: SafeHtml | '' = '',
): SafeHtml {
  const technologies = new Set((filters.technology ?? '').split(','));
  const hidden = ['place', 'agency', 'bbox', 'near', 'radius_km', 'started_after', 'started_before']
    .filter((k) => filters[k])
    .map((k) => html`<input type="hidden" name="${k}" value="${filters[k]}">`);
  const boxes = technologyVocabulary().technologies.map(
    (t) =>
      html`<label><input type="checkbox" name="technology" value="${t.slug}"${
        technologies.has(t.slug)
          ? html` \
checked`
          : ''
      }> \
${t.name}${t.reviewed ? '' : html` <span class="note">(unreviewed)</span>`}</label>`,
  );
  const statuses = DEPLOYMENT_STATUSES.map((s) => option(s, s, filters.status));
  const vendorOptions = vendors.map((v) => option(v.id, v.name, filters.vendor));
  const states = STATES.map((s) => option(s.code, s.name, filters.state?.toUpperCase()));
  const clear = Object.keys(filters).length ? html` <a href="${action}">Clear filters</a>` : '';
  // data-deployment-filters: the map script's hook (never the styling class, which other forms share).
  return html`<form class="filters" method="get" action="${action}" aria-label="Filters" data-deployment-filters>
<fieldset class="technologies"><legend>Technologies <span class="note">(none ticked: \
all)</span></legend>${boxes}</fieldset>
<label>Status when last seen<select name="status"><option value="">Any status</option>${statuses}</select></label>
<label>Vendor<select name="vendor"><option value="">Any vendor</option>${vendorOptions}</select></label>
<label>State<select name="state"><option value="">All states</option>${states}</select></label>
<label>Words<input type="search" name="q" value="${filters.q ?? ''}" placeholder="agency, city, vendor"></label>
<label>Known in use on<input type="date" name="active_on" value="${filters.active_on ?? ''}"></label>
${hidden}${extra}
<button type="submit">Apply filters</button>${clear}
</form>`;
}

/** Vendors that have at least one deployment, by name, for the filter menus. */
export async function vendorsInUse(db: Kysely<Database>): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('vendors as v')
    .select(['v.id', 'v.name'])
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('deployment_vendors as dv').select('dv.vendor_id').whereRef('dv.vendor_id', '=', 'v.id')),
    )
    .orderBy('v.name')
    .execute();
}

/** A sentence saying which filters are on, for people and screen readers. */
function describeFilters(q: DeploymentFilterQuery): string {
  const parts: string[] = [];
  if (q.technology) parts.push(q.technology.map(technologyName).join(' or '));
  if (q.status) parts.push(`${q.status} when last seen`);
  if (q.vendor) parts.push(`vendor ${q.vendor}`);
  if (q.state) parts.push(`in ${STATES.find((s) => s.code === q.state)?.name ?? q.state}`);
  if (q.q) parts.push(`matching “${q.q}”`);
  if (q.active_on) parts.push(`known in use on ${q.active_on}`);
  if (q.place) parts.push(`in the place with GEOID ${q.place}`);
  if (q.agency) parts.push(`of agency ${q.agency}`);
  if (q.bbox) parts.push('in the chosen map area');
  if (q.near) parts.push(`within ${q.radius_km ?? 10} km of ${q.near.join(', ')}`);
  return parts.length ? parts.join(', ') : 'all deployments';
}

export type ListPageQuery = z.infer<typeof listPageQuery>;

/** Parses the list twin's query (a 400 page naming the parameter when it is bad). */
export function parseListQuery(query: unknown, reply: FastifyReply, title: string): ListPageQuery | null {
  return parsePageQuery(listPageQuery, query, reply, title);
}

/**
 * The results section of the list twin: a count, the sortable table of one page and a pager, all for the
 * given filters. The map page embeds the same section and replaces it when its filters change.
 */
export async function renderDeploymentResults(
  db: Kysely<Database>,
  q: ListPageQuery,
  raw: Record<string, unknown>,
): Promise<{ html: SafeHtml; total: number; description: string }> {
  const filter = toDeploymentFilter(q);
  const filters = activeFilters(raw);
  const [total, records, currency] = await Promise.all([
    countDeployments(db, filter),
    findDeploymentsSorted(db, filter, {
      sort: q.sort,
      descending: q.dir === 'desc',
      offset: q.offset,
      limit: PAGE_SIZE,
    }),
    q.active_on ? describeCurrency(db, filter, q.active_on) : Promise.resolve(null),
  ]);
  const here = (params: Record<string, string | number | undefined>) =>
    withQuery('/deployments', {
      ...filters,
      sort: q.sort === 'agency' ? undefined : q.sort,
      dir: q.dir === 'asc' ? undefined : q.dir,
      ...params,
    });
  const head = COLUMNS.map((c) => {
    if (!c.sort) return html`<th scope="col">${c.label}</th>`;
    const current = q.sort === c.sort;
    const nextDir = current && q.dir === 'asc' ? 'desc' : 'asc';
    const href = withQuery('/deployments', { ...filters, sort: c.sort, dir: nextDir });
    const label = `${c.label}${current ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}`;
    const sorted = current ? html` aria-sort="${q.dir === 'asc' ? 'ascending' : 'descending'}"` : '';
    return html`<th scope="col"${sorted}><a href="${href}">${label}<span class="visually-hidden">, sort \
${nextDir === 'asc' ? 'ascending' : 'descending'}</span></a></th>`;
  });
  const rows = records.map(
    (d, i) =>
      html`${i > 0 ? '\n' : ''}<tr><th scope="row">${link(d.agency.url, d.agency.name)}</th><td>${d.agency.state}</td>\
<td>${d.place ? link(d.place.url, d.place.name) : html`<span class="note">not placed</span>`}</td>\
<td>${technologyLink(d.technology, d.url)}</td><td>${statusAsOf(d)}</td>\
<td class="date">${formatDay(d.started_on, 'not known')}</td></tr>`,
  );
  const description = describeFilters(q);
  const apiQuery = new URLSearchParams(filters).toString();
  const pages = (where: string) =>
    pager({
      offset: q.offset,
      limit: PAGE_SIZE,
      total,
      url: (offset) => here({ offset: offset || undefined }),
      label: `Pages of deployments, ${where}`,
    });
  const count = `${formatNumber(total)} ${total === 1 ? 'deployment' : 'deployments'}`;
  const notice = currency?.warning
    ? html`<p class="notice" role="note" data-as-of="${currency.as_of ?? ''}"><strong>Not a count for \
${q.active_on}.</strong> ${currency.warning}</p>`
    : '';
  const table =
    total === 0
      ? html`<p><strong>No deployment matches these filters.</strong> Absence from this data does not mean a \
technology is not used. <a href="/deployments">Show all deployments</a>.</p>`
      : html`${pages('above the table')}<div class="table-wrap"><table>
<caption>Deployments, ${description}, sorted by ${q.sort} ${q.dir === 'asc' ? 'ascending' : 'descending'}</caption>
<thead><tr>${head}</tr></thead>
<tbody>${rows}</tbody></table></div>${pages('below the table')}`;
  const and = apiQuery ? `${apiQuery}&` : '';
  const section = html`<section id="results" aria-labelledby="results-heading" data-total="${total}">
<h2 id="results-heading">${count}</h2>
<p role="status">${count}: ${description}.</p>
${notice}
${table}
<p>Download these results: <a href="/api/v1/deployments?${and}format=csv&amp;limit=1000">CSV</a> · \
<a href="/api/v1/deployments?${and}format=geojson&amp;limit=1000">GeoJSON</a> · \
<a href="/api/v1/deployments${apiQuery ? `?${apiQuery}` : ''}">JSON</a> (up to 1,000 a page; see the <a \
href="/api">API</a>).</p>
</section>`;
  return { html: section, total, description };
}

/**
 * The list twin of the map: the same filters, as a sortable, paged table that the server renders, so it
 * works with a keyboard, a screen reader, and without JavaScript.
 */
export function registerDeploymentListPage(app: FastifyInstance, db: Kysely<Database>): void {
  app.get('/deployments', { schema: { hide: true } }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const q = parseListQuery(raw, reply, 'Deployments');
    if (!q) return reply;
    const filters = activeFilters(raw);
    const [results, vendors] = await Promise.all([renderDeploymentResults(db, q, raw), vendorsInUse(db)]);
    const { total, description } = results;
    const sorting =
      q.sort !== 'agency' || q.dir !== 'asc'
        ? html`<input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.dir}">`
        : '';
    // One technology in one state is something people watch (Ring in Massachusetts).
    const one = filters.state && filters.technology && !filters.technology.includes(',');
    const watch = one
      ? await watchLink(db, {
          type: 'technology-state',
          id: `${filters.state!.toLowerCase()}:${filters.technology!.toLowerCase()}`,
          query: `state=${encodeURIComponent(filters.state!)}&technology=${encodeURIComponent(filters.technology!)}`,
        })
      : '';
    const body = html`
<h1>Deployments</h1>
<p><a href="${withQuery('/map', filters)}">See these on the map</a></p>${watch}
${filterForm('/deployments', filters, vendors, sorting)}
${results.html}`;
    reply.type('text/html; charset=utf-8').send(
      renderPage({
        title: total === 0 ? 'Deployments: no matches' : `Deployments: ${description}`,
        description: `${formatNumber(total)} documented police surveillance deployments: ${description}.`,
        body,
      }),
    );
    return reply;
  });
}

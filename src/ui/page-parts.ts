/** Pieces of HTML that several pages share: dates, statuses, record tables, pagers. */
import { findTechnologyBySlug } from '#src/domain/technologies';
import { formatPartialDate, parseIsoPartialDate } from '#src/domain/dates';
import { scopeLabel } from '#src/domain/policies';
import { isStale } from '#src/domain/officials';
import { externalLink } from './html';
import { html, isSafeHref, join, type SafeHtml } from './safe-html';

const numberFormat = new Intl.NumberFormat('en-US');

/** What a table of deployments shows of each (the API's deployment record has these fields, and more). */
export interface DeploymentRow {
  url: string;
  technology: string;
  status: string;
  started_on: string | null;
  first_documented_on: string | null;
  last_seen_on: string | null;
  ended_on: string | null;
  no_longer_listed?: { on: string; by: string | null } | null;
  agency: { url: string; name: string; state: string };
  place: { url: string; full_name: string } | null;
}

/** What a list of sources shows of each source a record cites (as the API gives it). */
export interface SourceRow {
  url: string;
  publisher: string | null;
  kind: string;
  archive_url: string | null;
  cited_on: string | null;
}

export const formatNumber = (n: number): string => numberFormat.format(n);

/**
 * A date at its precision ("2019", "2026-08", "2019-07-26", as the API gives it) as `<time>`, in words at
 * that precision ("2019", "Aug 2026", "Jul 26, 2019"); "unknown" without one.
 */
export function formatDay(date: string | null | undefined, unknown = 'unknown'): SafeHtml {
  const parsed = date ? parseIsoPartialDate(date) : null;
  if (!date || !parsed) return html`<span class="note">${unknown}</span>`;
  return html`<time datetime="${date}">${formatPartialDate(parsed)}</time>`;
}

/** A date at its precision in plain words, for text that is not HTML (titles, descriptions). */
export function dateInWords(date: string | null | undefined): string {
  const parsed = date ? parseIsoPartialDate(date) : null;
  return parsed ? formatPartialDate(parsed) : 'an unknown date';
}

export function technologyName(slug: string): string {
  return findTechnologyBySlug(slug)?.name ?? slug;
}

/** A link to a technology's page by its name, marked when no editor has reviewed it yet. */
export function technologyLink(slug: string, href = `/technologies/${slug}`): SafeHtml {
  const t = findTechnologyBySlug(slug);
  return html`${link(href, t?.name ?? slug)}${t && !t.reviewed ? html` <span class="badge">unreviewed</span>` : ''}`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="status status-${status}">${status.replace('-', ' ')}</span>`;
}

/**
 * A deployment's status with the date a source last showed it so ("active as of Oct 7, 2020"): a status
 * is never shown bare, because it is only known as of then.
 */
export function statusAsOf(d: {
  status: string;
  last_seen_on: string | null;
  no_longer_listed?: { on: string; by: string | null } | null;
}): SafeHtml {
  const unlisted = d.no_longer_listed
    ? html` <span class="as-of">(no longer listed by ${d.no_longer_listed.by ?? 'a source'} as of \
${formatDay(d.no_longer_listed.on)})</span>`
    : '';
  return html`${statusBadge(d.status)} <span class="as-of">as of ${formatDay(d.last_seen_on, 'an unknown date')}</span>\
${unlisted}`;
}

/** The same in plain words: "active as of Oct 7, 2020". */
export function statusAsOfInWords(d: { status: string; last_seen_on: string | null }): string {
  return `${d.status} as of ${dateInWords(d.last_seen_on)}`;
}

/** A link on this site (or to http(s)); any other URL is shown as its text only. */
export function link(href: string, label: string): SafeHtml {
  if (!isSafeHref(href)) return html`${label}`;
  return html`<a href="${href}">${label}</a>`;
}

/** Builds a URL path with the given query parameters, leaving out empty ones. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A table of deployments: agency, place, technology, status and dates, each linked to its page. */
export function deploymentTable(
  records: readonly DeploymentRow[],
  caption: string,
  options: { showTechnology?: boolean; showAgency?: boolean } = {},
): SafeHtml {
  if (records.length === 0) return html`<p class="note">No deployments are documented here.</p>`;
  const showTechnology = options.showTechnology ?? true;
  const showAgency = options.showAgency ?? true;
  const rows = records.map((d) => {
    const place = d.place
      ? link(d.place.url, d.place.full_name)
      : html`<span class="note">${d.agency.state}, not placed</span>`;
    const agency = showAgency ? html`<th scope="row">${link(d.agency.url, d.agency.name)}</th><td>${place}</td>` : '';
    const technology = !showTechnology
      ? ''
      : showAgency
        ? html`<td>${technologyLink(d.technology, d.url)}</td>`
        : html`<th scope="row">${technologyLink(d.technology, d.url)}</th>`;
    return html`<tr>
${agency}
${technology}
<td>${statusAsOf(d)} ${showTechnology ? '' : link(d.url, 'details')}</td>\
<td class="date">${formatDay(d.started_on, 'not known')}</td>\
<td class="date">${formatDay(d.first_documented_on, 'not known')}</td>\
<td class="date">${d.ended_on ? formatDay(d.ended_on) : ''}</td>
</tr>`;
  });
  const agencyHeads = showAgency ? html`<th scope="col">Agency</th><th scope="col">Place</th>` : '';
  return html`<div class="table-wrap"><table>
<caption>${caption}</caption>
<thead><tr>${agencyHeads}${showTechnology ? html`<th scope="col">Technology</th>` : ''}\
<th scope="col">Status, as last seen</th><th scope="col">Started</th><th scope="col">First documented</th>\
<th scope="col">Ended</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** The sources a record cites, as a list of links with publisher, kind and date. */
export function sourceList(sources: readonly SourceRow[]): SafeHtml {
  if (sources.length === 0) return html`<p class="note">No source is attached yet.</p>`;
  return html`<ul class="sources">${sources.map((s) => {
    const details = [s.publisher, s.kind, s.cited_on ? `dated ${dateInWords(s.cited_on)}` : null]
      .filter(Boolean)
      .join(', ');
    const archive = s.archive_url ? html` (${externalLink(s.archive_url, 'archived copy')})` : '';
    return html`<li>${externalLink(s.url)}${details ? html` <span class="note">${details}</span>` : ''}${archive}</li>`;
  })}</ul>`;
}

/** "Showing 51–100 of 1,498" with previous and next links (offset paging, for pages people browse). */
export function pager(options: {
  offset: number;
  limit: number;
  total: number;
  url: (offset: number) => string;
  label: string;
}): SafeHtml {
  const { offset, limit, total } = options;
  if (total === 0) return html``;
  const first = offset + 1;
  const last = Math.min(offset + limit, total);
  const previous =
    offset > 0 ? html`<a href="${options.url(Math.max(0, offset - limit))}" rel="prev">← Previous ${limit}</a>` : '';
  const next =
    last < total
      ? html`<a href="${options.url(offset + limit)}" rel="next">Next ${Math.min(limit, total - last)} →</a>`
      : '';
  return html`<nav class="pager" aria-label="${options.label}"><span>Showing ${formatNumber(first)}–\
${formatNumber(last)} of ${formatNumber(total)}</span>${previous}${next}</nav>`;
}

/**
 * A table of policies (bans, moratoria, oversight laws, regulations): whom each binds, its status and the
 * date of that status.
 */
export function policyTable(
  policies: ReadonlyArray<{
    id: string;
    title: string;
    kind: string;
    status: string;
    status_on: string | null;
    technologies: string[];
    scope: string | null;
    level: string | null;
  }>,
  caption: string,
  empty = 'No ban, moratorium or oversight law is recorded here yet.',
): SafeHtml {
  if (policies.length === 0) return html`<p class="note">${empty}</p>`;
  const rows = policies.map((p) => {
    const technologies = join(
      p.technologies.map((t) => technologyLink(t)),
      ', ',
    );
    return html`<tr><th scope="row">${link(`/policies/${p.id}`, p.title)}</th><td>${p.kind}</td>\
<td>${technologies}</td><td>${scopeLabel(p.scope, p.level)}</td><td>${statusBadge(p.status)}</td>\
<td class="date">${formatDay(p.status_on)}</td></tr>`;
  });
  return html`<div class="table-wrap"><table><caption>${caption}</caption>
<thead><tr><th scope="col">Law</th><th scope="col">Kind</th><th scope="col">Covers</th><th scope="col">Binds</th>\
<th scope="col">Status</th><th scope="col">Since</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** Officials with their public contacts; contacts verified over a year ago are marked stale. */
export function officialList(
  all: ReadonlyArray<{
    id: string;
    role: string;
    name: string;
    email: string | null;
    phone: string | null;
    website_url: string | null;
    verified_on: string | null;
    current: boolean;
    ended_on: string | null;
  }>,
): SafeHtml {
  const officials = all.filter((o) => o.current);
  const former = all.filter((o) => !o.current);
  const formerList = join(
    former.map(
      (o) =>
        html`${link(`/officials/${o.id}`, o.name)} (${o.role}, until ${formatDay(o.ended_on, 'an unknown date')} \
at the latest)`,
    ),
    '; ',
  );
  const formerNote = former.length
    ? html`<p class="note">No longer in office by a newer source: ${formerList}.</p>`
    : '';
  if (officials.length === 0) {
    return html`<p class="note">No official of this place is in our roster yet.</p>${formerNote}`;
  }
  const items = officials.map((o) => {
    const contacts = [
      o.phone ? html`<a href="${telHref(o.phone)}">${o.phone}</a>` : '',
      o.email ? html`<a href="mailto:${o.email}">${o.email}</a>` : '',
      o.website_url ? externalLink(o.website_url, 'website') : '',
    ].filter((c) => c !== '');
    const stale = isStale(o.verified_on)
      ? html` <span class="stale">(contact last verified ${o.verified_on ?? 'never'}; may be out of date)</span>`
      : html` <span class="note">(verified ${o.verified_on})</span>`;
    const reach = contacts.length ? html`: ${join(contacts, ' · ')}` : '';
    return html`<li>${link(`/officials/${o.id}`, o.name)}, ${o.role}${reach}${stale}</li>`;
  });
  return html`<ul>${items}</ul>${formerNote}`;
}

/** Counts by technology as a small table, each linking to the filtered list. */
export function technologyCounts(
  counts: ReadonlyArray<{ technology: string; n: number }>,
  listUrl: (technology: string) => string,
  caption: string,
): SafeHtml {
  if (counts.length === 0) return html``;
  const rows = counts.map(
    (c) =>
      html`<tr><th scope="row">${technologyLink(c.technology, listUrl(c.technology))}</th>\
<td class="n">${formatNumber(c.n)}</td></tr>`,
  );
  return html`<div class="table-wrap"><table><caption>${caption}</caption><thead><tr><th scope="col">Technology</th>\
<th scope="col" class="n">Deployments</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A `tel:` link target: digits of the number, and an extension ("x2100") after a pause. */
export function telHref(phone: string): string {
  const [number, extension] = phone.split(/\s*(?:x|ext\.?)\s*/i);
  const digits = (number ?? '').replace(/[^0-9+]/g, '');
  return `tel:${digits}${extension ? `,${extension.replace(/[^0-9]/g, '')}` : ''}`;
}

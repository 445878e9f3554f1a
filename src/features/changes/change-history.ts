import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { externalLink, html, join, type SafeHtml } from '#src/ui/html';
import { link, withQuery } from '#src/ui/page-parts';
import { findChanges, type ChangeFilter, type ChangeRecord } from './changes.repository';

/** One change as a list item: when, what (linking to the record), and on what evidence. */
export function changeItem(c: ChangeRecord, options: { linkRecord?: boolean } = {}): SafeHtml {
  const when = html`<time datetime="${c.occurred_at}">${c.occurred_at.slice(0, 10)}</time>`;
  const title = options.linkRecord !== false && c.url ? link(c.url, c.title) : c.title;
  const fields = c.fields
    ? Object.entries(c.fields)
        .filter(([, [before]]) => typeof before !== 'object' || before === null)
        .slice(0, 4)
        .map(([field, [before, after]]) => `${field.replace(/_/g, ' ')}: ${shown(before)} → ${shown(after)}`)
        .join('; ')
    : '';
  const cited = c.evidence.length
    ? html`<br><span class="note">evidence: ${join(
        c.evidence.map((url) => externalLink(url)),
        ', ',
      )}</span>`
    : '';
  const evidence = c.source
    ? html`by the import of ${link(`/about#source-${c.source}`, c.source)}${
        c.run_id
          ? html` <span \
class="note">(run ${c.run_id.slice(0, 8)})</span>`
          : ''
      }`
    : `by ${c.by}`;
  return html`<li>${when} · ${title}${
    c.detail
      ? html` <span \
class="note">${c.detail}</span>`
      : ''
  }${fields ? html`<br><span class="note">${fields}</span>` : ''}<br><span \
class="note">${evidence}</span>${cited}</li>`;
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(none)';
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * A record page's "History" section: its newest changes, with a link to all of them and their feed. The
 * first load of the bundled data is one entry per dataset, on /changes.
 */
export async function historySection(
  db: Kysely<Database>,
  filter: Omit<ChangeFilter, 'limit' | 'order'>,
  query: Record<string, string>,
  feed?: string,
): Promise<SafeHtml> {
  const { data, more } = await findChanges(db, { ...filter, limit: 10, order: 'desc' });
  const all = withQuery('/changes', query);
  const follow = feed ? html` · <a href="${feed}">follow it as a feed (Atom)</a>` : '';
  if (data.length === 0) {
    return html`<h2>History</h2><p class="note">Nothing has changed here since the bundled data was first loaded (<a \
href="/changes?kind=loaded">which datasets, as of when</a>)${follow}.</p>`;
  }
  return html`<h2>History</h2><ol class="history" \
reversed>${data.map((c) => changeItem(c, { linkRecord: filter.entity === undefined }))}</ol><p>${
    more
      ? html`<a \
href="${all}">Every change</a>`
      : html`<a href="${all}">On the list of changes</a>`
  }${follow}</p>`;
}

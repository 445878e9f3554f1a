import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { escapeHtml } from '#src/ui/html';
import { link, withQuery } from '#src/ui/page-parts';
import { findChanges, type ChangeFilter, type ChangeRecord } from './changes.repository';

/** One change as a list item: when, what (linking to the record), and on what evidence. */
export function changeItem(c: ChangeRecord, options: { linkRecord?: boolean } = {}): string {
  const when = `<time datetime="${escapeHtml(c.occurred_at)}">${escapeHtml(c.occurred_at.slice(0, 10))}</time>`;
  const title = options.linkRecord !== false && c.url ? link(c.url, c.title) : escapeHtml(c.title);
  const fields = c.fields
    ? Object.entries(c.fields)
        .filter(([, [before]]) => typeof before !== 'object' || before === null)
        .slice(0, 4)
        .map(
          ([field, [before, after]]) =>
            `${escapeHtml(field.replace(/_/g, ' '))}: ${escapeHtml(shown(before))} → ${escapeHtml(shown(after))}`,
        )
        .join('; ')
    : '';
  const evidence = c.source
    ? `by the import of ${link(`/about#source-${c.source}`, c.source)}${c.run_id ? ` <span class="note">(run ${escapeHtml(c.run_id.slice(0, 8))})</span>` : ''}`
    : `by ${escapeHtml(c.by)}`;
  return `<li>${when} · ${title}${c.detail ? ` <span class="note">${escapeHtml(c.detail)}</span>` : ''}${fields ? `<br><span class="note">${fields}</span>` : ''}<br><span class="note">${evidence}</span></li>`;
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
): Promise<string> {
  const { data, more } = await findChanges(db, { ...filter, limit: 10, order: 'desc' });
  const all = withQuery('/changes', query);
  const follow = feed ? ` · <a href="${escapeHtml(feed)}">follow it as a feed (Atom)</a>` : '';
  if (data.length === 0) {
    return `<h2>History</h2><p class="note">Nothing has changed here since the bundled data was first loaded (<a href="/changes?kind=loaded">which datasets, as of when</a>)${follow}.</p>`;
  }
  return `<h2>History</h2><ol class="history" reversed>${data.map((c) => changeItem(c, { linkRecord: filter.entity === undefined })).join('')}</ol><p>${more ? `<a href="${escapeHtml(all)}">Every change</a>` : `<a href="${escapeHtml(all)}">On the list of changes</a>`}${follow}</p>`;
}

import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { html, join, type SafeHtml } from '#src/ui/html';
import { formatDay } from '#src/ui/page-parts';
import { findTechnologyEvents, type TechnologyEventRecord } from './technologies.repository';

/** Context events as a list: each dated, with its summary and sources. */
export function technologyEventList(events: readonly TechnologyEventRecord[]): SafeHtml {
  const items = events.map((e) => {
    const sources = e.sources.map(
      (s, i) => html`<a href="${s.url}" rel="nofollow noopener">source${e.sources.length > 1 ? ` ${i + 1}` : ''}</a>`,
    );
    return html`<li>${formatDay(e.occurred_on)}: \
<strong>${e.title}</strong>. ${e.summary} ${join(sources, ' · ')}</li>`;
  });
  return html`<ol class="timeline">${items}</ol>`;
}

/**
 * What changed for a technology after a status was last seen (Ring ended police requests for footage in
 * January 2024): a notice to show beside that status, or "" when nothing is recorded since.
 */
export async function technologyContext(
  db: Kysely<Database>,
  technology: string,
  lastSeenOn: string | null,
): Promise<SafeHtml | ''> {
  const events = (await findTechnologyEvents(db, technology)).filter(
    (e) => lastSeenOn === null || e.occurred_on > lastSeenOn,
  );
  if (events.length === 0) return '';
  const since = lastSeenOn ? html` ${formatDay(lastSeenOn)}` : '';
  return html`<section class="notice" aria-labelledby="since-heading"><h2 id="since-heading">What changed since\
${since}</h2>
${technologyEventList(events)}</section>`;
}

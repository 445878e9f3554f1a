import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { escapeHtml } from '#src/ui/html';
import { formatDay } from '#src/ui/page-parts';
import { findTechnologyEvents, type TechnologyEventRecord } from './technologies.repository';

/** Context events as a list: each dated, with its summary and sources. */
export function technologyEventList(events: readonly TechnologyEventRecord[]): string {
  return `<ol class="timeline">${events
    .map(
      (e) =>
        `<li>${formatDay(e.occurred_on)}: <strong>${escapeHtml(e.title)}</strong>. ${escapeHtml(e.summary)} ${e.sources
          .map(
            (s, i) =>
              `<a href="${escapeHtml(s.url)}" rel="nofollow noopener">source${e.sources.length > 1 ? ` ${i + 1}` : ''}</a>`,
          )
          .join(' · ')}</li>`,
    )
    .join('')}</ol>`;
}

/**
 * What changed for a technology after a status was last seen (Ring ended police requests for footage in
 * January 2024): a notice to show beside that status, or "" when nothing is recorded since.
 */
export async function technologyContext(
  db: Kysely<Database>,
  technology: string,
  lastSeenOn: string | null,
): Promise<string> {
  const events = (await findTechnologyEvents(db, technology)).filter(
    (e) => lastSeenOn === null || e.occurred_on > lastSeenOn,
  );
  if (events.length === 0) return '';
  return `<section class="notice" aria-labelledby="since-heading"><h2 id="since-heading">What changed since${lastSeenOn ? ` ${formatDay(lastSeenOn)}` : ''}</h2>
${technologyEventList(events)}</section>`;
}

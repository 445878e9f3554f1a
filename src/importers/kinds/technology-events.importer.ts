import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { findTechnologyBySlug } from '#src/domain/technologies';
import type { BatchContext, ImportKind, ParseResult } from '../import-kind';
import { hostOf, parseCitedUrls } from '../cited-urls';
import { originItem, sourceId, writeCitations, writeOrigins, writeSources, type SourceInput } from '../evidence.writes';

interface TechnologyEventRow {
  readonly id: string;
  readonly technology: string;
  readonly date: PartialDate;
  readonly title: string;
  readonly summary: string;
  readonly sources: string[];
}

/** A dated, cited event of a technology, from any file that holds them (the curated list, our own export). */
export interface TechnologyEventInput {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly id: string;
  readonly technology: string;
  readonly date: PartialDate;
  readonly title: string;
  readonly summary: string;
  readonly sources: readonly SourceInput[];
}

const COLUMNS = ['id', 'technology', 'date', 'title', 'summary', 'sources'];

/**
 * Dated, cited events that change what a technology's status means (data/counterwatch-curated/
 * technology-events.csv): Ring ending police requests for footage in January 2024, say.
 */
export const technologyEventsImporter: ImportKind<TechnologyEventRow> = {
  name: 'technology-events',
  description: 'Counterwatch curated technology events: id,technology,date,title,summary,sources',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<TechnologyEventRow> {
    const id = r['id']!.trim();
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))
      return { ok: false, field: 'id', reason: `"${id}" is not an id of lower-case words joined by hyphens` };
    const technology = r['technology']!.trim();
    if (!findTechnologyBySlug(technology))
      return { ok: false, field: 'technology', reason: `"${technology}" is not a technology slug` };
    const date = parseIsoPartialDate(r['date']!);
    if (!date) return { ok: false, field: 'date', reason: `"${r['date']}" is not a date YYYY-MM-DD or YYYY-MM` };
    const title = r['title']!.trim();
    const summary = r['summary']!.trim();
    if (title === '') return { ok: false, field: 'title', reason: 'is empty' };
    if (summary === '') return { ok: false, field: 'summary', reason: 'is empty' };
    const sources = parseCitedUrls(r['sources']!, 'sources');
    if (!sources.ok) return sources;
    return { ok: true, row: { id, technology, date, title, summary, sources: sources.row } };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    await writeTechnologyEvents(
      ctx,
      rows.map(({ index, line, row }) => ({
        row: index,
        line,
        rowKey: row.id,
        ...row,
        sources: row.sources.map((url) => ({
          url,
          publisher: hostOf(url),
          kind: 'news',
          archiveUrl: null,
          citedOn: null,
        })),
      })),
    );
  },
};

/** Writes technology events with their sources, citations and origins. */
export async function writeTechnologyEvents(ctx: BatchContext, events: readonly TechnologyEventInput[]): Promise<void> {
  await writeSources(
    ctx,
    events.flatMap((e) =>
      e.sources.map((s) => ({
        row: e.row,
        values: {
          id: sourceId(s.url),
          url: s.url,
          publisher: s.publisher,
          title: null,
          kind: s.kind,
          archive_url: s.archiveUrl,
        },
      })),
    ),
  );
  await ctx.writer.upsert(
    'technology_events',
    events.map((e) => ({
      row: e.row,
      values: {
        id: e.id,
        technology_slug: e.technology,
        occurred_on: e.date.on,
        precision: e.date.precision,
        title: e.title,
        summary: e.summary,
      },
    })),
    { entity: 'technology_event' },
  );
  await writeCitations(
    ctx,
    events.flatMap((e) =>
      e.sources.map((s) => ({
        row: e.row,
        values: {
          id: `technology_event:${e.id}:${sourceId(s.url)}`,
          subject_type: 'technology_event',
          subject_id: e.id,
          source_id: sourceId(s.url),
          cited_on: null,
          cited_precision: null,
          note: null,
        },
      })),
    ),
  );
  await writeOrigins(
    ctx,
    events.map((e) => originItem(ctx, e.row, e.line, e.rowKey, 'technology_event', e.id)),
  );
}

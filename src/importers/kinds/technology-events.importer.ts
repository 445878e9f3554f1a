import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { findTechnologyBySlug } from '#src/domain/technologies';
import type { ImportKind, ParseResult } from '../import-kind';
import { originItem, sourceId, writeCitations, writeOrigins, writeSources } from '../evidence.writes';
import { hostOf } from './frt-policies.importer';

interface TechnologyEventRow {
  readonly id: string;
  readonly technology: string;
  readonly date: PartialDate;
  readonly title: string;
  readonly summary: string;
  readonly sources: string[];
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
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) return { ok: false, field: 'id', reason: `"${id}" is not an id of lower-case words joined by hyphens` };
    const technology = r['technology']!.trim();
    if (!findTechnologyBySlug(technology)) return { ok: false, field: 'technology', reason: `"${technology}" is not a technology slug` };
    const date = parseIsoPartialDate(r['date']!);
    if (!date) return { ok: false, field: 'date', reason: `"${r['date']}" is not a date YYYY-MM-DD or YYYY-MM` };
    const title = r['title']!.trim();
    const summary = r['summary']!.trim();
    if (title === '') return { ok: false, field: 'title', reason: 'is empty' };
    if (summary === '') return { ok: false, field: 'summary', reason: 'is empty' };
    const sources = r['sources']!.split(/\s+/).filter((s) => s !== '');
    const bad = sources.find((s) => !/^https?:\/\/\S+$/.test(s));
    if (sources.length === 0 || bad !== undefined) return { ok: false, field: 'sources', reason: bad ? `"${bad.slice(0, 60)}" is not an http(s) URL` : 'is empty: every fact needs a citation' };
    return { ok: true, row: { id, technology, date, title, summary, sources } };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    await writeSources(
      ctx,
      rows.flatMap(({ index, row }) => row.sources.map((url) => ({ row: index, values: { id: sourceId(url), url, publisher: hostOf(url), title: null, kind: 'news', archive_url: null } }))),
    );
    await ctx.writer.upsert(
      'technology_events',
      rows.map(({ index, row }) => ({
        row: index,
        values: { id: row.id, technology_slug: row.technology, occurred_on: row.date.on, precision: row.date.precision, title: row.title, summary: row.summary },
      })),
      { entity: 'technology_event' },
    );
    await writeCitations(
      ctx,
      rows.flatMap(({ index, row }) =>
        row.sources.map((url) => ({
          row: index,
          values: { id: `technology_event:${row.id}:${sourceId(url)}`, subject_type: 'technology_event', subject_id: row.id, source_id: sourceId(url), cited_on: null, cited_precision: null, note: null },
        })),
      ),
    );
    await writeOrigins(ctx, rows.map(({ index, line, row }) => originItem(ctx, index, line, row.id, 'technology_event', row.id)));
  },
};

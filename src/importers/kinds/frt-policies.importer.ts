import { parseIsoDateOrMonth } from '#src/domain/dates';
import { normalizeCountyName, slugify } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';
import { POLICY_KINDS } from '#src/domain/statuses';
import type { ImportKind, ParseResult } from '../import-kind';
import { writePolicies, type PolicyInput } from './policy.writes';

interface FrtRow {
  readonly jurisdiction: string;
  readonly place: string;
  readonly state: string;
  readonly level: 'city' | 'county' | 'state' | 'region';
  readonly date: string | null;
  readonly kind: string;
  readonly stance: string;
  readonly sourceUrl: string;
}

const COLUMNS = ['jurisdiction', 'place', 'state_abbr', 'level', 'date_iso', 'action_type', 'stance_text', 'source_url'];
const LEVELS = ['city', 'county', 'state', 'region'] as const;

/** Face-recognition bans, moratoria and oversight laws by city, county and state (Fight for the Future's map). */
export const frtPoliciesImporter: ImportKind<FrtRow> = {
  name: 'frt-policies',
  description: 'Facial-recognition bans and regulations: jurisdiction,place,state,state_abbr,level,date_of_action_raw,date_iso,action_type,stance_text,source_url',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<FrtRow> {
    const state = findStateByCode(r['state_abbr']!);
    if (!state) return { ok: false, field: 'state_abbr', reason: `"${r['state_abbr']}" is not a state code` };
    const level = r['level']!.trim() as FrtRow['level'];
    if (!LEVELS.includes(level)) return { ok: false, field: 'level', reason: `"${r['level']}" is not one of ${LEVELS.join(', ')}` };
    const kind = r['action_type']!.trim();
    if (!(POLICY_KINDS as readonly string[]).includes(kind)) return { ok: false, field: 'action_type', reason: `"${kind}" is not one of ${POLICY_KINDS.join(', ')}` };
    const rawDate = r['date_iso']!.trim();
    const date = rawDate === '' ? null : parseIsoDateOrMonth(rawDate);
    if (rawDate !== '' && date === null) return { ok: false, field: 'date_iso', reason: `"${rawDate}" is not a date (YYYY-MM-DD or YYYY-MM)` };
    const sourceUrl = r['source_url']!.trim();
    if (!/^https?:\/\/\S+$/.test(sourceUrl)) return { ok: false, field: 'source_url', reason: `"${sourceUrl.slice(0, 60)}" is not an http(s) URL` };
    const jurisdiction = r['jurisdiction']!.trim();
    if (jurisdiction === '') return { ok: false, field: 'jurisdiction', reason: 'is empty' };
    return {
      ok: true,
      row: { jurisdiction, place: r['place']!.trim(), state: state.code, level, date, kind, stance: r['stance_text']!.trim(), sourceUrl },
    };
  },
  rowKey: (row) => `${row.jurisdiction}|${row.kind}|${row.date ?? ''}`,
  async writeBatch(ctx, rows) {
    await ctx.resolver.load({
      places: rows.filter((r) => r.row.level === 'city').map((r) => ({ state: r.row.state, name: r.row.place })),
      counties: rows.filter((r) => r.row.level === 'county').map((r) => ({ state: r.row.state, name: r.row.place })),
      states: rows.map((r) => r.row.state),
    });
    const policies: PolicyInput[] = rows.map(({ index, line, row }) => {
      const place =
        row.level === 'city' ? ctx.resolver.place(row.state, row.place) : row.level === 'county' ? ctx.resolver.county(row.state, row.place) : null;
      // State laws and regional rules (e.g. BART) belong to the state.
      const placeId = place?.id ?? (row.level === 'state' || row.level === 'region' ? (ctx.resolver.state(row.state)?.id ?? null) : null);
      if (placeId === null) ctx.warn(line, `could not find ${row.level} "${row.place}, ${row.state}"; the policy is kept under its state`);
      // Ids come from the row alone, so they do not depend on what else the database holds.
      const st = row.state.toLowerCase();
      const idBase = row.level === 'state' || row.level === 'region' ? st : `${st}-${slugify(row.level === 'county' ? `${normalizeCountyName(row.place)} county` : row.place)}`;
      return {
        row: index,
        line,
        rowKey: frtPoliciesImporter.rowKey(row, line),
        id: `${idBase}--face-recognition-${row.kind}${row.level === 'region' ? `--${slugify(row.place)}` : ''}`,
        placeId: placeId,
        state: row.state,
        jurisdiction: row.jurisdiction,
        kind: row.kind,
        title: `${row.jurisdiction}: face recognition ${row.kind}`,
        status: 'passed',
        statusOn: row.date,
        summary: row.stance || null,
        technologies: ['face-recognition'],
        sources: [{ url: row.sourceUrl, publisher: hostOf(row.sourceUrl), kind: 'news', archiveUrl: null, citedOn: row.date }],
      };
    });
    await writePolicies(ctx, policies);
  },
};

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return null;
  }
}

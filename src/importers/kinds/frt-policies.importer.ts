import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { normalizeCountyName, slugify } from '#src/domain/names';
import { POLICY_KINDS, type PolicyLevel } from '#src/domain/policies';
import { findStateByCode } from '#src/domain/states';
import type { ImportKind, ParseResult } from '../import-kind';
import { writePolicies, type PolicyInput } from './policy.writes';
import { hostOf } from '../cited-urls';

interface FrtRow {
  readonly jurisdiction: string;
  readonly place: string;
  readonly state: string;
  readonly level: 'city' | 'county' | 'state' | 'region';
  readonly date: PartialDate | null;
  readonly rawDate: string;
  readonly kind: string;
  readonly stance: string;
  readonly sourceUrl: string;
}

const COLUMNS = [
  'jurisdiction',
  'place',
  'state_abbr',
  'level',
  'date_iso',
  'action_type',
  'stance_text',
  'source_url',
];
const LEVELS = ['city', 'county', 'state', 'region'] as const;

/** Face-recognition bans, moratoria and oversight laws by city, county and state (Fight for the Future's map). */
export const frtPoliciesImporter: ImportKind<FrtRow> = {
  name: 'frt-policies',
  description:
    'Facial-recognition bans and regulations: jurisdiction,place,state,state_abbr,level,date_of_action_raw,date_iso,action_type,stance_text,source_url',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<FrtRow> {
    const state = findStateByCode(r['state_abbr']!);
    if (!state) return { ok: false, field: 'state_abbr', reason: `"${r['state_abbr']}" is not a state code` };
    const level = r['level']!.trim() as FrtRow['level'];
    if (!LEVELS.includes(level))
      return { ok: false, field: 'level', reason: `"${r['level']}" is not one of ${LEVELS.join(', ')}` };
    const kind = r['action_type']!.trim();
    if (!(POLICY_KINDS as readonly string[]).includes(kind))
      return { ok: false, field: 'action_type', reason: `"${kind}" is not one of ${POLICY_KINDS.join(', ')}` };
    const rawDate = r['date_iso']!.trim();
    const date = rawDate === '' ? null : parseIsoPartialDate(rawDate);
    if (rawDate !== '' && date === null)
      return { ok: false, field: 'date_iso', reason: `"${rawDate}" is not a date (YYYY-MM-DD or YYYY-MM)` };
    const sourceUrl = r['source_url']!.trim();
    if (!/^https?:\/\/\S+$/.test(sourceUrl))
      return { ok: false, field: 'source_url', reason: `"${sourceUrl.slice(0, 60)}" is not an http(s) URL` };
    const jurisdiction = r['jurisdiction']!.trim();
    if (jurisdiction === '') return { ok: false, field: 'jurisdiction', reason: 'is empty' };
    return {
      ok: true,
      row: {
        jurisdiction,
        place: r['place']!.trim(),
        state: state.code,
        level,
        date,
        rawDate: r['date_of_action_raw']?.trim() || rawDate,
        kind,
        stance: r['stance_text']!.trim(),
        sourceUrl,
      },
    };
  },
  rowKey: (row) => `${row.jurisdiction}|${row.kind}|${row.date?.on ?? ''}`,
  async writeBatch(ctx, rows) {
    await ctx.resolver.load({
      places: rows.filter((r) => r.row.level === 'city').map((r) => r.row.place),
      counties: rows.filter((r) => r.row.level === 'county').map((r) => r.row.place),
      states: rows.map((r) => r.row.state),
    });
    const policies: PolicyInput[] = rows.map(({ index, line, row }) => {
      const place =
        row.level === 'city'
          ? ctx.resolver.place(row.state, row.place)
          : row.level === 'county'
            ? ctx.resolver.county(row.state, row.place)
            : row.level === 'state'
              ? ctx.resolver.state(row.state)
              : null;
      // A regional body (the BART board) is not the state: it is kept without a place, so it covers no town.
      if (row.level === 'region')
        ctx.warn(
          line,
          `"${row.jurisdiction}" is a regional body: kept without a place, so it is shown under no town or state`,
        );
      else if (place === null)
        ctx.warn(line, `could not find ${row.level} "${row.place}, ${row.state}"; the policy is kept without a place`);
      // Ids come from the row alone, so they do not depend on what else the database holds.
      const st = row.state.toLowerCase();
      const idBase =
        row.level === 'state' || row.level === 'region'
          ? st
          : `${st}-${slugify(row.level === 'county' ? `${normalizeCountyName(row.place)} county` : row.place)}`;
      const level: PolicyLevel | null = row.level === 'region' ? null : row.level;
      return {
        row: index,
        line,
        rowKey: frtPoliciesImporter.rowKey(row, line),
        id: `${idBase}--face-recognition-${row.kind}${row.level === 'region' ? `--${slugify(row.place)}` : ''}`,
        placeId: place?.id ?? null,
        state: row.state,
        jurisdiction: row.jurisdiction,
        level,
        body: null,
        scope: /school/i.test(row.stance) ? 'schools' : 'government',
        scopeNote: null,
        kind: row.kind,
        title: `${row.jurisdiction}: face recognition ${row.kind}`,
        summary: row.stance || null,
        technologies: ['face-recognition'],
        sources: [
          { url: row.sourceUrl, publisher: hostOf(row.sourceUrl), kind: 'news', archiveUrl: null, citedOn: null },
        ],
        // Fight for the Future's map lists enacted laws, but the date it gives is sometimes the vote's and
        // sometimes the cited article's: a report, not a dated step of the law.
        events: [
          {
            status: 'passed',
            kind: 'reported',
            date: row.date,
            sourceUrl: row.sourceUrl,
            note: `listed by Fight for the Future's map as a ${row.kind}, dated "${row.rawDate}" (a vote's or an \
article's date)`,
          },
        ],
      };
    });
    await writePolicies(ctx, policies);
  },
};

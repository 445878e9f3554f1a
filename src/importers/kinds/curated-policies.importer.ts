import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import {
  POLICY_KINDS,
  POLICY_LEVELS,
  POLICY_SCOPES,
  POLICY_STATUSES,
  type PolicyLevel,
  type PolicyScope,
  type PolicyStatus,
} from '#src/domain/policies';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyBySlug } from '#src/domain/technologies';
import type { ImportKind, ParseResult } from '../import-kind';
import { writePolicies, type PolicyInput } from './policy.writes';
import { hostOf, parseCitedUrls } from '../cited-urls';

interface CuratedPolicyRow {
  readonly policyId: string;
  readonly jurisdiction: string;
  readonly state: string;
  readonly level: PolicyLevel;
  readonly place: string;
  readonly body: string;
  readonly kind: string;
  readonly technologies: string[];
  readonly scope: PolicyScope;
  readonly scopeNote: string;
  readonly title: string;
  readonly status: PolicyStatus | null;
  readonly date: PartialDate | null;
  readonly note: string;
  readonly sources: string[];
}

const COLUMNS = [
  'policy_id',
  'jurisdiction',
  'state',
  'level',
  'place',
  'body',
  'kind',
  'technologies',
  'scope',
  'scope_note',
  'title',
  'status',
  'date',
  'note',
  'sources',
];
const DESCRIPTION: ReadonlyArray<keyof CuratedPolicyRow> = [
  'jurisdiction',
  'state',
  'level',
  'place',
  'body',
  'kind',
  'technologies',
  'scope',
  'scopeNote',
  'title',
];

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): ParseResult<T> {
  return (allowed as readonly string[]).includes(value)
    ? { ok: true, row: value as T }
    : { ok: false, field, reason: `"${value}" is not one of ${allowed.join(', ')}` };
}

/**
 * Counterwatch's hand-curated policies (data/counterwatch-curated/policies.csv): one row per dated step
 * of a policy, each with the public pages it was checked against. Their description outranks an
 * aggregated list's, and their steps decide the policy's status.
 */
export const curatedPoliciesImporter: ImportKind<CuratedPolicyRow> = {
  name: 'curated-policies',
  description:
    'Counterwatch curated policies: policy_id,jurisdiction,state,level,place,body,kind,technologies,scope,scope_note,title,status,date,note,sources',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<CuratedPolicyRow> {
    const policyId = r['policy_id']!.trim();
    if (!/^[a-z0-9]+(-[a-z0-9]+)*(--[a-z0-9]+(-[a-z0-9]+)*)*$/.test(policyId))
      return {
        ok: false,
        field: 'policy_id',
        reason: `"${policyId}" is not an id of lower-case words joined by hyphens`,
      };
    const state = findStateByCode(r['state']!);
    if (!state) return { ok: false, field: 'state', reason: `"${r['state']}" is not a state code` };
    const level = oneOf('level', r['level']!.trim(), POLICY_LEVELS);
    if (!level.ok) return level;
    const kind = oneOf('kind', r['kind']!.trim(), POLICY_KINDS);
    if (!kind.ok) return kind;
    const scope = oneOf('scope', r['scope']!.trim(), POLICY_SCOPES);
    if (!scope.ok) return scope;
    const technologies = r['technologies']!.split(';')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const unknown = technologies.find((t) => findTechnologyBySlug(t) === null);
    if (technologies.length === 0 || unknown !== undefined)
      return {
        ok: false,
        field: 'technologies',
        reason: unknown ? `"${unknown}" is not a technology slug` : 'is empty',
      };
    const rawStatus = r['status']!.trim();
    const rawDate = r['date']!.trim();
    let status: PolicyStatus | null = null;
    let date: PartialDate | null = null;
    if (rawStatus !== '' || rawDate !== '') {
      const checked = oneOf('status', rawStatus, POLICY_STATUSES);
      if (!checked.ok) return checked;
      status = checked.row;
      date = parseIsoPartialDate(rawDate);
      if (date === null)
        return { ok: false, field: 'date', reason: `"${rawDate}" is not a date YYYY-MM-DD or YYYY-MM` };
    }
    const sources = parseCitedUrls(r['sources']!, 'sources');
    if (!sources.ok) return sources;
    for (const field of ['jurisdiction', 'title'] as const)
      if (r[field]!.trim() === '') return { ok: false, field, reason: 'is empty' };
    return {
      ok: true,
      row: {
        policyId,
        jurisdiction: r['jurisdiction']!.trim(),
        state: state.code,
        level: level.row,
        place: r['place']!.trim(),
        body: r['body']!.trim(),
        kind: kind.row,
        technologies,
        scope: scope.row,
        scopeNote: r['scope_note']!.trim(),
        title: r['title']!.trim(),
        status,
        date,
        note: r['note']!.trim(),
        sources: sources.row,
      },
    };
  },
  rowKey: (row) => `${row.policyId}@${row.status ?? 'description'}@${row.date?.on ?? ''}`,
  async writeBatch(ctx, rows) {
    await ctx.resolver.load({
      places: rows.filter((r) => r.row.level === 'city').map((r) => r.row.place),
      counties: rows.filter((r) => r.row.level === 'county').map((r) => r.row.place),
      states: rows.map((r) => r.row.state),
    });
    // Rows of one policy must describe it alike; the first row (by line) is the description.
    const first = new Map<string, CuratedPolicyRow>();
    const inputs: PolicyInput[] = [];
    for (const { index, line, row } of rows) {
      const described = first.get(row.policyId);
      const differs = described
        ? DESCRIPTION.find((f) => JSON.stringify(described[f]) !== JSON.stringify(row[f]))
        : undefined;
      if (differs) {
        ctx.warn(
          line,
          `${row.policyId}: its ${differs} differs from the policy's first row; the first row's description is kept`,
        );
      }
      const d = described ?? row;
      first.set(row.policyId, d);
      const place =
        d.level === 'city'
          ? ctx.resolver.place(d.state, d.place)
          : d.level === 'county'
            ? ctx.resolver.county(d.state, d.place)
            : d.level === 'state'
              ? ctx.resolver.state(d.state)
              : null;
      if (place === null && (d.level === 'city' || d.level === 'county'))
        ctx.warn(
          line,
          `${row.policyId}: could not find ${d.level} "${d.place}, ${d.state}"; the policy is kept without a place`,
        );
      inputs.push({
        row: index,
        line,
        rowKey: curatedPoliciesImporter.rowKey(row, line),
        id: row.policyId,
        placeId: place?.id ?? null,
        state: d.state,
        jurisdiction: d.jurisdiction,
        level: d.level,
        body: d.body || null,
        scope: d.scope,
        scopeNote: d.scopeNote || null,
        kind: d.kind,
        title: d.title,
        summary: null,
        technologies: d.technologies,
        sources: row.sources.map((url) => ({
          url,
          publisher: hostOf(url),
          kind: /\.gov\b|legistar|legiscan|pluralpolicy|richmondsunlight|statutes\./.test(url) ? 'government' : 'news',
          archiveUrl: null,
          citedOn: null,
        })),
        events: row.status
          ? [
              {
                status: row.status,
                kind: 'transition',
                date: row.date,
                sourceUrl: row.sources[0]!,
                note: row.note || null,
              },
            ]
          : [],
      });
    }
    await writePolicies(ctx, inputs);
  },
};

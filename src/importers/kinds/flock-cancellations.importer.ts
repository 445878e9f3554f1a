import { parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { slugify } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';
import type { DeploymentStatus } from '#src/domain/statuses';
import type { ImportKind, ParseResult } from '../import-kind';
import type { AgencyRef } from '../resolver';
import { resolveAgency, type AgencyClaim } from '../agency-resolution';
import { writeAgencyAliases, writeNewAgencies } from '../agencies.writes';
import { writeDeployments, type DeploymentInput } from '../evidence.writes';
import { hostOf } from '../cited-urls';
import { writePolicies, type PolicyInput } from './policy.writes';

interface FlockRow {
  readonly id: string;
  readonly city: string;
  readonly state: string;
  readonly date: PartialDate | null;
  readonly status: DeploymentStatus | 'banned';
  readonly statusRaw: string;
  readonly info: string;
  readonly sourceUrl: string;
  readonly archiveUrl: string | null;
}

const COLUMNS = ['id', 'city', 'state', 'date_iso', 'status', 'status_raw', 'info', 'source_url', 'archive_url'];

// DeFlock's statuses ("status_raw") as deployment transitions.
const STATUS_BY_RAW: Record<string, DeploymentStatus | 'banned'> = {
  'contract canceled': 'cancelled',
  'contract cancelled': 'cancelled',
  'cameras deactivated': 'ended',
  'contract rejected': 'rejected',
  'contract reinstated': 'active',
  'alprs banned': 'banned',
};

/** DeFlock's list of places that cancelled, rejected or switched off Flock Safety licence-plate cameras. */
export const flockCancellationsImporter: ImportKind<FlockRow> = {
  name: 'flock-cancellations',
  description:
    'DeFlock Flock cancellations (flattened): id,city,state,date_iso,date_text,status,status_raw,info,source_url,archive_url,flagged_missing',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<FlockRow> {
    const id = r['id']!.trim();
    if (id === '') return { ok: false, field: 'id', reason: 'is empty' };
    const state = findStateByCode(r['state']!);
    if (!state) return { ok: false, field: 'state', reason: `"${r['state']}" is not a state code` };
    const city = r['city']!.trim();
    if (city === '') return { ok: false, field: 'city', reason: 'is empty' };
    const statusRaw = r['status_raw']!.trim();
    const status = STATUS_BY_RAW[statusRaw.toLowerCase()];
    if (!status)
      return {
        ok: false,
        field: 'status_raw',
        reason: `"${statusRaw}" is not a known DeFlock status (${Object.keys(STATUS_BY_RAW).join(', ')})`,
      };
    const rawDate = r['date_iso']!.trim();
    // DeFlock gives the month of the news event only; its `date_iso` is that month's first day.
    const date = rawDate === '' ? null : parseIsoPartialDate(rawDate.slice(0, 7));
    if (rawDate !== '' && date === null) return { ok: false, field: 'date_iso', reason: `"${rawDate}" is not a date` };
    const sourceUrl = r['source_url']!.trim();
    if (!/^https?:\/\/\S+$/.test(sourceUrl))
      return { ok: false, field: 'source_url', reason: `"${sourceUrl.slice(0, 60)}" is not an http(s) URL` };
    const archive = r['archive_url']!.trim();
    return {
      ok: true,
      row: {
        id,
        city,
        state: state.code,
        date,
        status,
        statusRaw,
        info: r['info']!.trim(),
        sourceUrl,
        archiveUrl: /^https?:\/\//.test(archive) ? archive : null,
      },
    };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    const { resolver } = ctx;
    await resolver.load({
      places: rows.map((r) => r.row.city),
      agencies: rows.map((r) => ({ state: r.row.state, name: `${r.row.city} Police Department` })),
      states: rows.map((r) => r.row.state),
      mergedIds: rows.map((r) => `${r.row.state.toLowerCase()}-${slugify(r.row.city)}-city-government`),
    });
    await resolver.load({
      agenciesAtPlaces: rows.map((r) => resolver.place(r.row.state, r.row.city)?.id).filter((id): id is string => !!id),
    });
    const created = new Map<string, { claim: AgencyClaim; agency: AgencyRef }>();
    const deployments: DeploymentInput[] = [];
    const policies: PolicyInput[] = [];
    for (const { index, line, row } of rows) {
      const place = resolver.place(row.state, row.city);
      const source = {
        url: row.sourceUrl,
        publisher: hostOf(row.sourceUrl),
        kind: 'news',
        archiveUrl: row.archiveUrl,
        citedOn: row.date,
      };
      if (row.status === 'banned') {
        const st = row.state.toLowerCase();
        policies.push({
          row: index,
          line,
          rowKey: row.id,
          id: `${st}-${slugify(row.city)}--license-plate-readers-ban`,
          placeId: place?.id ?? null,
          state: row.state,
          jurisdiction: `${row.city}, ${row.state}`,
          level: 'city',
          body: null,
          scope: 'government',
          scopeNote: null,
          kind: 'ban',
          title: `${row.city}, ${row.state}: licence-plate reader ban`,
          summary: row.info || null,
          technologies: ['license-plate-readers'],
          sources: [source],
          events: [
            {
              status: 'passed',
              kind: 'transition',
              date: row.date,
              sourceUrl: row.sourceUrl,
              note: `${row.statusRaw} (month of the news report, per DeFlock)`,
            },
          ],
        });
        continue;
      }
      // The contract belongs to the city: its police department when we know it, else the city government.
      const police: AgencyClaim = {
        row: index,
        line,
        rowKey: row.id,
        name: `${row.city} Police Department`,
        state: row.state,
        agencyType: 'police',
        level: 'city',
        place,
        counties: [],
      };
      let { agency, isNew } = resolveAgency(resolver, police);
      const cityGovernment = `${row.state.toLowerCase()}-${slugify(row.city)}-city-government`;
      if (isNew && resolver.mergedInto(cityGovernment)) {
        agency = resolver.mergedInto(cityGovernment)!;
        isNew = false;
      }
      if (isNew) {
        agency = {
          ...agency,
          id: `${row.state.toLowerCase()}-${slugify(row.city)}-city-government`,
          name: `${row.city} city government`,
          agency_type: 'municipal government',
        };
        if (!created.has(agency.id)) {
          created.set(agency.id, { claim: { ...police, name: agency.name }, agency });
          resolver.remember(agency, [agency.name]);
        }
        if (agency.lat == null) ctx.warn(line, `${row.id}: could not place "${row.city}, ${row.state}" on the map`);
      }
      deployments.push({
        row: index,
        line,
        rowKey: row.id,
        agencyId: agency.id,
        state: row.state,
        technology: 'license-plate-readers',
        programme: 'flock-safety',
        summary: row.info || null,
        vendors: [{ id: 'flock-safety', name: 'Flock Safety' }],
        // DeFlock dates each entry by the month of the news report of the vote or switch-off.
        evidence: [
          {
            status: row.status,
            kind: 'transition',
            standing: 'reported',
            date: row.date,
            sourceUrl: row.sourceUrl,
            note: row.statusRaw,
          },
          { status: row.status, kind: 'documented', standing: 'reported', date: row.date, sourceUrl: row.sourceUrl },
          {
            status: row.status,
            kind: 'listed',
            standing: 'reported',
            date: ctx.asOf,
            sourceUrl: null,
            note: 'DeFlock',
          },
        ],
        sources: [source],
      });
    }
    const newAgencies = [...created.values()];
    await writeNewAgencies(ctx, newAgencies);
    await writeAgencyAliases(
      ctx,
      newAgencies.map(({ claim, agency }) => ({ row: claim.row, agency, name: agency.name })),
    );
    await writeDeployments(ctx, deployments);
    await writePolicies(ctx, policies);
  },
};

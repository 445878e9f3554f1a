import { parseIsoDateOrMonth } from '#src/domain/dates';
import { slugify } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';
import type { DeploymentStatus } from '#src/domain/statuses';
import type { ImportKind, ParseResult } from '../import-kind';
import type { AgencyRef } from '../resolver';
import { resolveAgency, writeDeployments, writeNewAgencies, type AgencyClaim, type DeploymentInput } from '../evidence.writes';
import { hostOf } from './frt-policies.importer';
import { writePolicies, type PolicyInput } from './policy.writes';

interface FlockRow {
  readonly id: string;
  readonly city: string;
  readonly state: string;
  readonly date: string | null;
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
  description: 'DeFlock Flock cancellations (flattened): id,city,state,date_iso,date_text,status,status_raw,info,source_url,archive_url,flagged_missing',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  defaultAsOf: '2026-08-22',
  parseRow(r): ParseResult<FlockRow> {
    const id = r['id']!.trim();
    if (id === '') return { ok: false, field: 'id', reason: 'is empty' };
    const state = findStateByCode(r['state']!);
    if (!state) return { ok: false, field: 'state', reason: `"${r['state']}" is not a state code` };
    const city = r['city']!.trim();
    if (city === '') return { ok: false, field: 'city', reason: 'is empty' };
    const statusRaw = r['status_raw']!.trim();
    const status = STATUS_BY_RAW[statusRaw.toLowerCase()];
    if (!status) return { ok: false, field: 'status_raw', reason: `"${statusRaw}" is not a known DeFlock status (${Object.keys(STATUS_BY_RAW).join(', ')})` };
    const rawDate = r['date_iso']!.trim();
    const date = rawDate === '' ? null : parseIsoDateOrMonth(rawDate);
    if (rawDate !== '' && date === null) return { ok: false, field: 'date_iso', reason: `"${rawDate}" is not a date` };
    const sourceUrl = r['source_url']!.trim();
    if (!/^https?:\/\/\S+$/.test(sourceUrl)) return { ok: false, field: 'source_url', reason: `"${sourceUrl.slice(0, 60)}" is not an http(s) URL` };
    const archive = r['archive_url']!.trim();
    return {
      ok: true,
      row: { id, city, state: state.code, date, status, statusRaw, info: r['info']!.trim(), sourceUrl, archiveUrl: /^https?:\/\//.test(archive) ? archive : null },
    };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    const { resolver } = ctx;
    await resolver.load({
      places: rows.map((r) => ({ state: r.row.state, name: r.row.city })),
      agencies: rows.map((r) => ({ state: r.row.state, name: `${r.row.city} Police Department` })),
      states: rows.map((r) => r.row.state),
    });
    await resolver.load({ agenciesAtPlaces: rows.map((r) => resolver.place(r.row.state, r.row.city)?.id).filter((id): id is string => !!id) });
    const created = new Map<string, { claim: AgencyClaim; agency: AgencyRef }>();
    const deployments: DeploymentInput[] = [];
    const policies: PolicyInput[] = [];
    for (const { index, line, row } of rows) {
      const place = resolver.place(row.state, row.city);
      const source = { url: row.sourceUrl, publisher: hostOf(row.sourceUrl), kind: 'news', archiveUrl: row.archiveUrl, citedOn: row.date };
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
          kind: 'ban',
          title: `${row.city}, ${row.state}: licence-plate reader ban`,
          status: 'passed',
          statusOn: row.date,
          summary: row.info || null,
          technologies: ['license-plate-readers'],
          sources: [source],
        });
        continue;
      }
      // The contract belongs to the city: its police department when we know it, else the city government.
      const police: AgencyClaim = { row: index, line, rowKey: row.id, name: `${row.city} Police Department`, state: row.state, agencyType: 'police', place, county: null };
      let { agency, isNew } = resolveAgency(resolver, police);
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
        events: [{ status: row.status, occurredOn: row.date, sourceUrl: row.sourceUrl, note: row.statusRaw }],
        sources: [source],
        lastVerifiedOn: ctx.asOf,
      });
    }
    await writeNewAgencies(ctx, [...created.values()], [...created.values()].map(({ claim, agency }) => ({ row: claim.row, agencyId: agency.id, state: agency.state_code, name: agency.name })));
    await writeDeployments(ctx, deployments);
    await writePolicies(ctx, policies);
  },
};

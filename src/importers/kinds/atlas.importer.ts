import { parseLooseDate } from '#src/domain/dates';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyByName, TECHNOLOGIES } from '#src/domain/technologies';
import { parseVendorList, type VendorName } from '#src/domain/vendors';
import type { BatchContext, ImportKind, ParsedRow, ParseResult } from '../import-kind';
import type { AgencyRef } from '../resolver';
import {
  resolveAgency,
  sourceKind,
  writeAgencyAliases,
  writeDeployments,
  writeNewAgencies,
  type AgencyClaim,
  type DeploymentInput,
  type SourceInput,
} from '../evidence.writes';

const LINK_FIELDS = ['', ' Snapshot', ' Source', ' Type', ' Date'];
export const ATLAS_COLUMNS = [
  'AOSNUMBER', 'City', 'County', 'State', 'Agency', 'Type of LEA', 'Summary', 'Type of Juris', 'Technology', 'Vendor',
  ...[1, 2, 3].flatMap((n) => LINK_FIELDS.map((f) => `Link ${n}${f}`)),
];

export interface AtlasRow {
  readonly id: string;
  readonly city: string;
  readonly counties: string[];
  readonly state: string;
  readonly agency: string;
  readonly agencyType: string | null;
  readonly summary: string | null;
  readonly technology: string;
  readonly vendors: VendorName[];
  readonly links: Array<SourceInput & { rawDate: string }>;
}

/** EFF Atlas of Surveillance CSV export: one row per agency × technology, with up to three source links. */
export const atlasImporter: ImportKind<AtlasRow> = {
  name: 'atlas',
  description: 'EFF Atlas of Surveillance CSV export (AOSNUMBER, City, County, State, Agency, …, Link 3 Date)',
  shape: { format: 'delimited', requiredColumns: ATLAS_COLUMNS },

  parseRow(r): ParseResult<AtlasRow> {
    const id = r['AOSNUMBER']!.trim();
    if (id === '') return { ok: false, field: 'AOSNUMBER', reason: 'is empty; every Atlas row has an id such as AOS0001' };
    const state = findStateByCode(r['State']!);
    if (!state) return { ok: false, field: 'State', reason: `"${r['State']}" is not a US state or territory code` };
    const agency = r['Agency']!.trim();
    if (agency === '') return { ok: false, field: 'Agency', reason: 'is empty' };
    const technology = findTechnologyByName(r['Technology']!);
    if (!technology) {
      return {
        ok: false,
        field: 'Technology',
        reason: `"${r['Technology']}" is not one of the Atlas technologies (${TECHNOLOGIES.slice(0, 12).map((t) => t.atlasName).join(', ')})`,
      };
    }
    const links: AtlasRow['links'] = [];
    for (const n of [1, 2, 3]) {
      const url = normalizeUrl(r[`Link ${n}`]!);
      if (url === '') continue;
      if (!/^(https?|ftp):\/\/\S+$/i.test(url)) {
        if (n === 1) return { ok: false, field: 'Link 1', reason: `"${url.slice(0, 60)}" is not a web address` };
        continue;
      }
      const publisher = r[`Link ${n} Source`]!.trim() || null;
      const rawDate = r[`Link ${n} Date`]!.trim();
      const snapshot = r[`Link ${n} Snapshot`]!.trim();
      links.push({
        url,
        publisher,
        kind: sourceKind(r[`Link ${n} Type`]!, publisher, url),
        archiveUrl: /^https?:\/\//i.test(snapshot) ? snapshot : null,
        citedOn: parseLooseDate(rawDate),
        rawDate,
      });
    }
    const vendors = parseVendorList(r['Vendor']!);
    if (technology.slug === 'ring-neighbors' && !vendors.some((v) => v.id === 'ring')) vendors.unshift({ id: 'ring', name: 'Ring' });
    return {
      ok: true,
      row: {
        id,
        city: r['City']!.trim(),
        counties: r['County']!.split(',').map((c) => c.trim()).filter((c) => c !== ''),
        state: state.code,
        agency,
        agencyType: r['Type of LEA']!.trim().toLowerCase() || null,
        summary: r['Summary']!.trim() || null,
        technology: technology.slug,
        vendors,
        links,
      },
    };
  },

  rowKey: (row) => row.id,

  async writeBatch(ctx, rows) {
    await writeAtlasBatch(ctx, rows);
  },
};

async function writeAtlasBatch(ctx: BatchContext, rows: readonly ParsedRow<AtlasRow>[]): Promise<void> {
  const { resolver } = ctx;
  await resolver.load({
    places: rows.filter((r) => r.row.city !== '').map((r) => ({ state: r.row.state, name: r.row.city })),
    counties: rows.flatMap((r) => [...r.row.counties, r.row.city].filter((c) => c !== '').map((c) => ({ state: r.row.state, name: c }))),
    agencies: rows.map((r) => ({ state: r.row.state, name: r.row.agency })),
  });
  const located = rows.map((r) => {
    const counties = r.row.counties.map((c) => resolver.county(r.row.state, c)).filter((c) => c !== null);
    const place = r.row.city === '' ? null : resolver.place(r.row.state, r.row.city, counties.map((c) => c.geoid!));
    // A city that is its own county-equivalent (Washington, DC) is found among the counties.
    const cityAsCounty = place === null && counties.length === 0 && r.row.city !== '' ? resolver.county(r.row.state, r.row.city) : null;
    if (cityAsCounty) counties.push(cityAsCounty);
    return { parsed: r, place, county: counties[0] ?? null };
  });
  await resolver.load({ agenciesAtPlaces: located.flatMap((l) => [l.place?.id, l.county?.id].filter((id): id is string => !!id)) });

  const created = new Map<string, { claim: AgencyClaim; agency: AgencyRef }>();
  const aliases: Array<{ row: number; agencyId: string; state: string; name: string }> = [];
  const deployments: DeploymentInput[] = [];
  for (const { parsed, place, county } of located) {
    const { row } = parsed;
    const claim: AgencyClaim = {
      row: parsed.index,
      line: parsed.line,
      rowKey: row.id,
      name: row.agency,
      state: row.state,
      agencyType: row.agencyType,
      place,
      county,
    };
    const { agency, isNew } = resolveAgency(resolver, claim);
    if (isNew && !created.has(agency.id)) created.set(agency.id, { claim, agency });
    // The row's spelling now names this agency, for the rows after it as for the next import.
    resolver.remember(agency, [row.agency]);
    aliases.push({ row: parsed.index, agencyId: agency.id, state: row.state, name: row.agency });
    if (agency.lat == null) {
      ctx.warn(parsed.line, `${row.id}: could not place "${row.agency}" (${[row.city, row.counties.join(', '), row.state].filter(Boolean).join(', ')}) on the map`);
    }
    const first = row.links[0];
    deployments.push({
      row: parsed.index,
      line: parsed.line,
      rowKey: row.id,
      agencyId: agency.id,
      state: row.state,
      technology: row.technology,
      programme: '',
      summary: row.summary,
      vendors: row.vendors,
      // The Atlas says the technology was in use as of its first link's date; for Ring rows that
      // date is Ring's own "Active Date" of the partnership.
      events: [{ status: 'active', occurredOn: first?.citedOn ?? null, sourceUrl: first?.url ?? null }],
      sources: row.links,
      lastVerifiedOn: ctx.asOf,
    });
  }
  await writeNewAgencies(ctx, [...created.values()], []);
  await writeAgencyAliases(ctx, aliases);
  await writeDeployments(ctx, deployments);
}

/** Trims a link and gives a bare "www.…" address the http scheme it was written without. */
function normalizeUrl(text: string): string {
  const url = text.trim();
  return /^www\.\S+$/i.test(url) ? `http://${url}` : url;
}

import { agencyLevel, parseAgencyName } from '#src/domain/agencies';
import { parsePartialDate } from '#src/domain/dates';
import { findStateByCode } from '#src/domain/states';
import type { EvidenceStanding } from '#src/domain/statuses';
import { parseTechnologyValue, technologySlugFor } from '#src/domain/technologies';
import { createUnreviewedTechnologies } from '#src/features/technologies/technologies.repository';
import { parseVendorList, type VendorName } from '#src/domain/vendors';
import type { BatchContext, ImportKind, ParsedRow, ParseResult } from '../import-kind';
import type { AgencyRef } from '../resolver';
import { agencyId, resolveAgency, stateContradiction, type AgencyClaim } from '../agency-resolution';
import { writeAgencyAliases, writeNewAgencies } from '../agencies.writes';
import {
  sourceKind,
  writeDeployments,
  type DeploymentInput,
  type EvidenceInput,
  type SourceInput,
} from '../evidence.writes';

const LINK_FIELDS = ['', ' Snapshot', ' Source', ' Type', ' Date'];
export const ATLAS_COLUMNS = [
  'AOSNUMBER',
  'City',
  'County',
  'State',
  'Agency',
  'Type of LEA',
  'Summary',
  'Type of Juris',
  'Technology',
  'Vendor',
  ...[1, 2, 3].flatMap((n) => LINK_FIELDS.map((f) => `Link ${n}${f}`)),
];

interface AtlasLink extends SourceInput {
  readonly n: number;
  /** The date as the row writes it, when it could not be read. */
  readonly unreadDate: string | null;
}

export interface AtlasRow {
  readonly id: string;
  readonly city: string;
  readonly counties: string[];
  readonly state: string;
  readonly agency: string;
  readonly agencyType: string | null;
  readonly jurisdiction: string | null;
  readonly summary: string | null;
  /** Every technology the row's cell names (a compound such as "ALPR/Camera Network" names several), by slug. */
  readonly technologies: readonly string[];
  /** Those no known spelling matched: created, unreviewed, as the row first writes them. */
  readonly newTechnologies: ReadonlyArray<{ slug: string; name: string }>;
  readonly vendors: VendorName[];
  readonly links: AtlasLink[];
  /** Link cells' text that is not a web address ("County of Placer"), kept out of the sources and warned of. */
  readonly unreadLinks: ReadonlyArray<{ n: number; text: string }>;
}

/** The Atlas's Ring rows cite Ring's own "Active Agency Map"; their Link 1 Date is Ring's Active Date. */
function ringActiveDate(row: AtlasRow, technology: string): AtlasLink | null {
  const first = row.links[0];
  return technology === 'ring-neighbors' &&
    first?.n === 1 &&
    first.publisher?.toLowerCase() === 'ring' &&
    first.citedOn !== null
    ? first
    : null;
}

/** EFF Atlas of Surveillance CSV export: one row per agency × technology, with up to three source links. */
export const atlasImporter: ImportKind<AtlasRow> = {
  name: 'atlas',
  description: 'EFF Atlas of Surveillance CSV export (AOSNUMBER, City, County, State, Agency, …, Link 3 Date)',
  shape: { format: 'delimited', requiredColumns: ATLAS_COLUMNS },

  parseRow(r): ParseResult<AtlasRow> {
    const id = r['AOSNUMBER']!.trim();
    if (id === '')
      return { ok: false, field: 'AOSNUMBER', reason: 'is empty; every Atlas row has an id such as AOS0001' };
    const state = findStateByCode(r['State']!);
    if (!state) return { ok: false, field: 'State', reason: `"${r['State']}" is not a US state or territory code` };
    const agency = r['Agency']!.trim();
    if (agency === '') return { ok: false, field: 'Agency', reason: 'is empty' };
    // A value never seen before is a new technology, unreviewed; no row is rejected for its technology.
    const { known, unknown } = parseTechnologyValue(r['Technology']!);
    const newTechnologies = unknown.flatMap((name) => {
      const slug = technologySlugFor(name);
      return slug === null ? [] : [{ slug, name }];
    });
    if (known.length === 0 && newTechnologies.length === 0)
      return {
        ok: false,
        field: 'Technology',
        reason: r['Technology']!.trim() === '' ? 'is empty' : `"${r['Technology']!.trim()}" names no technology`,
      };
    const links: AtlasLink[] = [];
    const unreadLinks: Array<{ n: number; text: string }> = [];
    // The export has three links; a Data Library file may give a fourth (see atlas-data-library.importer).
    for (const n of r['Link 4'] === undefined ? [1, 2, 3] : [1, 2, 3, 4]) {
      // A cell may hold more than one address, one per line or space: each is a source of its own. A cell
      // with any word that is not an address ("County of Placer", an address with a space) is not read.
      const words = r[`Link ${n}`]!.trim()
        .split(/\s+/)
        .filter((w) => w !== '')
        .map(normalizeUrl);
      const urls = words.filter((w) => /^(https?|ftp):\/\/\S+$/i.test(w));
      if (urls.length < words.length) {
        if (n === 1)
          return { ok: false, field: 'Link 1', reason: `"${words.join(' ').slice(0, 60)}" is not a web address` };
        unreadLinks.push({ n, text: words.join(' ') });
        continue;
      }
      const publisher = r[`Link ${n} Source`]!.trim() || null;
      const rawDate = r[`Link ${n} Date`]!.trim();
      const snapshot = r[`Link ${n} Snapshot`]!.trim();
      const citedOn = rawDate === '' ? null : parsePartialDate(rawDate);
      for (const url of urls) {
        if (links.some((l) => l.url === url)) continue;
        links.push({
          n,
          url,
          publisher,
          kind: sourceKind(r[`Link ${n} Type`]!, publisher, url),
          archiveUrl: urls.length === 1 && /^https?:\/\//i.test(snapshot) ? snapshot : null,
          citedOn,
          unreadDate: rawDate !== '' && citedOn === null ? rawDate : null,
        });
      }
    }
    const vendors = parseVendorList(r['Vendor']!);
    return {
      ok: true,
      row: {
        id,
        city: r['City']!.trim(),
        counties: r['County']!.split(',')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
        state: state.code,
        agency,
        agencyType: r['Type of LEA']!.trim().toLowerCase() || null,
        jurisdiction: r['Type of Juris']!.trim() || null,
        summary: r['Summary']!.trim() || null,
        technologies: [...new Set([...known.map((t) => t.slug), ...newTechnologies.map((t) => t.slug)])],
        newTechnologies,
        vendors,
        links,
        unreadLinks,
      },
    };
  },

  rowKey: (row) => row.id,
  rowKeyColumn: 'AOSNUMBER',

  async writeBatch(ctx, rows) {
    await writeAtlasBatch(ctx, rows);
  },
};

/**
 * What a row says happened and when. A Ring row's Active Date is the start of the partnership, in Ring's
 * own words. Every other dated link is a document that shows the technology in use on its date (never a
 * start). And the export itself lists the deployment as in use as of its date.
 */
function atlasEvidence(row: AtlasRow, technology: string, ctx: BatchContext): EvidenceInput[] {
  const evidence: EvidenceInput[] = [];
  const ring = ringActiveDate(row, technology);
  if (ring)
    evidence.push({
      status: 'active',
      kind: 'transition',
      standing: 'vendor',
      date: ring.citedOn,
      sourceUrl: ring.url,
      note: "Ring's Active Date of the partnership",
    });
  for (const link of row.links) {
    if (link === ring || link.citedOn === null) continue;
    evidence.push({
      status: 'active',
      kind: 'documented',
      standing: standingOf(link.kind),
      date: link.citedOn,
      sourceUrl: link.url,
    });
  }
  evidence.push({
    status: 'active',
    kind: 'listed',
    standing: 'reported',
    date: ctx.asOf,
    sourceUrl: null,
    note: 'the Atlas of Surveillance',
  });
  return evidence;
}

function standingOf(kind: string): EvidenceStanding {
  return kind === 'vendor' ? 'vendor' : kind === 'government' ? 'official' : 'reported';
}

async function writeAtlasBatch(ctx: BatchContext, rows: readonly ParsedRow<AtlasRow>[]): Promise<void> {
  const { resolver } = ctx;
  const firstSeen = new Set(
    await createUnreviewedTechnologies(
      ctx.db,
      rows.flatMap((r) => r.row.newTechnologies),
      ctx.writer.actor,
      ctx.writer.now,
    ),
  );
  for (const { row, line } of rows) {
    for (const t of row.newTechnologies) {
      if (firstSeen.delete(t.slug))
        ctx.warn(
          line,
          `${row.id}: "${t.name}" is a technology not seen before; it was added as "${t.slug}", unreviewed, for an \
editor to review (cli technologies)`,
        );
    }
  }
  await resolver.load({
    places: rows.flatMap((r) => [r.row.city, parseAgencyName(r.row.agency).town ?? '']).filter((c) => c !== ''),
    counties: rows.flatMap((r) =>
      [...r.row.counties, r.row.city, parseAgencyName(r.row.agency).county ?? ''].filter((c) => c !== ''),
    ),
    agencies: rows.map((r) => ({ state: r.row.state, name: r.row.agency })),
    mergedIds: rows.map((r) => agencyId(r.row.state, r.row.agency, null)),
  });
  const located = rows.map((parsed) => {
    const { row } = parsed;
    const issue = stateContradiction(resolver, row);
    const { form, town, county: namedCounty, sheriff } = parseAgencyName(row.agency);
    // A sheriff's own name says its county ("Marion County Sheriff's Office"), whatever county the row gives.
    const ownCounty = sheriff && namedCounty ? resolver.county(row.state, namedCounty) : null;
    const counties = issue
      ? []
      : ownCounty
        ? [ownCounty]
        : row.counties.map((c) => resolver.county(row.state, c)).filter((c) => c !== null);
    const countyGeoids = counties.map((c) => c.geoid!);
    // A town the row misspells ("Grand Pass" for Grants Pass) is found by the town its agency is named after, in the
    // row's county.
    const place = issue
      ? null
      : ((row.city === '' ? null : resolver.place(row.state, row.city, { counties: countyGeoids, form })) ??
        (town && countyGeoids.length > 0
          ? resolver.place(row.state, town, { counties: countyGeoids, form, strict: true })
          : null));
    // A city that is its own county-equivalent (Washington, DC) is found among the counties.
    const cityAsCounty =
      !issue && place === null && counties.length === 0 && row.city !== ''
        ? resolver.county(row.state, row.city)
        : null;
    if (cityAsCounty) counties.push(cityAsCounty);
    return { parsed, place, counties, issue };
  });
  await resolver.load({
    agenciesAtPlaces: located.flatMap((l) =>
      [l.place?.id, ...l.counties.map((c) => c.id)].filter((id): id is string => !!id),
    ),
  });

  const created = new Map<string, { claim: AgencyClaim; agency: AgencyRef }>();
  const aliases: Array<{ row: number; agency: AgencyRef; name: string }> = [];
  const deployments: DeploymentInput[] = [];
  for (const { parsed, place, counties, issue } of located) {
    const { row } = parsed;
    const claim: AgencyClaim = {
      row: parsed.index,
      line: parsed.line,
      rowKey: row.id,
      name: row.agency,
      state: row.state,
      agencyType: row.agencyType,
      level: agencyLevel(row.agency, [row.jurisdiction, row.agencyType]),
      place,
      counties,
      placementIssue: issue ? `${row.id}: ${issue}` : null,
    };
    const { agency, isNew } = resolveAgency(resolver, claim);
    if (isNew && !created.has(agency.id)) created.set(agency.id, { claim, agency });
    // The row's spelling now names this agency, for the rows after it as for the next import.
    resolver.remember(agency, [row.agency]);
    aliases.push({ row: parsed.index, agency, name: row.agency });
    if (issue)
      ctx.warn(parsed.line, `${row.id}: left off the map and not matched to an agency of ${row.state}: ${issue}`);
    else if (agency.lat == null) {
      ctx.warn(
        parsed.line,
        `${row.id}: could not place "${row.agency}" \
(${[row.city, row.counties.join(', '), row.state].filter(Boolean).join(', ')}) on the map`,
      );
    }
    for (const { n, text } of row.unreadLinks)
      ctx.warn(
        parsed.line,
        `${row.id}: Link ${n} "${text.slice(0, 60)}" is not a web address; it is not kept as a source`,
      );
    for (const link of row.links) {
      if (link.unreadDate)
        ctx.warn(
          parsed.line,
          `${row.id}: Link ${link.n} Date "${link.unreadDate}" is not a date; the link is kept without one`,
        );
    }
    // A compound cell gives one deployment per technology, each with the row's sources.
    for (const technology of row.technologies) {
      const ring = ringActiveDate(row, technology);
      deployments.push({
        row: parsed.index,
        line: parsed.line,
        rowKey: row.id,
        agencyId: agency.id,
        state: row.state,
        technology,
        programme: '',
        summary: row.summary,
        // A Ring partnership's vendor is Ring, whether or not the row says so.
        vendors:
          technology === 'ring-neighbors' && !row.vendors.some((v) => v.id === 'ring')
            ? [{ id: 'ring', name: 'Ring' }, ...row.vendors]
            : row.vendors,
        evidence: atlasEvidence(row, technology, ctx),
        sources: row.links.map((l) => (l === ring ? { ...l, citedOn: null } : l)),
      });
    }
  }
  await writeNewAgencies(ctx, [...created.values()]);
  await writeAgencyAliases(ctx, aliases);
  await writeDeployments(ctx, deployments);
}

/** Trims a link and gives a bare "www.…" address the http scheme it was written without. */
function normalizeUrl(text: string): string {
  const url = text.trim();
  return /^www\.\S+$/i.test(url) ? `http://${url}` : url;
}

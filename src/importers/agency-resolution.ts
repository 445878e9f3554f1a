import { formsAgree, isLikelyMisspelling, parseAgencyName, placeForm, type AgencyLevel } from '#src/domain/agencies';
import { normalizeAgencyName, normalizeCountyName, normalizePlaceName, slugify } from '#src/domain/names';
import { placeAgency, type PointOf } from '#src/domain/placement';
import { findStateByCode } from '#src/domain/states';
import { countyLookup } from '#src/geo/county-lookup';
import type { AgencyRef, PlaceRef, Resolver } from './resolver';

/** An agency as a source row names it, with the town and counties the row gives (already resolved). */
export interface AgencyClaim {
  readonly row: number;
  readonly line: number;
  readonly rowKey: string;
  readonly name: string;
  readonly state: string;
  readonly agencyType: string | null;
  readonly level: AgencyLevel;
  readonly ori?: string | null;
  readonly place: PlaceRef | null;
  readonly counties: readonly PlaceRef[];
  readonly fbiPoint?: PointOf | null;
  /**
   * Set when the row contradicts itself (see `stateContradiction`): never matched to an agency by name, never placed.
   */
  readonly placementIssue?: string | null;
}

export type MatchRule = 'ori' | 'name' | 'town' | 'sheriff' | 'misspelled town' | 'merged';

/**
 * Finds the agency a claim names, or prepares a new one. In order: by ORI; by name within the county
 * (every spelling of `parseAgencyName`, and only agencies of a county the claim names, or the one at its
 * town when several remain); the one police of its town named after it (with the same municipal form);
 * the one sheriff of its county; the one police of its town when the claim misspells the town. A claim
 * whose row contradicts its own state is matched by ORI only.
 */
export function resolveAgency(
  resolver: Resolver,
  claim: AgencyClaim,
): { agency: AgencyRef; isNew: boolean; rule: MatchRule | null } {
  if (claim.ori) {
    const byOri = resolver.agencyByOri(claim.ori);
    if (byOri) return { agency: byOri, isNew: false, rule: 'ori' };
  }
  if (!claim.placementIssue) {
    const found = byName(resolver, claim) ?? byTown(resolver, claim);
    if (found) return { agency: found.agency, isNew: false, rule: found.rule };
  }
  const agency = newAgency(claim);
  // An agency an operator merged into another stays merged when a later import names it again.
  const survivor = resolver.mergedInto(agency.id);
  if (survivor) return { agency: survivor, isNew: false, rule: 'merged' };
  return { agency, isNew: true, rule: null };
}

/** The counties a claim places the agency in: the row's, and its town's. */
export function claimCountyGeoids(claim: Pick<AgencyClaim, 'place' | 'counties'>): string[] {
  const geoids = new Set<string>();
  for (const c of claim.counties) if (c.geoid) geoids.add(c.geoid);
  if (claim.place?.county_geoid) geoids.add(claim.place.county_geoid);
  return [...geoids].sort();
}

function countiesOf(agency: AgencyRef): string[] {
  return agency.county_geoids ? agency.county_geoids.split(',') : [];
}

function sameCounty(agency: AgencyRef, claimCounties: readonly string[]): boolean {
  const theirs = countiesOf(agency);
  return claimCounties.length === 0 || theirs.length === 0 || theirs.some((c) => claimCounties.includes(c));
}

function byName(resolver: Resolver, claim: AgencyClaim): { agency: AgencyRef; rule: MatchRule } | null {
  const stateName = findStateByCode(claim.state)?.name ?? '';
  const name = parseAgencyName(claim.name, stateName);
  const counties = claimCountyGeoids(claim);
  for (const key of name.lookupKeys) {
    const candidates = resolver
      .agenciesByNameKey(claim.state, key)
      .filter(
        (a) =>
          a.placement_issue === null &&
          sameCounty(a, counties) &&
          formsAgree(name.form, parseAgencyName(a.name, stateName).form),
      );
    if (candidates.length === 1) return { agency: candidates[0]!, rule: 'name' };
    if (candidates.length > 1) {
      // "Saginaw Police Department" is the FBI's "Saginaw Police Department", not "Saginaw Township Police
      // Department" (found under the same key without its form): an agency named exactly so comes first.
      const exact = candidates.filter((a) => parseAgencyName(a.name, stateName).keys[0] === key);
      if (exact.length === 1) return { agency: exact[0]!, rule: 'name' };
      const atTown = candidates.filter((a) => claim.place !== null && a.place_id === claim.place.id);
      return atTown.length === 1 ? { agency: atTown[0]!, rule: 'name' } : null;
    }
  }
  return null;
}

function byTown(resolver: Resolver, claim: AgencyClaim): { agency: AgencyRef; rule: MatchRule } | null {
  const stateName = findStateByCode(claim.state)?.name ?? '';
  const name = parseAgencyName(claim.name, stateName);
  if (claim.place && name.town !== null && !name.sheriff) {
    const town = normalizePlaceName(claim.place.name);
    const form = placeForm(claim.place.full_name);
    // Only an agency named after its own town ("New Brighton Department of Public Safety") is taken for
    // that town's police; a campus, airport or transit police at the same place is not. A town misspelt
    // in the claim ("Lafaytette Police Department" in Lafayette) is the same town.
    const rule: MatchRule | null =
      name.town === town ? 'town' : isLikelyMisspelling(name.town, town) ? 'misspelled town' : null;
    if (rule && formsAgree(name.form, form)) {
      const police = only(
        resolver.agenciesAt(claim.place.id).filter((a) => {
          const other = parseAgencyName(a.name, stateName);
          return (
            other.town === town && !other.sheriff && formsAgree(other.form, form) && formsAgree(other.form, name.form)
          );
        }),
      );
      if (police) return { agency: police, rule };
    }
  }
  if (name.sheriff) {
    const county =
      (name.county !== null ? resolver.county(claim.state, name.county) : null) ?? claim.counties[0] ?? null;
    if (county && (claim.counties.length === 0 || claim.counties.some((c) => c.id === county.id))) {
      const sheriff = only(resolver.agenciesAt(county.id).filter((a) => parseAgencyName(a.name, stateName).sheriff));
      if (sheriff) return { agency: sheriff, rule: 'sheriff' };
    }
  }
  return null;
}

function only<T>(items: readonly T[]): T | null {
  return items.length === 1 ? items[0]! : null;
}

/**
 * An agency first met in this claim: linked to its county when it is a county's, else to its town; placed by
 * `placeAgency`.
 */
function newAgency(claim: AgencyClaim): AgencyRef {
  const county = claim.counties[0] ?? null;
  const counties = claimCountyGeoids(claim);
  const issue = claim.placementIssue ?? null;
  const point = issue
    ? null
    : placeAgency({
        level: claim.level,
        place: claim.place,
        county,
        fbi: claim.fbiPoint ?? null,
        townCountyAgrees: townInCounties(claim.place, counties),
      });
  return {
    id: agencyId(claim.state, claim.name, claim.ori ?? null) + (issue ? '-unplaced' : ''),
    name: claim.name.trim().replace(/\s+/g, ' '),
    state_code: claim.state,
    ori: claim.ori ?? null,
    agency_type: claim.agencyType,
    // A county's agency belongs to its county; without one known, to the county its town lies in.
    place_id: issue
      ? null
      : claim.level === 'county'
        ? (county?.id ?? (claim.place?.county_geoid ? `county-${claim.place.county_geoid}` : (claim.place?.id ?? null)))
        : (claim.place?.id ?? county?.id ?? null),
    lat: point?.lat ?? null,
    lon: point?.lon ?? null,
    location_basis: point?.basis ?? null,
    county_geoids: issue || counties.length === 0 ? null : counties.join(','),
    level: claim.level,
    placement_issue: issue,
  };
}

/**
 * Whether a town's point lies in its own county or one of the agency's (by the Census outlines); true
 * when it cannot be told. False flags a point the places list took from a namesake.
 */
export function townInCounties(place: PlaceRef | null, counties: readonly string[]): boolean {
  if (!place || place.lat === null || place.lon === null) return true;
  const at = countyLookup().countyAt(place.lat, place.lon);
  const known = place.county_geoid ? [...counties, place.county_geoid] : counties;
  return at === null || known.length === 0 || known.includes(at);
}

/** `ma-attleboro-police-department`, with `-ma0030200` for an agency with an FBI ORI. Stable: ids are in URLs. */
export function agencyId(state: string, name: string, ori: string | null): string {
  return `${state.toLowerCase()}-${slugify(normalizeAgencyName(name))}${ori ? `-${ori.toLowerCase()}` : ''}`;
}

/**
 * A row whose town and counties cannot be in its stated state but fit together in another (the Atlas
 * files Atlanta, Georgia's camera registry under IL with Atlanta's counties DeKalb and Fulton): a
 * sentence saying so, or null. A row fits a state when its town lies in one of the counties it names
 * (in its County column or in its agency's name), or when its town is one we do not know there (a
 * place missing from the Census list) and every county it names is there and they agree. It is flagged
 * only when it does not fit its own state and its town does lie in a county it names in another.
 */
export function stateContradiction(
  resolver: Resolver,
  row: { state: string; city: string; counties: readonly string[]; agency: string },
): string | null {
  if (row.city === '') return null;
  const named = parseAgencyName(row.agency).county;
  const countyNames = named ? [...row.counties, named] : [...row.counties];
  if (countyNames.length === 0) return null;
  const fits = (state: string, allowUnknownTown: boolean): boolean => {
    const counties = new Set(countyNames.map((c) => resolver.county(state, c)?.geoid).filter((g): g is string => !!g));
    const towns = resolver.placesNamed(row.city).filter((p) => p.state_code === state);
    if (towns.some((p) => p.county_geoid !== null && counties.has(p.county_geoid))) return true;
    // A consolidated city-county (Louisville and Jefferson County) is found among the counties.
    const cityCounty = resolver.county(state, row.city);
    if (cityCounty?.geoid && counties.has(cityCounty.geoid)) return true;
    if (!allowUnknownTown || towns.length > 0 || cityCounty) return false;
    const rowCounties = row.counties.map((c) => resolver.county(state, c));
    if (rowCounties.some((c) => c === null)) return false;
    const namedCounty = named ? resolver.county(state, named) : null;
    return (
      !named ||
      (namedCounty !== null && (rowCounties.length === 0 || rowCounties.some((c) => c!.id === namedCounty.id)))
    );
  };
  if (fits(row.state, true)) return null;
  const candidates = new Set(
    [...resolver.placesNamed(row.city), ...resolver.countiesNamed(row.city)].map((p) => p.state_code),
  );
  const elsewhere = [...candidates].filter((s) => s !== row.state && fits(s, false)).sort();
  if (elsewhere.length === 0) return null;
  const shown = [...row.counties];
  if (named && !row.counties.some((c) => normalizeCountyName(c) === named))
    shown.push(`${named.replace(/\b\w/g, (c) => c.toUpperCase())} County (in the agency's name)`);
  return `the row is filed under ${row.state}, but its town ${row.city} \
and ${shown.length === 1 ? 'county' : 'counties'} ${shown.join(', ')} are in ${elsewhere.join(' or ')}, \
not ${row.state}`;
}

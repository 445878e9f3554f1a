import type { Kysely } from 'kysely';
import { parseAgencyName, placeForm, type TownForm } from '#src/domain/agencies';
import { normalizeCountyName, normalizePlaceName } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';

export interface PlaceRef {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly full_name: string;
  readonly state_code: string;
  readonly geoid: string | null;
  readonly county_geoid: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly population: number | null;
}

export interface AgencyRef {
  readonly id: string;
  readonly name: string;
  readonly state_code: string;
  readonly ori: string | null;
  readonly agency_type: string | null;
  readonly place_id: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly location_basis: string | null;
  /** Sorted 5-digit county GEOIDs, comma-separated, or null when unknown. */
  readonly county_geoids: string | null;
  readonly level: string | null;
  readonly placement_issue: string | null;
}

const CHUNK = 500;
const MAX_KEPT_AT_PLACES = 50_000;
const PLACE_COLUMNS = [
  'p.id',
  'p.kind',
  'p.name',
  'p.full_name',
  'p.state_code',
  'p.geoid',
  'p.county_geoid',
  'p.lat',
  'p.lon',
  'p.population',
] as const;
export const AGENCY_COLUMNS = [
  'id',
  'name',
  'state_code',
  'ori',
  'agency_type',
  'place_id',
  'lat',
  'lon',
  'location_basis',
  'county_geoids',
  'level',
  'placement_issue',
] as const;

/**
 * Finds places and agencies by name for importers. Lookups are loaded in bulk per batch (`load`) and
 * then answered from memory, so a batch costs a few queries, not a few per row. Places are looked up
 * by name in every state (a row filed under the wrong state is recognised by its city and county).
 */
export class Resolver {
  private readonly placesByKey = new Map<string, PlaceRef[]>();
  private readonly agenciesByKey = new Map<string, Map<string, AgencyRef>>();
  private readonly agenciesByPlace = new Map<string, Map<string, AgencyRef>>();
  private readonly agenciesByOri = new Map<string, AgencyRef | null>();
  /** Agencies merged away (by `agencies merge`), to the agency that survived them. */
  private readonly merged = new Map<string, AgencyRef | null>();
  private keptAtPlaces = 0;

  /** `db` must be the import's transaction: SQLite has one connection, and lookups must see the batch's writes. */
  constructor(private readonly db: Kysely<any>) {}

  /**
   * Forgets the agencies looked up by name and ORI so far (places stay: imports of evidence do not change
   * them), so that memory stays bounded however long the file. The agencies of each place are kept across
   * batches (rows of a big file return to the same towns), up to MAX_KEPT_AT_PLACES agencies.
   */
  startBatch(): void {
    this.agenciesByKey.clear();
    this.agenciesByOri.clear();
    if (this.keptAtPlaces > MAX_KEPT_AT_PLACES) {
      this.agenciesByPlace.clear();
      this.keptAtPlaces = 0;
    }
  }

  /** Loads what the next lookups need: place and county names (in every state), agency names, ORIs, place ids. */
  async load(wanted: {
    places?: string[];
    counties?: string[];
    states?: string[];
    agencies?: Array<{ state: string; name: string }>;
    oris?: string[];
    agenciesAtPlaces?: string[];
    /** Agency ids rows would create: any that was merged into another is found as the survivor. */
    mergedIds?: string[];
  }): Promise<void> {
    const placeKeys = new Set<string>();
    for (const name of wanted.places ?? []) this.wantPlace(placeKeys, 'city', normalizePlaceName(name));
    for (const name of wanted.counties ?? []) this.wantPlace(placeKeys, 'county', normalizeCountyName(name));
    for (const state of wanted.states ?? []) this.wantPlace(placeKeys, 'state', state.toLowerCase());
    await this.loadPlaces(placeKeys);

    const agencyKeys = new Set<string>();
    for (const { state, name } of wanted.agencies ?? []) {
      for (const key of parseAgencyName(name, findStateByCode(state)?.name).lookupKeys) {
        const cacheKey = `${state}|${key}`;
        if (!this.agenciesByKey.has(cacheKey)) {
          this.agenciesByKey.set(cacheKey, new Map());
          agencyKeys.add(key);
        }
      }
    }
    await this.loadAgencyKeys(agencyKeys);

    const oris = [...new Set(wanted.oris ?? [])].filter((o) => !this.agenciesByOri.has(o));
    for (let i = 0; i < oris.length; i += CHUNK) {
      const chunk = oris.slice(i, i + CHUNK);
      for (const o of chunk) this.agenciesByOri.set(o, null);
      const rows: AgencyRef[] = await this.agencyQuery().where('ori', 'in', chunk).execute();
      for (const row of rows) this.agenciesByOri.set(row.ori!, row);
    }

    const mergedIds = [...new Set(wanted.mergedIds ?? [])].filter((id) => !this.merged.has(id));
    for (let i = 0; i < mergedIds.length; i += CHUNK) {
      const chunk = mergedIds.slice(i, i + CHUNK);
      for (const id of chunk) this.merged.set(id, null);
      const rows = await this.db
        .selectFrom('redirects as r')
        .innerJoin('agencies as g', 'g.id', 'r.to_id')
        .select(['r.from_id', ...AGENCY_COLUMNS.map((c) => `g.${c}` as const)])
        .where('r.entity_type', '=', 'agency')
        .where('r.from_id', 'in', chunk)
        .execute();
      for (const { from_id, ...agency } of rows) this.merged.set(from_id, agency);
    }

    const placeIds = [...new Set(wanted.agenciesAtPlaces ?? [])].filter((p) => !this.agenciesByPlace.has(p));
    for (let i = 0; i < placeIds.length; i += CHUNK) {
      const chunk = placeIds.slice(i, i + CHUNK);
      for (const p of chunk) this.agenciesByPlace.set(p, new Map());
      const rows: AgencyRef[] = await this.agencyQuery().where('place_id', 'in', chunk).execute();
      for (const row of rows) this.agenciesByPlace.get(row.place_id!)!.set(row.id, row);
      this.keptAtPlaces += rows.length;
    }
  }

  /** Every city or town called `name`, in any state. */
  placesNamed(name: string): readonly PlaceRef[] {
    return this.placesByKey.get(`city|${normalizePlaceName(name)}`) ?? [];
  }

  /** Every county called `name`, in any state. */
  countiesNamed(name: string): readonly PlaceRef[] {
    return this.placesByKey.get(`county|${normalizeCountyName(name)}`) ?? [];
  }

  /**
   * The city or town named `name` in `state`. Namesakes are told apart by the counties given: only those
   * in them count (when none is, only a town that is the one of its name in the state, unless `strict`),
   * then by municipal form ("Chester village" for a village police), then by population. Null when none
   * is known, or when the name is ambiguous.
   */
  place(
    state: string,
    name: string,
    options: { counties?: readonly string[]; form?: TownForm | null; strict?: boolean } = {},
  ): PlaceRef | null {
    let candidates = this.placesNamed(name).filter((p) => p.state_code === state);
    const counties = options.counties ?? [];
    if (counties.length > 0) {
      const inCounty = candidates.filter((p) => p.county_geoid !== null && counties.includes(p.county_geoid));
      if (inCounty.length > 0 || options.strict || candidates.length > 1) candidates = inCounty;
    }
    if (options.form) {
      const sameForm = candidates.filter((p) => placeForm(p.full_name) === options.form);
      if (sameForm.length > 0) candidates = sameForm;
    }
    return largest(candidates);
  }

  /** The state's own place record; null when states have not been imported. */
  state(code: string): PlaceRef | null {
    return (this.placesByKey.get(`state|${code.toLowerCase()}`) ?? []).find((p) => p.state_code === code) ?? null;
  }

  county(state: string, name: string): PlaceRef | null {
    return largest(this.countiesNamed(name).filter((p) => p.state_code === state));
  }

  /** The agencies in `state` known under `key` (one of `parseAgencyName(...).keys`). */
  agenciesByNameKey(state: string, key: string): readonly AgencyRef[] {
    return [...(this.agenciesByKey.get(`${state}|${key}`)?.values() ?? [])];
  }

  agencyByOri(ori: string): AgencyRef | null {
    return this.agenciesByOri.get(ori) ?? null;
  }

  /** The agency that `id` was merged into, or null; `load({mergedIds})` first. */
  mergedInto(id: string): AgencyRef | null {
    return this.merged.get(id) ?? null;
  }

  /** The agencies linked to a place (city or county); `load({agenciesAtPlaces})` first. */
  agenciesAt(placeId: string): readonly AgencyRef[] {
    return [...(this.agenciesByPlace.get(placeId)?.values() ?? [])];
  }

  /** Makes an agency created or changed in this run findable by the rows after it. */
  remember(agency: AgencyRef, names: readonly string[]): void {
    if (agency.placement_issue === null) {
      const stateName = findStateByCode(agency.state_code)?.name;
      for (const name of names) {
        for (const key of parseAgencyName(name, stateName).keys) {
          const cacheKey = `${agency.state_code}|${key}`;
          const known = this.agenciesByKey.get(cacheKey) ?? new Map<string, AgencyRef>();
          known.set(agency.id, agency);
          this.agenciesByKey.set(cacheKey, known);
        }
      }
    }
    if (agency.ori) this.agenciesByOri.set(agency.ori, agency);
    // Only a place whose agencies are loaded learns of it: a partial list would hide the stored ones.
    const atPlace = agency.place_id ? this.agenciesByPlace.get(agency.place_id) : undefined;
    if (atPlace && !atPlace.has(agency.id)) {
      atPlace.set(agency.id, agency);
      this.keptAtPlaces++;
    }
  }

  private wantPlace(keys: Set<string>, kind: string, key: string): void {
    const cacheKey = `${kind}|${key}`;
    if (key !== '' && !this.placesByKey.has(cacheKey)) {
      this.placesByKey.set(cacheKey, []);
      keys.add(key);
    }
  }

  private async loadPlaces(keys: Set<string>): Promise<void> {
    const list = [...keys];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('place_aliases as a')
        .innerJoin('places as p', 'p.id', 'a.place_id')
        .select(['a.name_key', ...PLACE_COLUMNS])
        .where('a.name_key', 'in', list.slice(i, i + CHUNK))
        .orderBy('p.id')
        .execute();
      for (const row of rows) {
        const { name_key, ...place } = row;
        const cached = this.placesByKey.get(`${place.kind}|${name_key}`);
        if (cached && !cached.some((p) => p.id === place.id)) cached.push(place);
      }
    }
  }

  private async loadAgencyKeys(keys: Set<string>): Promise<void> {
    const list = [...keys];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('agency_aliases as a')
        .innerJoin('agencies as g', 'g.id', 'a.agency_id')
        .select(['a.name_key', 'a.state_code as alias_state', ...AGENCY_COLUMNS.map((c) => `g.${c}` as const)])
        .where('a.name_key', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) {
        const { name_key, alias_state, ...agency } = row;
        this.agenciesByKey.get(`${alias_state}|${name_key}`)?.set(agency.id, agency);
      }
    }
  }

  private agencyQuery() {
    return this.db.selectFrom('agencies').select([...AGENCY_COLUMNS]);
  }
}

function largest(places: readonly PlaceRef[]): PlaceRef | null {
  let best: PlaceRef | null = null;
  for (const p of places) {
    if (
      best === null ||
      (p.population ?? -1) > (best.population ?? -1) ||
      ((p.population ?? -1) === (best.population ?? -1) && p.id < best.id)
    )
      best = p;
  }
  return best;
}

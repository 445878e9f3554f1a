import type { Kysely } from 'kysely';
import { agencyNameKeys, normalizeAgencyName, normalizeCountyName, normalizePlaceName, placeNameFromAgencyName } from '#src/domain/names';

interface AgencyTraits {
  readonly city: string | null;
  readonly sheriff: boolean;
}

export interface PlaceRef {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
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
}

const CHUNK = 500;
const MAX_KEPT_AT_PLACES = 50_000;

/**
 * Finds places and agencies by name for importers. Lookups are loaded in bulk per batch (`load`) and
 * then answered from memory (`place`, `county`, `agencyByName`), so a batch costs a few queries, not
 * a few per row.
 */
export class Resolver {
  private readonly placesByKey = new Map<string, PlaceRef[]>();
  private readonly agenciesByKey = new Map<string, Map<string, AgencyRef>>();
  private readonly agenciesByPlace = new Map<string, Map<string, AgencyRef>>();
  private readonly agenciesByOri = new Map<string, AgencyRef | null>();
  private keptAtPlaces = 0;

  /** `db` must be the import's transaction: SQLite has one connection, and lookups must see the batch's writes. */
  constructor(private readonly db: Kysely<any>) {}

  /**
   * Forgets the agencies looked up by name and ORI so far (places stay: imports of evidence do not change
   * them), so that memory stays bounded however long the file; the next batch loads what it needs again.
   * The agencies of each place are kept across batches (rows of a big file return to the same towns, and
   * loading them again was a sixth of an import's time), up to MAX_KEPT_AT_PLACES agencies.
   */
  startBatch(): void {
    this.agenciesByKey.clear();
    this.agenciesByOri.clear();
    if (this.keptAtPlaces > MAX_KEPT_AT_PLACES) {
      this.agenciesByPlace.clear();
      this.keptAtPlaces = 0;
    }
  }

  /** Loads what the next lookups need: place names, county names, agency names, ORIs, place ids. */
  async load(wanted: {
    places?: Array<{ state: string; name: string }>;
    counties?: Array<{ state: string; name: string }>;
    states?: string[];
    agencies?: Array<{ state: string; name: string }>;
    oris?: string[];
    agenciesAtPlaces?: string[];
  }): Promise<void> {
    const placeKeys = new Set<string>();
    for (const { state, name } of wanted.places ?? []) this.want(placeKeys, this.placesByKey, state, 'city', normalizePlaceName(name));
    for (const { state, name } of wanted.counties ?? []) this.want(placeKeys, this.placesByKey, state, 'county', normalizeCountyName(name));
    for (const state of wanted.states ?? []) this.want(placeKeys, this.placesByKey, state, 'state', state.toLowerCase());
    await this.loadPlaces(placeKeys);

    const agencyKeys = new Set<string>();
    for (const { state, name } of wanted.agencies ?? []) {
      for (const key of agencyNameKeys(name)) {
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

    const placeIds = [...new Set(wanted.agenciesAtPlaces ?? [])].filter((p) => !this.agenciesByPlace.has(p));
    for (let i = 0; i < placeIds.length; i += CHUNK) {
      const chunk = placeIds.slice(i, i + CHUNK);
      for (const p of chunk) this.agenciesByPlace.set(p, new Map());
      const rows: AgencyRef[] = await this.agencyQuery().where('place_id', 'in', chunk).execute();
      for (const row of rows) this.agenciesByPlace.get(row.place_id!)!.set(row.id, row);
      this.keptAtPlaces += rows.length;
    }
  }

  /**
   * The city or town named `name` in `state`. Several namesakes are told apart by `countyGeoids`
   * when given, then by population. Null when none is known.
   */
  place(state: string, name: string, countyGeoids: readonly string[] = []): PlaceRef | null {
    const candidates = this.placesByKey.get(`${state}|city|${normalizePlaceName(name)}`) ?? [];
    if (candidates.length <= 1) return candidates[0] ?? null;
    const inCounty = candidates.filter((p) => p.county_geoid !== null && countyGeoids.includes(p.county_geoid));
    return largest(inCounty.length > 0 ? inCounty : candidates);
  }

  /** The state's own place record; null when states have not been imported. */
  state(code: string): PlaceRef | null {
    return this.placesByKey.get(`${code}|state|${code.toLowerCase()}`)?.[0] ?? null;
  }

  county(state: string, name: string): PlaceRef | null {
    return largest(this.placesByKey.get(`${state}|county|${normalizeCountyName(name)}`) ?? []);
  }

  /** The one agency in `state` known by this name; null when there is none or the name is ambiguous. */
  agencyByName(state: string, name: string): AgencyRef | null {
    for (const key of agencyNameKeys(name)) {
      const found = this.agenciesByKey.get(`${state}|${key}`);
      if (found?.size === 1) return found.values().next().value!;
      if (found && found.size > 1) return null;
    }
    return null;
  }

  agencyByOri(ori: string): AgencyRef | null {
    return this.agenciesByOri.get(ori) ?? null;
  }

  /** The one agency at a city that is named after it ("Opelika Police Department"); null when none or several. */
  policeOf(place: PlaceRef): AgencyRef | null {
    const city = normalizePlaceName(place.name);
    return this.only(place.id, (t) => t.city === city);
  }

  /** The one sheriff of a county; null when none or several. */
  sheriffOf(county: PlaceRef): AgencyRef | null {
    return this.only(county.id, (t) => t.sheriff);
  }

  private only(placeId: string, test: (traits: AgencyTraits) => boolean): AgencyRef | null {
    let found: AgencyRef | null = null;
    for (const agency of this.agenciesByPlace.get(placeId)?.values() ?? []) {
      if (!test(this.traitsOf(agency))) continue;
      if (found) return null;
      found = agency;
    }
    return found;
  }

  // Name traits are computed once per agency: a city's list of agencies is scanned for every row there.
  private readonly traits = new WeakMap<AgencyRef, AgencyTraits>();
  private traitsOf(agency: AgencyRef): AgencyTraits {
    let traits = this.traits.get(agency);
    if (!traits) {
      traits = { city: placeNameFromAgencyName(agency.name), sheriff: /sheriffs/.test(normalizeAgencyName(agency.name)) };
      this.traits.set(agency, traits);
    }
    return traits;
  }

  /** Makes an agency created or changed in this run findable by the rows after it. */
  remember(agency: AgencyRef, names: readonly string[]): void {
    for (const name of names) {
      for (const key of agencyNameKeys(name)) {
        const cacheKey = `${agency.state_code}|${key}`;
        const known = this.agenciesByKey.get(cacheKey) ?? new Map<string, AgencyRef>();
        known.set(agency.id, agency);
        this.agenciesByKey.set(cacheKey, known);
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

  private want(keys: Set<string>, cache: Map<string, unknown[]>, state: string, kind: string, key: string): void {
    const cacheKey = `${state}|${kind}|${key}`;
    if (key !== '' && !cache.has(cacheKey)) {
      cache.set(cacheKey, []);
      keys.add(key);
    }
  }

  private async loadPlaces(keys: Set<string>): Promise<void> {
    const list = [...keys];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('place_aliases as a')
        .innerJoin('places as p', 'p.id', 'a.place_id')
        .select(['a.name_key', 'p.id', 'p.kind', 'p.name', 'p.state_code', 'p.geoid', 'p.county_geoid', 'p.lat', 'p.lon', 'p.population'])
        .where('a.name_key', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) {
        const cached = this.placesByKey.get(`${row.state_code}|${row.kind}|${row.name_key}`);
        if (cached && !cached.some((p) => p.id === row.id)) cached.push(row);
      }
    }
  }

  private async loadAgencyKeys(keys: Set<string>): Promise<void> {
    const list = [...keys];
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('agency_aliases as a')
        .innerJoin('agencies as g', 'g.id', 'a.agency_id')
        .select(['a.name_key', 'a.state_code as alias_state', 'g.id', 'g.name', 'g.state_code', 'g.ori', 'g.agency_type', 'g.place_id', 'g.lat', 'g.lon'])
        .where('a.name_key', 'in', list.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) {
        this.agenciesByKey.get(`${row.alias_state}|${row.name_key}`)?.set(row.id, row);
      }
    }
  }

  private agencyQuery() {
    return this.db.selectFrom('agencies').select(['id', 'name', 'state_code', 'ori', 'agency_type', 'place_id', 'lat', 'lon']);
  }
}

function largest(places: readonly PlaceRef[]): PlaceRef | null {
  let best: PlaceRef | null = null;
  for (const p of places) {
    if (best === null || (p.population ?? -1) > (best.population ?? -1) || ((p.population ?? -1) === (best.population ?? -1) && p.id < best.id)) best = p;
  }
  return best;
}

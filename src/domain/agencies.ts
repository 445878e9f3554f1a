import { normalizeAgencyName, normalizeCountyName, normalizePlaceName } from './names';

/**
 * What kind of government an agency belongs to, which decides where it is drawn: a city or town's
 * agency at its town's point, a county's (a sheriff, a county police) at its county's internal point,
 * others (state agencies, campuses, transit, tribes) at the FBI's point where it agrees with their place.
 */
export const AGENCY_LEVELS = ['city', 'county', 'state', 'federal', 'tribal', 'special'] as const;
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];

/** The municipal forms that tell two agencies of one name apart ("Chester Town" and "Chester Village"). */
export type TownForm = 'town' | 'village' | 'borough' | 'township';
const FORMS = 'town|village|borough|township';

/** An agency's name read for matching: lookup keys, the town and county it is named after. */
export interface AgencyName {
  /** Keys it is recorded under in its state (its aliases), most specific first. */
  readonly keys: readonly string[];
  /** Keys to look it up by: its own, then ones only other agencies are recorded under (see `parseAgencyName`). */
  readonly lookupKeys: readonly string[];
  /** The town it is named after, as a normalised place name ("opelika"), or null. */
  readonly town: string | null;
  readonly form: TownForm | null;
  /** A county it names, normalised ("lee" in "Lee County Sheriff's Office", or the FBI's ", Chester County" suffix). */
  readonly county: string | null;
  readonly sheriff: boolean;
}

const KIND =
  'police department|department of public safety|public safety department|public safety|marshals office|police|constable';
const KIND_SUFFIX = new RegExp(`\\s(${KIND})$`);
// The FBI tells same-named agencies apart with a county: "Schuylkill Township Police Department, Chester County".
const COUNTY_SUFFIX = /,\s*([^,:]+?)\s+(county|parish|borough)\s*$/i;

const parsed = new Map<string, AgencyName>();

/**
 * Reads an agency's name the ways real data spells it: "Metro" and "Metropolitan", "Columbus Division of
 * Police" and "Columbus Police Department", "Town of Greece Police Department" and "Greece Town Police
 * Department", "Metropolitan Nashville Police Department" and "Nashville Metropolitan Police Department",
 * "Kansas City, Kansas Police Department" in Kansas, a leading "The", the FBI's ", X County" suffix.
 * `stateName` (e.g. "Kansas") lets a name that repeats its state match one that does not.
 */
export function parseAgencyName(name: string, stateName = ''): AgencyName {
  const cacheKey = `${stateName}|${name}`;
  let result = parsed.get(cacheKey);
  if (result === undefined) {
    result = parseOnce(name, stateName);
    if (parsed.size >= 20_000) parsed.clear();
    parsed.set(cacheKey, result);
  }
  return result;
}

function parseOnce(name: string, stateName: string): AgencyName {
  const suffix = COUNTY_SUFFIX.exec(name);
  const base = suffix ? name.slice(0, suffix.index) : name;
  const full = canonicalAgencyKey(normalizeAgencyName(base));
  const keys = [full];
  const add = (key: string) => {
    if (key !== '' && !keys.includes(key)) keys.push(key);
  };
  // "lee county sheriffs office" and "lee county sheriffs department" share "lee county sheriffs".
  const core = full.replace(/\s(department|office|division|agency)$/, '');
  if (core !== full && core.split(' ').length >= 2) add(core);
  add(full.replace(new RegExp(`^(.+) (${FORMS}|city) (${KIND})$`), '$1 $3'));
  add(full.replace(new RegExp(`^(.+) metropolitan (${KIND})$`), '$1 $2'));
  const state = normalizePlaceName(stateName);
  if (state !== '') add(full.replace(new RegExp(`^(.+) ${escapeRegExp(state)} (${KIND})$`), '$1 $2'));
  // "carson city county sheriffs office" (FBI) and "carson city sheriffs office": a county named like its city.
  add(core.replace(/^(.+) county sheriffs$/, '$1 sheriffs'));
  // "Miami-Dade County Police Department" (FBI) and "Miami-Dade Police Department": a county's agency is
  // recorded under a key without "county" that only county agencies carry, so a town's police never
  // matches a county's; a name without "county" looks that key up too.
  const countyless = `county:${full.replace(/ county\b/, '')}`;
  const lookupKeys = [...keys];
  if (/ county\b/.test(full)) add(countyless);
  else if (!lookupKeys.includes(countyless)) lookupKeys.push(countyless);
  for (const key of keys) if (!lookupKeys.includes(key)) lookupKeys.push(key);

  const sheriff = /\bsheriffs\b/.test(full);
  const countyInName = /^(.+?) county\b/.exec(full);
  const county = suffix
    ? normalizeCountyName(suffix[1]!)
    : sheriff || /\bcounty (police|public safety)/.test(full)
      ? countyInName
        ? normalizeCountyName(countyInName[1]!)
        : null
      : null;

  let town: string | null = null;
  let form: TownForm | null = null;
  if (!sheriff && KIND_SUFFIX.test(full)) {
    let rest = full.replace(KIND_SUFFIX, '').replace(/ metropolitan$/, '');
    if (state !== '' && rest.endsWith(` ${state}`) && rest !== state) rest = rest.slice(0, -state.length - 1);
    const formMatch = new RegExp(`^(.+) (${FORMS})$`).exec(rest);
    if (formMatch) {
      rest = formMatch[1]!;
      form = formMatch[2] as TownForm;
    }
    if (!/\bcounty$/.test(rest) && rest !== '') town = normalizePlaceName(rest);
  }
  return { keys, lookupKeys, town: town === '' ? null : town, form, county, sheriff };
}

/** Rewrites the spellings of one name into one key (input: `normalizeAgencyName`'s output). */
export function canonicalAgencyKey(normalized: string): string {
  return normalized
    .replace(/\bmetro\b/g, 'metropolitan')
    .replace(/\b(division|bureau) of police\b/g, 'police department')
    .replace(/\bpolice (division|bureau)\b/g, 'police department')
    .replace(/\bpolice department police department\b/g, 'police department')
    .replace(/ police$/, ' police department')
    .replace(new RegExp(`^metropolitan (.+) (${KIND})$`), '$1 metropolitan $2')
    .replace(new RegExp(`^city of (.+) (${KIND})$`), '$1 $2')
    .replace(new RegExp(`^(${FORMS}) of (.+) (${KIND})$`), '$2 $1 $3')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Two forms agree when they are equal or one is not given ("Clarkstown Police" is "Clarkstown Town Police"). */
export function formsAgree(a: TownForm | null, b: TownForm | null): boolean {
  return a === null || b === null || a === b;
}

/** The municipal form of a Census place from its full name ("Chester village" → village); null for cities and CDPs. */
export function placeForm(fullName: string): TownForm | null {
  const m = new RegExp(`\\s(${FORMS})$`).exec(fullName.toLowerCase());
  return m ? (m[1] as TownForm) : null;
}

/**
 * An agency's level from the types its sources give (the FBI's "City", "County", "State Police", …; the
 * Atlas's "Type of Juris" such as "Municipal", "University") and its name.
 */
export function agencyLevel(name: string, types: ReadonlyArray<string | null>): AgencyLevel {
  const given = types.filter((t): t is string => !!t).map((t) => t.trim().toLowerCase());
  const n = name.toLowerCase();
  if (/sheriff/.test(n)) return 'county';
  for (const t of given) {
    if (/^(city|municipal|borough|town|village)$/.test(t)) return 'city';
    if (/^(county|parish)$/.test(t)) return 'county';
    if (/^(state|state police|other state agency|statewide|territory)$/.test(t)) return 'state';
    if (/^(federal|dhs)$/.test(t)) return 'federal';
    if (/^tribal$/.test(t)) return 'tribal';
    if (/university|college|school|airport|transit|port|regional|cross-jurisdictional|other/.test(t)) return 'special';
  }
  if (/\b(university|college|school|airport|transit|port|harbor|park district)\b/.test(n)) return 'special';
  if (/\b(tribal|tribe|nation|band|pueblo)\b/.test(n)) return 'tribal';
  if (/\bcounty\b/.test(n)) return 'county';
  if (/\bstate (police|patrol)|highway patrol|department of/.test(n)) return 'state';
  return 'city';
}

/** Levenshtein distance, giving up (returning max + 1) once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      if (value < best) best = value;
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** A town named in an agency's name is a misspelling of `placeName` (two letters at most, in names of five or more). */
export function isLikelyMisspelling(town: string, placeName: string): boolean {
  if (town === placeName || town.length < 5 || placeName.length < 5) return false;
  return editDistance(town, placeName, 2) <= 2;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

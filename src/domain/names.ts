/** Turns text into a URL-safe slug: "St. Louis County" → "st-louis-county". */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// Abbreviations agencies are written with in the FBI list, the Atlas, Ring and Flock portals.
const AGENCY_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/\bdept\b\.?/g, 'department'],
  [/\bdepartmen\b/g, 'department'],
  [/\bpd\b/g, 'police department'],
  [/\bso\b/g, 'sheriffs office'],
  [/\bs\.o\b\.?/g, 'sheriffs office'],
  [/\bco\b\.?/g, 'county'],
  [/\bcnty\b/g, 'county'],
  [/\btwp\b\.?/g, 'township'],
  [/\bst\b\.?/g, 'saint'],
  [/\bste\b\.?/g, 'sainte'],
  [/\bft\b\.?/g, 'fort'],
  [/\bmt\b\.?/g, 'mount'],
  [/\bpub\b\.?/g, 'public'],
  [/\bdps\b/g, 'department of public safety'],
  [/\bsheriff s\b/g, 'sheriffs'],
  [/\bsheriff\b(?! s)/g, 'sheriffs'],
  [/\s&\s/g, ' and '],
];

// An import normalises each name several times (to load, resolve, remember and alias it), and these
// regular expressions are a large share of its time; the last few thousand answers are kept.
const REMEMBERED_NAMES = 5000;
const agencyNames = new Map<string, string>();
const placeNames = new Map<string, string>();

function remembered(cache: Map<string, string>, name: string, normalize: (name: string) => string): string {
  let normalized = cache.get(name);
  if (normalized === undefined) {
    normalized = normalize(name);
    if (cache.size >= REMEMBERED_NAMES) cache.clear();
    cache.set(name, normalized);
  }
  return normalized;
}

function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '');
}

/**
 * Normalises an agency name so that spellings of the same agency compare equal:
 * "St. Louis Co. Police Dept." and "Saint Louis County Police Department" → "saint louis county police department".
 */
export function normalizeAgencyName(name: string): string {
  return remembered(agencyNames, name, normalizeAgencyNameOnce);
}

function normalizeAgencyNameOnce(name: string): string {
  let text = ' ' + foldText(name).replace(/[^a-z0-9&.]+/g, ' ') + ' ';
  for (const [pattern, replacement] of AGENCY_WORDS) text = text.replace(pattern, replacement);
  return text
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/^the /, '')
    .trim()
    .replace(/\s+/g, ' ');
}

const GENERIC_TAIL = /\s(department|office|division|agency)$/;

/**
 * The keys an agency can be found under in one state: its normalised name, and the name without a
 * trailing generic word ("lee county sheriffs office" → "lee county sheriffs"), which joins
 * "Sheriff's Office" and "Sheriff's Department" spellings of one sheriff.
 */
export function agencyNameKeys(name: string): string[] {
  const full = normalizeAgencyName(name);
  const core = full.replace(GENERIC_TAIL, '');
  return core !== full && core.split(' ').length >= 2 ? [full, core] : [full];
}

const PLACE_SUFFIX =
  /\s(city|town|village|borough|township|charter township|municipality|cdp|plantation|city and borough|consolidated government|metropolitan government|unified government)(\s\(balance\))?$/;

/** Normalises a place name for lookup: "St. Paul city" → "saint paul". */
export function normalizePlaceName(name: string): string {
  return remembered(placeNames, name, normalizePlaceNameOnce);
}

function normalizePlaceNameOnce(name: string): string {
  let text = ' ' + foldText(name).replace(/[^a-z0-9.]+/g, ' ') + ' ';
  text = text
    .replace(/\bst\b\.?/g, 'saint')
    .replace(/\bste\b\.?/g, 'sainte')
    .replace(/\bft\b\.?/g, 'fort')
    .replace(/\bmt\b\.?/g, 'mount');
  return text
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/^the /, '')
    .replace(PLACE_SUFFIX, '');
}

/**
 * Normalises a county name: "Lee County", "LEE", "Lee Co." → "lee". An independent city keeps its "city"
 * ("St. Louis city", "ST LOUIS CITY" → "saint louis city"), so it is not taken for the county of its name.
 */
export function normalizeCountyName(name: string): string {
  const text = name.trim();
  if (/\S\s+city$/i.test(text) && !/\bcounty\s+city$/i.test(text))
    return `${normalizePlaceName(text.replace(/\s+city$/i, ''))} city`;
  return normalizePlaceName(name)
    .replace(/\s(county|parish|borough|census area|municipality|city and borough|municipio)$/, '')
    .replace(/\scounty$/, '')
    .trim();
}

const AGENCY_KIND_SUFFIX =
  /\s(police department|police dept|police|department of public safety|public safety department|public safety|marshals office|marshal|town marshal|city marshal|constable)$/;

/**
 * The town or city an agency is named after: "Opelika Police Department" → "opelika"; null when the name does not say.
 */
export function placeNameFromAgencyName(name: string): string | null {
  const normalized = normalizeAgencyName(name);
  const stripped = normalized.replace(AGENCY_KIND_SUFFIX, '');
  if (stripped === normalized || stripped.length === 0) return null;
  return normalizePlaceName(stripped.replace(/^(city|town|village|borough) of /, ''));
}

/**
 * A person's name as a key that two sources' spellings share: first and last name, lower case, without
 * initials, titles, suffixes or punctuation ("Lori E. Lightfoot" and "Lori Lightfoot" → "lori lightfoot").
 */
export function personNameKey(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z\s-]/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 1 && !['jr', 'sr', 'ii', 'iii', 'iv', 'dr', 'mr', 'mrs', 'ms', 'hon'].includes(w));
  return words.length <= 2 ? words.join(' ') : `${words[0]} ${words[words.length - 1]}`;
}

import { slugify } from './names';

/**
 * Vendors under one canonical name each. Aliases cover spellings, typos and renames seen in real data
 * ("Shotspotter", "ShotSpotter" and "SoundThinking" are one company).
 */
const CANONICAL_VENDORS: ReadonlyArray<{ name: string; aliases: readonly string[] }> = [
  { name: 'SoundThinking (ShotSpotter)', aliases: ['ShotSpotter', 'Shot Spotter', 'SoundThinking', 'Sound Thinking'] },
  { name: 'Geolitica (PredPol)', aliases: ['PredPol', 'Geolitica'] },
  { name: 'Vigilant Solutions', aliases: ['Vigilant', 'Vigilant Solutions'] },
  { name: 'Leonardo (ELSAG)', aliases: ['ELSAG', 'Leonardo', 'Selex', 'Selex ES'] },
  { name: 'Neology (PIPS)', aliases: ['PIPS', 'Neology', 'Neology/PIPS', 'PIPS Technology'] },
  { name: 'Axon', aliases: ['Axon', 'TASER', 'Taser International'] },
  { name: 'VieVu', aliases: ['VieVu', 'CopVu/VieVu', 'CopVu'] },
  { name: 'WatchGuard', aliases: ['WatchGuard'] },
  { name: 'SkyCop', aliases: ['SkyCop'] },
  { name: 'Physical Sciences', aliases: ['Physical Sciences', 'Physcial Sciences'] },
  { name: 'Motorola Solutions', aliases: ['Motorola', 'Motorola Solutions'] },
  { name: 'Flock Safety', aliases: ['Flock', 'Flock Safety'] },
  { name: 'Ring', aliases: ['Ring', 'Amazon Ring', 'Ring LLC'] },
  { name: 'DataWorks Plus', aliases: ['DataWorks Plus', 'Dataworks'] },
  { name: 'Clearview AI', aliases: ['Clearview', 'Clearview AI'] },
  { name: 'Harris Corporation', aliases: ['Harris', 'Harris Corp', 'Harris Corp.', 'Harris Corporation', 'L3Harris'] },
  { name: 'Genetec AutoVu', aliases: ['Genetec', 'Genetec AutoVu', 'AutoVu'] },
  { name: 'Project NOLA', aliases: ['Project NOLA'] },
  { name: 'Aeryon Labs', aliases: ['Aeryon', 'Aeryon Labs'] },
  { name: 'Draganfly', aliases: ['Draganfly', 'Draganfly Innovations'] },
  { name: 'NDI Recognition Systems', aliases: ['NDI', 'NDI Recognition Systems', 'NDI Technologies'] },
  { name: 'Pro-Vision', aliases: ['Pro-Vision', 'ProVision', 'Pro Vision'] },
  { name: 'Digital Ally', aliases: ['Digital Ally'] },
  { name: 'Wolfcom', aliases: ['Wolfcom', 'WolfCom'] },
  { name: 'Idemia', aliases: ['Idemia', 'MorphoTrust', 'Morpho'] },
  { name: 'DJI', aliases: ['DJI', 'DJI Technology'] },
];

/** What sources write where a vendor is unknown: not a vendor. */
const PLACEHOLDERS = /^(others?|unknown|none|n\/?a|various|tbd|multiple|see (summary|above))$/i;
/** An agency's own name written in the vendor column (it built or runs the system itself): not a vendor. */
const AGENCY_NAME = /\b(police|sheriff'?s?|department|county|city of|village of|town of)\b/i;

/** The other names a canonical vendor is known by (for its page and the API). */
export function vendorAliases(id: string): string[] {
  const vendor = CANONICAL_VENDORS.find((v) => slugify(v.name) === id);
  return vendor ? vendor.aliases.filter((a) => a !== vendor.name) : [];
}

function looseKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

const canonicalByAlias = new Map<string, string>(
  CANONICAL_VENDORS.flatMap((v) => [v.name, ...v.aliases].map((a) => [looseKey(a), v.name] as [string, string])),
);

export interface VendorName {
  readonly id: string;
  readonly name: string;
}

/**
 * The canonical vendor for one spelling; unknown vendors keep their own (trimmed) name. Null for an empty
 * value, a placeholder ("Others") or an agency's own name.
 */
export function canonicalVendor(name: string): VendorName | null {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (trimmed === '' || PLACEHOLDERS.test(trimmed) || AGENCY_NAME.test(trimmed)) return null;
  const canonical = canonicalByAlias.get(looseKey(trimmed)) ?? trimmed;
  return { id: slugify(canonical), name: canonical };
}

/**
 * Splits a vendor field that may name several companies ("Vigilant Solutions, Neology/PIPS") into
 * canonical vendors, without duplicates, in the order given. " and " separates two vendors only when one
 * side is a known vendor ("Intergraph Security and Axon"); otherwise it is part of a name ("Institute for
 * Human and Machine Cognition").
 */
export function parseVendorList(field: string): VendorName[] {
  const seen = new Map<string, VendorName>();
  for (const part of field.split(/[,;]/)) {
    for (const name of splitOnAnd(part)) {
      const vendor = canonicalVendor(name);
      if (vendor && !seen.has(vendor.id)) seen.set(vendor.id, vendor);
    }
  }
  return [...seen.values()];
}

function splitOnAnd(part: string): string[] {
  const pieces = part.split(/\s+and\s+/i);
  if (pieces.length === 1 || canonicalByAlias.has(looseKey(part))) return [part];
  return pieces.some((p) => canonicalByAlias.has(looseKey(p))) ? pieces : [part];
}

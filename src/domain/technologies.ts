/**
 * The vocabulary of surveillance technologies. It is data (the `technologies` table), open to values never
 * seen before: an import that meets one creates an *unreviewed* technology rather than rejecting its row,
 * and editors rename, merge and review them (`cli technologies`). The built-in ones below seed it: the EFF
 * Atlas of Surveillance's 12 categories (Ring/Neighbors partnership among them) plus social-media
 * monitoring, used by EFF's campus dataset. Slugs are stable: they appear in URLs, the API and exports.
 */
export interface Technology {
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  /** Other spellings that name it ("Cell-site Simulator", "ALPR"); plurals need not be listed. */
  readonly synonyms: readonly string[];
  /** False for a technology an import created from a value never seen before, until an editor reviews it. */
  readonly reviewed: boolean;
}

interface BuiltInTechnology extends Omit<Technology, 'synonyms' | 'reviewed'> {
  /** The spelling used by the Atlas export's `Technology` column. */
  readonly atlasName: string;
  readonly synonyms?: readonly string[];
}

const BUILT_IN: readonly BuiltInTechnology[] = [
  {
    slug: 'ring-neighbors',
    name: 'Ring/Neighbors partnership',
    atlasName: 'Ring/Neighbors Partnership',
    description:
      "An agreement with Amazon's Ring giving police a portal to request footage from residents' cameras through the Neighbors app.",
  },
  {
    slug: 'face-recognition',
    name: 'Face recognition',
    atlasName: 'Face Recognition',
    description: 'Software that identifies or verifies people from images of their faces.',
    synonyms: ['Face recognition technology', 'Facial Recognition'],
  },
  {
    slug: 'license-plate-readers',
    name: 'Automated license plate readers',
    atlasName: 'Automated License Plate Readers',
    description: 'Cameras that capture and log vehicle plates, times and locations.',
    synonyms: ['ALPR', 'LPR'],
  },
  {
    slug: 'body-worn-cameras',
    name: 'Body-worn cameras',
    atlasName: 'Body-worn Cameras',
    description: 'Cameras worn by officers.',
  },
  { slug: 'drones', name: 'Drones', atlasName: 'Drones', description: 'Unmanned aerial vehicles.' },
  {
    slug: 'camera-registry',
    name: 'Camera registry',
    atlasName: 'Camera Registry',
    description: 'A register of private security cameras that police can ask for footage.',
  },
  {
    slug: 'predictive-policing',
    name: 'Predictive policing',
    atlasName: 'Predictive Policing',
    description: 'Software that forecasts where crime may occur or who may be involved.',
  },
  {
    slug: 'gunshot-detection',
    name: 'Gunshot detection',
    atlasName: 'Gunshot Detection',
    description: 'Acoustic sensors that report suspected gunfire.',
  },
  {
    slug: 'fusion-center',
    name: 'Fusion center',
    atlasName: 'Fusion Center',
    description: 'An intelligence-sharing centre run with state and federal partners.',
  },
  {
    slug: 'cell-site-simulator',
    name: 'Cell-site simulator',
    atlasName: 'Cell-site Simulator',
    description: 'A device that mimics a cell tower to locate or intercept phones.',
  },
  {
    slug: 'real-time-crime-center',
    name: 'Real-time crime center',
    atlasName: 'Real-Time Crime Center',
    description: 'A hub that pulls live camera and sensor feeds together.',
  },
  {
    slug: 'video-analytics',
    name: 'Video analytics / computer vision',
    atlasName: 'Video Analytics/Computer Vision',
    description: 'Software that searches or flags video automatically.',
    synonyms: ['Video Analytics'],
  },
  {
    slug: 'social-media-monitoring',
    name: 'Social media monitoring',
    atlasName: 'Social Media Monitoring',
    description: "Tools that watch or search people's social-media activity.",
  },
];

/** The built-in technologies, reviewed, with the Atlas's spelling among their synonyms. */
export const BUILT_IN_TECHNOLOGIES: readonly Technology[] = BUILT_IN.map(({ atlasName, synonyms, ...t }) => ({
  ...t,
  synonyms: [atlasName, ...(synonyms ?? [])].filter((s) => s !== t.name),
  reviewed: true,
}));

function looseKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** The loose keys a name may be known by: itself, and its singular ("Simulators", "Registries", "Centers"). */
function looseKeys(name: string): string[] {
  const key = looseKey(name);
  const keys = [key];
  if (key.endsWith('ies')) keys.push(`${key.slice(0, -3)}y`);
  if (key.endsWith('s')) keys.push(key.slice(0, -1));
  return keys;
}

/**
 * The slug a technology first seen as `name` gets: lower case, words joined by "-", its last word singular
 * ("Camera Networks" → camera-network, "Iris scanning" → iris-scanning); null when the name has no letter.
 */
export function technologySlugFor(name: string): string | null {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  if (!words.some((w) => /[a-z]/.test(w))) return null;
  const last = words[words.length - 1]!;
  if (last.length > 4 && last.endsWith('ies')) words[words.length - 1] = `${last.slice(0, -3)}y`;
  else if (last.length > 3 && last.endsWith('s') && !/(ss|us|is)$/.test(last))
    words[words.length - 1] = last.slice(0, -1);
  return words.join('-').slice(0, 80).replace(/-+$/, '');
}

/** What a dataset's technology cell names: the known technologies, and the parts no spelling matches. */
export interface TechnologyValue {
  readonly known: readonly Technology[];
  readonly unknown: readonly string[];
}

/** The technologies a database holds, found by slug or by any spelling. */
export class TechnologyVocabulary {
  private readonly bySlug: Map<string, Technology>;
  private readonly byLooseName = new Map<string, Technology>();

  constructor(readonly technologies: readonly Technology[]) {
    this.bySlug = new Map(technologies.map((t) => [t.slug, t]));
    for (const t of technologies) {
      for (const name of [t.slug, t.name, ...t.synonyms])
        if (!this.byLooseName.has(looseKey(name))) this.byLooseName.set(looseKey(name), t);
    }
  }

  findBySlug(slug: string): Technology | null {
    return this.bySlug.get(slug) ?? null;
  }

  /** By any known spelling ("Automated License Plate Readers", "ALPR"), singular or plural ("Cell-site Simulators"). */
  findByName(name: string): Technology | null {
    for (const key of looseKeys(name)) {
      const found = this.byLooseName.get(key);
      if (found) return found;
    }
    return null;
  }

  /**
   * Reads a technology cell, which may name one technology ("Video Analytics/Computer Vision", whose name
   * holds a slash) or several joined by "/" or ";" ("Automated License Plate Readers/Camera Network",
   * "Camera Networks/Real-Time Crime Centers"). The whole value is tried first; a compound gives each
   * technology once, in order, and the parts that name nothing known, trimmed as written.
   */
  parse(value: string): TechnologyValue {
    const whole = value.trim();
    if (whole === '') return { known: [], unknown: [] };
    const single = this.findByName(whole);
    if (single) return { known: [single], unknown: [] };
    const known: Technology[] = [];
    const unknown: string[] = [];
    for (const part of whole.split(/\s*[/;]\s*/).filter((p) => p !== '')) {
      const found = this.findByName(part);
      if (!found) {
        if (!unknown.some((u) => looseKey(u) === looseKey(part))) unknown.push(part);
      } else if (!known.includes(found)) known.push(found);
    }
    return { known, unknown };
  }
}

/**
 * The vocabulary this process reads by: the built-in one until a database's is loaded
 * (`loadTechnologyVocabulary` in features/technologies), which happens on start, after each import and
 * when the dataset version changes.
 */
let current = new TechnologyVocabulary(BUILT_IN_TECHNOLOGIES);

export function technologyVocabulary(): TechnologyVocabulary {
  return current;
}

export function useTechnologyVocabulary(vocabulary: TechnologyVocabulary): void {
  current = vocabulary;
}

export function findTechnologyBySlug(slug: string): Technology | null {
  return current.findBySlug(slug);
}

export function findTechnologyByName(name: string): Technology | null {
  return current.findByName(name);
}

export function parseTechnologyValue(value: string, vocabulary: TechnologyVocabulary = current): TechnologyValue {
  return vocabulary.parse(value);
}

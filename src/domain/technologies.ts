/**
 * The controlled vocabulary of surveillance technologies: the EFF Atlas of Surveillance's 12 categories
 * (Ring/Neighbors partnership among them) plus social-media monitoring, used by EFF's campus dataset.
 * Slugs are stable: they appear in URLs, the API and exports.
 */
export interface Technology {
  readonly slug: string;
  readonly name: string;
  /** The spelling used by the Atlas export's `Technology` column. */
  readonly atlasName: string;
  readonly description: string;
}

export const TECHNOLOGIES: readonly Technology[] = [
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
  },
  {
    slug: 'license-plate-readers',
    name: 'Automated license plate readers',
    atlasName: 'Automated License Plate Readers',
    description: 'Cameras that capture and log vehicle plates, times and locations.',
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
  },
  {
    slug: 'social-media-monitoring',
    name: 'Social media monitoring',
    atlasName: 'Social Media Monitoring',
    description: "Tools that watch or search people's social-media activity.",
  },
];

const bySlug = new Map(TECHNOLOGIES.map((t) => [t.slug, t]));
const byLooseName = new Map(
  TECHNOLOGIES.flatMap((t) => [
    [looseKey(t.atlasName), t],
    [looseKey(t.name), t],
    [looseKey(t.slug), t],
  ]),
);
// Other spellings seen in real datasets.
byLooseName.set(looseKey('ALPR'), bySlug.get('license-plate-readers')!);
byLooseName.set(looseKey('Automated License Plate Reader'), bySlug.get('license-plate-readers')!);
byLooseName.set(looseKey('Video Analytics'), bySlug.get('video-analytics')!);
byLooseName.set(looseKey('Face recognition technology'), bySlug.get('face-recognition')!);

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

export function findTechnologyBySlug(slug: string): Technology | null {
  return bySlug.get(slug) ?? null;
}

/**
 * Finds a technology by any known spelling ("Automated License Plate Readers", "ALPR"), singular or
 * plural ("Cell-site Simulators"); null when unknown.
 */
export function findTechnologyByName(name: string): Technology | null {
  for (const key of looseKeys(name)) {
    const found = byLooseName.get(key);
    if (found) return found;
  }
  return null;
}

/** What a dataset's technology cell names: the known technologies, and the parts no spelling matches. */
export interface TechnologyValue {
  readonly known: readonly Technology[];
  readonly unknown: readonly string[];
}

/**
 * Reads a technology cell, which may name one technology ("Video Analytics/Computer Vision", whose name
 * holds a slash) or several joined by "/" or ";" ("Automated License Plate Readers/Camera Network",
 * "Camera Networks/Real-Time Crime Centers"). The whole value is tried first; a compound gives each
 * technology once, in order, and the parts that name nothing known, trimmed as written.
 */
export function parseTechnologyValue(value: string): TechnologyValue {
  const whole = value.trim();
  if (whole === '') return { known: [], unknown: [] };
  const single = findTechnologyByName(whole);
  if (single) return { known: [single], unknown: [] };
  const known: Technology[] = [];
  const unknown: string[] = [];
  for (const part of whole.split(/\s*[/;]\s*/).filter((p) => p !== '')) {
    const found = findTechnologyByName(part);
    if (!found) {
      if (!unknown.includes(part)) unknown.push(part);
    } else if (!known.includes(found)) known.push(found);
  }
  return { known, unknown };
}

import { describe, expect, it } from 'vitest';
import { BUILT_IN_TECHNOLOGIES, technologySlugFor, TechnologyVocabulary } from './technologies';

// The values are as EFF's Atlas of Surveillance border-communities file (aos-bordercounties, 2020-01-10)
// writes them in its "Technology Type" column.
const builtIn = new TechnologyVocabulary(BUILT_IN_TECHNOLOGIES);
const findTechnologyByName = (name: string) => builtIn.findByName(name);
const parseTechnologyValue = (value: string) => builtIn.parse(value);
const slugs = (value: string) => parseTechnologyValue(value).known.map((t) => t.slug);

describe('technologies', () => {
  it('finds a technology by its plural and spelling variants', () => {
    expect(findTechnologyByName('Cell-site Simulators')?.slug).toBe('cell-site-simulator');
    expect(findTechnologyByName('Real-Time Crime Centers')?.slug).toBe('real-time-crime-center');
    expect(findTechnologyByName('Face recognition')?.slug).toBe('face-recognition');
    expect(findTechnologyByName('Ring/Neighbors')?.slug).toBe('ring-neighbors');
    expect(findTechnologyByName('Camera Registries')?.slug).toBe('camera-registry');
    expect(findTechnologyByName('Surveillance Towers')).toBeNull();
  });

  it('keeps a name that holds a slash whole', () => {
    expect(parseTechnologyValue('Video Analytics/Computer Vision')).toEqual({
      known: [expect.objectContaining({ slug: 'video-analytics' })],
      unknown: [],
    });
  });

  it('splits a compound value into each technology it names, and the parts it cannot name', () => {
    expect(slugs('Camera Networks/Real-Time Crime Centers')).toEqual(['real-time-crime-center']);
    expect(parseTechnologyValue('Camera Networks/Real-Time Crime Centers').unknown).toEqual(['Camera Networks']);
    expect(parseTechnologyValue('Automated License Plate Readers/Surveillance Trailer')).toMatchObject({
      known: [{ slug: 'license-plate-readers' }],
      unknown: ['Surveillance Trailer'],
    });
    expect(slugs('Drones; Face Recognition; Drones')).toEqual(['drones', 'face-recognition']);
    expect(parseTechnologyValue('  ')).toEqual({ known: [], unknown: [] });
  });

  it('gives a technology first seen a slug in the singular', () => {
    expect(technologySlugFor('Camera Networks')).toBe('camera-network');
    expect(technologySlugFor('Iris scanning')).toBe('iris-scanning');
    expect(technologySlugFor('Tethered Aerostat Radar System')).toBe('tethered-aerostat-radar-system');
    expect(technologySlugFor('Smart Streetlights')).toBe('smart-streetlight');
    expect(technologySlugFor('Lidar')).toBe('lidar');
    expect(technologySlugFor('Third-party Investigative Platforms')).toBe('third-party-investigative-platform');
    expect(technologySlugFor(' / ')).toBeNull();
  });

  it('finds a technology by the synonyms an editor gave it', () => {
    const vocabulary = new TechnologyVocabulary([
      ...BUILT_IN_TECHNOLOGIES,
      { slug: 'camera-network', name: 'Camera networks', description: '', synonyms: ['CCTV network'], reviewed: true },
    ]);
    expect(vocabulary.findByName('CCTV Networks')?.slug).toBe('camera-network');
    expect(vocabulary.parse('ALPR/Camera Network').known.map((t) => t.slug)).toEqual([
      'license-plate-readers',
      'camera-network',
    ]);
  });
});

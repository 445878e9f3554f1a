import { describe, expect, it } from 'vitest';
import { canonicalVendor, parseVendorList } from './vendors';

describe('vendors', () => {
  it('folds spellings and renames of one company into one vendor', () => {
    const ids = ['Shotspotter', 'ShotSpotter', 'SoundThinking', ' Shot Spotter '].map((v) => canonicalVendor(v)?.id);
    expect(new Set(ids)).toEqual(new Set(['soundthinking-shotspotter']));
    expect(canonicalVendor(' Predpol ')?.name).toBe('Geolitica (PredPol)');
    expect(canonicalVendor('Physcial Sciences')?.name).toBe('Physical Sciences');
  });

  it('keeps an unknown vendor under its own name', () => {
    expect(canonicalVendor('Acme Drones Inc.')).toEqual({ id: 'acme-drones-inc', name: 'Acme Drones Inc.' });
    expect(canonicalVendor('   ')).toBeNull();
  });

  it('splits a field naming several vendors, without duplicates', () => {
    expect(parseVendorList('Vigilant Solutions, Neology/PIPS').map((v) => v.id)).toEqual([
      'vigilant-solutions',
      'neology-pips',
    ]);
    expect(parseVendorList('Vigilant Solutions, Vigilant').map((v) => v.id)).toEqual(['vigilant-solutions']);
    expect(parseVendorList('')).toEqual([]);
  });

  it('does not split a name inside, but splits two vendors joined by "and"', () => {
    expect(parseVendorList('Institute for Human and Machine Cognition').map((v) => v.name)).toEqual([
      'Institute for Human and Machine Cognition',
    ]);
    expect(parseVendorList('Intergraph Security and Axon').map((v) => v.name)).toEqual(['Intergraph Security', 'Axon']);
  });

  it("folds a company's spellings found in the Atlas into one vendor", () => {
    for (const [a, b] of [
      ['Aeryon', 'Aeryon Labs'],
      ['Draganfly', 'Draganfly Innovations'],
      ['NDI Recognition Systems', 'NDI Technologies'],
      ['Pro-Vision', 'ProVision'],
    ] as const) {
      expect(canonicalVendor(a)!.id, a).toBe(canonicalVendor(b)!.id);
    }
  });

  it("drops placeholders and agencies' own names, which are not vendors", () => {
    expect(parseVendorList('Others')).toEqual([]);
    expect(parseVendorList('Village of Chatham Police Department')).toEqual([]);
    expect(parseVendorList('DJI, Others').map((v) => v.name)).toEqual(['DJI']);
  });
});

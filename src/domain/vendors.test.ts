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
    expect(parseVendorList('Vigilant Solutions, Neology/PIPS').map((v) => v.id)).toEqual(['vigilant-solutions', 'neology-pips']);
    expect(parseVendorList('Vigilant Solutions, Vigilant').map((v) => v.id)).toEqual(['vigilant-solutions']);
    expect(parseVendorList('')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  agencyNameKeys,
  normalizeAgencyName,
  normalizeCountyName,
  normalizePlaceName,
  placeNameFromAgencyName,
  slugify,
} from './names';

describe('agency names', () => {
  it('treats abbreviations and punctuation as the same agency', () => {
    expect(normalizeAgencyName('St. Louis Co. Police Dept.')).toBe('saint louis county police department');
    expect(normalizeAgencyName('Saint Louis County Police Department')).toBe('saint louis county police department');
    expect(normalizeAgencyName("Lee County Sheriff's Office")).toBe(normalizeAgencyName('Lee County Sheriffs Office'));
    expect(normalizeAgencyName('Titus County Sheriff’s Office')).toBe(
      normalizeAgencyName("Titus County Sheriff's Office"),
    );
    expect(normalizeAgencyName('Avon PD')).toBe('avon police department');
  });

  it('gives a shorter key that joins "Office" and "Department" spellings of one sheriff', () => {
    expect(agencyNameKeys("Lee County Sheriff's Office")).toContain('lee county sheriffs');
    expect(agencyNameKeys("Lee County Sheriff's Department")).toContain('lee county sheriffs');
    expect(agencyNameKeys('Police Department')).toEqual(['police department']);
  });

  it('reads the city an agency is named after, and only that', () => {
    expect(placeNameFromAgencyName('Opelika Police Department')).toBe('opelika');
    expect(placeNameFromAgencyName('New Brighton Department of Public Safety')).toBe('new brighton');
    expect(placeNameFromAgencyName('Greenburgh Town Police Department')).toBe('greenburgh');
    expect(placeNameFromAgencyName("Lee County Sheriff's Office")).toBeNull();
  });
});

describe('place names', () => {
  it('drops the Census suffix and spells out abbreviations', () => {
    expect(normalizePlaceName('Oakland city')).toBe('oakland');
    expect(normalizePlaceName('St. Paul')).toBe('saint paul');
    expect(normalizePlaceName('Greenburgh town')).toBe('greenburgh');
    expect(normalizeCountyName('LEE')).toBe('lee');
    expect(normalizeCountyName('Lee County')).toBe('lee');
    expect(normalizeCountyName('Orleans Parish')).toBe('orleans');
  });

  it('makes URL-safe slugs', () => {
    expect(slugify('Doña Ana County')).toBe('dona-ana-county');
    expect(slugify("Sheriff's Office / Jail")).toBe('sheriffs-office-jail');
  });
});

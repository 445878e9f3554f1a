import { describe, expect, it } from 'vitest';
import { distanceKm, placeAgency } from './placement';

// Points are real: Attleboro, MA (town), Bristol County, MA (internal point), and points a few km and
// a state away, so the rules are checked with real distances.
const town = { lat: 41.9311, lon: -71.295 };
const county = { lat: 41.7481, lon: -71.0877 };
const nearTown = { lat: 41.95, lon: -71.3 };
const farAway = { lat: 42.36, lon: -71.06 };

describe('placeAgency', () => {
  it('draws a town agency at its town and a county agency at its county, whatever the FBI says', () => {
    expect(placeAgency({ level: 'city', place: town, county, fbi: farAway })).toMatchObject({ ...town, basis: 'city' });
    expect(placeAgency({ level: 'county', place: town, county, fbi: nearTown })).toMatchObject({
      ...county,
      basis: 'county',
    });
  });

  it('takes the FBI point of another agency only when it agrees with its town', () => {
    expect(distanceKm(nearTown.lat, nearTown.lon, town.lat, town.lon)).toBeLessThan(25);
    expect(placeAgency({ level: 'special', place: town, county, fbi: nearTown })?.basis).toBe('ori');
    expect(placeAgency({ level: 'special', place: town, county, fbi: farAway })?.basis).toBe('city');
    expect(placeAgency({ level: 'special', place: null, county, fbi: farAway, fbiCountyAgrees: false })?.basis).toBe(
      'county',
    );
    expect(placeAgency({ level: 'special', place: null, county, fbi: farAway, fbiCountyAgrees: true })?.basis).toBe(
      'ori',
    );
  });

  it("does not use a town point that lies outside the town's county", () => {
    expect(
      placeAgency({ level: 'city', place: town, county, fbi: nearTown, fbiCountyAgrees: true, townCountyAgrees: false })
        ?.basis,
    ).toBe('ori');
    expect(
      placeAgency({ level: 'city', place: town, county, fbi: farAway, fbiCountyAgrees: false, townCountyAgrees: false })
        ?.basis,
    ).toBe('county');
    expect(placeAgency({ level: 'city', place: town, county: null, fbi: null, townCountyAgrees: false })?.basis).toBe(
      'city',
    );
  });

  it('places nothing it has no point for', () => {
    expect(placeAgency({ level: 'city', place: { lat: null, lon: null }, county: null, fbi: null })).toBeNull();
  });
});

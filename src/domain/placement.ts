import type { AgencyLevel } from './agencies';

/** How far (km) an FBI point may lie from an agency's town and still be taken as agreeing with it. */
export const PLACEMENT_TOLERANCE_KM = 25;

export const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface PointOf {
  readonly lat: number | null;
  readonly lon: number | null;
}

export type LocationBasis = 'city' | 'county' | 'ori';

export interface Placement {
  readonly lat: number;
  readonly lon: number;
  readonly basis: LocationBasis;
}

/**
 * Where to draw an agency: a city or town agency at its town's point; a county agency (a sheriff, a county
 * police) at its county's internal point; any other agency at the FBI's point when that point agrees with
 * its town (within PLACEMENT_TOLERANCE_KM) or, without a town, lies in one of its counties
 * (`fbiCountyAgrees`); else at its town's or county's point. An agency with neither town nor county keeps
 * the FBI's point, unchecked. Null when nothing places it.
 *
 * A town's point that lies outside the agency's counties (`townCountyAgrees` false: the places list gave
 * some towns a namesake's point) is not used: the FBI's point is when it lies in them, else the county's.
 */
export function placeAgency(input: {
  level: AgencyLevel;
  place: PointOf | null;
  county: PointOf | null;
  fbi: PointOf | null;
  fbiCountyAgrees?: boolean;
  townCountyAgrees?: boolean;
}): Placement | null {
  const at = (p: PointOf | null, basis: LocationBasis): Placement | null =>
    p && p.lat !== null && p.lon !== null ? { lat: p.lat, lon: p.lon, basis } : null;
  const town = at(input.place, 'city');
  const county = at(input.county, 'county');
  const fbi = at(input.fbi, 'ori');
  if (town && input.townCountyAgrees === false) {
    if (fbi && input.fbiCountyAgrees) return fbi;
    if (county) return county;
  }
  if (input.level === 'city' && town) return town;
  if (input.level === 'county' && county) return county;
  if (fbi && town) return distanceKm(fbi.lat, fbi.lon, town.lat, town.lon) <= PLACEMENT_TOLERANCE_KM ? fbi : town;
  if (fbi && county) return input.fbiCountyAgrees ? fbi : county;
  return town ?? county ?? fbi;
}

/**
 * Boxes (lat, lon) around the United States and its territories: the 50 states and Puerto Rico and the US
 * Virgin Islands (Alaska's Aleutians past 180° included), Guam and the Northern Mariana Islands, American
 * Samoa. Coarse on purpose: it tells a point in the US from one whose latitude and longitude were swapped.
 */
const US_BOXES: ReadonlyArray<[number, number, number, number]> = [
  [17, 72, -180, -64],
  [50, 56, 170, 180],
  [13, 21, 144, 147],
  [-15, -11, -172, -168],
];

export function inUnitedStates(lat: number, lon: number): boolean {
  return US_BOXES.some(
    ([minLat, maxLat, minLon, maxLon]) => lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon,
  );
}

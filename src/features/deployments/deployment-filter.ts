import { z } from 'zod';
import { stateParam, technologyListParam } from '#src/http/query-params';
import { parseIsoDay } from '#src/domain/dates';
import { DEPLOYMENT_STATUSES } from '#src/domain/statuses';
import { searchWords } from '#src/storage/search-index';
import { inUnitedStates } from '#src/domain/placement';

const isoDate = (what: string) =>
  z.string().refine((s) => parseIsoDay(s) !== null, { message: `must be a date YYYY-MM-DD (${what})` });

const slug = z
  .string()
  .max(200)
  .regex(/^[a-z0-9-]+$/, 'must be an id of lower-case letters, digits and hyphens');

function numberList(count: number, description: string) {
  return z.string().transform((text, ctx) => {
    const parts = text.split(',');
    const numbers = parts.map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
    if (parts.length !== count || numbers.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: `must be ${description}` });
      return z.NEVER;
    }
    return numbers;
  });
}

/** Filters shared by every list of deployments (JSON, CSV, GeoJSON) and by the map tiles. */
export const deploymentFilterSchema = z.object({
  technology: technologyListParam
    .optional()
    .describe('Technology slug, e.g. ring-neighbors, or several separated by commas; all for every one'),
  vendor: slug.optional().describe('Vendor id, e.g. flock-safety'),
  status: z
    .enum(DEPLOYMENT_STATUSES, { message: `must be one of: ${DEPLOYMENT_STATUSES.join(', ')}` })
    .optional()
    .describe('Current status'),
  state: stateParam.optional().describe('Two-letter state code of the agency'),
  place: z
    .string()
    .regex(/^(\d{2}|\d{5}|\d{7})$/, 'must be a Census GEOID: 2 digits (state), 5 (county) or 7 (place)')
    .optional()
    .describe("Census GEOID of the agency's state (2 digits), county (5) or city (7)"),
  agency: slug.optional().describe('Agency id'),
  active_on: isoDate('the day deployments were active')
    .optional()
    .describe(
      'Deployments known to be in use on this day: started (or, without a start, documented in use) by then, at the end of the period a coarse date names, and not ended before it. A day later than the data behind the answer adds as_of and a warning',
    ),
  started_after: isoDate('deployments started on or after it').optional().describe('Started on or after this day'),
  started_before: isoDate('deployments started on or before it').optional().describe('Started on or before this day'),
  bbox: numberList(4, 'minLon,minLat,maxLon,maxLat, e.g. -74.3,40.5,-73.7,40.9')
    .refine(
      (b) =>
        b.length !== 4 ||
        (b[0]! >= -180 && b[2]! <= 180 && b[1]! >= -90 && b[3]! <= 90 && b[0]! <= b[2]! && b[1]! <= b[3]!),
      {
        message: 'must be minLon,minLat,maxLon,maxLat with -180 ≤ minLon ≤ maxLon ≤ 180 and -90 ≤ minLat ≤ maxLat ≤ 90',
      },
    )
    .optional()
    .describe('minLon,minLat,maxLon,maxLat'),
  near: numberList(2, 'lat,lon, e.g. 42.39,-71.1')
    .refine((p) => p.length !== 2 || (Math.abs(p[0]!) <= 90 && Math.abs(p[1]!) <= 180), {
      message: 'must be lat,lon with |lat| ≤ 90 and |lon| ≤ 180',
    })
    .superRefine((p, ctx) => {
      // 42.39,-71.1 is Somerville; -71.1,42.39 is in the Southern Ocean. Say so rather than answer nothing.
      if (p.length === 2 && !inUnitedStates(p[0]!, p[1]!) && inUnitedStates(p[1]!, p[0]!)) {
        ctx.addIssue({
          code: 'custom',
          message: `looks like longitude,latitude: ${p[0]},${p[1]} lies outside the United States, \
while ${p[1]},${p[0]} lies inside; give latitude first (lat,lon)`,
        });
      }
    })
    .optional()
    .describe('lat,lon: deployments within radius_km of this point (great-circle distance)'),
  q: z
    .string()
    .max(200, 'must be at most 200 characters')
    .refine((s) => searchWords(s).length > 0, { message: 'must hold at least one word' })
    .optional()
    .describe('Words to search for in the agency, place, vendor, summary and sources; every word must match'),
  radius_km: z.coerce
    .number({ message: 'must be a number of kilometres' })
    .gt(0, 'must be more than 0')
    .max(5000, 'must be at most 5000')
    .optional()
    .describe('Radius for near, in kilometres (default 10)'),
});

export type DeploymentFilterQuery = z.infer<typeof deploymentFilterSchema>;

export interface DeploymentFilter {
  /** Any of these technologies. */
  technology?: string[];
  vendor?: string;
  status?: string;
  state?: string;
  place?: string;
  agency?: string;
  /** Agencies of exactly this place (by place id; pages use it for towns without a GEOID). */
  placeId?: string;
  activeOn?: string;
  startedAfter?: string;
  startedBefore?: string;
  bbox?: { minLon: number; minLat: number; maxLon: number; maxLat: number };
  near?: { lat: number; lon: number; radiusKm: number };
  /** Words that must all appear (see storage/search-index). */
  words?: string[];
}

export function toDeploymentFilter(q: DeploymentFilterQuery): DeploymentFilter {
  return {
    technology: q.technology,
    vendor: q.vendor,
    status: q.status,
    state: q.state,
    place: q.place,
    agency: q.agency,
    activeOn: q.active_on,
    startedAfter: q.started_after,
    startedBefore: q.started_before,
    bbox: q.bbox ? { minLon: q.bbox[0]!, minLat: q.bbox[1]!, maxLon: q.bbox[2]!, maxLat: q.bbox[3]! } : undefined,
    near: q.near ? { lat: q.near[0]!, lon: q.near[1]!, radiusKm: q.radius_km ?? 10 } : undefined,
    words: q.q ? searchWords(q.q) : undefined,
  };
}

export { distanceKm, EARTH_RADIUS_KM } from '#src/domain/placement';

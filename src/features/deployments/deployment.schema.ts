import { z } from 'zod';
import { DEPLOYMENT_STATUSES } from '#src/domain/statuses';
import { placeSchema } from '#src/features/places/place.schema';
import { citedSourceSchema } from '#src/features/sources/source.schema';

const day = z.string().describe('YYYY-MM-DD');

/** A deployment as the API answers it; the OpenAPI document is generated from this. */
export const deploymentSchema = z
  .object({
    id: z.string(),
    url: z.string().describe('Its page on this site'),
    technology: z.string(),
    programme: z.string().describe('A named programme or contract ("flock-safety"), or ""'),
    status: z.enum(DEPLOYMENT_STATUSES),
    started_on: day.nullable(),
    ended_on: day.nullable(),
    last_verified_on: day.nullable().describe('When a source last showed this state'),
    summary: z.string().nullable(),
    agency: z.object({
      id: z.string(),
      url: z.string(),
      name: z.string(),
      state: z.string(),
      ori: z.string().nullable(),
      type: z.string().nullable(),
      lat: z.number().nullable(),
      lon: z.number().nullable(),
      location_basis: z.string().nullable().describe('ori (FBI agency point), city, county, or null when unplaced'),
    }),
    place: placeSchema.nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    vendors: z.array(z.object({ id: z.string(), name: z.string() })),
    events: z.array(z.object({ id: z.string(), status: z.enum(DEPLOYMENT_STATUSES), occurred_on: day.nullable(), source_url: z.string().nullable(), note: z.string().nullable() })),
    sources: z.array(citedSourceSchema),
  })
  .meta({ id: 'Deployment' });

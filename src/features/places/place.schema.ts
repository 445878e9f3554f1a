import { z } from 'zod';

export const placeSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    kind: z.enum(['state', 'county', 'city']),
    name: z.string(),
    full_name: z.string(),
    state: z.string(),
    geoid: z.string().nullable(),
    county_geoid: z.string().nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    population: z.number().nullable(),
  })
  .meta({ id: 'Place' });

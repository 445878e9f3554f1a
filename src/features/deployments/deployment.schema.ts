import { z } from 'zod';
import { AGENCY_LEVELS } from '#src/domain/agencies';
import { DEPLOYMENT_STATUSES, EVIDENCE_KINDS, EVIDENCE_STANDINGS } from '#src/domain/statuses';
import { partialDateSchema, precisionSchema } from '#src/http/dates.schema';
import { placeSchema } from '#src/features/places/place.schema';
import { citedSourceSchema } from '#src/features/sources/source.schema';

/** A deployment as the API answers it; the OpenAPI document is generated from this. */
export const deploymentSchema = z
  .object({
    id: z.string(),
    url: z.string().describe('Its page on this site'),
    technology: z.string(),
    programme: z.string().describe('A named programme or contract ("flock-safety"), or ""'),
    status: z
      .enum(DEPLOYMENT_STATUSES)
      .describe('Its status when last seen (see last_seen_on); not a claim about today'),
    started_on: partialDateSchema
      .nullable()
      .describe("When a source says use began (Ring's Active Date, a contract start); null when no source says"),
    started_precision: precisionSchema.nullable(),
    first_documented_on: partialDateSchema
      .nullable()
      .describe('The date of the earliest document or dataset that shows it'),
    first_documented_precision: precisionSchema.nullable(),
    last_seen_on: partialDateSchema
      .nullable()
      .describe('The as-of date of the newest source that showed it in its current status'),
    last_seen_precision: precisionSchema.nullable(),
    ended_on: partialDateSchema.nullable(),
    ended_precision: precisionSchema.nullable(),
    in_use_from: z
      .string()
      .nullable()
      .describe(
        'The first day it is known to have been in use (YYYY-MM-DD): its start, else its earliest evidence of use, at the end of the period a coarse date names ("2018" counts from 2018-12-31). active_on answers with this',
      ),
    in_use_until: z
      .string()
      .nullable()
      .describe('The last day it is known to have been in use when it has ended; null otherwise'),
    no_longer_listed: z
      .object({
        on: z.string().describe('The as-of date of the version that no longer listed it'),
        by: z.string().nullable().describe('The source'),
      })
      .nullable()
      .describe('A source that listed it no longer does, and no newer evidence shows it: not proof that it ended'),
    summary: z.string().nullable(),
    distance_km: z
      .number()
      .optional()
      .describe('With near: the great-circle distance from the point to the agency, in km (answers are nearest first)'),
    agency: z.object({
      id: z.string(),
      url: z.string(),
      name: z.string(),
      state: z.string(),
      ori: z.string().nullable(),
      type: z.string().nullable(),
      level: z
        .enum(AGENCY_LEVELS)
        .nullable()
        .describe('city, county, state, federal, tribal or special (campus, transit, …)'),
      lat: z.number().nullable(),
      lon: z.number().nullable(),
      location_basis: z
        .string()
        .nullable()
        .describe(
          "city (its town's point), county (its county's internal point), ori (the FBI's point, where it agrees with its town), or null when unplaced",
        ),
      placement_issue: z
        .string()
        .nullable()
        .describe('Why it is left unplaced (its row contradicts its state), or null'),
    }),
    place: placeSchema.nullable(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    vendors: z.array(z.object({ id: z.string(), name: z.string() })),
    events: z
      .array(
        z.object({
          id: z.string(),
          status: z.enum(DEPLOYMENT_STATUSES),
          kind: z
            .enum(EVIDENCE_KINDS)
            .describe(
              'transition (the status began then), documented (a document of that date shows it), listed (a dataset as of that date lists it), unlisted (a source that listed it no longer does, as of that date)',
            ),
          standing: z.enum(EVIDENCE_STANDINGS).describe("vendor or official (the party's own record) or reported"),
          occurred_on: partialDateSchema.nullable(),
          precision: precisionSchema.nullable(),
          as_of: z.string().nullable().describe('The as-of date of the dataset that recorded it'),
          source_url: z.string().nullable(),
          note: z.string().nullable(),
        }),
      )
      .describe('Dated evidence, oldest first'),
    sources: z.array(citedSourceSchema),
  })
  .meta({ id: 'Deployment' });

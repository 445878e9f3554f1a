import { z } from 'zod';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('invalid_parameter, not_found, rate_limited, …'),
      message: z.string(),
      parameter: z.string().optional().describe('The query parameter at fault'),
    }),
  })
  .meta({ id: 'Error' });

/** The error answers every API route documents. */
export const ERROR_RESPONSES = { 400: errorSchema, 404: errorSchema, 429: errorSchema } as const;

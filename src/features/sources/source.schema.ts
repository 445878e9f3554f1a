import { z } from 'zod';
import { partialDateSchema, precisionSchema } from '#src/http/dates.schema';

export const citedSourceSchema = z
  .object({
    url: z.string(),
    publisher: z.string().nullable(),
    kind: z.string().describe('news, government, vendor, …'),
    archive_url: z.string().nullable(),
    cited_on: partialDateSchema
      .nullable()
      .describe(
        "The date of the cited document, as the citing dataset gives it (null for Ring's map, whose Link 1 Date is the partnership's Active Date)",
      ),
    cited_precision: precisionSchema.nullable(),
  })
  .meta({ id: 'CitedSource' });

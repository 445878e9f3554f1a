import { z } from 'zod';

export const citedSourceSchema = z
  .object({
    url: z.string(),
    publisher: z.string().nullable(),
    kind: z.string().describe('news, government, vendor, …'),
    archive_url: z.string().nullable(),
    cited_on: z.string().nullable().describe('The date the citing dataset gives'),
  })
  .meta({ id: 'CitedSource' });

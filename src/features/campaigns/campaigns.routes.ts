import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { ERROR_RESPONSES } from '#src/http/api-errors.schema';
import { campaignTallies, listCampaigns, tallyOf, TARGET_RULES } from './campaigns.repository';

export const tallySchema = z
  .object({
    confirmed: z.number().int().describe('Confirmed actions (double opt-in)'),
    petition: z.number().int(),
    letter: z.number().int(),
    call: z.number().int(),
    last_confirmed_at: z.string().nullable(),
    delivered: z.number().int().describe('Actions delivered to officials'),
    last_delivery_at: z.string().nullable(),
  })
  .meta({ id: 'Tally' });

const campaignSchema = z
  .object({
    id: z.string(),
    url: z.string().describe('Its action page on this site'),
    title: z.string(),
    ask: z.string(),
    description: z.string(),
    targets: z.string().describe('Whom it asks'),
    technology: z.string().nullable(),
    starts_on: z.string(),
    ends_on: z.string().nullable(),
    tallies: tallySchema,
  })
  .meta({ id: 'Campaign' });

/** Campaigns with their public, anonymous tallies. */
export function registerCampaignRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/campaigns',
    {
      config: { live: true },
      schema: {
        summary: 'List campaigns with their tallies',
        tags: ['campaigns'],
        response: { 200: z.object({ data: z.array(campaignSchema), total: z.number().int() }), ...ERROR_RESPONSES },
      },
    },
    async () => {
      const [campaigns, tallies] = await Promise.all([listCampaigns(db), campaignTallies(db)]);
      const data = campaigns.map((c) => ({
        id: c.id,
        url: `/campaigns/${c.id}`,
        title: c.title,
        ask: c.ask,
        description: c.description,
        targets: TARGET_RULES[c.target_rule]?.describe ?? c.target_rule,
        technology: c.technology_slug,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        tallies: tallyOf(tallies, c.id),
      }));
      return { data, total: data.length };
    },
  );
}

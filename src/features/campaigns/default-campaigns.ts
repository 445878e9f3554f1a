import type { Kysely } from 'kysely';
import type { CampaignRow, Database } from '#src/storage/schema';

/**
 * The campaigns Counterwatch ships with. Facts in letters come only from the database (the agency, its
 * place, the date Ring gave for the partnership); placeholders are filled per place and official:
 * {official}, {role} ({Role} capitalised), {place}, {agency}, {since}, {as_of} (the date its status was last
 * seen), {name}.
 */
export const DEFAULT_CAMPAIGNS: ReadonlyArray<
  Omit<CampaignRow, 'created_at' | 'delivery_mode' | 'organizer_email_sealed' | 'deliveries_per_target_per_hour'>
> = [
  {
    id: 'cancel-ring-partnership',
    title: 'Cancel the Ring partnership in your city',
    ask: "Ask your mayor to end your police department's partnership with Amazon's Ring and its Neighbors app.",
    description:
      "Through Ring's Law Enforcement Neighborhood Portal, police could see where residents' cameras were and ask their owners for footage, without a warrant. Hundreds of police departments partnered with Ring. If yours is one of them, ask your city to end it.",
    target_rule: 'ring-partnership-city',
    technology_slug: 'ring-neighbors',
    letter_subject: "Please end {agency}'s partnership with Amazon Ring",
    letter_template:
      "Dear {Role} {official},\n\nI live in {place}. The EFF's Atlas of Surveillance lists {agency} as a partner of Amazon's Ring and its Neighbors app{since}, in its data as of {as_of}. The partnership let police ask residents for footage from their home cameras through a portal run by a private company, without a warrant.\n\nI ask you to end this partnership if it continues, and to bring any future surveillance technology before the public and the council first.\n\nSincerely,\n{name}",
    call_script:
      "Hello, my name is [your name] and I live in {place}. I'm calling to ask the {role} to end {agency}'s partnership with Amazon's Ring. Will the {role} commit to ending it? Thank you for your time.",
    prompts:
      'Say in a sentence why this matters to you.\nSay how long you have lived in {place}, or name your neighbourhood.\nIf you have a camera at your door, say whether police ever asked you for footage.',
    starts_on: '2026-11-29',
    ends_on: null,
  },
];

/** Letters the campaigns shipped with before, replaced on start where operators left them as shipped. */
const SHIPPED_LETTERS_BEFORE: Record<string, string> = {
  'cancel-ring-partnership':
    "Dear {Role} {official},\n\nI live in {place}. The EFF's Atlas of Surveillance lists {agency} as a partner of Amazon's Ring and its Neighbors app{since}. The partnership let police ask residents for footage from their home cameras through a portal run by a private company, without a warrant.\n\nI ask you to end this partnership, and to bring any future surveillance technology before the public and the council first.\n\nSincerely,\n{name}",
};

/**
 * Adds the shipped campaigns that are missing (never overwrites what operators changed). They start with
 * delivery off: nothing goes to any official until an operator turns it on.
 */
export async function syncCampaigns(db: Kysely<Database>): Promise<void> {
  for (const campaign of DEFAULT_CAMPAIGNS) {
    const found = await db.selectFrom('campaigns').select('id').where('id', '=', campaign.id).executeTakeFirst();
    if (found) {
      // Prompts came after the first campaigns: fill them in where they are still empty.
      await db
        .updateTable('campaigns')
        .set({ prompts: campaign.prompts })
        .where('id', '=', campaign.id)
        .where('prompts', '=', '')
        .execute();
      // Letters now say how old the data is: replace the shipped letter where no operator changed it.
      const earlier = SHIPPED_LETTERS_BEFORE[campaign.id];
      if (earlier)
        await db
          .updateTable('campaigns')
          .set({ letter_template: campaign.letter_template })
          .where('id', '=', campaign.id)
          .where('letter_template', '=', earlier)
          .execute();
    } else
      await db
        .insertInto('campaigns')
        .values({
          ...campaign,
          created_at: new Date().toISOString(),
          delivery_mode: 'off',
          organizer_email_sealed: null,
          deliveries_per_target_per_hour: 1,
        })
        .execute();
  }
}

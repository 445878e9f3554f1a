import type { Kysely } from 'kysely';
import { parseIsoPartialDate } from '#src/domain/dates';
import type { CampaignRow, Database } from '#src/storage/schema';
import { findDeploymentsSorted, type DeploymentRecord } from '#src/features/deployments/deployments.repository';
import { officialQuery, toOfficialRecord, type OfficialRecord } from '#src/features/officials/officials.repository';
import { findPlaceById } from '#src/features/places/places.repository';
import type { PlaceRecord } from '#src/features/places/place-record';
import { findTechnologyEvents, type TechnologyEventRecord } from '#src/features/technologies/technologies.repository';
import type { SupporterCrypto } from '#src/security/supporter-crypto';
import { csvField } from '#src/features/export/export.service';

export interface Tally {
  confirmed: number;
  petition: number;
  letter: number;
  call: number;
  /** The latest confirmation, or null. */
  last_confirmed_at: string | null;
  /** Actions delivered to officials (live digests accepted by the mail server or kept for operators). */
  delivered: number;
  last_delivery_at: string | null;
}

const emptyTally = (): Tally => ({
  confirmed: 0,
  petition: 0,
  letter: 0,
  call: 0,
  last_confirmed_at: null,
  delivered: 0,
  last_delivery_at: null,
});

export async function findCampaign(db: Kysely<Database>, id: string): Promise<CampaignRow | null> {
  return (await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function listCampaigns(db: Kysely<Database>): Promise<CampaignRow[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('starts_on', 'desc').orderBy('id').execute();
}

/**
 * Rules that say whom a campaign asks, in which places. One rule ships: the officials of a town whose police had a
 * partnership.
 */
export const TARGET_RULES: Record<string, { roles: readonly string[]; describe: string }> = {
  'ring-partnership-city': {
    roles: ['mayor', 'council member', 'council'],
    describe:
      "the mayor of the signer's town, and its council members where we have them, where its police had a Ring partnership",
  },
};

export interface CampaignPlace {
  place: PlaceRecord;
  /** The deployments that make this place part of the campaign; empty when it is not. */
  evidence: DeploymentRecord[];
  targets: OfficialRecord[];
  /**
   * What changed for the campaign's technology after the evidence was last seen (Ring ended police requests in 2024).
   */
  since: TechnologyEventRecord[];
}

/** A place as a campaign sees it: the evidence there and whom to ask. */
export async function findCampaignPlace(
  db: Kysely<Database>,
  campaign: CampaignRow,
  placeId: string,
): Promise<CampaignPlace | null> {
  const place = await findPlaceById(db, placeId);
  if (!place) return null;
  const rule = TARGET_RULES[campaign.target_rule];
  const [evidence, officials] = await Promise.all([
    place.kind === 'state' || !campaign.technology_slug
      ? Promise.resolve([])
      : findDeploymentsSorted(
          db,
          { placeId: place.id, technology: [campaign.technology_slug] },
          { sort: 'agency', descending: false, offset: 0, limit: 20 },
        ),
    // Only officials in office by the newest source: no letter opens "Dear Mayor" to someone who left.
    officialQuery(db)
      .where('o.place_id', '=', place.id)
      .where('o.current', '=', 1)
      .orderBy('o.role')
      .orderBy('o.name')
      .execute(),
  ]);
  const targets = officials.map(toOfficialRecord).filter((o) => rule?.roles.includes(o.role));
  const lastSeen =
    evidence
      .map((d) => d.last_seen_on)
      .filter((d): d is string => d !== null)
      .sort()
      .at(-1) ?? null;
  const since =
    campaign.technology_slug && evidence.length > 0
      ? (await findTechnologyEvents(db, campaign.technology_slug)).filter(
          (e) => lastSeen === null || e.occurred_on > lastSeen,
        )
      : [];
  return { place, evidence, targets, since };
}

/** Which of these places the campaign covers (its technology was documented there). */
export async function placesInCampaign(
  db: Kysely<Database>,
  campaign: CampaignRow,
  placeIds: readonly string[],
): Promise<Set<string>> {
  if (placeIds.length === 0 || !campaign.technology_slug) return new Set();
  const rows = await db
    .selectFrom('deployments as d')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .select('a.place_id')
    .distinct()
    .where('d.technology_slug', '=', campaign.technology_slug)
    .where('a.place_id', 'in', [...placeIds])
    .execute();
  return new Set(rows.map((r) => r.place_id!));
}

/** Confirmed actions per campaign (all of them when no id is given). */
export async function campaignTallies(
  db: Kysely<Database>,
  filter: { campaignId?: string; placeId?: string } = {},
): Promise<Map<string, Tally>> {
  let query = db
    .selectFrom('campaign_actions')
    .select((eb) => ['campaign_id', 'kind', eb.fn.countAll().as('n'), eb.fn.max('confirmed_at').as('last')])
    .where('status', '=', 'confirmed');
  if (filter.campaignId) query = query.where('campaign_id', '=', filter.campaignId);
  if (filter.placeId) query = query.where('place_id', '=', filter.placeId);
  const rows = await query.groupBy(['campaign_id', 'kind']).execute();
  const tallies = new Map<string, Tally>();
  for (const r of rows) {
    const t = tallies.get(r.campaign_id) ?? emptyTally();
    const n = Number(r.n);
    t.confirmed += n;
    if (r.kind === 'petition' || r.kind === 'letter' || r.kind === 'call') t[r.kind] += n;
    const last = r.last === null ? null : String(r.last);
    if (last && (!t.last_confirmed_at || last > t.last_confirmed_at)) t.last_confirmed_at = last;
    tallies.set(r.campaign_id, t);
  }
  // Delivered: live digests only (a test digest goes to the organizer, not to an official).
  let delivered = db
    .selectFrom('campaign_action_targets as t')
    .innerJoin('deliveries as d', 'd.id', 't.delivery_id')
    .innerJoin('campaign_actions as a', 'a.id', 't.action_id')
    .select((eb) => [
      'd.campaign_id',
      eb.fn.count('t.action_id').distinct().as('n'),
      eb.fn.max('d.created_at').as('last'),
    ])
    .where('d.mode', '=', 'live')
    .where('d.status', 'in', ['sent', 'kept']);
  if (filter.campaignId) delivered = delivered.where('d.campaign_id', '=', filter.campaignId);
  if (filter.placeId) delivered = delivered.where('a.place_id', '=', filter.placeId);
  for (const r of await delivered.groupBy('d.campaign_id').execute()) {
    const t = tallies.get(r.campaign_id) ?? emptyTally();
    t.delivered = Number(r.n);
    t.last_delivery_at = r.last === null ? null : String(r.last);
    tallies.set(r.campaign_id, t);
  }
  return tallies;
}

export function tallyOf(tallies: Map<string, Tally>, id: string): Tally {
  return tallies.get(id) ?? emptyTally();
}

export interface OfficialTally {
  confirmed: number;
  delivered: number;
  last_delivery_at: string | null;
}

/** Confirmed actions addressed to each of these officials, how many reached them, and when last. */
export async function officialTallies(
  db: Kysely<Database>,
  officialIds: readonly string[],
): Promise<Map<string, OfficialTally>> {
  const tallies = new Map<string, OfficialTally>();
  if (officialIds.length === 0) return tallies;
  const rows = await db
    .selectFrom('campaign_action_targets as t')
    .innerJoin('campaign_actions as a', 'a.id', 't.action_id')
    .leftJoin('deliveries as d', (join) =>
      join.onRef('d.id', '=', 't.delivery_id').on('d.mode', '=', 'live').on('d.status', 'in', ['sent', 'kept']),
    )
    .select((eb) => [
      't.official_id',
      eb.fn.countAll().as('n'),
      eb.fn.count('d.id').as('delivered'),
      eb.fn.max('d.created_at').as('last'),
    ])
    .where('a.status', '=', 'confirmed')
    .where('t.official_id', 'in', [...officialIds])
    .groupBy('t.official_id')
    .execute();
  for (const r of rows)
    tallies.set(r.official_id, {
      confirmed: Number(r.n),
      delivered: Number(r.delivered),
      last_delivery_at: r.last === null ? null : String(r.last),
    });
  return tallies;
}

/** Fills a letter or script template for one place, official and supporter. */
export function fillTemplate(
  template: string,
  values: { official?: OfficialRecord | null; place: PlaceRecord; evidence: DeploymentRecord[]; name?: string },
): string {
  const first = values.evidence[0];
  const role = values.official?.role ?? 'mayor';
  const agency = first?.agency.name ?? `the police of ${values.place.name}`;
  const since = first?.started_on ? ` since ${longDate(first.started_on)}` : '';
  const asOf = first?.last_seen_on ? longDate(first.last_seen_on) : 'an unknown date';
  return template
    .replaceAll('{official}', values.official?.name ?? '')
    .replaceAll('{Role}', role.charAt(0).toUpperCase() + role.slice(1))
    .replaceAll('{role}', role)
    .replaceAll('{place}', values.place.name)
    .replaceAll('{agency}', agency)
    .replaceAll('{since}', since)
    .replaceAll('{as_of}', asOf)
    .replaceAll('{name}', values.name ?? '')
    .replace(/ {2,}/g, ' ')
    .replace(/ ,/g, ',');
}

/** A date at its precision in words for letters: "July 26, 2019", "August 2026", "2019". */
function longDate(date: string): string {
  const parsed = parseIsoPartialDate(date);
  if (!parsed) return date;
  const at = new Date(`${parsed.on}T00:00:00Z`);
  if (parsed.precision === 'year') return parsed.on.slice(0, 4);
  return at.toLocaleDateString(
    'en-US',
    parsed.precision === 'month'
      ? { year: 'numeric', month: 'long', timeZone: 'UTC' }
      : { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' },
  );
}

/** The confirmed supporters of a campaign who asked to hear more, as CSV lines (`name,email` first), oldest first. */
export async function optedInSupportersCsv(
  db: Kysely<Database>,
  crypto: SupporterCrypto,
  campaignId: string,
): Promise<string[]> {
  const rows = await findOptedInSupporters(db, campaignId);
  return [
    'name,email',
    ...rows.map((r) => `${csvField(crypto.decrypt(r.name_sealed))},${csvField(crypto.decrypt(r.email_sealed))}`),
  ];
}

/** Confirmed supporters of a campaign who asked to hear more, oldest first (sealed). */
function findOptedInSupporters(db: Kysely<Database>, campaignId: string) {
  return db
    .selectFrom('supporters as s')
    .select(['s.name_sealed', 's.email_sealed'])
    .where('s.opt_in_updates', '=', 1)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('campaign_actions as a')
          .select('a.id')
          .whereRef('a.supporter_id', '=', 's.id')
          .where('a.campaign_id', '=', campaignId)
          .where('a.status', '=', 'confirmed'),
      ),
    )
    .orderBy('s.created_at')
    .execute();
}

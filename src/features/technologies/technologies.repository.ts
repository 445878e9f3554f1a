import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import {
  BUILT_IN_TECHNOLOGIES,
  TechnologyVocabulary,
  technologyVocabulary,
  useTechnologyVocabulary,
} from '#src/domain/technologies';
import type { DatePrecision } from '#src/domain/dates';
import { apiDate, apiPrecision } from '#src/http/dates.schema';
import { findCitedSources, type CitedSource } from '#src/features/sources/sources.repository';

export interface TechnologyWithCounts {
  slug: string;
  name: string;
  description: string;
  synonyms: string[];
  reviewed: boolean;
  counts: { deployments: number; active: number; agencies: number; policies: number; lastSeen: string | null };
}

/**
 * Adds the built-in technologies a database lacks (one an editor merged away stays away) and the built-in
 * spellings to their synonyms; never undoes an editor's rename. Then loads the database's vocabulary.
 */
export async function seedTechnologies(db: Kysely<Database>): Promise<void> {
  const stored = new Map((await db.selectFrom('technologies').selectAll().execute()).map((t) => [t.slug, t]));
  const mergedAway = new Set(
    (await db.selectFrom('redirects').select('from_id').where('entity_type', '=', 'technology').execute()).map(
      (r) => r.from_id,
    ),
  );
  for (const [i, t] of BUILT_IN_TECHNOLOGIES.entries()) {
    const existing = stored.get(t.slug);
    if (!existing) {
      if (mergedAway.has(t.slug)) continue;
      const row = {
        slug: t.slug,
        name: t.name,
        description: t.description,
        sort_order: i,
        synonyms: JSON.stringify(t.synonyms),
        reviewed: 1,
        created_at: null,
      };
      await db.insertInto('technologies').values(row).execute();
      continue;
    }
    const synonyms = parseSynonyms(existing.synonyms);
    const missing = t.synonyms.filter((s) => !synonyms.includes(s) && s !== existing.name);
    if (missing.length > 0)
      await db
        .updateTable('technologies')
        .set({ synonyms: JSON.stringify([...synonyms, ...missing]) })
        .where('slug', '=', t.slug)
        .execute();
  }
  await loadTechnologyVocabulary(db);
}

export function parseSynonyms(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** Reads the database's technologies and makes them the vocabulary this process reads by. */
export async function loadTechnologyVocabulary(db: Kysely<Database>): Promise<TechnologyVocabulary> {
  const rows = await db
    .selectFrom('technologies')
    .selectAll()
    .orderBy('reviewed', 'desc')
    .orderBy('sort_order')
    .orderBy('slug')
    .execute();
  const vocabulary = new TechnologyVocabulary(
    rows.map((r) => ({
      slug: r.slug,
      name: r.name,
      description: r.description,
      synonyms: parseSynonyms(r.synonyms),
      reviewed: Number(r.reviewed) === 1,
    })),
  );
  useTechnologyVocabulary(vocabulary);
  return vocabulary;
}

/**
 * Creates, unreviewed, each technology a dataset named that the database lacks (`{slug, name}` as first
 * written), with a revision by `actor`. Returns the slugs it created.
 */
export async function createUnreviewedTechnologies(
  db: Kysely<Database>,
  technologies: ReadonlyArray<{ slug: string; name: string }>,
  actor: string,
  now: string,
): Promise<string[]> {
  // Named as the first row that names it writes it.
  const wanted = new Map<string, { slug: string; name: string }>();
  for (const t of technologies) if (!wanted.has(t.slug)) wanted.set(t.slug, t);
  if (wanted.size === 0) return [];
  const existing = new Set(
    (
      await db
        .selectFrom('technologies')
        .select('slug')
        .where('slug', 'in', [...wanted.keys()])
        .execute()
    ).map((t) => t.slug),
  );
  const created = [...wanted.values()].filter((t) => !existing.has(t.slug));
  if (created.length === 0) return [];
  const last = await db
    .selectFrom('technologies')
    .select((eb) => eb.fn.max('sort_order').as('n'))
    .executeTakeFirst();
  let order = Number(last?.n ?? 0);
  await db
    .insertInto('technologies')
    .values(
      created.map((t) => ({
        slug: t.slug,
        name: t.name,
        description: '',
        sort_order: ++order,
        synonyms: '[]',
        reviewed: 0,
        created_at: now,
      })),
    )
    .execute();
  await db
    .insertInto('revisions')
    .values(
      created.map((t) => ({
        entity_type: 'technology',
        entity_id: t.slug,
        action: 'create' as const,
        changes: JSON.stringify({ name: [null, t.name], reviewed: [null, false] }),
        actor,
        reason: 'a value no technology was known by',
        created_at: now,
      })),
    )
    .execute();
  useTechnologyVocabulary(
    new TechnologyVocabulary([
      ...technologyVocabulary().technologies,
      ...created.map((t) => ({ ...t, description: '', synonyms: [], reviewed: false })),
    ]),
  );
  return created.map((t) => t.slug);
}

/** Every technology in vocabulary order, with how many deployments, active ones, agencies and policies it has. */
export async function listTechnologies(db: Kysely<Database>): Promise<TechnologyWithCounts[]> {
  const [techs, deployments, policies] = await Promise.all([
    db
      .selectFrom('technologies')
      .selectAll()
      .orderBy('reviewed', 'desc')
      .orderBy('sort_order')
      .orderBy('slug')
      .execute(),
    db
      .selectFrom('deployments')
      .select((eb) => [
        'technology_slug',
        eb.fn.countAll().as('deployments'),
        eb.fn.count(eb.case().when('status', '=', 'active').then(1).end()).as('active'),
        eb.fn.count('agency_id').distinct().as('agencies'),
        eb.fn.max(eb.case().when('status', '=', 'active').then(eb.ref('last_seen_on')).end()).as('last_seen'),
      ])
      .groupBy('technology_slug')
      .execute(),
    db
      .selectFrom('policy_technologies')
      .select((eb) => ['technology_slug', eb.fn.countAll().as('n')])
      .groupBy('technology_slug')
      .execute(),
  ]);
  const byTech = new Map(deployments.map((d) => [d.technology_slug, d]));
  const policyCounts = new Map(policies.map((p) => [p.technology_slug, Number(p.n)]));
  return techs.map((t) => {
    const d = byTech.get(t.slug);
    return {
      slug: t.slug,
      name: t.name,
      description: t.description,
      synonyms: parseSynonyms(t.synonyms),
      reviewed: Number(t.reviewed) === 1,
      counts: {
        deployments: Number(d?.deployments ?? 0),
        active: Number(d?.active ?? 0),
        agencies: Number(d?.agencies ?? 0),
        policies: policyCounts.get(t.slug) ?? 0,
        lastSeen: d?.last_seen ?? null,
      },
    };
  });
}

export interface TechnologyEventRecord {
  id: string;
  technology: string;
  /** At its precision: "2024-01-24", "2025-04". */
  occurred_on: string;
  precision: DatePrecision;
  title: string;
  summary: string;
  sources: CitedSource[];
}

/** The dated context events of one technology (or all), oldest first, with their sources. */
export async function findTechnologyEvents(
  db: Kysely<Database>,
  technology?: string,
): Promise<TechnologyEventRecord[]> {
  let query = db
    .selectFrom('technology_events')
    .selectAll()
    .orderBy('technology_slug')
    .orderBy('occurred_on')
    .orderBy('id');
  if (technology !== undefined) query = query.where('technology_slug', '=', technology);
  const rows = await query.execute();
  const sources = await findCitedSources(
    db,
    'technology_event',
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    technology: r.technology_slug,
    occurred_on: apiDate(r.occurred_on, r.precision)!,
    precision: apiPrecision(r.occurred_on, r.precision)!,
    title: r.title,
    summary: r.summary,
    sources: sources.get(r.id) ?? [],
  }));
}

/** Answers 301 to the technology a merged-away slug now is; returns whether it did. */
export async function redirectIfMergedTechnology(
  db: Kysely<Database>,
  reply: FastifyReply,
  slug: string,
  urlOf: (slug: string) => string,
): Promise<boolean> {
  const row = await db
    .selectFrom('redirects')
    .select('to_id')
    .where('entity_type', '=', 'technology')
    .where('from_id', '=', slug)
    .executeTakeFirst();
  if (!row) return false;
  await reply.redirect(urlOf(row.to_id), 301);
  return true;
}

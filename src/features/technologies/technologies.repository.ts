import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { TECHNOLOGIES } from '#src/domain/technologies';
import type { DatePrecision } from '#src/domain/dates';
import { apiDate, apiPrecision } from '#src/http/dates.schema';
import { findCitedSources, type CitedSource } from '#src/features/sources/sources.repository';

export interface TechnologyWithCounts {
  slug: string;
  name: string;
  description: string;
  counts: { deployments: number; active: number; agencies: number; policies: number; lastSeen: string | null };
}

/** Makes the technologies table match the controlled vocabulary in `domain/technologies`. */
export async function syncTechnologies(db: Kysely<Database>): Promise<void> {
  const stored = new Map((await db.selectFrom('technologies').selectAll().execute()).map((t) => [t.slug, t]));
  for (const [i, t] of TECHNOLOGIES.entries()) {
    const row = { slug: t.slug, name: t.name, description: t.description, sort_order: i };
    const existing = stored.get(t.slug);
    if (!existing) await db.insertInto('technologies').values(row).execute();
    else if (existing.name !== row.name || existing.description !== row.description || Number(existing.sort_order) !== i) {
      await db.updateTable('technologies').set(row).where('slug', '=', t.slug).execute();
    }
  }
}

/** Every technology in vocabulary order, with how many deployments, active ones, agencies and policies it has. */
export async function listTechnologies(db: Kysely<Database>): Promise<TechnologyWithCounts[]> {
  const [techs, deployments, policies] = await Promise.all([
    db.selectFrom('technologies').selectAll().orderBy('sort_order').execute(),
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
    db.selectFrom('policy_technologies').select((eb) => ['technology_slug', eb.fn.countAll().as('n')]).groupBy('technology_slug').execute(),
  ]);
  const byTech = new Map(deployments.map((d) => [d.technology_slug, d]));
  const policyCounts = new Map(policies.map((p) => [p.technology_slug, Number(p.n)]));
  return techs.map((t) => {
    const d = byTech.get(t.slug);
    return {
      slug: t.slug,
      name: t.name,
      description: t.description,
      counts: {
        deployments: Number(d?.deployments ?? 0),
        active: Number(d?.active ?? 0),
        agencies: Number(d?.agencies ?? 0),
        policies: policyCounts.get(t.slug) ?? 0,
        lastSeen: (d?.last_seen as string | null | undefined) ?? null,
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
export async function findTechnologyEvents(db: Kysely<Database>, technology?: string): Promise<TechnologyEventRecord[]> {
  let query = db.selectFrom('technology_events').selectAll().orderBy('technology_slug').orderBy('occurred_on').orderBy('id');
  if (technology !== undefined) query = query.where('technology_slug', '=', technology);
  const rows = await query.execute();
  const sources = await findCitedSources(db, 'technology_event', rows.map((r) => r.id));
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

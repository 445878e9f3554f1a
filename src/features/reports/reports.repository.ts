import { sql, type Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { findTechnologyBySlug } from '#src/domain/technologies';
import { searchAgencies, splitPlaceQuery } from '#src/features/search/search.repository';

/** What a report form is about: a record (policy, official), or an agency and a technology. */
export interface ReportSubjectView {
  readonly record: { type: 'policy' | 'official'; id: string; name: string; url: string } | null;
  readonly agency: { id: string; name: string; state_code: string } | null;
  readonly technology: string | null;
  /** The deployment the agency and technology (and programme) make, when it is recorded. */
  readonly deployment: { id: string; url: string } | null;
  /** The named programme of the deployment a link names (flock-safety); '' for none. */
  readonly programme: string;
}

/**
 * Reads what a report link or form names: `deployment` gives its agency and technology; `policy` and
 * `official` their record; otherwise `agency` and `technology` as given. Unknown ids give nulls.
 */
export async function findReportSubject(
  db: Kysely<Database>,
  given: {
    deployment?: string;
    policy?: string;
    official?: string;
    agency?: string;
    technology?: string;
    programme?: string;
  },
): Promise<ReportSubjectView> {
  const none: ReportSubjectView = { record: null, agency: null, technology: null, deployment: null, programme: '' };
  if (given.policy) {
    const p = await db.selectFrom('policies').select(['id', 'title']).where('id', '=', given.policy).executeTakeFirst();
    return p ? { ...none, record: { type: 'policy', id: p.id, name: p.title, url: `/policies/${p.id}` } } : none;
  }
  if (given.official) {
    const o = await db
      .selectFrom('officials')
      .select(['id', 'name', 'role', 'jurisdiction'])
      .where('id', '=', given.official)
      .executeTakeFirst();
    return o
      ? {
          ...none,
          record: {
            type: 'official',
            id: o.id,
            name: `${o.name}, ${o.role}, ${o.jurisdiction}`,
            url: `/officials/${o.id}`,
          },
        }
      : none;
  }
  let agencyId = given.agency;
  let technology = given.technology;
  let programme = given.programme ?? '';
  if (given.deployment) {
    const d = await db
      .selectFrom('deployments')
      .select(['agency_id', 'technology_slug', 'programme'])
      .where('id', '=', given.deployment)
      .executeTakeFirst();
    if (d) {
      agencyId = d.agency_id;
      technology ??= d.technology_slug;
      programme = d.programme;
    }
  }
  const agency = agencyId
    ? ((await db
        .selectFrom('agencies')
        .select(['id', 'name', 'state_code'])
        .where('id', '=', agencyId)
        .executeTakeFirst()) ?? null)
    : null;
  const known = technology && findTechnologyBySlug(technology) ? technology : null;
  let deployment: ReportSubjectView['deployment'] = null;
  if (agency && known) {
    const found = await db
      .selectFrom('deployments')
      .select('id')
      .where('agency_id', '=', agency.id)
      .where('technology_slug', '=', known)
      .where('programme', '=', programme)
      .executeTakeFirst();
    if (found) deployment = { id: found.id, url: `/deployments/${found.id}` };
  }
  // A programme names a recorded deployment only: a report cannot make up a new one.
  return { record: null, agency, technology: known, deployment, programme: deployment ? programme : '' };
}

/**
 * Agencies a report may name, by part of their name or town: first those with deployments (the full-text
 * index), then any agency whose name holds the words (the FBI's list has agencies with nothing recorded yet).
 */
export async function findAgencyChoices(
  db: Kysely<Database>,
  text: string,
  limit: number,
): Promise<Array<{ id: string; name: string; state_code: string }>> {
  const found = await searchAgencies(db, text, limit);
  if (found.length >= limit) return found;
  const { name, state } = splitPlaceQuery(text);
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .slice(0, 5);
  if (words.length === 0) return found;
  let query = db.selectFrom('agencies').select(['id', 'name', 'state_code']);
  for (const w of words) query = query.where(sql<boolean>`lower(name) like ${`%${w.replace(/[%_]/g, '')}%`}`);
  if (state) query = query.where('state_code', '=', state);
  if (found.length)
    query = query.where(
      'id',
      'not in',
      found.map((f) => f.id),
    );
  const more = await query
    .orderBy('name')
    .orderBy('id')
    .limit(limit - found.length)
    .execute();
  return [...found, ...more];
}

/** A record's status now, for the moderation queue: a deployment's status as of its last sighting. */
export async function findSubjectStatus(db: Kysely<Database>, subjectType: string, subjectId: string | null) {
  if (!subjectId) return null;
  if (subjectType === 'deployment')
    return (
      (await db
        .selectFrom('deployments')
        .select(['status', 'last_seen_on'])
        .where('id', '=', subjectId)
        .executeTakeFirst()) ?? null
    );
  if (subjectType === 'policy')
    return (
      (await db
        .selectFrom('policies')
        .select(['status', 'status_on as last_seen_on'])
        .where('id', '=', subjectId)
        .executeTakeFirst()) ?? null
    );
  return null;
}

/** Agencies' names by id (for the moderation pages). */
export async function agencyNames(
  db: Kysely<Database>,
  ids: ReadonlyArray<string | null>,
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('agencies').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

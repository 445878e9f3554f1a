import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { deploymentId } from '#src/importers/evidence.writes';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { rebuildSearchIndex } from '#src/storage/search-index';
import { moveDeployment } from '#src/features/agencies/merge-agencies';
import { recordChanges } from '#src/features/changes/changes.repository';
import { loadTechnologyVocabulary, parseSynonyms } from './technologies.repository';

/** A change to the vocabulary that cannot be made as asked; nothing was changed. */
export class TechnologyEditError extends Error {
  override readonly name = 'TechnologyEditError';
}

interface Editor {
  /** `user:<who>`, kept with the revisions and the change history. */
  readonly actor: string;
  readonly reason?: string;
}

type Row = Record<string, unknown>;

async function technologyOrFail(db: Kysely<Database>, slug: string) {
  const found = await db.selectFrom('technologies').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (found) return found;
  const merged = await db
    .selectFrom('redirects')
    .select('to_id')
    .where('entity_type', '=', 'technology')
    .where('from_id', '=', slug)
    .executeTakeFirst();
  throw new TechnologyEditError(
    merged
      ? `"${slug}" was merged into "${merged.to_id}"`
      : `no technology has the slug "${slug}" (npm run cli -- technologies list shows them)`,
  );
}

async function finish(db: Kysely<Database>): Promise<void> {
  await loadTechnologyVocabulary(db);
  await bumpDatasetVersion(db, new Date());
}

/** Gives a technology a new name; the old one becomes a synonym, so files that write it still find it. */
export async function renameTechnology(
  db: Kysely<Database>,
  slug: string,
  name: string,
  editor: Editor,
): Promise<void> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 120) throw new TechnologyEditError('a name has 1 to 120 characters');
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    const t = await technologyOrFail(trx, slug);
    if (t.name === trimmed) throw new TechnologyEditError(`"${slug}" is already named "${trimmed}"`);
    const synonyms = [...new Set([...parseSynonyms(t.synonyms), t.name])].filter((s) => s !== trimmed);
    await trx
      .updateTable('technologies')
      .set({ name: trimmed, synonyms: JSON.stringify(synonyms) })
      .where('slug', '=', slug)
      .execute();
    const fields = { name: [t.name, trimmed] as [unknown, unknown] };
    await trx
      .insertInto('revisions')
      .values({
        entity_type: 'technology',
        entity_id: slug,
        action: 'update',
        changes: JSON.stringify(fields),
        actor: editor.actor,
        reason: editor.reason ?? null,
        created_at: now,
      })
      .execute();
    await recordChanges(
      trx,
      [
        {
          kind: 'renamed',
          entityType: 'technology',
          entityId: slug,
          technology: slug,
          title: `Technology renamed: "${t.name}" is now "${trimmed}"`,
          actor: editor.actor,
          fields,
          detail: editor.reason ?? null,
        },
      ],
      now,
    );
  });
  await finish(db);
}

/** Marks a technology reviewed, with the name and description an editor checked. */
export async function reviewTechnology(
  db: Kysely<Database>,
  slug: string,
  edits: { name?: string; description?: string },
  editor: Editor,
): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    const t = await technologyOrFail(trx, slug);
    const next = {
      reviewed: 1,
      name: edits.name?.trim() || t.name,
      description: edits.description?.trim() ?? t.description,
    };
    if (next.name.length > 120) throw new TechnologyEditError('a name has 1 to 120 characters');
    const fields: Record<string, [unknown, unknown]> = {};
    if (Number(t.reviewed) !== 1) fields.reviewed = [false, true];
    if (next.name !== t.name) fields.name = [t.name, next.name];
    if (next.description !== t.description) fields.description = [t.description, next.description];
    if (Object.keys(fields).length === 0)
      throw new TechnologyEditError(`"${slug}" is already reviewed, with that name and description`);
    const synonyms =
      next.name !== t.name ? [...new Set([...parseSynonyms(t.synonyms), t.name])] : parseSynonyms(t.synonyms);
    await trx
      .updateTable('technologies')
      .set({ ...next, synonyms: JSON.stringify(synonyms) })
      .where('slug', '=', slug)
      .execute();
    await trx
      .insertInto('revisions')
      .values({
        entity_type: 'technology',
        entity_id: slug,
        action: 'update',
        changes: JSON.stringify(fields),
        actor: editor.actor,
        reason: editor.reason ?? null,
        created_at: now,
      })
      .execute();
    await recordChanges(
      trx,
      [
        {
          kind: 'reviewed',
          entityType: 'technology',
          entityId: slug,
          technology: slug,
          title: `Technology reviewed: ${next.name}`,
          actor: editor.actor,
          fields,
          detail: editor.reason ?? null,
        },
      ],
      now,
    );
  });
  await finish(db);
}

export interface TechnologyMergeResult {
  readonly moved: number;
  readonly combined: number;
}

/**
 * Merges technology `from` into `into`, in one transaction: each deployment of `from` becomes the
 * deployment of the same agency (and programme) for `into` (joining the one there is), its laws and
 * dated events move, its name and synonyms become `into`'s synonyms, `from` is deleted and its slug
 * redirects to `into`. Every change is kept as a revision and in the change history.
 */
export async function mergeTechnologies(
  db: Kysely<Database>,
  fromSlug: string,
  intoSlug: string,
  editor: Editor,
): Promise<TechnologyMergeResult> {
  if (fromSlug === intoSlug) throw new TechnologyEditError('a technology cannot be merged into itself');
  const now = new Date().toISOString();
  const result = await db.transaction().execute(async (trx) => {
    const from = await technologyOrFail(trx, fromSlug);
    const into = await technologyOrFail(trx, intoSlug);
    const revisions: Row[] = [];
    const revision = (entity: string, id: string, action: 'create' | 'update' | 'delete', changes: object) =>
      revisions.push({
        entity_type: entity,
        entity_id: id,
        action,
        changes: JSON.stringify(changes),
        actor: editor.actor,
        reason: editor.reason ?? null,
        created_at: now,
      });
    let moved = 0;
    let combined = 0;
    const deployments = await trx
      .selectFrom('deployments')
      .selectAll()
      .where('technology_slug', '=', fromSlug)
      .orderBy('id')
      .execute();
    for (const old of deployments) {
      const target = deploymentId(old.agency_id, intoSlug, old.programme);
      if ((await moveDeployment(trx, old, target, { technology_slug: intoSlug }, revision)) === 'moved') moved++;
      else combined++;
    }
    const laws = await trx
      .selectFrom('policy_technologies')
      .select('policy_id')
      .where('technology_slug', '=', fromSlug)
      .execute();
    const lawsOfInto = new Set(
      (
        await trx
          .selectFrom('policy_technologies')
          .select('policy_id')
          .where('technology_slug', '=', intoSlug)
          .execute()
      ).map((p) => p.policy_id),
    );
    await trx.deleteFrom('policy_technologies').where('technology_slug', '=', fromSlug).execute();
    const newLaws = laws
      .filter((l) => !lawsOfInto.has(l.policy_id))
      .map((l) => ({ policy_id: l.policy_id, technology_slug: intoSlug }));
    if (newLaws.length > 0) await trx.insertInto('policy_technologies').values(newLaws).execute();
    await trx
      .updateTable('technology_events')
      .set({ technology_slug: intoSlug })
      .where('technology_slug', '=', fromSlug)
      .execute();
    const synonyms = [...new Set([...parseSynonyms(into.synonyms), from.name, ...parseSynonyms(from.synonyms)])].filter(
      (s) => s !== into.name,
    );
    await trx
      .updateTable('technologies')
      .set({ synonyms: JSON.stringify(synonyms) })
      .where('slug', '=', intoSlug)
      .execute();
    revision('technology', intoSlug, 'update', { synonyms: [into.synonyms, JSON.stringify(synonyms)] });
    await trx.deleteFrom('technologies').where('slug', '=', fromSlug).execute();
    revision('technology', fromSlug, 'delete', { ...from, merged_into: intoSlug });
    await trx
      .updateTable('redirects')
      .set({ to_id: intoSlug })
      .where('entity_type', '=', 'technology')
      .where('to_id', '=', fromSlug)
      .execute();
    await trx
      .insertInto('redirects')
      .values({
        entity_type: 'technology',
        from_id: fromSlug,
        to_id: intoSlug,
        reason: editor.reason ?? 'the same technology under two names',
        created_at: now,
      })
      .execute();
    for (let i = 0; i < revisions.length; i += 500)
      await trx
        .insertInto('revisions')
        .values(revisions.slice(i, i + 500) as never)
        .execute();
    await recordChanges(
      trx,
      [
        {
          kind: 'merged',
          entityType: 'technology',
          entityId: intoSlug,
          technology: intoSlug,
          title: `Technology "${from.name}" merged into "${into.name}" (${deployments.length} deployments)`,
          actor: editor.actor,
          detail: editor.reason ?? null,
        },
      ],
      now,
    );
    return { moved, combined };
  });
  await rebuildSearchIndex(db);
  await finish(db);
  return result;
}

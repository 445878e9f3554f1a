import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { deploymentDates } from '#src/importers/evidence.writes';
import { diff } from '#src/storage/revisions';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { rebuildSearchIndex } from '#src/storage/search-index';

/** A merge that cannot be done as asked; nothing was changed. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

export interface MergeResult {
  readonly from: string;
  readonly into: string;
  /** Deployments of `from` that became deployments of `into`. */
  readonly moved: number;
  /** Deployments of `from` whose technology `into` already had: their evidence joined the survivor's. */
  readonly combined: number;
}

type Row = Record<string, unknown>;

/**
 * Merges agency `fromId` into `intoId`, in one transaction: every deployment of `from` becomes the
 * deployment of `into` for the same technology (joining the evidence, sources, vendors and origins of one
 * `into` already has), `from`'s names and origins go to `into` (and its ORI, when `into` has none), `from`
 * is deleted, and its id answers with a redirect to `into` on pages and in the API. Every change is kept as
 * a revision by `actor` with `reason`.
 */
export async function mergeAgencies(
  db: Kysely<Database>,
  fromId: string,
  intoId: string,
  options: { actor: string; reason: string },
): Promise<MergeResult> {
  if (fromId === intoId) throw new MergeError('an agency cannot be merged into itself');
  const now = new Date().toISOString();
  const result = await db.transaction().execute(async (trx) => {
    const [from, into] = await Promise.all([
      trx.selectFrom('agencies').selectAll().where('id', '=', fromId).executeTakeFirst(),
      trx.selectFrom('agencies').selectAll().where('id', '=', intoId).executeTakeFirst(),
    ]);
    if (!from) {
      const merged = await trx
        .selectFrom('redirects')
        .select('to_id')
        .where('entity_type', '=', 'agency')
        .where('from_id', '=', fromId)
        .executeTakeFirst();
      throw new MergeError(
        merged ? `"${fromId}" was already merged into "${merged.to_id}"` : `no agency has the id "${fromId}"`,
      );
    }
    if (!into) throw new MergeError(`no agency has the id "${intoId}"`);
    const revisions: Row[] = [];
    const revision = (entity: string, id: string, action: 'create' | 'update' | 'delete', changes: object) =>
      revisions.push({
        entity_type: entity,
        entity_id: id,
        action,
        changes: JSON.stringify(changes),
        actor: options.actor,
        reason: options.reason,
        created_at: now,
      });

    let moved = 0;
    let combined = 0;
    const deployments = await trx
      .selectFrom('deployments')
      .selectAll()
      .where('agency_id', '=', fromId)
      .orderBy('id')
      .execute();
    for (const old of deployments) {
      const outcome = await moveDeployment(
        trx,
        old,
        intoId + old.id.slice(fromId.length),
        { agency_id: intoId, state_code: into.state_code },
        revision,
      );
      if (outcome === 'moved') moved++;
      else combined++;
    }

    const aliases = await trx.selectFrom('agency_aliases').selectAll().where('agency_id', '=', fromId).execute();
    const kept = new Set(
      (await trx.selectFrom('agency_aliases').select('name_key').where('agency_id', '=', intoId).execute()).map(
        (a) => a.name_key,
      ),
    );
    const missing = aliases.filter((a) => !kept.has(a.name_key)).map((a) => ({ ...a, agency_id: intoId }));
    if (missing.length > 0) await trx.insertInto('agency_aliases').values(missing).execute();
    await trx.deleteFrom('agency_aliases').where('agency_id', '=', fromId).execute();
    await moveOrigins(trx, 'agency', fromId, intoId);
    if (into.ori === null && from.ori !== null) {
      await trx.updateTable('agencies').set({ ori: null }).where('id', '=', fromId).execute();
      await trx.updateTable('agencies').set({ ori: from.ori }).where('id', '=', intoId).execute();
      revision('agency', intoId, 'update', { ori: [null, from.ori] });
    }
    await trx.deleteFrom('agencies').where('id', '=', fromId).execute();
    revision('agency', fromId, 'delete', { ...from, merged_into: intoId });
    // Earlier merges into `from` now lead to `into` in one step.
    await trx
      .updateTable('redirects')
      .set({ to_id: intoId })
      .where('entity_type', '=', 'agency')
      .where('to_id', '=', fromId)
      .execute();
    await trx
      .insertInto('redirects')
      .values({ entity_type: 'agency', from_id: fromId, to_id: intoId, reason: options.reason, created_at: now })
      .execute();
    await trx
      .insertInto('revisions')
      .values(revisions as never)
      .execute();
    return { from: fromId, into: intoId, moved, combined };
  });
  await rebuildSearchIndex(db);
  await bumpDatasetVersion(db, new Date());
  return result;
}

type RevisionOf = (entity: string, id: string, action: 'create' | 'update' | 'delete', changes: object) => void;

/**
 * Makes deployment `old` the deployment `targetId` (with `values` changed: a new agency or technology):
 * created from it when there is none, or joined with the one there is (its evidence, sources, vendors and
 * origins added, its dates derived again). `old` is deleted. Says which it was.
 */
export async function moveDeployment(
  trx: Kysely<Database>,
  old: Row & { id: string },
  targetId: string,
  values: Row,
  revision: RevisionOf,
): Promise<'moved' | 'combined'> {
  const existing = await trx.selectFrom('deployments').select('id').where('id', '=', targetId).executeTakeFirst();
  if (!existing) {
    await trx
      .insertInto('deployments')
      .values({ ...old, ...values, id: targetId } as never)
      .execute();
    revision('deployment', targetId, 'create', {});
  }
  await moveDeploymentChildren(trx, old.id, targetId);
  const events = await trx.selectFrom('deployment_events').selectAll().where('deployment_id', '=', targetId).execute();
  const target = (await trx
    .selectFrom('deployments')
    .selectAll()
    .where('id', '=', targetId)
    .executeTakeFirstOrThrow()) as Row;
  const derived = deploymentDates(events);
  const changes = diff(target, derived);
  if (changes) {
    await trx.updateTable('deployments').set(derived).where('id', '=', targetId).execute();
    revision('deployment', targetId, 'update', changes);
  }
  await trx.deleteFrom('deployments').where('id', '=', old.id).execute();
  revision('deployment', old.id, 'delete', { ...old, merged_into: targetId });
  return existing ? 'combined' : 'moved';
}

/**
 * Points a deployment's evidence, citations, vendor links and origins at another deployment, keeping the survivor's
 * where both have one.
 */
async function moveDeploymentChildren(trx: Kysely<Database>, oldId: string, newId: string): Promise<void> {
  const rekey = (id: string) => newId + id.slice(oldId.length);
  const events = await trx.selectFrom('deployment_events').selectAll().where('deployment_id', '=', oldId).execute();
  const existingEvents = new Set(
    (await trx.selectFrom('deployment_events').select('id').where('deployment_id', '=', newId).execute()).map(
      (e) => e.id,
    ),
  );
  for (const e of events) {
    await trx.deleteFrom('deployment_events').where('id', '=', e.id).execute();
    if (!existingEvents.has(rekey(e.id)))
      await trx
        .insertInto('deployment_events')
        .values({ ...e, id: rekey(e.id), deployment_id: newId })
        .execute();
  }
  const citations = await trx
    .selectFrom('citations')
    .selectAll()
    .where('subject_type', '=', 'deployment')
    .where('subject_id', '=', oldId)
    .execute();
  const existingCitations = new Set(
    (
      await trx
        .selectFrom('citations')
        .select('source_id')
        .where('subject_type', '=', 'deployment')
        .where('subject_id', '=', newId)
        .execute()
    ).map((c) => c.source_id),
  );
  for (const c of citations) {
    await trx.deleteFrom('citations').where('id', '=', c.id).execute();
    if (!existingCitations.has(c.source_id))
      await trx
        .insertInto('citations')
        .values({ ...c, id: `deployment:${newId}:${c.source_id}`, subject_id: newId })
        .execute();
  }
  const vendors = await trx.selectFrom('deployment_vendors').selectAll().where('deployment_id', '=', oldId).execute();
  const existingVendors = new Set(
    (await trx.selectFrom('deployment_vendors').select('vendor_id').where('deployment_id', '=', newId).execute()).map(
      (v) => v.vendor_id,
    ),
  );
  await trx.deleteFrom('deployment_vendors').where('deployment_id', '=', oldId).execute();
  const newVendors = vendors
    .filter((v) => !existingVendors.has(v.vendor_id))
    .map((v) => ({ deployment_id: newId, vendor_id: v.vendor_id }));
  if (newVendors.length > 0) await trx.insertInto('deployment_vendors').values(newVendors).execute();
  await moveOrigins(trx, 'deployment', oldId, newId);
}

/** Origins of one record become the other's (their ids carry the record's id). */
async function moveOrigins(trx: Kysely<Database>, entity: string, oldId: string, newId: string): Promise<void> {
  const origins = await trx
    .selectFrom('origins')
    .selectAll()
    .where('entity_type', '=', entity)
    .where('entity_id', '=', oldId)
    .execute();
  for (const o of origins) {
    const id = `${entity}:${newId}:${o.dataset}:${o.row_key}`;
    await trx.deleteFrom('origins').where('id', '=', o.id).execute();
    const clash = await trx.selectFrom('origins').select('id').where('id', '=', id).executeTakeFirst();
    if (!clash)
      await trx
        .insertInto('origins')
        .values({ ...o, id, entity_id: newId })
        .execute();
  }
}

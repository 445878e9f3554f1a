import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';

/**
 * The id that now names what `id` named, after agencies were merged: an agency's own redirect, or for a
 * deployment (`<agency id>--<technology>[--<programme>]`) the same deployment of the surviving agency.
 * Follows chains of merges; null when `id` was never merged.
 */
export async function findMergedId(
  db: Kysely<Database>,
  entity: 'agency' | 'deployment',
  id: string,
): Promise<string | null> {
  const split = id.indexOf('--');
  let agencyId = entity === 'agency' ? id : split > 0 ? id.slice(0, split) : null;
  if (agencyId === null) return null;
  const rest = entity === 'agency' ? '' : id.slice(split);
  let moved = false;
  for (let hops = 0; hops < 10; hops++) {
    const row = await db
      .selectFrom('redirects')
      .select('to_id')
      .where('entity_type', '=', 'agency')
      .where('from_id', '=', agencyId)
      .executeTakeFirst();
    if (!row) break;
    agencyId = row.to_id;
    moved = true;
  }
  return moved ? agencyId + rest : null;
}

/** Answers 301 to the surviving record when `id` was merged away; returns whether it did. */
export async function redirectIfMerged(
  db: Kysely<Database>,
  reply: FastifyReply,
  entity: 'agency' | 'deployment',
  id: string,
  urlOf: (id: string) => string,
): Promise<boolean> {
  const target = await findMergedId(db, entity, id);
  if (target === null) return false;
  await reply.redirect(urlOf(target), 301);
  return true;
}

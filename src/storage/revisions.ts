import type { Kysely } from 'kysely';
import type { Database } from './schema';

type Values = Record<string, unknown>;

/** `{field: [before, after]}` for every field of `next` that differs from `before`; null when none does. */
export function diff(before: Values, next: Values): Record<string, [unknown, unknown]> | null {
  let changes: Record<string, [unknown, unknown]> | null = null;
  for (const [field, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const old = before[field] ?? null;
    if (!sameValue(old, value)) {
      changes ??= {};
      changes[field] = [old, value];
    }
  }
  return changes;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  // PostgreSQL may hand numbers back as strings (bigint, numeric).
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return false;
}

/** Keeps one revision: who changed which record, and how (`{field: [before, after]}`; `{}` for a create). */
export async function writeRevision(
  db: Kysely<Database>,
  revision: {
    entity: string;
    id: string;
    action: 'create' | 'update' | 'delete';
    changes?: Record<string, [unknown, unknown]> | null;
    actor: string;
  },
): Promise<void> {
  await db
    .insertInto('revisions')
    .values({
      entity_type: revision.entity,
      entity_id: revision.id,
      action: revision.action,
      changes: JSON.stringify(revision.changes ?? {}),
      actor: revision.actor,
      reason: null,
      created_at: new Date().toISOString(),
    })
    .execute();
}

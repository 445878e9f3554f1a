import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '#src/storage/schema';
import { slugify } from '#src/domain/names';
import { diff, writeRevision } from '#src/storage/revisions';

/** An official as operators enter it (operator pages and the CLI): every contact keeps a source and a date. */
export const officialInput = z.object({
  place_id: z.string().min(1, 'is needed'),
  role: z.enum(['mayor', 'council member', 'police chief'], {
    message: 'must be mayor, council member or police chief',
  }),
  name: z.string().trim().min(2, 'must have at least 2 characters').max(200, 'must be at most 200 characters'),
  email: z.union([z.literal(''), z.email({ message: 'must be an email address' })]),
  phone: z.string().trim().max(40, 'must be at most 40 characters'),
  website_url: z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/, message: 'must be a web address (http or https)' }),
  ]),
  source_url: z.url({ protocol: /^https?$/, message: 'must be the web address where you checked it (http or https)' }),
  verified_on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
});
export type OfficialInput = z.infer<typeof officialInput>;

export class OfficialInputError extends Error {
  override readonly name = 'OfficialInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
  }
}

/**
 * Creates an official (when `id` is not given) or updates one, with a revision naming who did it and what
 * changed. Bad input is an OfficialInputError naming the field; nothing is written then.
 */
export async function saveOfficial(
  db: Kysely<Database>,
  raw: Record<string, unknown>,
  actor: string,
  id?: string,
): Promise<{ id: string; created: boolean }> {
  const parsed = officialInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OfficialInputError(String(issue.path[0] ?? 'input'), issue.message);
  }
  const v = parsed.data;
  const place = await db
    .selectFrom('places')
    .select(['id', 'state_code', 'name'])
    .where('id', '=', v.place_id)
    .executeTakeFirst();
  if (!place) throw new OfficialInputError('place_id', `"${v.place_id}" is not a known place`);
  const existing = id
    ? await db.selectFrom('officials').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (id && !existing) throw new OfficialInputError('id', `"${id}" is not a known official`);
  const values = {
    place_id: place.id,
    state_code: place.state_code,
    jurisdiction: `${place.name}, ${place.state_code}`,
    role: v.role,
    name: v.name,
    email: v.email || null,
    phone: v.phone || null,
    website_url: v.website_url || null,
    source_url: v.source_url,
    verified_on: v.verified_on,
  };
  const officialId =
    existing?.id ?? `${place.state_code.toLowerCase()}-${slugify(place.name)}--${slugify(v.role)}--${slugify(v.name)}`;
  if (!existing && (await db.selectFrom('officials').select('id').where('id', '=', officialId).executeTakeFirst())) {
    throw new OfficialInputError('name', `is already in the roster as ${officialId}: edit that entry instead`);
  }
  await db.transaction().execute(async (trx) => {
    if (existing) {
      await trx.updateTable('officials').set(values).where('id', '=', officialId).execute();
      await writeRevision(trx, {
        entity: 'official',
        id: officialId,
        action: 'update',
        changes: diff(existing, values),
        actor,
      });
    } else {
      await trx
        .insertInto('officials')
        .values({ id: officialId, bio_url: null, ...values })
        .execute();
      await writeRevision(trx, { entity: 'official', id: officialId, action: 'create', actor });
    }
  });
  return { id: officialId, created: !existing };
}

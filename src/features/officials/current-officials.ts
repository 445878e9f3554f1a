import type { RecordWriter } from '#src/importers/record-writer';
import type { BatchContext } from '#src/importers/import-kind';

/**
 * Settles who holds each office now, from every source's listings: the newest source that lists someone
 * in an office decides. An official whose newest "in office" listing is older than another person's
 * listing for the same office is no longer current, ended on the as-of date of the first source that
 * showed someone else; one listed by the newest source is current. A source's "retired" listing never
 * ends anyone by itself (it is a reason to re-verify). Officials with no listing (added by hand) are left
 * as they are. Changes are written through `writer`, with revisions.
 */
export async function settleCurrentOfficials(writer: RecordWriter, placeIds: readonly string[]): Promise<void> {
  const places = [...new Set(placeIds)];
  if (places.length === 0) return;
  const officials = await writer.selectWhereIn('officials', 'place_id', places);
  const listings = await writer.selectWhereIn(
    'official_listings',
    'official_id',
    officials.map((o) => o.id as string),
  );
  const inOffice = new Map<string, string[]>();
  for (const l of listings)
    if (l.status === 'current')
      inOffice.set(l.official_id as string, [...(inOffice.get(l.official_id as string) ?? []), l.as_of as string]);
  const offices = new Map<
    string,
    Array<{ id: string; lastListed: string; dates: string[]; current: number; ended_on: string | null }>
  >();
  for (const o of officials) {
    const dates = inOffice.get(o.id as string);
    if (!dates) continue;
    const office = `${o.place_id}|${o.role}`;
    offices.set(office, [
      ...(offices.get(office) ?? []),
      {
        id: o.id as string,
        lastListed: dates.reduce((a, b) => (a > b ? a : b)),
        dates,
        current: Number(o.current),
        ended_on: (o.ended_on as string | null) ?? null,
      },
    ]);
  }
  const updates: Array<{ row: number; values: Record<string, unknown> }> = [];
  for (const holders of offices.values()) {
    for (const h of holders) {
      const others = holders
        .filter((o) => o.id !== h.id)
        .flatMap((o) => o.dates)
        .filter((d) => d > h.lastListed)
        .sort();
      const next = others.length > 0 ? { current: 0, ended_on: others[0]! } : { current: 1, ended_on: null };
      if (next.current !== h.current || next.ended_on !== h.ended_on)
        updates.push({ row: -1, values: { id: h.id, ...next } });
    }
  }
  if (updates.length > 0) await writer.upsert('officials', updates, { entity: 'official' });
}

/**
 * A source's listings of officials (`{id, place_id, official_id, dataset, as_of, status, source_url, term_ends_on}`).
 */
export async function writeOfficialListings(
  ctx: BatchContext,
  listings: ReadonlyArray<{ row: number; values: Record<string, unknown> }>,
): Promise<void> {
  await ctx.writer.upsert(
    'official_listings',
    listings.map(({ row, values: { place_id: _place, ...values } }) => ({ row, values })),
    {
      entity: 'official_listing',
      secondary: true,
      // A dataset may list one person twice in one version (a current term and a retired one): in office wins.
      merge: (existing, incoming) =>
        existing.as_of === incoming.as_of && existing.status === 'current' && incoming.status !== 'current'
          ? existing
          : { ...existing, ...incoming },
    },
  );
}

/**
 * How a source's record of an official joins the stored one: the source with the newer `verified_on`
 * gives the contact details (a missing detail never erases one); `current` and `ended_on` are left to
 * `settleCurrentOfficials`. Importing an older directory again after a newer one changes nothing.
 */
export function newerSourceWins(
  existing: Record<string, unknown>,
  incoming: Record<string, unknown>,
): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(incoming).filter(([, v]) => v !== null && v !== undefined));
  if (String(existing.verified_on ?? '') > String(incoming.verified_on ?? ''))
    return {
      ...given,
      ...Object.fromEntries(Object.entries(existing).filter(([, v]) => v !== null && v !== undefined)),
    };
  return { ...existing, ...given };
}

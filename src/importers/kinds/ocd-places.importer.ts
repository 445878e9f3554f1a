import type { ImportKind, ParseResult } from '../import-kind';

interface OcdDivision {
  readonly id: string;
  readonly name: string;
  readonly placeId: string;
}

/**
 * Open Civic Data's crosswalk from division ids to Census GEOIDs (`id,name,census_geoid`): the key that
 * finds the city of an official in Open States and other civic datasets.
 */
export const ocdPlacesImporter: ImportKind<OcdDivision> = {
  name: 'ocd-places',
  description: 'Open Civic Data division ids with Census GEOIDs (us_census_places.csv: id,name,census_geoid)',
  shape: { format: 'delimited', requiredColumns: ['id', 'name', 'census_geoid'] },
  parseRow(r): ParseResult<OcdDivision> {
    const id = r['id']!.trim();
    if (!/^ocd-division\/country:us\/[a-z_]+:[^/\s]+\/\S+$/.test(id))
      return { ok: false, field: 'id', reason: `"${id.slice(0, 80)}" is not a US OCD division id` };
    const geoid = r['census_geoid']!.trim();
    // `place-` + 7 digits is a Census place, written as Counterwatch writes its place ids; + 5 digits a county
    // (or borough, parish); + 10 digits a county subdivision (a New England town, a township), kept as such.
    const digits = /^place-(\d+)$/.exec(geoid)?.[1] ?? '';
    const placeId =
      digits.length === 7
        ? geoid
        : digits.length === 5
          ? `county-${digits}`
          : digits.length === 10
            ? `cousub-${digits}`
            : null;
    if (placeId === null)
      return {
        ok: false,
        field: 'census_geoid',
        reason: `"${geoid}" is not a place (place-NNNNNNN), county (place-NNNNN) or county subdivision GEOID`,
      };
    return { ok: true, row: { id, name: r['name']!.trim(), placeId } };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    await ctx.writer.upsert(
      'ocd_divisions',
      rows.map(({ index, row }) => ({ row: index, values: { id: row.id, name: row.name, place_id: row.placeId } })),
      { entity: 'ocd_division', revisions: false },
    );
  },
};

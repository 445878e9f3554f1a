import { slugify } from '#src/domain/names';
import { findStateByCode } from '#src/domain/states';
import type { ImportKind, ParseResult } from '../import-kind';
import { writeOrigins, originItem } from '../evidence.writes';
import {
  newerSourceWins,
  settleCurrentOfficials,
  writeOfficialListings,
} from '#src/features/officials/current-officials';

interface MayorRow {
  readonly name: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly bioUrl: string | null;
  readonly city: string;
  readonly state: string;
  readonly siteUrl: string | null;
}

const COLUMNS = ['name', 'email', 'phone', 'bio_url', 'city', 'state', 'city_site_url'];

/** US Conference of Mayors directory: one mayor per city with public office contacts. */
export const uscmMayorsImporter: ImportKind<MayorRow> = {
  name: 'uscm-mayors',
  description:
    'US Conference of Mayors directory scrape: name,email,phone,bio_url,img_url,city,state,population,city_site_url,next_election',
  shape: { format: 'delimited', requiredColumns: COLUMNS },
  parseRow(r): ParseResult<MayorRow> {
    const name = r['name']!.trim().replace(/\s+/g, ' ');
    if (name === '')
      return { ok: false, field: 'name', reason: 'is empty: the directory lists no mayor for this city' };
    const state = findStateByCode(r['state']!);
    if (!state) return { ok: false, field: 'state', reason: `"${r['state']}" is not a state code` };
    const city = r['city']!.trim();
    if (city === '') return { ok: false, field: 'city', reason: 'is empty' };
    const email = r['email']!.trim();
    if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      return { ok: false, field: 'email', reason: `"${email}" is not an email address` };
    const url = (text: string) => (/^https?:\/\/\S+$/i.test(text.trim()) ? text.trim() : null);
    return {
      ok: true,
      row: {
        name,
        email: email || null,
        phone: r['phone']!.trim() || null,
        bioUrl: url(r['bio_url']!),
        city,
        state: state.code,
        siteUrl: url(r['city_site_url']!),
      },
    };
  },
  rowKey: (row) => `${row.state}|${row.city}|${row.name}`,
  async writeBatch(ctx, rows) {
    await ctx.resolver.load({ places: rows.map((r) => r.row.city) });
    const officials = rows.map(({ index, line, row }) => {
      const place = ctx.resolver.place(row.state, row.city);
      if (!place)
        ctx.warn(line, `could not find the city "${row.city}, ${row.state}"; the mayor is kept under the state`);
      const id = `${row.state.toLowerCase()}-${slugify(row.city)}--mayor--${slugify(row.name)}`;
      return {
        index,
        line,
        key: `${row.state}|${row.city}|${row.name}`,
        values: {
          id,
          place_id: place?.id ?? null,
          state_code: row.state,
          jurisdiction: `${row.city}, ${row.state}`,
          role: 'mayor',
          name: row.name,
          email: row.email,
          phone: row.phone,
          website_url: row.siteUrl,
          bio_url: row.bioUrl,
          source_url: row.bioUrl ?? 'https://www.usmayors.org/',
          verified_on: ctx.asOf.on,
        },
      };
    });
    // The directory lists some cities twice, with identical rows; they are one official.
    await ctx.writer.upsert(
      'officials',
      officials.map((o) => ({ row: o.index, values: o.values })),
      { entity: 'official', merge: newerSourceWins },
    );
    await writeOrigins(
      ctx,
      officials.map((o) => originItem(ctx, o.index, o.line, o.key, 'official', o.values.id)),
    );
    // The directory lists each mayor as in office as of its date; a newer source may show someone else.
    const placed = officials.filter((o) => o.values.place_id !== null);
    await writeOfficialListings(
      ctx,
      placed.map((o) => ({
        row: o.index,
        values: {
          id: `${o.values.id}|${ctx.dataset}`,
          place_id: o.values.place_id,
          official_id: o.values.id,
          dataset: ctx.dataset,
          as_of: ctx.asOf.on,
          status: 'current',
          source_url: o.values.source_url,
          term_ends_on: null,
        },
      })),
    );
    await settleCurrentOfficials(
      ctx.writer,
      placed.map((o) => o.values.place_id!),
    );
  },
};

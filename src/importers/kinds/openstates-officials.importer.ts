import { personNameKey, slugify } from '#src/domain/names';
import type { ImportKind, ParseResult } from '../import-kind';
import { originItem, writeOrigins } from '../evidence.writes';
import {
  newerSourceWins,
  settleCurrentOfficials,
  writeOfficialListings,
} from '#src/features/officials/current-officials';

interface MunicipalRole {
  readonly type: 'mayor';
  /** `ocd-division/country:us/state:il/place:chicago` */
  readonly division: string;
  readonly startDate: string | null;
  readonly endDate: string | null;
}

interface OpenStatesPerson {
  readonly id: string;
  /** The file, e.g. `il/municipalities/Brandon-Johnson-53d8….yml`. */
  readonly path: string;
  /** `municipalities` (listed in office) or `retired` (no longer listed: a reason to re-verify, not proof). */
  readonly folder: 'municipalities' | 'retired';
  readonly name: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly website: string | null;
  readonly sourceUrl: string | null;
  readonly roles: readonly MunicipalRole[];
}

type Document = Record<string, unknown>;
const text = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : v instanceof Date ? v.toISOString().slice(0, 10) : null;
const httpUrl = (v: unknown): string | null => {
  const t = text(v);
  return t !== null && /^https?:\/\/\S+$/i.test(t) ? t : null;
};
const list = (v: unknown): Document[] =>
  Array.isArray(v) ? v.filter((x): x is Document => typeof x === 'object' && x !== null) : [];

/**
 * Open States' people files (openstates/people `data/<state>/municipalities/*.yml` and `retired/*.yml`),
 * read as a folder: one person per file, with their municipal roles. Mayors only; state legislative
 * roles in the same files are skipped.
 */
export const openStatesOfficialsImporter: ImportKind<OpenStatesPerson> = {
  name: 'openstates-officials',
  description: 'Open States people files: a folder of data/<state>/{municipalities,retired}/*.yml (CC0)',
  shape: { format: 'yaml-files', requiredColumns: null, columns: ['json'] },
  checkShape(first) {
    const { path, document } = JSON.parse(first['json']!) as { path: string; document: Document | null };
    if (!/(^|\/)(municipalities|retired)\/[^/]+\.ya?ml$/.test(path))
      return `${path} is not in a municipalities/ or retired/ folder of Open States' people data`;
    if (!document || typeof document.id !== 'string' || !document.id.startsWith('ocd-person/'))
      return `${path} has no ocd-person id`;
    return null;
  },
  parseRow(r): ParseResult<OpenStatesPerson> {
    const { path, document } = JSON.parse(r['json']!) as { path: string; document: Document | null };
    const folder = /(?:^|\/)(municipalities|retired)\/[^/]+$/.exec(path)?.[1] as OpenStatesPerson['folder'] | undefined;
    if (!folder) return { ok: false, field: 'path', reason: `${path} is not in a municipalities/ or retired/ folder` };
    if (!document || typeof document !== 'object')
      return { ok: false, field: 'document', reason: `${path} holds no person` };
    const id = text(document.id);
    if (!id?.startsWith('ocd-person/'))
      return { ok: false, field: 'id', reason: `${path}: "${id ?? ''}" is not an ocd-person id` };
    const name = text(document.name);
    if (!name) return { ok: false, field: 'name', reason: `${path}: is empty` };
    const roles: MunicipalRole[] = [];
    for (const role of list(document.roles)) {
      const m =
        /^ocd-jurisdiction\/(country:us\/state:[a-z]{2}\/(?:place|county):[^/]+(?:\/place:[^/]+)?)\/government$/.exec(
          text(role.jurisdiction) ?? '',
        );
      if (!m || text(role.type) !== 'mayor') continue;
      roles.push({
        type: 'mayor',
        division: `ocd-division/${m[1]}`,
        startDate: day(role.start_date),
        endDate: day(role.end_date),
      });
    }
    const offices = [...list(document.offices), ...list(document.contact_details)];
    const email = text(document.email);
    return {
      ok: true,
      row: {
        id,
        path,
        folder,
        name: name.replace(/\s+/g, ' '),
        givenName: text(document.given_name),
        familyName: text(document.family_name),
        email: email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null,
        phone: offices.map((o) => text(o.voice)).find((v) => v !== null) ?? null,
        website:
          list(document.links)
            .map((l) => httpUrl(l.url))
            .find((u) => u !== null) ?? null,
        sourceUrl:
          list(document.sources)
            .map((l) => httpUrl(l.url))
            .find((u) => u !== null) ?? null,
        roles,
      },
    };
  },
  rowKey: (row) => row.id,
  async writeBatch(ctx, rows) {
    const divisions = [...new Set(rows.flatMap((r) => r.row.roles.map((role) => role.division)))];
    const placeOf = new Map(
      (await ctx.writer.selectWhereIn('ocd_divisions', 'id', divisions)).map((d) => [
        d.id as string,
        d.place_id as string,
      ]),
    );
    const places = new Map(
      (await ctx.writer.selectWhereIn('places', 'id', [...new Set(placeOf.values())])).map((p) => [
        p.id as string,
        p as Record<string, unknown>,
      ]),
    );
    // A division the crosswalk does not name ("place:boise", where Census says "Boise City") is found by its name in
    // its state.
    const unmapped = divisions.filter((d) => !places.has(placeOf.get(d) ?? ''));
    await ctx.resolver.load({ places: unmapped.map((d) => divisionName(d)) });
    for (const d of unmapped) {
      const found = ctx.resolver.place(divisionState(d), divisionName(d));
      if (found) {
        placeOf.set(d, found.id);
        places.set(found.id, { ...found });
      }
    }
    const known = await ctx.writer.selectWhereIn('officials', 'place_id', [...places.keys()]);
    const officials: Array<{ row: number; values: Record<string, unknown> }> = [];
    const listings: Array<{ row: number; values: Record<string, unknown> }> = [];
    const origins = [];
    for (const { index, line, row } of rows) {
      if (row.roles.length === 0) continue;
      for (const role of row.roles) {
        const place = places.get(placeOf.get(role.division) ?? '');
        if (!place) {
          if (row.folder === 'municipalities')
            ctx.warn(line, `${row.path}: ${row.name}: no place is known for ${role.division}; the mayor is not kept`);
          continue;
        }
        const nameKey = personNameKey(
          row.givenName && row.familyName ? `${row.givenName} ${row.familyName}` : row.name,
        );
        const same = known.find(
          (o) => o.place_id === place.id && o.role === 'mayor' && personNameKey(o.name as string) === nameKey,
        );
        // Someone Open States no longer lists, and no source told us of: nothing to re-verify.
        if (!same && row.folder === 'retired') continue;
        const state = place.state_code as string;
        const id =
          (same?.id as string | undefined) ??
          `${state.toLowerCase()}-${slugify(place.name as string)}--mayor--${slugify(row.name)}`;
        if (row.folder === 'municipalities') {
          officials.push({
            row: index,
            values: {
              id,
              place_id: place.id,
              state_code: state,
              jurisdiction: `${place.name}, ${state}`,
              role: 'mayor',
              name: row.name,
              email: row.email,
              phone: row.phone,
              website_url: row.website,
              bio_url: null,
              source_url:
                row.sourceUrl ??
                `https://github.com/openstates/people/tree/main/data/${state.toLowerCase()}/municipalities`,
              verified_on: ctx.asOf.on,
              started_on: role.startDate,
              ocd_id: role.division,
            },
          });
          origins.push(originItem(ctx, index, line, row.id, 'official', id));
        }
        listings.push({
          row: index,
          values: {
            id: `${id}|${ctx.dataset}`,
            place_id: place.id,
            official_id: id,
            dataset: ctx.dataset,
            as_of: ctx.asOf.on,
            status: row.folder === 'municipalities' ? 'current' : 'retired',
            source_url: row.sourceUrl,
            term_ends_on: role.endDate,
          },
        });
      }
    }
    await ctx.writer.upsert('officials', officials, { entity: 'official', merge: newerSourceWins });
    await writeOfficialListings(ctx, listings);
    await writeOrigins(ctx, origins);
    await settleCurrentOfficials(
      ctx.writer,
      listings.map((l) => l.values.place_id as string),
    );
  },
};

/** `ocd-division/country:us/state:fl/place:saint_petersburg` → "saint petersburg". */
function divisionName(division: string): string {
  return (division.split('/').at(-1) ?? '')
    .replace(/^[a-z_]+:/, '')
    .replace(/_/g, ' ')
    .replace(/~/g, '/');
}

function divisionState(division: string): string {
  return (/\/state:([a-z]{2})/.exec(division)?.[1] ?? '').toUpperCase();
}

function day(v: unknown): string | null {
  const t = text(v);
  return t !== null && /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : null;
}

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database, DataSourceRow } from '#src/storage/schema';
import { isoOf, parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { slugify } from '#src/domain/names';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import {
  dateFromFileName,
  hashYamlFolder,
  ImportShapeError,
  runImport,
  type ImportSummary,
} from '#src/importers/pipeline';
import { findDataSource } from './data-sources.repository';

/** A sync that cannot be done as asked (unknown source, unreachable URL, no as-of date); says why. */
export class SyncError extends Error {
  override readonly name = 'SyncError';
}

export interface SyncFolders {
  /** The bundled datasets' folder (bundled sources' paths are relative to it). */
  readonly dataDir: string;
  /** Where the raw file of each fetched version is kept. */
  readonly sourcesDir: string;
}

export interface SyncOptions {
  /** The import kind; required for a source not yet registered. */
  readonly kind?: string;
  /** The date the data was current; otherwise the source's as-of rule says. */
  readonly asOf?: string;
  /** A name for a new source (default: from its URL or file name). */
  readonly name?: string;
  readonly title?: string;
  readonly licence?: string;
  /** Sync every this many hours when the server runs (null: only by hand). For a new source. */
  readonly everyHours?: number | null;
  readonly now?: () => Date;
}

export type SyncOutcome = 'imported' | 'not-modified' | 'unchanged';

export interface SyncResult {
  readonly source: string;
  /**
   * `not-modified`: the server said so (304); `unchanged`: the same bytes (SHA-256) as last time. Neither writes data.
   */
  readonly outcome: SyncOutcome;
  readonly sha256: string | null;
  readonly asOf: string | null;
  readonly rawPath: string | null;
  readonly summary: ImportSummary | null;
}

const MAX_BYTES = 1024 * 1024 * 1024;
const isUrl = (text: string) => /^https?:\/\//i.test(text);

/**
 * Syncs one source: a registered one by name (or location), or a new one by URL or path with `kind`.
 * Over HTTP(S) it asks with the ETag and Last-Modified of the last fetch (a 304 writes nothing); a file
 * whose SHA-256 is the last one's writes nothing either. A new version is kept under `sourcesDir` with
 * its SHA-256 and imported as of its date; rows it no longer lists get a dated "no longer listed" event.
 */
export async function syncSource(
  db: Kysely<Database>,
  target: string,
  folders: SyncFolders,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const source = (await findDataSource(db, target)) ?? (await registerSource(db, target, options, now().toISOString()));
  if (options.kind !== undefined && options.kind !== source.kind)
    throw new SyncError(`the source "${source.name}" is of kind ${source.kind}, not ${options.kind}`);
  const kind = IMPORT_KINDS.get(source.kind);
  if (!kind) throw new SyncError(`the source "${source.name}" has the kind "${source.kind}", which no importer reads`);
  const checkedAt = now().toISOString();
  const record = async (values: Partial<DataSourceRow>) =>
    db
      .updateTable('data_sources')
      .set({ checked_at: checkedAt, ...values })
      .where('name', '=', source.name)
      .execute();

  try {
    const fetched = isUrl(source.location)
      ? await fetchVersion(source, folders.sourcesDir)
      : await localVersion(source, folders.dataDir);
    if (fetched === 'not-modified') {
      await record({ last_outcome: 'not-modified' });
      return {
        source: source.name,
        outcome: 'not-modified',
        sha256: source.sha256,
        asOf: source.as_of,
        rawPath: source.raw_path,
        summary: null,
      };
    }
    if (fetched.sha256 === source.sha256) {
      if (fetched.temporary) rmSync(fetched.path, { force: true });
      await record({
        last_outcome: 'unchanged',
        etag: fetched.etag ?? source.etag,
        last_modified: fetched.lastModified ?? source.last_modified,
      });
      return {
        source: source.name,
        outcome: 'unchanged',
        sha256: fetched.sha256,
        asOf: source.as_of,
        rawPath: source.raw_path,
        summary: null,
      };
    }
    const asOf = asOfOf(source, fetched, options.asOf, now());
    let rawPath = fetched.path;
    if (fetched.temporary) {
      rawPath = join(folders.sourcesDir, source.name, `${fetched.sha256.slice(0, 12)}-${fetched.fileName}`);
      renameSync(fetched.path, rawPath);
    }
    const summary = await runImport(db, kind, rawPath, {
      asOf: isoOf(asOf),
      sourceName: source.name,
      title: source.title,
      tracksListing: true,
      now,
    });
    await record({
      last_outcome: 'imported',
      etag: fetched.etag,
      last_modified: fetched.lastModified,
      sha256: fetched.sha256,
      raw_path: rawPath,
      as_of: asOf.on,
      as_of_precision: asOf.precision,
      fetched_at: checkedAt,
      last_run_id: summary.runId,
    });
    return { source: source.name, outcome: 'imported', sha256: fetched.sha256, asOf: isoOf(asOf), rawPath, summary };
  } catch (error) {
    const message =
      error instanceof ImportShapeError || error instanceof SyncError
        ? error.message
        : `${(error as Error).name}: ${(error as Error).message}`;
    await record({ last_outcome: `failed: ${message}`.slice(0, 500) });
    if (error instanceof ImportShapeError) throw new SyncError(message);
    throw error;
  }
}

async function registerSource(
  db: Kysely<Database>,
  target: string,
  options: SyncOptions,
  now: string,
): Promise<DataSourceRow> {
  if (options.kind === undefined)
    throw new SyncError(
      `no source is named "${target}"; to add it, give its kind with --kind (one \
of: ${[...IMPORT_KINDS.keys()].join(', ')})`,
    );
  if (!IMPORT_KINDS.has(options.kind))
    throw new SyncError(`--kind "${options.kind}" is not one of: ${[...IMPORT_KINDS.keys()].join(', ')}`);
  let location = target;
  if (!isUrl(target)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target))
      throw new SyncError(
        `"${target}" is neither an http(s) address nor a file: only http:// and https:// are fetched`,
      );
    location = resolve(target);
    if (!existsSync(location)) throw new SyncError(`no source is named "${target}", and no file is there`);
  }
  const name = options.name ?? nameFrom(location);
  if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(name))
    throw new SyncError(`the source name "${name}" must be lower-case letters, digits and "-"`);
  if (await db.selectFrom('data_sources').select('name').where('name', '=', name).executeTakeFirst()) {
    throw new SyncError(`a source is already named "${name}" (at another address); give this one a name with --name`);
  }
  const row: DataSourceRow = {
    name,
    kind: options.kind,
    location,
    title: options.title ?? `${options.kind} from ${location}`,
    licence: options.licence ?? 'not stated',
    as_of_rule: options.asOf !== undefined ? 'given' : isUrl(location) ? 'last-modified' : 'file-name',
    bundled: 0,
    schedule_hours: options.everyHours ?? null,
    etag: null,
    last_modified: null,
    sha256: null,
    raw_path: null,
    as_of: null,
    as_of_precision: null,
    fetched_at: null,
    checked_at: null,
    last_run_id: null,
    last_outcome: null,
    created_at: now,
  };
  await db.insertInto('data_sources').values(row).execute();
  return row;
}

/** "https://example.org/data/atlas-of-surveillance-20201007.csv" → "atlas-of-surveillance". */
function nameFrom(location: string): string {
  const file = basename(isUrl(location) ? new URL(location).pathname : location).replace(/\.[a-z0-9]+$/i, '');
  const name = slugify(file.replace(/[-_]?((19|20)\d{2}-?\d{2}-?\d{2})/, ''))
    .slice(0, 60)
    .replace(/-+$/, '');
  return name || 'source';
}

interface Version {
  readonly path: string;
  readonly fileName: string;
  /** A fetched file, not yet kept under its SHA-256. */
  readonly temporary: boolean;
  readonly sha256: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

async function fetchVersion(source: DataSourceRow, sourcesDir: string): Promise<Version | 'not-modified'> {
  const headers: Record<string, string> = { 'user-agent': 'Counterwatch sync (+https://github.com/counterwatch)' };
  // Ask conditionally only while the last version's raw file is still kept.
  const kept = source.raw_path !== null && existsSync(source.raw_path);
  if (kept && source.etag) headers['if-none-match'] = source.etag;
  if (kept && source.last_modified) headers['if-modified-since'] = source.last_modified;
  let response: Response;
  try {
    response = await fetch(source.location, { headers, redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new SyncError(
      `could not fetch ${source.location}: \
${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
    );
  }
  if (response.status === 304) return 'not-modified';
  if (response.status !== 200 || response.body === null)
    throw new SyncError(`${source.location} answered ${response.status} ${response.statusText}; nothing was imported`);
  const dir = join(sourcesDir, source.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.fetching-${process.pid}-${Date.now()}`);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(response.body as never),
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          if (bytes > MAX_BYTES)
            return done(
              new SyncError(`${source.location} is larger than ${MAX_BYTES / 1024 / 1024} MB; nothing was imported`),
            );
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      createWriteStream(temporary, { mode: 0o600 }),
    );
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error instanceof SyncError
      ? error
      : new SyncError(`the download of ${source.location} broke off: ${(error as Error).message}`);
  }
  const fileName = basename(new URL(response.url || source.location).pathname) || `${source.name}.data`;
  return {
    path: temporary,
    fileName,
    temporary: true,
    sha256: hash.digest('hex'),
    etag: response.headers.get('etag'),
    lastModified: response.headers.get('last-modified'),
  };
}

async function localVersion(source: DataSourceRow, dataDir: string): Promise<Version> {
  const path = Number(source.bundled) === 1 ? join(dataDir, source.location) : source.location;
  if (!existsSync(path)) throw new SyncError(`${path} is not there; nothing was imported`);
  const sha256 = statSync(path).isDirectory() ? hashYamlFolder(path) : await hashFile(path);
  return { path, fileName: basename(path), temporary: false, sha256, etag: null, lastModified: null };
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The as-of date: given; or the source's rule (a fixed date, the file name's date, the Last-Modified day, or the fetch
 * day).
 */
function asOfOf(source: DataSourceRow, version: Version, given: string | undefined, now: Date): PartialDate {
  if (given !== undefined) {
    const parsed = parseIsoPartialDate(given);
    if (!parsed)
      throw new SyncError(`the as-of date "${given}" is not a date; give it as YYYY-MM-DD (or YYYY-MM, or YYYY)`);
    return parsed;
  }
  if (source.as_of_rule.startsWith('fixed:')) return parseIsoPartialDate(source.as_of_rule.slice(6))!;
  const fromName = dateFromFileName(version.fileName);
  if (fromName) return fromName;
  if (source.as_of_rule === 'last-modified') {
    const modified = version.lastModified ? new Date(version.lastModified) : null;
    const day = modified && !Number.isNaN(modified.getTime()) ? modified : now;
    return { on: day.toISOString().slice(0, 10), precision: 'day' };
  }
  throw new SyncError(`when was ${version.fileName} current? Its name holds no date: give it with --as-of YYYY-MM-DD`);
}

import { createHash, hash as hashText, randomUUID } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { createInterface } from 'node:readline';
import { basename, join } from 'node:path';
import type { Kysely } from 'kysely';
import { readDelimited, UnterminatedQuoteError, type DelimitedRecord } from './delimited.reader';
import type { BatchContext, ImportKind, ParsedRow, RowProblem } from './import-kind';
import { writeUnlisted } from './evidence.writes';
import { recordRunChanges } from '#src/features/changes/changes.repository';
import { RecordWriter } from './record-writer';
import { Resolver } from './resolver';
import { isoOf, parseIsoPartialDate, type PartialDate } from '#src/domain/dates';
import { bumpDatasetVersion } from '#src/storage/dataset-version';
import { bulkRowsFor, withBulkWrites } from '#src/storage/bulk-writes';
import { rebuildSearchIndex, updateSearchIndex } from '#src/storage/search-index';
import { refreshPlannerStatistics } from '#src/storage/planner-statistics';
import { loadTechnologyVocabulary } from '#src/features/technologies/technologies.repository';

export interface ImportSummary {
  readonly runId: string;
  readonly kind: string;
  readonly file: string;
  /** The date the file's data was current (YYYY, YYYY-MM or YYYY-MM-DD). */
  readonly asOf: string;
  readonly read: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  /** Every rejected row, with its line, field and reason. */
  readonly rejections: readonly RowProblem[];
  /** Valid rows the run could not fully use (e.g. could not place on the map). */
  readonly warnings: ReadonlyArray<{ line: number; message: string }>;
  /** Deployments the source listed before and this version no longer lists (syncs only). */
  readonly unlisted: number;
}

export interface ImportOptions {
  /**
   * The date the file's data was current: YYYY-MM-DD, YYYY-MM or YYYY (required unless the file name or the file says
   * it).
   */
  readonly asOf?: string;
  readonly batchSize?: number;
  /** Called after each batch with the bytes read so far and the file's size. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly now?: () => Date;
  /** The source this file is a version of (recorded in origins and the change history); the kind's name by default. */
  readonly sourceName?: string;
  /** A title for the change history ("Atlas of Surveillance export"). */
  readonly title?: string;
  /** A first load of bundled data: the change history shows the run as one entry. */
  readonly firstLoad?: boolean;
  /**
   * The file is the whole of what the source lists now (a sync): a deployment it listed before and no
   * longer lists gets a dated "no longer listed" event.
   */
  readonly tracksListing?: boolean;
}

/** The file is not of the kind asked for, or cannot be imported as given; nothing of it was written. */
export class ImportShapeError extends Error {
  override readonly name: string = 'ImportShapeError';
}

/** Nothing says when the file's data was current; nothing of it was written. */
export class ImportAsOfError extends ImportShapeError {
  override readonly name = 'ImportAsOfError';
}

const DEFAULT_BATCH = 2000;

/**
 * Imports one file: checks its shape (refusing the whole file before any write when it is wrong),
 * validates every row, writes the valid ones in batches inside one transaction, and records the run.
 * Importing the same file again changes nothing.
 */
export async function runImport<Row>(
  db: Kysely<any>,
  kind: ImportKind<Row>,
  path: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const file = basename(path);
  const notThisKind = `this is not ${/^[aeiou]/i.test(kind.name) ? 'an' : 'a'} ${kind.name} file`;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ImportShapeError(`${path}: no such file`);
  }
  const now = options.now ?? (() => new Date());
  const runId = randomUUID();
  const startedAt = now().toISOString();
  let asOf: PartialDate | null = null;
  if (options.asOf !== undefined) {
    asOf = parseIsoPartialDate(options.asOf);
    if (asOf === null)
      throw new ImportAsOfError(
        `${file}: the as-of date "${options.asOf}" is not a date; give it as YYYY-MM-DD (or YYYY-MM, or YYYY)`,
      );
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const hash = createHash('sha256');
  let bytesRead = 0;

  const records = readRecords(kind, path, (bytes) => (bytesRead = bytes), hash);
  const iterator = records[Symbol.asyncIterator]();
  let header: string[] | null = null;
  const firstResult = await safeNext(iterator, file);
  if (kind.shape.requiredColumns !== null) {
    if (firstResult.done)
      throw new ImportShapeError(
        `${file}: the file is empty; expected a header with ${kind.shape.requiredColumns.join(', ')}`,
      );
    header = firstResult.value.fields.map((h) => h.trim());
    const missing = kind.shape.requiredColumns.filter((c) => !header!.includes(c));
    if (missing.length > 0) {
      throw new ImportShapeError(
        `${file}: ${notThisKind}: the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (line 1 \
has: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''})`,
      );
    }
  }
  const columns = header ?? [...(kind.shape.columns ?? [])];
  let pending: DelimitedRecord | null = header === null && !firstResult.done ? firstResult.value : null;
  if (pending && kind.checkShape) {
    const problem = kind.checkShape(toRecord(columns, pending.fields));
    if (problem) throw new ImportShapeError(`${file}: ${notThisKind}: line ${pending.line}: ${problem}`);
    // A JSON-lines export opens with a header line that describes the file rather than a record.
    if (kind.shape.format === 'json-lines') pending = null;
  }
  if (header === null && firstResult.done) throw new ImportShapeError(`${file}: the file is empty`);
  if (asOf === null && kind.asOfInFile && !firstResult.done)
    asOf = kind.asOfInFile(toRecord(columns, firstResult.value.fields));
  asOf ??= dateFromFileName(file);
  if (asOf !== null && asOf.on > startedAt.slice(0, 10))
    throw new ImportAsOfError(
      `${file}: the as-of date ${isoOf(asOf)} is in the future; give the date the data was current`,
    );
  if (asOf === null) {
    throw new ImportAsOfError(
      `${file}: when was this data current? Its name holds no date (such as 20201007 or 2020-10-07), so give the date \
the data was current with --as-of YYYY-MM-DD (or YYYY-MM, or YYYY)`,
    );
  }
  const runAsOf = asOf;
  const dataset = options.sourceName ?? kind.name;
  // The first run of a source is a load: the change history shows it as one entry, not one per record.
  const firstLoad =
    options.firstLoad ??
    !(await db
      .selectFrom('import_runs')
      .select('id')
      .where('source_name', '=', dataset)
      .where('status', '=', 'finished')
      .limit(1)
      .executeTakeFirst());
  // A row exactly as the source's last import read it (same fields, kind, as-of and columns) is skipped.
  const keyColumn = kind.rowKeyColumn === undefined ? -1 : columns.indexOf(kind.rowKeyColumn);
  const fingerprints = keyColumn >= 0 ? await loadFingerprints(db, dataset) : null;
  const fingerprintSeed = `${IMPORT_MODEL_VERSION}\u0001${kind.name}\u0001${runAsOf.on}\u0001${runAsOf.precision}\
\u0001${columns.join('\u0002')}\u0001`;

  await db
    .insertInto('import_runs')
    .values({
      id: runId,
      kind: kind.name,
      file,
      file_sha256: '',
      as_of: runAsOf.on,
      as_of_precision: runAsOf.precision,
      started_at: startedAt,
      finished_at: null,
      status: 'running',
      rows_read: 0,
      rows_created: 0,
      rows_updated: 0,
      rows_unchanged: 0,
      rows_rejected: 0,
      source_name: dataset,
      first_load: firstLoad ? 1 : 0,
    })
    .execute();

  const rejections: RowProblem[] = [];
  const warnings: Array<{ line: number; message: string }> = [];
  const counts = { read: 0, created: 0, updated: 0, unchanged: 0 };
  let batch: ParsedRow<Row>[] = [];
  let shapeChecked = header === null; // headerless files were checked above
  const listedKeys = new Set<string>();
  let unlisted = 0;
  const newFingerprints = new Map<number, { key: string; fingerprint: string }>();

  // One transaction for the whole file, written in batches: a run lands whole or not at all, and
  // SQLite commits (and rewrites hot index pages) once rather than once per batch.
  const batchContext = (trx: Kysely<any>, writer: RecordWriter, resolver: Resolver): BatchContext => ({
    db: trx,
    writer,
    resolver,
    dataset,
    file,
    asOf: runAsOf,
    warn: (line, message) => warnings.push({ line, message }),
  });
  const importRows = async (trx: Kysely<any>): Promise<void> => {
    const resolver = new Resolver(trx);
    const bulkRows = bulkRowsFor(db, trx);
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      resolver.startBatch();
      const writer = new RecordWriter(trx, bulkRows, `import:${runId}`, null, now().toISOString());
      await kind.writeBatch(batchContext(trx, writer, resolver), rows);
      if (fingerprints) {
        const written = rows.flatMap((r) => {
          const f = newFingerprints.get(r.index);
          newFingerprints.delete(r.index);
          return f
            ? [
                {
                  row: r.index,
                  values: { id: `${dataset}|${f.key}`, dataset, row_key: f.key, fingerprint: f.fingerprint },
                },
              ]
            : [];
        });
        await writer.upsert('row_fingerprints', written, {
          entity: 'row_fingerprint',
          revisions: false,
          countsAsChange: false,
        });
      }
      await writer.flushRevisions();
      for (const r of rows) counts[writer.outcomeOf(r.index)]++;
      options.onProgress?.(bytesRead, size);
    };
    while (true) {
      let record: DelimitedRecord;
      if (pending) {
        record = pending;
        pending = null;
      } else {
        const next = await safeNext(iterator, file);
        if (next.done) break;
        record = next.value;
      }
      if (!shapeChecked && kind.checkShape) {
        shapeChecked = true;
        const problem = kind.checkShape(toRecord(columns, record.fields));
        if (problem) throw new ImportShapeError(`${file}: ${notThisKind}: line ${record.line}: ${problem}`);
      }
      counts.read++;
      if (record.fields.length !== columns.length && kind.shape.format === 'delimited') {
        rejections.push({
          line: record.line,
          field: '(row)',
          reason: `expected ${columns.length} fields, found ${record.fields.length}`,
        });
        continue;
      }
      if (fingerprints) {
        const key = record.fields[keyColumn]!.trim();
        if (key !== '') {
          const fingerprint = hashText('sha1', fingerprintSeed + record.fields.join('\u0001'), 'base64');
          const before = fingerprints.get(key);
          // Each key is wanted once a run: letting it go keeps the heap flat on a long file.
          fingerprints.delete(key);
          if (before === fingerprint) {
            counts.unchanged++;
            if (options.tracksListing) listedKeys.add(key);
            continue;
          }
          newFingerprints.set(counts.read, { key, fingerprint });
        }
      }
      const parsed = kind.parseRow(toRecord(columns, record.fields));
      if (!parsed.ok) {
        newFingerprints.delete(counts.read);
        rejections.push({ line: record.line, field: parsed.field, reason: parsed.reason });
        continue;
      }
      batch.push({ index: counts.read, line: record.line, row: parsed.row });
      if (options.tracksListing) listedKeys.add(kind.rowKey(parsed.row, record.line));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    if (options.tracksListing) {
      const writer = new RecordWriter(trx, bulkRows, `import:${runId}`, null, now().toISOString());
      unlisted = (await writeUnlisted(batchContext(trx, writer, resolver), listedKeys)).length;
      await writer.flushRevisions();
    }
  };

  // Rows are read by the database's own technology vocabulary (an editor's renames and merges included).
  await loadTechnologyVocabulary(db);
  try {
    await withBulkWrites(db, () => db.transaction().execute(importRows));
  } catch (error) {
    await db
      .updateTable('import_runs')
      .set({ status: 'failed', finished_at: now().toISOString() })
      .where('id', '=', runId)
      .execute();
    throw error;
  } finally {
    // Technologies the run created are kept only if it landed.
    await loadTechnologyVocabulary(db);
  }

  const summary: ImportSummary = {
    runId,
    kind: kind.name,
    file,
    asOf: isoOf(runAsOf),
    ...counts,
    rejected: rejections.length,
    rejections,
    warnings,
    unlisted,
  };
  await db
    .updateTable('import_runs')
    .set({
      status: 'finished',
      finished_at: now().toISOString(),
      file_sha256: hash.digest('hex'),
      rows_read: summary.read,
      rows_created: summary.created,
      rows_updated: summary.updated,
      rows_unchanged: summary.unchanged,
      rows_rejected: summary.rejected,
    })
    .where('id', '=', runId)
    .execute();
  await recordRunChanges(
    db,
    {
      runId,
      sourceName: dataset,
      title: options.title ?? `${kind.name} ${file}`,
      file,
      asOf: summary.asOf,
      created: summary.created,
      updated: summary.updated,
      firstLoad,
    },
    now().toISOString(),
  );
  if (summary.created > 0 || summary.updated > 0 || unlisted > 0) {
    const touched = await deploymentsTouched(db, runId);
    if (touched === null) await rebuildSearchIndex(db);
    else await updateSearchIndex(db, touched);
    await refreshPlannerStatistics(db);
    await bumpDatasetVersion(db, now());
  }
  return summary;
}

/**
 * Raised when importers change what they write from the same files: the bundled data loads again, and
 * every row of every source is read again once (its fingerprint includes this).
 */
export const IMPORT_MODEL_VERSION = 3;

/**
 * The deployments whose search text a run may have changed (their own record, vendors or cited sources),
 * from its revisions; null when it changed so much, or changed agencies or places, that a full rebuild is
 * simpler.
 */
async function deploymentsTouched(db: Kysely<any>, runId: string): Promise<string[] | null> {
  const limit = 20_000;
  const revisions: Array<{ entity_type: string; entity_id: string; action: string }> = await db
    .selectFrom('revisions')
    .select(['entity_type', 'entity_id', 'action'])
    .where('actor', '=', `import:${runId}`)
    .where('entity_type', 'in', ['deployment', 'citation', 'deployment_vendor', 'agency', 'place', 'technology'])
    .limit(limit + 1)
    .execute();
  if (
    revisions.length > limit ||
    revisions.some(
      (r) =>
        r.entity_type === 'place' ||
        r.entity_type === 'technology' ||
        (r.entity_type === 'agency' && r.action !== 'create'),
    )
  )
    return null;
  const ids = new Set<string>();
  for (const r of revisions) {
    if (r.entity_type === 'deployment') ids.add(r.entity_id);
    else if (r.entity_type === 'citation' && r.entity_id.startsWith('deployment:'))
      ids.add(r.entity_id.slice('deployment:'.length, r.entity_id.lastIndexOf(':')));
    else if (r.entity_type === 'deployment_vendor') ids.add(r.entity_id.split('|')[0]!);
  }
  return [...ids];
}

async function loadFingerprints(db: Kysely<any>, dataset: string): Promise<Map<string, string>> {
  const rows: Array<{ row_key: string; fingerprint: string }> = await db
    .selectFrom('row_fingerprints')
    .select(['row_key', 'fingerprint'])
    .where('dataset', '=', dataset)
    .execute();
  return new Map(rows.map((r) => [r.row_key, r.fingerprint]));
}

function toRecord(columns: readonly string[], fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) record[columns[i]!] = fields[i] ?? '';
  return record;
}

async function safeNext(
  iterator: AsyncIterator<DelimitedRecord>,
  file: string,
): Promise<IteratorResult<DelimitedRecord>> {
  try {
    return await iterator.next();
  } catch (error) {
    if (error instanceof UnterminatedQuoteError) throw new ImportShapeError(`${file}: ${error.message}`);
    if (error instanceof SyntaxError) throw new ImportShapeError(`${file}: ${error.message}`);
    throw error;
  }
}

function readRecords<Row>(
  kind: ImportKind<Row>,
  path: string,
  onBytes: (bytes: number) => void,
  hash: ReturnType<typeof createHash>,
): AsyncIterable<DelimitedRecord> {
  if (kind.shape.format === 'yaml-files') return readYamlFiles(path, onBytes, hash);
  if (kind.shape.format === 'json-lines') {
    // Hash the raw bytes on a side stream so the run records exactly which file it read.
    const hashing = createReadStream(path);
    hashing.on('data', (chunk) => hash.update(chunk));
    const hashed = new Promise<void>((resolve, reject) => hashing.on('end', () => resolve()).on('error', reject));
    return readJsonLines(path, onBytes, hashed);
  }
  return readDelimited(path, {
    delimiter: kind.shape.delimiter,
    encoding: kind.shape.encoding,
    onProgress: (p) => onBytes(p.bytesRead),
    onBytes: (chunk) => hash.update(chunk),
  });
}

/** Reads our own export format: one JSON record per line between a header line and a closing line. */
async function* readJsonLines(
  path: string,
  onBytes: (bytes: number) => void,
  hashed: Promise<unknown>,
): AsyncGenerator<DelimitedRecord> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line++;
    bytes += Buffer.byteLength(text) + 1;
    onBytes(bytes);
    const trimmed = text.trim().replace(/,$/, '');
    if (trimmed === '' || trimmed === ']}' || trimmed === ']') continue;
    yield { line, fields: [trimmed] };
  }
  await hashed;
}

/**
 * Reads every `*.yml` file under a folder, in path order, as one record each: `{path, document}` as JSON.
 * The run's SHA-256 covers every file's path and bytes.
 */
async function* readYamlFiles(
  root: string,
  onBytes: (bytes: number) => void,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<DelimitedRecord> {
  let bytes = 0;
  for (const [i, file] of yamlFilesOf(root).entries()) {
    const text = readFileSync(join(root, file));
    hash.update(`${file}\n`).update(text);
    bytes += text.length;
    onBytes(bytes);
    let document: unknown;
    try {
      document = parseYaml(text.toString('utf8'));
    } catch (error) {
      throw new SyntaxError(`${file}: not YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    yield { line: i + 1, fields: [JSON.stringify({ path: file, document })] };
  }
}

function yamlFilesOf(root: string): string[] {
  return listFiles(root)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .sort();
}

/** The SHA-256 a run of a folder of YAML files records: of every file's path and bytes, in path order. */
export function hashYamlFolder(root: string): string {
  const hash = createHash('sha256');
  for (const file of yamlFilesOf(root)) hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(root, path) : [path];
  });
}

/** A day written into a file name as YYYYMMDD or YYYY-MM-DD (e.g. atlas-of-surveillance-20201007.csv). */
export function dateFromFileName(file: string): PartialDate | null {
  const m = /(?<!\d)((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?!\d)/.exec(file);
  return m ? parseIsoPartialDate(`${m[1]}-${m[2]}-${m[3]}`) : null;
}

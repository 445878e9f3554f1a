import type { Kysely } from 'kysely';
import type { PartialDate } from '#src/domain/dates';
import type { RecordWriter } from './record-writer';
import type { Resolver } from './resolver';

/** A rejected input row: where it is and what is wrong with it. */
export interface RowProblem {
  readonly line: number;
  readonly field: string;
  readonly reason: string;
}

export type ParseResult<Row> = { ok: true; row: Row } | { ok: false; field: string; reason: string };

export interface ParsedRow<Row> {
  /** Index of the row in the run, used for per-row outcomes. */
  readonly index: number;
  readonly line: number;
  readonly row: Row;
}

export interface BatchContext {
  readonly db: Kysely<any>;
  readonly writer: RecordWriter;
  readonly resolver: Resolver;
  /** Short dataset name recorded in origins, e.g. "atlas". */
  readonly dataset: string;
  /** File name (without directories) recorded in origins. */
  readonly file: string;
  /** The date the file's data was current: from `--as-of`, the bundled manifest, the file name or the file itself. */
  readonly asOf: PartialDate;
  /** Reports something the run could not do for a valid row (e.g. place it on the map). */
  warn(line: number, message: string): void;
}

export interface FileShape {
  /** `yaml-files`: a folder of YAML files, one record each (`{path, document}` as JSON in the column `json`). */
  readonly format: 'delimited' | 'json-lines' | 'yaml-files';
  readonly delimiter?: string;
  readonly encoding?: BufferEncoding;
  /** Columns the header must contain; null for files without a header row. */
  readonly requiredColumns: readonly string[] | null;
  /** For headerless files: the column names in order. */
  readonly columns?: readonly string[];
}

/** One importer: how to read a source format, validate its rows, and write them. */
export interface ImportKind<Row> {
  readonly name: string;
  readonly description: string;
  readonly shape: FileShape;
  /** Checks the first data row of a headerless file (or anything beyond column names); returns an error or null. */
  checkShape?(firstRecord: Record<string, string>): string | null;
  /** For a file that states its own as-of date (our JSON export's header): reads it from the first record. */
  asOfInFile?(firstRecord: Record<string, string>): PartialDate | null;
  parseRow(record: Record<string, string>): ParseResult<Row>;
  /** A stable key of the row within its dataset (e.g. the Atlas's AOSNUMBER). */
  rowKey(row: Row, line: number): string;
  /**
   * The column that holds the same key, trimmed, before any parsing. A kind that names it lets an import
   * skip, unread, every row whose fields are as the last import of its source read them.
   */
  readonly rowKeyColumn?: string;
  writeBatch(ctx: BatchContext, rows: readonly ParsedRow<Row>[]): Promise<void>;
}

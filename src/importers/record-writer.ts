import type { Kysely } from 'kysely';
import { diff } from '#src/storage/revisions';
import type { BulkRows } from '#src/storage/bulk-writes';

export type RowOutcome = 'created' | 'updated' | 'unchanged';
type Values = Record<string, unknown>;

export interface UpsertItem {
  /** Index of the input row this record comes from, to report per-row outcomes. */
  readonly row: number;
  readonly values: Values;
}

export interface UpsertOptions {
  /** Entity name used in revisions, e.g. "deployment". */
  readonly entity: string;
  /** Key column; defaults to `id`. */
  readonly key?: string;
  /** Keep a revision of every create and update (false for bookkeeping such as aliases and origins). */
  readonly revisions?: boolean;
  /**
   * Combines a stored (or earlier in the same batch) record with an incoming one. Must be deterministic
   * and give the same result whatever order the rows come in, so that importing again changes nothing.
   * Defaults to "incoming values win".
   */
  readonly merge?: (existing: Values, incoming: Values) => Values;
  /** Only create missing records; never update existing ones. */
  readonly createOnly?: boolean;
  /** Whether writes count toward the rows' outcomes (false for bookkeeping such as origins). */
  readonly countsAsChange?: boolean;
  /**
   * Records that add to a row's main record rather than being it (its evidence, citations, links): a new
   * one makes its row "updated", not "created". A row is "created" only when its main record is new.
   */
  readonly secondary?: boolean;
}

/**
 * Writes records inside one transaction: inserts what is new, updates what changed, and keeps a
 * revision for each. It records the strongest outcome per input row (created > updated > unchanged).
 */
export class RecordWriter {
  private readonly outcomes = new Map<number, RowOutcome>();
  private readonly pendingRevisions: Values[] = [];

  constructor(
    private readonly db: Kysely<any>,
    private readonly rows: BulkRows,
    readonly actor: string,
    private readonly reason: string | null,
    readonly now: string,
  ) {}

  /** Upserts records of one table; returns the stored values by key after the write. */
  async upsert(table: string, items: readonly UpsertItem[], options: UpsertOptions): Promise<Map<string, Values>> {
    const keyColumn = options.key ?? 'id';
    const merge = options.merge ?? ((existing: Values, incoming: Values) => ({ ...existing, ...incoming }));
    // Collapse records with the same key in this batch first.
    const incoming = new Map<string, { rows: number[]; values: Values }>();
    for (const item of items) {
      const key = String(item.values[keyColumn]);
      const seen = incoming.get(key);
      if (seen) {
        seen.rows.push(item.row);
        seen.values = merge(seen.values, item.values);
      } else {
        incoming.set(key, { rows: [item.row], values: item.values });
      }
    }
    const existing = await this.findByKeys(table, keyColumn, [...incoming.keys()]);
    const mark =
      options.countsAsChange === false
        ? () => {}
        : (rows: number[], outcome: RowOutcome) =>
            this.mark(rows, options.secondary && outcome === 'created' ? 'updated' : outcome);
    const result = new Map<string, Values>();
    const inserts: Values[] = [];
    for (const [key, { rows, values }] of incoming) {
      const stored = existing.get(key);
      if (!stored) {
        inserts.push(values);
        result.set(key, values);
        mark(rows, 'created');
        if (options.revisions !== false) this.revision(options.entity, key, 'create', null);
        continue;
      }
      if (options.createOnly) {
        result.set(key, stored);
        mark(rows, 'unchanged');
        continue;
      }
      const merged = merge(stored, values);
      const changes = diff(stored, merged);
      result.set(key, { ...stored, ...merged });
      if (changes === null) {
        mark(rows, 'unchanged');
        continue;
      }
      const update: Values = {};
      for (const field of Object.keys(changes)) update[field] = merged[field];
      await this.db.updateTable(table).set(update).where(keyColumn, '=', key).execute();
      mark(rows, 'updated');
      if (options.revisions !== false) this.revision(options.entity, key, 'update', changes);
    }
    await this.rows.insert(table, inserts);
    return result;
  }

  /** Inserts records the caller knows to be new (e.g. missing join rows), with their revisions. */
  async createMany(
    table: string,
    items: readonly UpsertItem[],
    options: { entity: string; revisions?: boolean; secondary?: boolean; describe: (v: Values) => string },
  ): Promise<void> {
    for (const item of items) {
      this.mark([item.row], options.secondary ? 'updated' : 'created');
      if (options.revisions !== false) this.revision(options.entity, options.describe(item.values), 'create', null);
    }
    await this.rows.insert(
      table,
      items.map((i) => i.values),
    );
  }

  /** Writes the revisions collected so far. Call once per batch, inside the same transaction. */
  async flushRevisions(): Promise<void> {
    await this.rows.insert('revisions', this.pendingRevisions.splice(0));
  }

  /** Marks input rows as touched without a write of their own (e.g. every row was rejected upstream). */
  mark(rows: readonly number[], outcome: RowOutcome): void {
    for (const row of rows) {
      const before = this.outcomes.get(row);
      if (before === undefined || rank(outcome) > rank(before)) this.outcomes.set(row, outcome);
    }
  }

  outcomeOf(row: number): RowOutcome {
    return this.outcomes.get(row) ?? 'unchanged';
  }

  /** Every record of `table` whose `column` is one of `values` (several per value where the column is not unique). */
  selectWhereIn(table: string, column: string, values: readonly string[]): Promise<Values[]> {
    return this.rows.selectByKeys(table, column, values);
  }

  async findByKeys(table: string, keyColumn: string, keys: readonly string[]): Promise<Map<string, Values>> {
    const found = new Map<string, Values>();
    for (const row of await this.rows.selectByKeys(table, keyColumn, keys)) found.set(String(row[keyColumn]), row);
    return found;
  }

  /**
   * A create keeps no copy of the values: the record as created is the current record with its later
   * updates undone, and its origins say which file and row it came from. An update keeps both values.
   */
  private revision(
    entity: string,
    id: string,
    action: 'create' | 'update',
    changes: Record<string, [unknown, unknown]> | null,
  ): void {
    this.pendingRevisions.push({
      entity_type: entity,
      entity_id: id,
      action,
      changes: changes === null ? '{}' : JSON.stringify(changes),
      actor: this.actor,
      reason: this.reason,
      created_at: this.now,
    });
  }
}

function rank(outcome: RowOutcome): number {
  return outcome === 'created' ? 2 : outcome === 'updated' ? 1 : 0;
}

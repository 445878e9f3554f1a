import { sql, type Kysely } from 'kysely';
import { dialectOf } from '#src/storage/dialect';
import { distanceKm } from '#src/domain/placement';
import { readDatasetVersion } from '#src/storage/dataset-version';
import type { Database } from '#src/storage/schema';
import type { DeploymentFilter } from './deployment-filter';
import {
  boxAround,
  currencyWords,
  cursorAfter,
  readNearCursor,
  type DeploymentAnswer,
  type PageKey,
} from './deployments.repository';

/** A date held as the number yyyymmdd (the same order as its text); null as NO_DAY. */
const NO_DAY = -1;

function toDayNumber(text: string | null): number {
  if (text === null) return NO_DAY;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Error(`a date that is not YYYY-MM-DD: "${text}"`);
  return Number(text.slice(0, 4)) * 10000 + Number(text.slice(5, 7)) * 100 + Number(text.slice(8, 10));
}

function toDayText(day: number): string | null {
  if (day === NO_DAY) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(Math.floor(day / 10000)).padStart(4, '0')}-${pad(Math.floor(day / 100) % 100)}-${pad(day % 100)}`;
}

/** Byte order of the UTF-8 texts, the order both databases keep ids in. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Codes for the distinct values of a column (a technology, a state, an agency), numbered as they come. */
class Dictionary {
  readonly codes = new Map<string, number>();

  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.codes.size;
      this.codes.set(value, code);
    }
    return code;
  }
}

/**
 * Every deployment's filtered fields for one dataset version, a column each, in id order (row i is the i-th
 * id), with the rows of each vendor and of each search word.
 */
interface Snapshot {
  readonly version: string;
  readonly size: number;
  readonly ids: string[];
  readonly technology: Uint32Array;
  readonly technologies: Dictionary;
  readonly status: Uint32Array;
  readonly statuses: Dictionary;
  /** The deployment's state (`d.state_code`), and its agency's (`a.state_code`), in one dictionary. */
  readonly state: Uint32Array;
  readonly agencyState: Uint32Array;
  readonly states: Dictionary;
  readonly agency: Uint32Array;
  readonly agencies: Dictionary;
  /** The agency's place (`a.place_id`), or -1; each place's GEOID and county GEOID. */
  readonly place: Int32Array;
  readonly places: Dictionary;
  readonly placeGeoid: Array<string | null>;
  readonly placeCounty: Array<string | null>;
  /** A state's GEOID (2 digits) → its code, from the places of kind state. */
  readonly stateByGeoid: Map<string, string>;
  readonly activeFrom: Int32Array;
  readonly activeUntil: Int32Array;
  readonly startedOn: Int32Array;
  readonly lastSeen: Int32Array;
  /** The agency's point (NaN where it has none). */
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  /** Rows, ascending: of each vendor, search word, state (`d.state_code`), technology, agency and grid cell. */
  readonly vendorRows: Map<string, Int32Array>;
  readonly wordRows: Map<string, Int32Array>;
  readonly stateRows: Map<number, Int32Array>;
  readonly technologyRows: Map<number, Int32Array>;
  readonly agencyRows: Map<number, Int32Array>;
  /** The rows whose point lies in each cell of GRID_DEGREES (see `cellOf`). */
  readonly cellRows: Map<number, Int32Array>;
}

/** The size of the grid's cells, in degrees of latitude and longitude. */
const GRID_DEGREES = 0.5;
/** A box over more cells than this is read by a pass over every row instead. */
const MOST_CELLS = 2000;

function cellOf(lat: number, lon: number): number {
  return Math.floor((lat + 90) / GRID_DEGREES) * 10_000 + Math.floor((lon + 180) / GRID_DEGREES);
}

/** The rows of each value of a column of codes (or of keys), ascending. */
function rowsBy(size: number, keyOf: (row: number) => number | null): Map<number, Int32Array> {
  const lists = new Map<number, number[]>();
  for (let row = 0; row < size; row++) {
    const key = keyOf(row);
    if (key === null) continue;
    let list = lists.get(key);
    if (!list) lists.set(key, (list = []));
    list.push(row);
  }
  return new Map([...lists].map(([key, list]) => [key, Int32Array.from(list)]));
}

export interface DeploymentIndexOptions {
  /** Above this many deployments the index is not built, and every question goes to the database. */
  readonly maxDeployments: number;
  /** Rows read per query while building, so that other requests are answered in between. */
  readonly chunkRows?: number;
  /** Told of an error while building (the questions go to the database meanwhile). */
  readonly onError?: (error: unknown) => void;
  /** Told when a version is held. */
  readonly onBuilt?: (version: string) => void;
}

/**
 * The deployments' filtered fields held in memory, one dataset version at a time, so that a list question
 * never asked before (a town's circle, a state's technology on a day, a few words, a box) is answered
 * without the database: the page's ids, its cursor, the total and the `active_on` currency come from one
 * pass over these columns. It gives exactly what `findDeploymentAnswer` gives from SQL on either database
 * (`test/integration/bundled-data.test.ts` compares them question by question, page by page).
 *
 * Built in the background the first time a version is asked about; until it is ready, `answer` is null and
 * the question goes to the database. A version that changed while it was read is read again.
 */
export class DeploymentIndex {
  private snapshot: Snapshot | null = null;
  private building: Promise<Snapshot | null> | null = null;
  /** When a build last found too many deployments, or failed: none is tried again for 5 s. */
  private refusedAt: number | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: DeploymentIndexOptions,
  ) {}

  /** Deployments held, and for which version (for tests and operators). */
  stats(): { version: string | null; deployments: number } {
    return { version: this.snapshot?.version ?? null, deployments: this.snapshot?.size ?? 0 };
  }

  /**
   * The answer from memory when the index holds `version`; null otherwise (then the index starts building
   * the newest version, and the caller asks the database).
   */
  answer(
    filter: DeploymentFilter,
    page: { limit: number; after?: string },
    version: string | undefined,
  ): DeploymentAnswer | null {
    if (version === undefined) return null;
    const snapshot = this.snapshot;
    if (snapshot?.version === version) return answerFrom(snapshot, filter, page);
    void this.ready();
    return null;
  }

  isBuilding(): boolean {
    return this.building !== null;
  }

  /** Resolves when no build is under way (before the database is closed). */
  async settled(): Promise<void> {
    await this.building;
  }

  /** Builds the index of the newest version unless it is held or being built; true when it is held. */
  async ready(): Promise<boolean> {
    if (this.refusedAt !== null && Date.now() - this.refusedAt < 5000) return false;
    this.building ??= this.build().then(
      (snapshot) => {
        this.building = null;
        if (snapshot && snapshot !== this.snapshot) {
          this.snapshot = snapshot;
          this.options.onBuilt?.(snapshot.version);
        }
        return snapshot;
      },
      (error: unknown) => {
        this.building = null;
        this.refusedAt = Date.now();
        this.options.onError?.(error);
        return null;
      },
    );
    return (await this.building) !== null;
  }

  private async build(): Promise<Snapshot | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const version = await readDatasetVersion(this.db);
      if (this.snapshot?.version === version) return this.snapshot;
      const snapshot = await this.read(version);
      if (!snapshot) {
        this.refusedAt = Date.now();
        return null;
      }
      if ((await readDatasetVersion(this.db)) === version) return snapshot;
    }
    return null;
  }

  /** Reads every deployment (null when there are more than the index may hold). */
  private async read(version: string): Promise<Snapshot | null> {
    const db = this.db;
    const counted = await db
      .selectFrom('deployments')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const expected = Number(counted?.n ?? 0);
    if (expected > this.options.maxDeployments) return null;
    const chunk = this.options.chunkRows ?? 2000;
    const ids: string[] = [];
    const technologies = new Dictionary();
    const statuses = new Dictionary();
    const states = new Dictionary();
    const agencies = new Dictionary();
    const places = new Dictionary();
    const placeGeoid: Array<string | null> = [];
    const placeCounty: Array<string | null> = [];
    // Typed arrays from the start, doubled as rows come, so that reading leaves little garbage.
    const columns = new Columns(Math.min(expected, chunk));
    let after: string | null = null;
    while (true) {
      let query = db
        .selectFrom('deployments as d')
        .innerJoin('agencies as a', 'a.id', 'd.agency_id')
        .leftJoin('places as p', 'p.id', 'a.place_id')
        .select([
          'd.id',
          'd.technology_slug',
          'd.status',
          'd.state_code',
          'd.active_from',
          'd.active_until',
          'd.started_on',
          'd.last_seen_on',
          'a.id as agency_id',
          'a.state_code as agency_state',
          'a.place_id',
          'a.lat',
          'a.lon',
          'p.geoid',
          'p.county_geoid',
        ]);
      if (after !== null) query = query.where('d.id', '>', after);
      const rows = await query.orderBy('d.id').limit(chunk).execute();
      for (const r of rows) {
        const row = ids.length;
        ids.push(r.id);
        columns.make(row + 1);
        columns.technology[row] = technologies.code(r.technology_slug);
        columns.status[row] = statuses.code(r.status);
        columns.state[row] = states.code(r.state_code);
        columns.agencyState[row] = states.code(r.agency_state);
        columns.agency[row] = agencies.code(r.agency_id);
        if (r.place_id === null) columns.place[row] = -1;
        else {
          const code = places.code(r.place_id);
          placeGeoid[code] = r.geoid ?? null;
          placeCounty[code] = r.county_geoid ?? null;
          columns.place[row] = code;
        }
        columns.activeFrom[row] = toDayNumber(r.active_from);
        columns.activeUntil[row] = toDayNumber(r.active_until);
        columns.startedOn[row] = toDayNumber(r.started_on);
        columns.lastSeen[row] = toDayNumber(r.last_seen_on);
        columns.lat[row] = r.lat === null ? NaN : Number(r.lat);
        columns.lon[row] = r.lon === null ? NaN : Number(r.lon);
      }
      if (rows.length < chunk) break;
      after = rows.at(-1)!.id;
      // Let the requests waiting meanwhile be answered.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const size = ids.length;
    const rowOf = new Map(ids.map((id, i) => [id, i]));
    const vendorRows = new Postings();
    for (const v of await db.selectFrom('deployment_vendors').select(['deployment_id', 'vendor_id']).execute())
      vendorRows.add(v.vendor_id, rowOf.get(v.deployment_id));
    const wordRows = await this.readSearchWords(rowOf, chunk);
    const statePlaces = await db
      .selectFrom('places')
      .select(['geoid', 'state_code'])
      .where('kind', '=', 'state')
      .execute();
    return {
      version,
      size: ids.length,
      ids,
      technology: columns.technology.subarray(0, size),
      technologies,
      status: columns.status.subarray(0, size),
      statuses,
      state: columns.state.subarray(0, size),
      agencyState: columns.agencyState.subarray(0, size),
      states,
      agency: columns.agency.subarray(0, size),
      agencies,
      place: columns.place.subarray(0, size),
      places,
      placeGeoid,
      placeCounty,
      stateByGeoid: new Map(
        statePlaces.flatMap((r) => (r.geoid !== null && r.state_code !== null ? [[r.geoid, r.state_code]] : [])),
      ),
      activeFrom: columns.activeFrom.subarray(0, size),
      activeUntil: columns.activeUntil.subarray(0, size),
      startedOn: columns.startedOn.subarray(0, size),
      lastSeen: columns.lastSeen.subarray(0, size),
      lat: columns.lat.subarray(0, size),
      lon: columns.lon.subarray(0, size),
      vendorRows: await vendorRows.done(),
      wordRows: await wordRows.done(),
      stateRows: rowsBy(size, (row) => columns.state[row]!),
      technologyRows: rowsBy(size, (row) => columns.technology[row]!),
      agencyRows: rowsBy(size, (row) => columns.agency[row]!),
      cellRows: rowsBy(size, (row) => {
        const [lat, lon] = [columns.lat[row]!, columns.lon[row]!];
        return Number.isNaN(lat) || Number.isNaN(lon) ? null : cellOf(lat, lon);
      }),
    };
  }

  /** The rows of each search word (as storage/search-index.ts writes the documents), a chunk of documents at a time. */
  private async readSearchWords(rowOf: Map<string, number>, chunk: number): Promise<Postings> {
    const words = new Postings();
    const sqlite = dialectOf(this.db) === 'sqlite';
    let after: string | number | null = null;
    while (true) {
      // FTS5 pages by its rowid (its deployment_id is not indexed); PostgreSQL by its key.
      const rows: Array<{ deployment_id: string; body: string; page_key: string | number }> = sqlite
        ? (
            await sql<{ deployment_id: string; body: string; page_key: number }>`select deployment_id, body, \
rowid as page_key from deployment_search where rowid > ${after ?? -1} order by rowid limit ${chunk}`.execute(this.db)
          ).rows
        : await this.db
            .selectFrom('deployment_search')
            .select(['deployment_id', 'body', 'deployment_id as page_key'])
            .where('deployment_id', '>', String(after ?? ''))
            .orderBy('deployment_id')
            .limit(chunk)
            .execute();
      for (const r of rows) {
        const row = rowOf.get(r.deployment_id);
        for (const word of r.body.split(' ')) words.add(word, row);
      }
      if (rows.length < chunk) return words;
      after = rows.at(-1)!.page_key;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Typed columns of a capacity that grows (doubling) as rows come. */
class Columns {
  technology: Uint32Array;
  status: Uint32Array;
  state: Uint32Array;
  agencyState: Uint32Array;
  agency: Uint32Array;
  place: Int32Array;
  activeFrom: Int32Array;
  activeUntil: Int32Array;
  startedOn: Int32Array;
  lastSeen: Int32Array;
  lat: Float64Array;
  lon: Float64Array;

  private capacity: number;

  constructor(expected: number) {
    const capacity = Math.max(expected, 16);
    this.capacity = capacity;
    [this.technology, this.status, this.state, this.agencyState, this.agency] = Array.from(
      { length: 5 },
      () => new Uint32Array(capacity),
    ) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    [this.place, this.activeFrom, this.activeUntil, this.startedOn, this.lastSeen] = Array.from(
      { length: 5 },
      () => new Int32Array(capacity),
    ) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    [this.lat, this.lon] = [new Float64Array(capacity), new Float64Array(capacity)];
  }

  /** Room for `size` rows. */
  make(size: number): void {
    if (size <= this.capacity) return;
    this.capacity *= 2;
    const grow = <A extends Uint32Array | Int32Array | Float64Array>(a: A): A => {
      const bigger = new (a.constructor as new (n: number) => A)(this.capacity);
      bigger.set(a);
      return bigger;
    };
    this.technology = grow(this.technology);
    this.status = grow(this.status);
    this.state = grow(this.state);
    this.agencyState = grow(this.agencyState);
    this.agency = grow(this.agency);
    this.place = grow(this.place);
    this.activeFrom = grow(this.activeFrom);
    this.activeUntil = grow(this.activeUntil);
    this.startedOn = grow(this.startedOn);
    this.lastSeen = grow(this.lastSeen);
    this.lat = grow(this.lat);
    this.lon = grow(this.lon);
  }
}

/** The rows of each key (a vendor, a word), gathered as they come; `done` gives them ascending, each once. */
class Postings {
  private readonly lists = new Map<string, { rows: Int32Array; size: number }>();

  /** A row of a key (none when the index does not hold the row; an empty key is no key). */
  add(key: string, row: number | undefined): void {
    if (row === undefined || key === '') return;
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = { rows: new Int32Array(4), size: 0 }));
    // A word twice in one document is one posting.
    if (list.size > 0 && list.rows[list.size - 1] === row) return;
    if (list.size === list.rows.length) {
      const bigger = new Int32Array(list.rows.length * 2);
      bigger.set(list.rows);
      list.rows = bigger;
    }
    list.rows[list.size++] = row;
  }

  async done(): Promise<Map<string, Int32Array>> {
    const out = new Map<string, Int32Array>();
    let sorted = 0;
    for (const [key, list] of this.lists) {
      const rows = list.rows.slice(0, list.size);
      if (!isAscending(rows)) {
        out.set(key, uniqueAscending(rows.sort()));
        // Sorting is the slow part: let the requests waiting meanwhile be answered now and then.
        if ((sorted += rows.length) > 200_000) {
          sorted = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } else out.set(key, rows);
    }
    return out;
  }
}

function isAscending(rows: Int32Array): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i]! <= rows[i - 1]!) return false;
  return true;
}

function uniqueAscending(rows: Int32Array): Int32Array {
  let n = 0;
  for (let i = 0; i < rows.length; i++) if (i === 0 || rows[i] !== rows[i - 1]) rows[n++] = rows[i]!;
  return rows.subarray(0, n);
}

/**
 * The rows that may match (ascending), or null for every row: a vendor's or words' rows when given (they
 * are not tested again), else the fewest of the state's, the technology's, the agency's or the grid cells'
 * under the box (every filter is still tested on each).
 */
function candidateRows(snapshot: Snapshot, filter: DeploymentFilter): Int32Array | null {
  const s = snapshot;
  const lists: Int32Array[] = [];
  if (filter.vendor) lists.push(s.vendorRows.get(filter.vendor) ?? new Int32Array(0));
  for (const word of filter.words ?? []) lists.push(s.wordRows.get(word) ?? new Int32Array(0));
  if (lists.length > 0) {
    lists.sort((a, b) => a.length - b.length);
    let rows = lists[0]!;
    for (const other of lists.slice(1)) rows = intersect(rows, other);
    return rows;
  }
  const none = new Int32Array(0);
  let best: Int32Array | null = null;
  const consider = (rows: Int32Array) => {
    if (best === null || rows.length < best.length) best = rows;
  };
  if (filter.state) consider(s.stateRows.get(s.states.codes.get(filter.state) ?? -1) ?? none);
  if (filter.technology?.length === 1)
    consider(s.technologyRows.get(s.technologies.codes.get(filter.technology[0]!) ?? -1) ?? none);
  if (filter.agency) consider(s.agencyRows.get(s.agencies.codes.get(filter.agency) ?? -1) ?? none);
  const box = filter.bbox ?? (filter.near && boxAround(filter.near.lat, filter.near.lon, filter.near.radiusKm));
  if (box) {
    const [bottom, left] = [cellOf(box.minLat, box.minLon), cellOf(box.maxLat, box.maxLon)];
    const [rowFrom, rowTo] = [Math.floor(bottom / 10_000), Math.floor(left / 10_000)];
    const [columnFrom, columnTo] = [bottom % 10_000, left % 10_000];
    if ((rowTo - rowFrom + 1) * (columnTo - columnFrom + 1) <= MOST_CELLS) {
      const cells: Int32Array[] = [];
      let size = 0;
      for (let row = rowFrom; row <= rowTo; row++)
        for (let column = columnFrom; column <= columnTo; column++) {
          const cell = s.cellRows.get(row * 10_000 + column);
          if (cell) {
            cells.push(cell);
            size += cell.length;
          }
        }
      if (best === null || size < (best as Int32Array).length) {
        const rows = new Int32Array(size);
        let at = 0;
        for (const cell of cells) {
          rows.set(cell, at);
          at += cell.length;
        }
        best = cells.length > 1 ? rows.sort() : rows;
      }
    }
  }
  return best;
}

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length && j < b.length; i++) {
    const x = a[i]!;
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) out[n++] = x;
  }
  return out.subarray(0, n);
}

/** The codes a value names (none when the dictionary has never seen it). */
function codesOf(dictionary: Dictionary, values: readonly string[]): Set<number> {
  return new Set(values.flatMap((v) => dictionary.codes.get(v) ?? []));
}

/** A predicate per given filter, read from the columns; the same rules as `filtered` in the repository. */
function rowTest(snapshot: Snapshot, filter: DeploymentFilter): (row: number) => boolean {
  const s = snapshot;
  const tests: Array<(row: number) => boolean> = [];
  if (filter.technology && filter.technology.length > 0) {
    const codes = codesOf(s.technologies, filter.technology);
    tests.push((row) => codes.has(s.technology[row]!));
  }
  // A value the dictionary has never seen matches no row (-1 is a row without a place).
  const equals = (dictionary: Dictionary, column: ArrayLike<number>, value: string) => {
    const code = dictionary.codes.get(value) ?? -2;
    tests.push((row) => column[row] === code);
  };
  if (filter.status) equals(s.statuses, s.status, filter.status);
  if (filter.state) equals(s.states, s.state, filter.state);
  if (filter.agency) equals(s.agencies, s.agency, filter.agency);
  if (filter.placeId) equals(s.places, s.place, filter.placeId);
  if (filter.place) {
    const geoid = filter.place;
    if (geoid.length === 2) {
      const state = s.stateByGeoid.get(geoid);
      const code = state === undefined ? -1 : (s.states.codes.get(state) ?? -1);
      tests.push((row) => s.agencyState[row] === code);
    } else {
      // A county (5 digits: its own agencies and its cities') or a city (7).
      const codes = new Set<number>();
      s.placeGeoid.forEach((g, code) => {
        if (g === geoid || (geoid.length === 5 && s.placeCounty[code] === geoid)) codes.add(code);
      });
      tests.push((row) => codes.has(s.place[row]!));
    }
  }
  if (filter.activeOn) {
    const day = toDayNumber(filter.activeOn);
    tests.push((row) => {
      const from = s.activeFrom[row]!;
      const until = s.activeUntil[row]!;
      return from !== NO_DAY && from <= day && (until === NO_DAY || until >= day);
    });
  }
  if (filter.startedAfter) {
    const day = toDayNumber(filter.startedAfter);
    tests.push((row) => s.startedOn[row] !== NO_DAY && s.startedOn[row]! >= day);
  }
  if (filter.startedBefore) {
    const day = toDayNumber(filter.startedBefore);
    tests.push((row) => s.startedOn[row] !== NO_DAY && s.startedOn[row]! <= day);
  }
  if (filter.bbox) {
    const b = filter.bbox;
    tests.push((row) => {
      const lat = s.lat[row]!;
      const lon = s.lon[row]!;
      return lat >= b.minLat && lat <= b.maxLat && lon >= b.minLon && lon <= b.maxLon;
    });
  }
  return (row) => {
    for (const test of tests) if (!test(row)) return false;
    return true;
  };
}

/** The first row whose id comes after `after` (in the databases' order). */
function firstRowAfter(ids: readonly string[], after: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareIds(ids[mid]!, after) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

function answerFrom(s: Snapshot, filter: DeploymentFilter, page: { limit: number; after?: string }): DeploymentAnswer {
  const candidates = candidateRows(s, filter);
  const test = rowTest(s, filter);
  const count = candidates ? candidates.length : s.size;
  const day = filter.activeOn ? toDayNumber(filter.activeOn) : null;
  let total = 0;
  let newest = NO_DAY;
  let seenBefore = 0;
  const matched = (row: number) => {
    total++;
    if (day !== null) {
      const seen = s.lastSeen[row]!;
      if (seen > newest) newest = seen;
      if (seen !== NO_DAY && seen < day) seenBefore++;
    }
  };
  const key = (row: number, distance?: number): PageKey =>
    distance === undefined
      ? { id: s.ids[row]!, last_seen_on: toDayText(s.lastSeen[row]!) }
      : { id: s.ids[row]!, last_seen_on: toDayText(s.lastSeen[row]!), distance_km: distance };
  let keys: PageKey[];
  let more: boolean;
  if (filter.near) {
    const { lat, lon, radiusKm } = filter.near;
    // The box around the circle first, as the databases' spatial indexes read it (not across the 180th meridian).
    const box = boxAround(lat, lon, radiusKm);
    const inCircle: Array<{ row: number; distance: number }> = [];
    for (let i = 0; i < count; i++) {
      const row = candidates ? candidates[i]! : i;
      const pointLat = s.lat[row]!;
      const pointLon = s.lon[row]!;
      if (pointLat < box.minLat || pointLat > box.maxLat || pointLon < box.minLon || pointLon > box.maxLon) continue;
      if (!(pointLat === pointLat) || !test(row)) continue;
      const distance = distanceKm(lat, lon, pointLat, pointLon);
      if (!(distance <= radiusKm)) continue;
      matched(row);
      inCircle.push({ row, distance });
    }
    inCircle.sort((a, b) => a.distance - b.distance || a.row - b.row);
    const after = readNearCursor(page.after);
    let start = 0;
    if (after) {
      const at = inCircle.findIndex(
        (m) =>
          m.distance > after.distance || (m.distance === after.distance && compareIds(s.ids[m.row]!, after.id) > 0),
      );
      start = at < 0 ? inCircle.length : at;
    }
    const rest = inCircle.slice(start, start + page.limit + 1);
    more = rest.length > page.limit;
    keys = rest.slice(0, page.limit).map((m) => key(m.row, m.distance));
  } else {
    const first = page.after === undefined ? 0 : firstRowAfter(s.ids, page.after);
    const rows: number[] = [];
    for (let i = 0; i < count; i++) {
      const row = candidates ? candidates[i]! : i;
      if (!test(row)) continue;
      matched(row);
      if (row >= first && rows.length <= page.limit) rows.push(row);
    }
    more = rows.length > page.limit;
    keys = rows.slice(0, page.limit).map((row) => key(row));
  }
  const last = keys.at(-1);
  const nextAfter = more && last ? cursorAfter(last) : null;
  const currency =
    filter.activeOn === undefined
      ? null
      : currencyWords({ asOf: toDayText(newest), seenBefore, total }, filter.activeOn);
  return { keys, nextAfter, total, currency };
}

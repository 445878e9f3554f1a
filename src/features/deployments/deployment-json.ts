import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { VersionedCache } from '#src/storage/versioned-cache';
import { findDeploymentsByIds, iterateDeployments, roundedDistance, type PageKey } from './deployments.repository';

/**
 * Deployments' records as JSON, encoded as UTF-8, held one by one for the current dataset version, so that
 * an answer reads from the database only the records it does not hold. Once the deployment index holds a
 * version, `fill` reads every record ahead (app.ts), up to the bytes allowed (RECORDS_MEMORY_MB; 32 MB
 * when not given), least recently used out first; a new dataset version forgets them all.
 */
export class DeploymentJson {
  private readonly records: VersionedCache<Buffer>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {
    // The encoded bytes, the key (two bytes a character at most), and the Buffer's and the Map's own.
    this.records = new VersionedCache(
      { maxBytes, maxEntries: Number.MAX_SAFE_INTEGER },
      (id, json) => id.length * 2 + json.length + 160,
    );
  }

  stats() {
    return this.records.stats();
  }

  /**
   * Reads every deployment's record ahead, in id order, a page at a time, until the memory allowed is
   * nearly full (all of them, at the bundled data's size): questions never asked before then find their
   * records held. Stops when the dataset version changes meanwhile (`current` says which one is).
   */
  async fill(version: string, current: () => string | null): Promise<void> {
    if (this.filling === version) return;
    this.filling = version;
    try {
      await this.readAhead(version, current);
    } finally {
      if (this.filling === version) this.filling = null;
    }
  }

  private filling: string | null = null;

  /** Whether records are being read ahead. */
  isFilling(): boolean {
    return this.filling !== null;
  }

  private async readAhead(version: string, current: () => string | null): Promise<void> {
    // Asking under the version makes it the cache's (forgetting an older one's records).
    this.records.get('', version);
    let page = 0;
    for await (const record of iterateDeployments(this.db, {}, 250)) {
      // A newer version (seen by the index or by a request) ends it, and so does the memory allowed.
      const held = this.records.stats();
      if (current() !== version || held.version !== version || held.bytes > this.maxBytes * 0.9) return;
      if (!this.records.has(record.id, version))
        this.records.set(record.id, version, Buffer.from(JSON.stringify(record)));
      // Let the requests waiting meanwhile be answered, a page of records at a time.
      if (++page % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * The JSON of each key's record, in order, encoded; each the bytes of `JSON.stringify` of the record
   * `findDeploymentPage` gives. Without a version (an answer that is not the dataset's alone) nothing is
   * remembered.
   */
  async of(keys: readonly PageKey[], version: string | undefined): Promise<Buffer[]> {
    const held = keys.map((k) => (version === undefined ? undefined : this.records.get(k.id, version)));
    const missing = keys.filter((_k, i) => held[i] === undefined).map((k) => k.id);
    const found = new Map<string, Buffer>();
    for (const record of await findDeploymentsByIds(this.db, missing)) {
      const json = Buffer.from(JSON.stringify(record));
      found.set(record.id, json);
      if (version !== undefined) this.records.set(record.id, version, json);
    }
    return keys.flatMap((k, i) => {
      const json = held[i] ?? found.get(k.id);
      if (json === undefined) return [];
      // `distance_km` comes last, as `withDistance` adds it.
      return k.distance_km === undefined
        ? [json]
        : [
            Buffer.concat([
              json.subarray(0, json.length - 1),
              Buffer.from(`,"distance_km":${JSON.stringify(roundedDistance(k.distance_km))}}`),
            ]),
          ];
    });
  }
}

export interface VersionedCacheLimits {
  /** Total bytes of the entries, as `sizeOf` counts them. */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/**
 * Values remembered by key for the current dataset version: bounded by entries and by bytes, least
 * recently used first out; when a newer version is seen, every entry of the old one goes at once, and a
 * value made for an older version is not kept. The data changes only when the version does, so a value
 * is right for as long as it is held.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private bytes = 0;
  private version: string | null = null;

  constructor(
    private readonly limits: VersionedCacheLimits,
    /** The bytes an entry holds, its key included. */
    private readonly sizeOf: (key: string, value: V) => number,
  ) {}

  /** Entries and bytes held (for tests and operators). */
  stats(): { entries: number; bytes: number; version: string | null } {
    return { entries: this.entries.size, bytes: this.bytes, version: this.version };
  }

  /** The value remembered for `key` under `version`, the newest version there is. */
  get(key: string, version: string): V | undefined {
    if (version !== this.version) {
      this.entries.clear();
      this.bytes = 0;
      this.version = version;
      return undefined;
    }
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Whether `key` is held under `version`, without touching the entry or the version held. */
  has(key: string, version: string): boolean {
    return version === this.version && this.entries.has(key);
  }

  set(key: string, version: string, value: V): void {
    if (version !== this.version) return;
    const size = this.sizeOf(key, value);
    // No one value may push out a sixteenth of the rest.
    if (size > this.limits.maxBytes / 16) return;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.size;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, size });
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.limits.maxBytes && this.entries.size <= this.limits.maxEntries) break;
      this.entries.delete(k);
      this.bytes -= e.size;
    }
  }
}

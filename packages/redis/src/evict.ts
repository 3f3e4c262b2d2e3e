/**
 * Memory accounting and `maxmemory` (Redis's evict.c): the estimate INFO reports, and eviction
 * with the allkeys-lru approximation before a command that may grow memory.
 *
 * @packageDocumentation
 */
import type { Config, Db } from './command';

/** Keys sampled per eviction, as Redis's default `maxmemory-samples`. */
const SAMPLES = 5;
/** At most this many keys are evicted before one command, so that no command stalls. */
const MAX_EVICT_PER_COMMAND = 64;

/** What eviction needs from the server. */
export interface EvictionHost {
  readonly config: Readonly<Config>;
  readonly dbs: readonly Db[];
  /** A key was evicted: the AOF logs its DEL, INFO counts it. */
  evicted(db: Db, key: string): void;
}

export class Memory {
  /** Cached dataset memory estimate in bytes, refreshed on ticks (INFO, maxmemory). */
  used = 0;

  constructor(private readonly host: EvictionHost) {}

  /** Refreshes {@link Memory.used} (the V8 heap plus Buffer memory). */
  measure(): void {
    const m = process.memoryUsage();
    this.used = m.heapUsed + m.arrayBuffers;
  }

  /**
   * Before a command that may grow memory, under `maxmemory`: evicts the least recently used of
   * 5 sampled keys, repeatedly (allkeys-lru), or refuses (false) under noeviction.
   */
  ensure(): boolean {
    const { config, dbs } = this.host;
    if (this.used <= config.maxmemory) return true;
    if (config['maxmemory-policy'] !== 'allkeys-lru') return false;
    let keys = 0;
    for (const db of dbs) keys += db.size;
    if (keys === 0) return false;
    const perKey = this.used / keys;
    let toFree = Math.min(MAX_EVICT_PER_COMMAND, Math.ceil((this.used - config.maxmemory) / Math.max(perKey, 1)));
    while (toFree-- > 0) {
      let best: [Db, string, number] | null = null;
      for (const db of dbs) {
        for (let i = 0; i < SAMPLES; i++) {
          const s = db.sample(Math.floor(Math.random() * 16));
          if (s === undefined) break;
          if (best === null || s[1].lru < best[2]) best = [db, s[0], s[1].lru];
        }
      }
      if (best === null) break;
      best[0].delete(best[1]);
      this.host.evicted(best[0], best[1]);
      this.used -= perKey;
    }
    return true;
  }
}

/**
 * Memory accounting and `maxmemory` (Redis's evict.c): the estimate INFO reports, and eviction
 * before a command that may grow memory, by every `maxmemory-policy`: approximate LRU (oldest
 * access among `maxmemory-samples` sampled keys), approximate LFU (lowest decayed logarithmic
 * counter, `keyspace.ts`), random, and volatile-ttl (soonest expiry); the volatile-* policies
 * sample only keys with an expiry, and fail like noeviction when there are none.
 *
 * @packageDocumentation
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Config, Db, Entry } from './command';
import { showSetting } from './config';
import { lfuDecayed } from './keyspace';

/**
 * The V8 heap as it was when the last garbage collection ended, and how many major ones there
 * were. Between two collections the heap also holds the garbage every command leaves (parsed
 * arguments, an INFO text: hundreds of KB that come and go), which made the estimate, and with
 * it `maxmemory`'s refusals and evictions, jump at random; after a collection it is the data.
 */
const heap = { afterGc: getHeapStatistics().used_heap_size, majorGcs: 0, watched: false };

/** A gc entry's kind (Node puts it in `detail.kind`; @types/node 20 does not declare `detail`). */
function gcKind(e: object): number | undefined {
  const detail: unknown = Reflect.get(e, 'detail');
  if (typeof detail !== 'object' || detail === null) return undefined;
  const kind: unknown = Reflect.get(detail, 'kind');
  return typeof kind === 'number' ? kind : undefined;
}

function watchCollections(): void {
  if (heap.watched) return;
  heap.watched = true;
  new PerformanceObserver((list) => {
    heap.afterGc = getHeapStatistics().used_heap_size;
    for (const e of list.getEntries()) if (gcKind(e) === constants.NODE_PERFORMANCE_GC_MAJOR) heap.majorGcs++;
  }).observe({ entryTypes: ['gc'] });
}

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
  /** Cached dataset memory estimate in bytes, refreshed on ticks, by INFO and before commands under maxmemory. */
  used = 0;
  /**
   * Bytes of values deleted since the last major collection (UNLINK, FLUSHALL), which that
   * collection will free: Redis frees them at once (or in the background), so they stop counting now.
   */
  private released = 0;
  private majorGcsSeen = heap.majorGcs;
  /**
   * The heap and the off-heap memory of the server before it held anything: Node, the code and
   * the command table take about 18 MB, which Redis's own figure (about 1 MB at start) does not
   * have, so that counting them would make any `maxmemory` below 18 MB refuse every write of an
   * empty server. Taken at construction, lowered by any lower reading since.
   */
  private emptyHeap = heap.afterGc;
  private emptyExternal = getHeapStatistics().external_memory;

  constructor(private readonly host: EvictionHost) {
    watchCollections();
  }

  /**
   * Refreshes {@link Memory.used}: the heap after the last collection, plus the memory outside
   * the heap (Buffers: string values, counted as soon as they are allocated), less what was
   * released since, each above what the process held before any data. Costs one V8
   * heap-statistics call (no system call).
   */
  measure(): void {
    if (this.majorGcsSeen !== heap.majorGcs) {
      this.majorGcsSeen = heap.majorGcs;
      this.released = 0;
    }
    const external = getHeapStatistics().external_memory;
    // Neither can be below the empty server's: a lower reading shows the start-up garbage gone.
    if (heap.afterGc < this.emptyHeap) this.emptyHeap = heap.afterGc;
    if (external < this.emptyExternal) this.emptyExternal = external;
    this.used = Math.max(0, Math.round(heap.afterGc - this.emptyHeap + external - this.emptyExternal - this.released));
  }

  /** A value of about `bytes` was deleted: it no longer counts (the next major collection frees it). */
  release(bytes: number): void {
    this.released += bytes;
    this.used = Math.max(0, this.used - bytes);
  }

  /**
   * Before a command that may grow memory, over `maxmemory`: evicts by the policy until the
   * estimate is under the limit (at most {@link MAX_EVICT_PER_COMMAND} keys per command), or
   * refuses (false) under noeviction or when nothing can be evicted.
   */
  ensure(): boolean {
    const { config, dbs } = this.host;
    if (this.used <= config.maxmemory) return true;
    const policy = config['maxmemory-policy'];
    if (policy === 'noeviction') return false;
    const volatile = policy.startsWith('volatile-');
    let keys = 0;
    for (const db of dbs) keys += volatile ? db.expires.size : db.size;
    if (keys === 0) return false;
    let all = 0;
    for (const db of dbs) all += db.size;
    const perKey = Math.ceil(this.used / Math.max(all, 1));
    const samples = Math.max(1, Number(showSetting(config, 'maxmemory-samples')));
    let toFree = Math.min(MAX_EVICT_PER_COMMAND, Math.ceil((this.used - config.maxmemory) / Math.max(perKey, 1)));
    while (toFree-- > 0) {
      const victim = this.pick(policy, volatile, samples);
      if (victim === null) return false;
      victim[0].delete(victim[1]);
      this.host.evicted(victim[0], victim[1]);
      // Until the next major collection frees it, as release() does.
      this.release(perKey);
    }
    return true;
  }

  /** The key to evict: the worst by the policy's score among the sampled keys of every database. */
  private pick(policy: Config['maxmemory-policy'], volatile: boolean, samples: number): [Db, string] | null {
    let best: [Db, string] | null = null;
    let bestScore = Infinity;
    for (const db of this.host.dbs) {
      for (let i = 0; i < samples; i++) {
        const key = volatile ? this.sampleVolatile(db) : db.sample(Math.floor(Math.random() * 16))?.[0];
        if (key === undefined) break;
        const e = db.dict.get(key);
        if (e === undefined) continue;
        const score = scoreOf(policy, e, db.expires.get(key));
        if (score < bestScore) {
          best = [db, key];
          bestScore = score;
        }
      }
    }
    return best;
  }

  /** A key with an expiry, continuing a walk over the database's expiry table (Map order). */
  private sampleVolatile(db: Db): string | undefined {
    if (db.expires.size === 0) return undefined;
    let it = this.volatileCursors.get(db) ?? db.expires.keys();
    let r = it.next();
    if (r.done === true) {
      it = db.expires.keys();
      r = it.next();
      if (r.done === true) return undefined;
    }
    this.volatileCursors.set(db, it);
    return r.value;
  }

  private readonly volatileCursors = new WeakMap<Db, Iterator<string>>();
}

/** Lower is evicted first: the access time (LRU), the decayed counter (LFU), the expiry (TTL), or random. */
function scoreOf(policy: Config['maxmemory-policy'], e: Entry, expiresAt: number | undefined): number {
  switch (policy) {
    case 'allkeys-lru':
    case 'volatile-lru':
      return e.lru;
    case 'allkeys-lfu':
    case 'volatile-lfu':
      return lfuDecayed(e);
    case 'volatile-ttl':
      return expiresAt ?? Infinity;
    default:
      return Math.random();
  }
}

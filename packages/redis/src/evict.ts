/**
 * Memory accounting and `maxmemory` (Redis's evict.c): the estimate INFO reports, and eviction
 * before a command that may grow memory, by every `maxmemory-policy`: approximate LRU (oldest
 * access among `maxmemory-samples` sampled keys), approximate LFU (lowest decayed logarithmic
 * counter, `keyspace.ts`), random, and volatile-ttl (soonest expiry); the volatile-* policies
 * sample only keys with an expiry, and fail like noeviction when there are none.
 *
 * @packageDocumentation
 */
import type { Config, Db, Entry } from './command';
import { showSetting } from './config';
import { lfuDecayed } from './keyspace';

/** At most this many keys are evicted before one command, so that no command stalls. */
const MAX_EVICT_PER_COMMAND = 64;

/** What eviction needs from the server. */
export interface EvictionHost {
  readonly config: Readonly<Config>;
  readonly dbs: readonly Db[];
  /** A key was evicted: the AOF logs its DEL, INFO counts it. */
  evicted(db: Db, key: string): void;
  /** Bytes in the query and output buffers of the clients that are not replicas. */
  clientBuffers(): number;
}

/**
 * INFO used_memory, as nevio counts it: the keyspace's estimate ({@link Db.bytes}, each key's
 * bytes by its type's estimate, kept current by every write) plus the clients' query and output
 * buffers (not the replicas': Redis leaves those out of eviction too). Not the V8 heap: between
 * two collections that also holds every command's garbage and the values deleted since, so an
 * estimate built on it rose and fell by megabytes at random, a deleted key kept counting until
 * the next major collection, and a write counted only after one; the process's real memory is
 * in used_memory_rss and MEMORY STATS.
 */
export class Memory {
  /** The estimate in bytes: the keyspace's as of the last {@link Memory.measure}, the clients' as of the last {@link Memory.measureAll}. */
  used = 0;
  private clients = 0;

  constructor(private readonly host: EvictionHost) {}

  /** Refreshes {@link Memory.used} from the keyspace's estimate: O(databases), before every command under maxmemory. */
  measure(): void {
    let bytes = this.clients;
    for (const db of this.host.dbs) bytes += db.bytes;
    this.used = bytes;
  }

  /** Also sums the clients' buffers afresh: O(clients), on ticks and for INFO. */
  measureAll(): void {
    this.clients = this.host.clientBuffers();
    this.measure();
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
    const samples = Math.max(1, Number(showSetting(config, 'maxmemory-samples')));
    // Each deletion lowers the estimate by the key's bytes at once (Db.bytes), as Redis's
    // performEvictions counts what it freed, until under the limit.
    for (let evicted = 0; this.used > config.maxmemory && evicted < MAX_EVICT_PER_COMMAND; evicted++) {
      const victim = this.pick(policy, volatile, samples);
      if (victim === null) return false;
      victim[0].delete(victim[1]);
      this.host.evicted(victim[0], victim[1]);
      this.measure();
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

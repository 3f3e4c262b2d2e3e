/**
 * The keyspace: numbered databases of typed values with millisecond expiry.
 *
 * Keys are JS strings holding the key's bytes one per char ('latin1'), so any binary key maps
 * to exactly one string and back ({@link keyOf}, `Buffer.from(key, 'latin1')`). String values are
 * Buffers; the other types are the classes of `src/types/`, stored as `unknown` with a type tag.
 *
 * @packageDocumentation
 */
import { CommandError, WRONGTYPE } from './errors';
import { NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify';

/** The type tag of a value, as TYPE reports it. */
export type ValueType = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

/** One key's value. Commands may mutate `value` in place, then call {@link Db.modified}. */
export interface Entry {
  type: ValueType;
  /** `Buffer` for 'string'; the type's class instance otherwise. */
  value: unknown;
  /** Last access, in seconds (for OBJECT IDLETIME and the LRU eviction approximation). */
  lru: number;
  /** Access counter for OBJECT FREQ (logarithmic, like Redis's LFU counter). */
  freq: number;
  /**
   * The {@link snapshotState} epoch whose snapshot has this key already (written, or created
   * after that snapshot began): a running BGSAVE copies a key before its first change only
   * when this is behind the snapshot's epoch.
   */
  saved: number;
  /** This key's bytes as {@link KeyspaceHooks.entryBytes} last estimated them (kept in {@link Db.bytes}). */
  bytes: number;
}

/** What the keyspace must tell a running point-in-time snapshot (BGSAVE, `bgsave.ts`). */
export interface SnapshotObserver {
  /** The snapshot's epoch: entries with `saved` equal to it are in the snapshot already. */
  readonly epoch: number;
  /** `key` of `dict` (entry `e`) is about to change or go: write its value as it is now. */
  preserve(dict: Map<string, Entry>, key: string, e: Entry): void;
  /** True when the snapshot reads `dict`, which a FLUSHDB must then leave intact. */
  reads(dict: Map<string, Entry>): boolean;
}

/**
 * The running snapshot, if any, and the epoch new entries are stamped with. One module-level
 * slot, so that the write path pays one null test when no BGSAVE runs.
 */
export const snapshotState: { observer: SnapshotObserver | null; epoch: number } = { observer: null, epoch: 0 };

/** Lets a running snapshot copy `key` before it changes (copy-on-write; see `bgsave.ts`). */
function beforeChange(dict: Map<string, Entry>, key: string, e: Entry): void {
  const o = snapshotState.observer;
  if (o !== null && e.saved !== o.epoch) o.preserve(dict, key, e);
}

/** The keyspace's view of the rest of the server: notifications a database raises. */
export interface KeyspaceHooks {
  /** A key was changed (WATCH invalidation); called once per `Db.modified` call. */
  touched(db: Db, key: string): void;
  /** A key that blocked clients may wait on received data (list/zset pushes). */
  ready(db: Db, key: string): void;
  /** The current time in milliseconds (cached per event-loop batch). */
  now(): number;
  /**
   * A key expired (lazily or actively) and was removed: the AOF logs a DEL for it, `expired` is
   * raised, and it counts as changed (as {@link KeyspaceHooks.touched}, by no client).
   */
  expired(db: Db, key: string): void;
  /** {@link Db.clear} emptied a database (FLUSHDB, FLUSHALL): cached keys are all invalid. */
  cleared(db: Db): void;
  /** True during CLIENT PAUSE: expired keys read as absent but stay, so the dataset does not change. */
  readonly expiryPaused: boolean;
  /**
   * True while a replica applies its master's stream: keys are not expired at all for it (the
   * master's DEL removes them), as Redis's expireIfNeeded for the master client.
   */
  readonly expiryObeysMaster: boolean;
  /**
   * True on a writable replica: a write's lookup deletes an expired key even so (Redis 7's
   * force_delete_expired), so the write starts from an absent key, not from the expired one.
   */
  readonly expiryOnWrite: boolean;
  /** The `NOTIFY_*` classes `notify-keyspace-events` enables (0: none), tested before {@link KeyspaceHooks.notify}. */
  readonly notifyFlags: number;
  /** Raises a keyspace event (see `CommandContext.notify`). */
  notify(type: number, event: string, key: string, db: Db): void;
  /** About how many bytes the key and its value take, in O(1) (a sample of a collection's elements). */
  entryBytes(key: string, e: Entry): number;
}

/** Decodes a key argument: one char per byte, so binary keys are preserved exactly. */
export function keyOf(arg: Buffer): string {
  return arg.latin1Slice(0, arg.length);
}

let clockSeconds = Math.floor(Date.now() / 1000);

/** A new key's LFU counter (Redis's LFU_INIT_VAL): new keys are not evicted at once. */
export const LFU_INIT_VAL = 5;

/**
 * How reads count accesses: the LFU counter is kept only under an LFU `maxmemory-policy`
 * (like Redis, which keeps either the LRU clock or the counter), so the read path tests one
 * flag. `logFactor` and `decayMinutes` are `lfu-log-factor` and `lfu-decay-time`.
 */
export const accessTracking = { lfu: false, logFactor: 10, decayMinutes: 1 };

/**
 * The LFU counter of `e` after decay: one less per `lfu-decay-time` minutes since its last
 * access (Redis's LFUDecrAndReturn; 0 minutes: no decay).
 */
export function lfuDecayed(e: Entry): number {
  const periods = accessTracking.decayMinutes > 0 ? Math.floor((clockSeconds - e.lru) / 60 / accessTracking.decayMinutes) : 0;
  return Math.max(0, e.freq - periods);
}

/** An access under LFU: decay, then Redis's logarithmic increment (LFULogIncr), then the time. */
function lfuTouch(e: Entry): void {
  let counter = lfuDecayed(e);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (Math.random() < 1 / (base * accessTracking.logFactor + 1)) counter++;
  }
  e.freq = counter;
  e.lru = clockSeconds;
}

/** One numbered database (SELECT n). */
export class Db {
  /** Key to value. Iteration order is insertion order. (Replaced wholesale by SWAPDB.) */
  dict = new Map<string, Entry>();
  /** Key to absolute expiry time in ms, for keys that have one. */
  expires = new Map<string, number>();
  /**
   * The keys' and values' estimated bytes ({@link Entry.bytes} summed), kept current by every
   * write: the dataset part of INFO used_memory, which must follow writes at once (evict.ts).
   */
  bytes = 0;
  /** Number of clients WATCHing a key here (lets {@link Db.modified} skip the lookup when 0). */
  watching = 0;
  /** Counted for INFO keyspace_hits / keyspace_misses. */
  hits = 0;
  misses = 0;
  /** The resume point of active expiry's sampling of {@link Db.expires}. */
  expireCursor: Iterator<[string, number]> | null = null;
  /** The resume point of {@link Db.sample}. */
  private sampleCursor: Iterator<[string, Entry]> | null = null;
  /**
   * Expiry times past 2^53 ms by key, exactly; valid while `expires` holds their rounded value
   * (an entry is dropped with its key, and one whose key got another time is ignored).
   */
  private exactExpires: Map<string, bigint> | null = null;

  constructor(
    readonly index: number,
    private readonly hooks: KeyspaceHooks,
  ) {}

  /** Number of keys (including ones expired but not yet reclaimed, like DBSIZE in Redis). */
  get size(): number {
    return this.dict.size;
  }

  /** Removes `key` if its time has come; true when it did (or the key is absent). */
  private expireIfNeeded(key: string, write = false): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > this.hooks.now()) return false;
    if (this.hooks.expiryPaused && (this.hooks.expiryObeysMaster || !write || !this.hooks.expiryOnWrite)) return !this.hooks.expiryObeysMaster;
    const e = this.dict.get(key);
    if (e !== undefined) {
      if (snapshotState.observer !== null) beforeChange(this.dict, key, e);
      this.bytes -= e.bytes;
    }
    this.dict.delete(key);
    this.expires.delete(key);
    this.hooks.expired(this, key);
    return true;
  }

  /**
   * Looks up a key for reading: expired keys are deleted first, hits/misses are counted and
   * the access time is updated.
   */
  lookupRead(key: string, touch = true): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined || (this.expires.size !== 0 && this.expireIfNeeded(key))) {
      this.misses++;
      if ((this.hooks.notifyFlags & NOTIFY_KEY_MISS) !== 0) this.hooks.notify(NOTIFY_KEY_MISS, 'keymiss', key, this);
      return undefined;
    }
    this.hits++;
    // `touch` false: TTL, TYPE, EXISTS read without changing the access time (Redis's LOOKUP_NOTOUCH).
    if (!touch) return e;
    if (accessTracking.lfu) lfuTouch(e);
    else e.lru = clockSeconds;
    return e;
  }

  /** Looks up a key for writing: like {@link Db.lookupRead} without the statistics. */
  lookupWrite(key: string, write = true): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined || (this.expires.size !== 0 && this.expireIfNeeded(key, write))) return undefined;
    if (snapshotState.observer !== null) beforeChange(this.dict, key, e);
    // Under LFU the time is the counter's decay base: only reads (lfuTouch) move it.
    if (!accessTracking.lfu) e.lru = clockSeconds;
    return e;
  }

  /** True when the key exists (and has not expired), without touching statistics. */
  exists(key: string): boolean {
    return this.lookupWrite(key, false) !== undefined;
  }

  /**
   * Reads a value of the given type for a read-only command: `undefined` when absent, throws
   * the WRONGTYPE {@link CommandError} when the key holds another type.
   */
  get<T>(key: string, type: ValueType): T | undefined {
    const e = this.lookupRead(key);
    if (e === undefined) return undefined;
    if (e.type !== type) throw new CommandError(WRONGTYPE);
    return e.value as T;
  }

  /** Like {@link Db.get} for a command about to modify the value (no hit/miss counting). */
  getForWrite<T>(key: string, type: ValueType): T | undefined {
    const e = this.lookupWrite(key);
    if (e === undefined) return undefined;
    if (e.type !== type) throw new CommandError(WRONGTYPE);
    return e.value as T;
  }

  /**
   * Stores a value, replacing whatever the key held. The TTL is removed unless `keepTtl`.
   * Calls {@link Db.modified}; raises `new` when the key did not exist. Never store an empty collection: delete the key instead.
   */
  set(key: string, type: ValueType, value: unknown, keepTtl = false): void {
    let e = this.dict.get(key);
    if (e === undefined) {
      e = { type, value, lru: clockSeconds, freq: LFU_INIT_VAL, saved: snapshotState.epoch, bytes: 0 };
      this.dict.set(key, e);
      if ((this.hooks.notifyFlags & NOTIFY_NEW) !== 0) this.hooks.notify(NOTIFY_NEW, 'new', key, this);
    } else {
      if (snapshotState.observer !== null) beforeChange(this.dict, key, e);
      e.type = type;
      e.value = value;
      e.lru = clockSeconds;
    }
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    // What modified() does, with the entry at hand (no second lookup on every SET).
    this.account(key, e);
    this.hooks.touched(this, key);
  }

  /** Deletes a key; true when it existed. Calls {@link Db.modified} when it did. */
  delete(key: string): boolean {
    const e = this.lookupWrite(key);
    if (e === undefined) return false;
    this.bytes -= e.bytes;
    this.dict.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.exactExpires !== null) this.exactExpires.delete(key);
    // The entry is gone: only the change itself is signalled (its bytes went above).
    this.hooks.touched(this, key);
    return true;
  }

  /**
   * Records that a key's value changed (Redis's signalModifiedKey + dirty++): invalidates
   * WATCHes on it and makes the command count as a write for persistence. Commands that
   * mutate a value in place must call it; {@link Db.set} and {@link Db.delete} already do.
   */
  modified(key: string): void {
    const e = this.dict.get(key);
    if (e !== undefined) this.account(key, e);
    this.hooks.touched(this, key);
  }

  /**
   * The key's value changed size in a way Redis does not signal as a change (a new key's value
   * grown after {@link Db.set} created it, a bit write that flipped nothing): keeps
   * {@link Db.bytes} right without touching WATCH or the dirty count.
   */
  resized(key: string): void {
    const e = this.dict.get(key);
    if (e !== undefined) this.account(key, e);
  }

  /**
   * Adds an entry made elsewhere (loading a dump) under a key that has none, or replaces its
   * entry, keeping {@link Db.bytes}; raises no event (loading is not a write).
   */
  adopt(key: string, e: Entry): void {
    const old = this.dict.get(key);
    if (old !== undefined) this.bytes -= old.bytes;
    e.bytes = 0;
    this.dict.set(key, e);
    this.account(key, e);
  }

  /** Brings the key's {@link Entry.bytes} and {@link Db.bytes} up to date after a change. */
  private account(key: string, e: Entry): void {
    const now = this.hooks.entryBytes(key, e);
    this.bytes += now - e.bytes;
    e.bytes = now;
  }

  /**
   * Tells clients blocked on `key` (BLPOP & co.) that it may now have data. Call it after pushing
   * into a list or adding to a sorted set; the server serves them after the current command.
   */
  signalReady(key: string): void {
    this.hooks.ready(this, key);
  }

  /** The absolute expiry time of a key in ms, or undefined when it has none. */
  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /**
   * Sets the absolute expiry (ms) of an existing key. A bigint past 2^53 (PEXPIREAT near
   * INT64_MAX) is also kept exactly, for {@link Db.getExpireExact}.
   */
  setExpire(key: string, atMs: number | bigint): void {
    if (snapshotState.observer !== null) this.beforeExpiryChange(key);
    const at = Number(atMs);
    if (typeof atMs === 'bigint' && !Number.isSafeInteger(at)) (this.exactExpires ??= new Map()).set(key, atMs);
    this.expires.set(key, at);
  }

  /**
   * The absolute expiry time of a key in ms, exactly (PTTL, PEXPIRETIME): {@link Db.getExpire}
   * rounds times past 2^53 ms to a double, which is fine for comparing with the clock only.
   */
  getExpireExact(key: string): bigint | undefined {
    const at = this.getExpire(key);
    if (at === undefined) return undefined;
    if (!Number.isSafeInteger(at) && this.exactExpires !== null) {
      const exact = this.exactExpires.get(key);
      // Kept only while the key's time is still the one it was recorded for.
      if (exact !== undefined && Number(exact) === at) return exact;
    }
    return BigInt(at);
  }

  /** Removes a key's expiry; true when it had one. */
  persist(key: string): boolean {
    if (snapshotState.observer !== null) this.beforeExpiryChange(key);
    return this.expires.delete(key);
  }

  /** A running snapshot keeps the expiry a key had when it began. */
  private beforeExpiryChange(key: string): void {
    const e = this.dict.get(key);
    if (e !== undefined) beforeChange(this.dict, key, e);
  }

  /**
   * Some key after skipping up to `skip` others, continuing where the last call stopped: an
   * O(skip) stand-in for Redis's random dictionary sampling (RANDOMKEY, LRU eviction), since a
   * Map cannot be indexed. Undefined when the database is empty.
   */
  sample(skip: number): [string, Entry] | undefined {
    if (this.dict.size === 0) return undefined;
    let it = this.sampleCursor ?? this.dict.entries();
    for (;;) {
      let r = it.next();
      if (r.done) {
        it = this.dict.entries();
        r = it.next();
        if (r.done) return undefined;
      }
      if (skip-- <= 0) {
        this.sampleCursor = it;
        return r.value;
      }
    }
  }

  /** Exchanges the contents of two databases (SWAPDB); clients stay on their numbers. */
  swapWith(other: Db): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.exactExpires, other.exactExpires] = [other.exactExpires, this.exactExpires];
    [this.bytes, other.bytes] = [other.bytes, this.bytes];
    this.expireCursor = other.expireCursor = null;
    this.sampleCursor = other.sampleCursor = null;
  }

  /** Removes every key; returns how many there were. */
  clear(): number {
    const n = this.dict.size;
    // A running snapshot keeps reading the old maps: new ones replace them here (O(1), too).
    if (snapshotState.observer?.reads(this.dict) === true) {
      this.dict = new Map();
      this.expires = new Map();
    } else {
      this.dict.clear();
      this.expires.clear();
    }
    this.exactExpires = null;
    this.bytes = 0;
    this.expireCursor = null;
    this.sampleCursor = null;
    this.hooks.cleared(this);
    return n;
  }
}

/** Advances the coarse clock used for access times; the server calls it on each tick. */
export function updateClock(nowMs: number): void {
  clockSeconds = Math.floor(nowMs / 1000);
}

/**
 * An ordered map from stream IDs to values: the role of Redis's rax in a stream (its nodes by
 * master ID, the pending entries lists of groups and consumers). Keys are kept in sorted chunks
 * of at most {@link CHUNK} entries, so a lookup is two binary searches and an insert or delete
 * moves at most one chunk's worth of slots: appending at the end and removing at the front (what
 * XADD, trimming and XACK mostly do) stay cheap however large the map is.
 *
 * @packageDocumentation
 */
import type { StreamId } from './stream-id';
import { scaledSample } from '../memory-sample';

/**
 * Keys per chunk: large enough that the chunk array stays short (10^6 keys: 8k chunks),
 * small enough that splicing inside one is a short memmove.
 */
const CHUNK = 128;
/** A chunk this small after deletions is merged into its neighbour when they fit together. */
const MERGE_BELOW = CHUNK / 4;

interface Chunk<V> {
  keys: StreamId[];
  vals: V[];
}

/** Index of the first element of `keys` that is >= `key` (keys.length when none). */
function lowerBound(keys: readonly StreamId[], key: StreamId): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A position in the map: chunk index and slot inside it. */
interface Pos {
  c: number;
  i: number;
}

export class IdMap<V> {
  private chunks: Chunk<V>[] = [];
  /** Number of keys. */
  size = 0;

  /** The chunk that holds `key` if present: the last one whose first key is <= key (0 if none). */
  private chunkFor(key: StreamId): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[mid].keys[0] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The position of the first key >= `key`, or null when there is none. */
  private ceilPos(key: StreamId): Pos | null {
    if (this.size === 0) return null;
    let c = this.chunkFor(key);
    let i = lowerBound(this.chunks[c].keys, key);
    if (i === this.chunks[c].keys.length) {
      if (++c === this.chunks.length) return null;
      i = 0;
    }
    return { c, i };
  }

  /** The position of the last key <= `key`, or null when there is none. */
  private floorPos(key: StreamId): Pos | null {
    if (this.size === 0) return null;
    const c = this.chunkFor(key);
    const keys = this.chunks[c].keys;
    let i = lowerBound(keys, key);
    if (i < keys.length && keys[i] === key) return { c, i };
    i--;
    if (i >= 0) return { c, i };
    // Only possible in chunk 0, when every key is greater.
    return null;
  }

  get(key: StreamId): V | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.chunks[this.chunkFor(key)];
    const i = lowerBound(chunk.keys, key);
    return i < chunk.keys.length && chunk.keys[i] === key ? chunk.vals[i] : undefined;
  }

  has(key: StreamId): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces; true when the key is new. */
  set(key: StreamId, val: V): boolean {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push({ keys: [key], vals: [val] });
      this.size = 1;
      return true;
    }
    const c = this.chunkFor(key);
    const chunk = chunks[c];
    const keys = chunk.keys;
    // Appending past the last key (the common case) needs no search inside the chunk.
    const i = keys[keys.length - 1] < key ? keys.length : lowerBound(keys, key);
    if (i < keys.length && keys[i] === key) {
      chunk.vals[i] = val;
      return false;
    }
    if (i === keys.length) {
      keys.push(key);
      chunk.vals.push(val);
    } else {
      keys.splice(i, 0, key);
      chunk.vals.splice(i, 0, val);
    }
    this.size++;
    if (keys.length > CHUNK) {
      // Split in two; an append-heavy chunk splits at the end so the left one stays full.
      const at = i === keys.length - 1 ? CHUNK : keys.length >>> 1;
      chunks.splice(c + 1, 0, { keys: keys.splice(at), vals: chunk.vals.splice(at) });
    }
    return true;
  }

  /** Removes a key; returns its value, or undefined when absent. */
  delete(key: StreamId): V | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    const i = lowerBound(chunk.keys, key);
    if (i === chunk.keys.length || chunk.keys[i] !== key) return undefined;
    const val = chunk.vals[i];
    if (i === 0) {
      chunk.keys.shift();
      chunk.vals.shift();
    } else {
      chunk.keys.splice(i, 1);
      chunk.vals.splice(i, 1);
    }
    this.size--;
    this.rebalance(c);
    return val;
  }

  /** Drops an emptied chunk, or merges a small one into the next when both fit in one. */
  private rebalance(c: number): void {
    const chunks = this.chunks;
    const chunk = chunks[c];
    if (chunk.keys.length === 0) {
      chunks.splice(c, 1);
      return;
    }
    if (chunk.keys.length >= MERGE_BELOW || c + 1 >= chunks.length) return;
    const next = chunks[c + 1];
    if (chunk.keys.length + next.keys.length > CHUNK) return;
    for (let j = 0; j < next.keys.length; j++) {
      chunk.keys.push(next.keys[j]);
      chunk.vals.push(next.vals[j]);
    }
    chunks.splice(c + 1, 1);
  }

  /** The smallest key >= `key` with its value. */
  ceil(key: StreamId): [StreamId, V] | undefined {
    const p = this.ceilPos(key);
    return p === null ? undefined : [this.chunks[p.c].keys[p.i], this.chunks[p.c].vals[p.i]];
  }

  /** The largest key <= `key` with its value. */
  floor(key: StreamId): [StreamId, V] | undefined {
    const p = this.floorPos(key);
    return p === null ? undefined : [this.chunks[p.c].keys[p.i], this.chunks[p.c].vals[p.i]];
  }

  /** The first key and value. */
  first(): [StreamId, V] | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunks[0];
    return [c.keys[0], c.vals[0]];
  }

  /** The last key and value. */
  last(): [StreamId, V] | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunks[this.chunks.length - 1];
    return [c.keys[c.keys.length - 1], c.vals[c.vals.length - 1]];
  }

  /** The last value (the common "tail" lookup, without allocating a pair). */
  lastValue(): V | undefined {
    if (this.size === 0) return undefined;
    const c = this.chunks[this.chunks.length - 1];
    return c.vals[c.vals.length - 1];
  }

  /**
   * Visits keys from `from` on (ascending: keys >= from; descending: keys <= from) until `visit`
   * returns false. The map must not be changed during the walk.
   */
  walk(from: StreamId, descending: boolean, visit: (key: StreamId, val: V) => boolean): void {
    const p = descending ? this.floorPos(from) : this.ceilPos(from);
    if (p === null) return;
    const chunks = this.chunks;
    if (descending) {
      for (let c = p.c, i = p.i; c >= 0; c--, i = c >= 0 ? chunks[c].keys.length - 1 : 0) {
        const { keys, vals } = chunks[c];
        for (; i >= 0; i--) if (!visit(keys[i], vals[i])) return;
      }
    } else {
      for (let c = p.c, i = p.i; c < chunks.length; c++, i = 0) {
        const { keys, vals } = chunks[c];
        for (; i < keys.length; i++) if (!visit(keys[i], vals[i])) return;
      }
    }
  }

  /** Bytes of every value, estimated from the first `samples` (all when 0) as `sampledBytes` does. */
  sampledValueBytes(samples: number, bytesOf: (value: V) => number): number {
    let bytes = 0;
    let seen = 0;
    for (const { vals } of this.chunks) {
      for (let i = 0; i < vals.length; i++) {
        bytes += bytesOf(vals[i]);
        if (++seen === samples) return scaledSample(bytes, seen, this.size);
      }
    }
    return bytes;
  }

  /** Every key and value in ascending order. */
  *entries(): IterableIterator<[StreamId, V]> {
    for (const { keys, vals } of this.chunks) for (let i = 0; i < keys.length; i++) yield [keys[i], vals[i]];
  }

  /** Removes everything. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}

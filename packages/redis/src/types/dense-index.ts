/**
 * The storage of hashes and sets: strings at dense positions 0..size-1 with a Map from string to
 * position, so that a member is found, added and removed in O(1) **and** a random one is picked
 * in O(1) (HRANDFIELD, SRANDMEMBER, SPOP: a Map alone cannot be indexed, so picking from it
 * meant copying the whole collection first).
 *
 * Removal either keeps the order of the others (O(n): what a Redis listpack does, so small hashes
 * keep listing their fields in insertion order) or moves the last entry into the hole (O(1): the
 * order of a Redis hash table is arbitrary anyway).
 *
 * Positions also drive the SCAN cursors of these collections (see {@link DenseSet.scanBoundary}):
 * a scan walks from the last position down to 0, so the only entry a removal moves (the last
 * one) moves from a position not yet visited to another one not yet visited, or from a visited
 * one; an entry present for the whole iteration is therefore never skipped.
 *
 * @packageDocumentation
 */
import type { ScanSource } from '../command';

/** Strings at dense positions; see the module documentation. */
export class DenseSet {
  private readonly pos = new Map<string, number>();
  private readonly items: string[] = [];

  /** Number of entries. */
  get size(): number {
    return this.items.length;
  }

  /** True when `item` is present. */
  has(item: string): boolean {
    return this.pos.has(item);
  }

  /** The position of `item`, or -1. */
  indexOf(item: string): number {
    return this.pos.get(item) ?? -1;
  }

  /** The entry at position `i` (0 ≤ i < size). */
  at(i: number): string {
    return this.items[i];
  }

  /** Appends `item` at the last position; false (and nothing changes) when it is present. */
  add(item: string): boolean {
    if (this.pos.has(item)) return false;
    this.pos.set(item, this.items.length);
    this.items.push(item);
    return true;
  }

  /** Removes `item`; false when absent. `ordered` keeps the others' order (O(n)). */
  delete(item: string, ordered: boolean): boolean {
    const i = this.pos.get(item);
    if (i === undefined) return false;
    this.removeAt(i, ordered);
    return true;
  }

  /** Removes the entry at position `i` (0 ≤ i < size); see {@link DenseSet.delete}. */
  removeAt(i: number, ordered: boolean): void {
    const items = this.items;
    this.pos.delete(items[i]);
    if (ordered) {
      items.splice(i, 1);
      for (let j = i; j < items.length; j++) this.pos.set(items[j], j);
    } else {
      const lastIndex = items.length - 1;
      if (i !== lastIndex) {
        items[i] = items[lastIndex];
        this.pos.set(items[i], i);
      }
      items.pop();
    }
  }

  /** The entries in position order (do not modify the set while iterating). */
  values(): IterableIterator<string> {
    return this.items.values();
  }

  /** A copy of the entries in position order. */
  toArray(): string[] {
    return this.items.slice();
  }

  /**
   * Where a SCAN page starts, from its cursor: 0 starts a new iteration at the top (`size`);
   * otherwise the cursor is the boundary below which positions are still to be visited,
   * clamped to the current size (removals may have shrunk the set since).
   */
  scanBoundary(cursor: number): number {
    return cursor === 0 || cursor > this.items.length ? this.items.length : cursor;
  }
}

/** Strings at dense positions with a value each (hash fields and their values). */
export class DenseMap<V> {
  private readonly keys = new DenseSet();
  private readonly vals: V[] = [];

  /** Number of entries. */
  get size(): number {
    return this.keys.size;
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** The value of `key`, or undefined. */
  get(key: string): V | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.vals[i];
  }

  /** The key at position `i` (0 ≤ i < size). */
  keyAt(i: number): string {
    return this.keys.at(i);
  }

  /** The value at position `i` (0 ≤ i < size). */
  valueAt(i: number): V {
    return this.vals[i];
  }

  /** Sets `key` to `value`; true when the key is new (then it takes the last position). */
  set(key: string, value: V): boolean {
    const i = this.keys.indexOf(key);
    if (i >= 0) {
      this.vals[i] = value;
      return false;
    }
    this.keys.add(key);
    this.vals.push(value);
    return true;
  }

  /** Removes `key`; false when absent. `ordered` keeps the others' order (O(n)). */
  delete(key: string, ordered: boolean): boolean {
    const i = this.keys.indexOf(key);
    if (i < 0) return false;
    this.keys.removeAt(i, ordered);
    const vals = this.vals;
    if (ordered) vals.splice(i, 1);
    else {
      vals[i] = vals[vals.length - 1];
      vals.pop();
    }
    return true;
  }

  /** See {@link DenseSet.scanBoundary}. */
  scanBoundary(cursor: number): number {
    return this.keys.scanBoundary(cursor);
  }
}

/**
 * A SCAN source over positions [0, top) of a dense collection, visited from the top down: the
 * cursor is the boundary below which positions remain (see {@link DenseSet.scanBoundary}), so a
 * page of COUNT entries costs O(COUNT), and nothing present throughout is skipped.
 */
export function scanDown<T>(
  boundary: (cursor: number) => number,
  at: (i: number) => T,
  shown: Pick<ScanSource<T>, 'name' | 'write' | 'width'>,
): ScanSource<T> {
  let top = 0;
  return {
    whole: false,
    get size() {
      return top;
    },
    position(cursor) {
      top = boundary(cursor);
      return 0;
    },
    slice(start, end) {
      const out: T[] = [];
      for (let i = top - 1 - start; i >= top - end; i--) out.push(at(i));
      return out;
    },
    cursorAt: (pos) => top - pos,
    ...shown,
  };
}

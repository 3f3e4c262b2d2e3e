/**
 * A double-ended queue over a power-of-two ring buffer: O(1) push and pop at both ends and O(1)
 * access by index, which is what LPUSH/RPUSH/LPOP/RPOP/LINDEX/LSET want. Insertion and removal in
 * the middle move the shorter side only.
 *
 * @typeParam T - the element type (Buffers for Redis lists).
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;
  // buf.length is always a power of two so that wrapping is a mask instead of a modulo.
  private mask: number;

  constructor(initialCapacity = 8) {
    let cap = 4;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
    this.mask = cap - 1;
  }

  /** Number of elements. */
  get length(): number {
    return this.len;
  }

  /** Adds `v` before the first element. */
  pushFront(v: T): void {
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  /** Adds `v` after the last element. */
  pushBack(v: T): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  /** Removes and returns the first element, or undefined when empty. */
  popFront(): T | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    // Clear the slot so a popped Buffer can be collected while the deque lives on.
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Removes and returns the last element, or undefined when empty. */
  popBack(): T | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** The element at `index` (0-based from the front), or undefined when out of range. */
  get(index: number): T | undefined {
    if (index < 0 || index >= this.len) return undefined;
    return this.buf[(this.head + index) & this.mask];
  }

  /** Replaces the element at `index`; the caller checks the range. */
  set(index: number, v: T): void {
    this.buf[(this.head + index) & this.mask] = v;
  }

  /** Inserts `v` so that it ends up at `index` (0 ≤ index ≤ length). */
  insert(index: number, v: T): void {
    if (index === 0) return this.pushFront(v);
    if (index === this.len) return this.pushBack(v);
    if (this.len === this.buf.length) this.grow();
    if (index < this.len / 2) {
      this.head = (this.head - 1) & this.mask;
      for (let i = 0; i < index; i++) this.buf[(this.head + i) & this.mask] = this.buf[(this.head + i + 1) & this.mask];
    } else {
      for (let i = this.len; i > index; i--) this.buf[(this.head + i) & this.mask] = this.buf[(this.head + i - 1) & this.mask];
    }
    this.buf[(this.head + index) & this.mask] = v;
    this.len++;
  }

  /** Elements from `start` to `end` inclusive, both already clamped to [0, length). */
  slice(start: number, end: number): T[] {
    const out: T[] = [];
    for (let i = start; i <= end; i++) out.push(this.buf[(this.head + i) & this.mask] as T);
    return out;
  }

  /**
   * Keeps only the elements from `start` to `end` inclusive (an empty range empties the deque).
   * O(removed): the common capped list (LPUSH then LTRIM 0 N-1) drops one element, not N.
   */
  trim(start: number, end: number): void {
    if (start > end) return this.replaceWith([]);
    for (let i = 0; i < start; i++) this.buf[(this.head + i) & this.mask] = undefined;
    for (let i = end + 1; i < this.len; i++) this.buf[(this.head + i) & this.mask] = undefined;
    this.head = (this.head + start) & this.mask;
    this.len = end - start + 1;
    this.maybeShrink();
  }

  /**
   * Removes elements for which `match` is true, at most `limit` of them (0 means all), scanning from
   * the back when `fromBack` is set. Returns how many were removed.
   */
  removeWhere(match: (v: T) => boolean, limit: number, fromBack: boolean): number {
    const all = this.slice(0, this.len - 1);
    if (fromBack) all.reverse();
    const kept: T[] = [];
    let removed = 0;
    for (const v of all) {
      if ((limit === 0 || removed < limit) && match(v)) removed++;
      else kept.push(v);
    }
    if (removed === 0) return 0;
    if (fromBack) kept.reverse();
    this.replaceWith(kept);
    return removed;
  }

  /** Iterates from front to back. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private replaceWith(items: T[]): void {
    let cap = 4;
    while (cap < items.length) cap *= 2;
    this.buf = new Array<T | undefined>(cap);
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.head = 0;
    this.len = items.length;
    this.mask = cap - 1;
  }

  private grow(): void {
    const cap = this.buf.length * 2;
    const next = new Array<T | undefined>(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = cap - 1;
  }

  // A list that grew to a million elements and was drained should not keep its array forever;
  // shrinking at a quarter (not a half) avoids thrashing around the boundary.
  private maybeShrink(): void {
    if (this.buf.length > 64 && this.len < this.buf.length / 4) {
      this.replaceWith(this.slice(0, this.len - 1));
    }
  }
}

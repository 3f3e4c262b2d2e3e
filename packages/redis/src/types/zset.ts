/**
 * Members are latin1 strings (one char per byte), so JavaScript's UTF-16 comparison of them is the
 * same as a byte-wise memcmp, which is how Redis orders equal scores and lex ranges.
 */
const MAX_LEVEL = 32;
// A quarter, as Redis does: on average 1.33 pointers per node, and still O(log n) levels.
const LEVEL_P = 0.25;

/** One node of the skip list; `next[i]` skips `span[i]` nodes at level i. */
export interface ZNode {
  readonly member: string;
  score: number;
  backward: ZNode | null;
  next: (ZNode | null)[];
  span: number[];
}

/** A score interval; `minEx`/`maxEx` make the matching end exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minEx: boolean;
  maxEx: boolean;
}

/**
 * A lex interval over members. `min`/`max` of `null` with `minInf`/`maxInf` stand for `-`/`+`;
 * otherwise `minEx`/`maxEx` make the end exclusive (`(a`) rather than inclusive (`[a`).
 */
export interface LexRange {
  min: string;
  max: string;
  minEx: boolean;
  maxEx: boolean;
  minInf: boolean;
  maxInf: boolean;
}

function less(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

// Scratch space of insert/delete/updateScore (one call at a time, nothing re-enters them): the
// predecessors at each level and their ranks. Two arrays of 32 per insert were most of GEOADD's
// garbage. The slots may keep up to 32 nodes of a deleted set alive until the next call.
const scratchUpdate: ZNode[] = [];
const scratchRank = new Float64Array(MAX_LEVEL);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < LEVEL_P) level++;
  return level;
}

function makeNode(level: number, score: number, member: string): ZNode {
  return { member, score, backward: null, next: new Array<ZNode | null>(level).fill(null), span: new Array<number>(level).fill(0) };
}

/** True when `score` is not below the range's lower bound. */
export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minEx ? score > r.min : score >= r.min;
}

/** True when `score` is not above the range's upper bound. */
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxEx ? score < r.max : score <= r.max;
}

/** True when `m` is not below the lex range's lower bound. */
export function lexGteMin(m: string, r: LexRange): boolean {
  if (r.minInf) return true;
  return r.minEx ? m > r.min : m >= r.min;
}

/** True when `m` is not above the lex range's upper bound. */
export function lexLteMax(m: string, r: LexRange): boolean {
  if (r.maxInf) return true;
  return r.maxEx ? m < r.max : m <= r.max;
}

function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minEx || r.maxEx));
}

/** True when no member can be in the lex range (min above max, or equal with an exclusive end). */
export function lexRangeEmpty(r: LexRange): boolean {
  if (r.minInf || r.maxInf) return false;
  return r.min > r.max || (r.min === r.max && (r.minEx || r.maxEx));
}

/**
 * A skip list ordered by (score, member) with a span on every forward link, so that the rank of a
 * node and the node at a rank are both found in O(log n). The caller guarantees that a member is
 * inserted at most once (the {@link SortedSet} map enforces it).
 */
export class SkipList {
  private readonly header: ZNode = makeNode(MAX_LEVEL, 0, '');
  private tail: ZNode | null = null;
  private level = 1;
  private count = 0;

  /** Number of nodes. */
  get length(): number {
    return this.count;
  }

  /** The lowest node, or null when empty. */
  first(): ZNode | null {
    return this.header.next[0];
  }

  /** The highest node, or null when empty. */
  last(): ZNode | null {
    return this.tail;
  }

  /** Inserts a new (score, member) node and returns it. */
  insert(score: number, member: string): ZNode {
    const update = scratchUpdate;
    const rank = scratchRank;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let n = x.next[i];
      while (n && less(n.score, n.member, score, member)) {
        rank[i] += x.span[i];
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.count;
      }
      this.level = level;
    }
    const node = makeNode(level, score, member);
    for (let i = 0; i < level; i++) {
      node.next[i] = update[i].next[i];
      update[i].next[i] = node;
      // rank[0] - rank[i] is how many nodes lie between update[i] and the new node's predecessor.
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    if (node.next[0]) node.next[0].backward = node;
    else this.tail = node;
    this.count++;
    return node;
  }

  /** Removes the node with exactly this (score, member); returns false when absent. */
  delete(score: number, member: string): boolean {
    const update = scratchUpdate;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && less(n.score, n.member, score, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const target = x.next[0];
    if (!target || target.score !== score || target.member !== member) return false;
    this.unlink(target, update);
    return true;
  }

  /**
   * Moves the node of `member` from `oldScore` to `newScore`. When the new score keeps it between
   * its neighbours the node is updated in place, which is the common case for small increments.
   */
  updateScore(oldScore: number, member: string, newScore: number): ZNode {
    const update = scratchUpdate;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && less(n.score, n.member, oldScore, member)) {
        x = n;
        n = x.next[i];
      }
      update[i] = x;
    }
    const node = x.next[0] as ZNode;
    const prev = node.backward;
    const after = node.next[0];
    if ((prev === null || less(prev.score, prev.member, newScore, member)) && (after === null || less(newScore, member, after.score, after.member))) {
      node.score = newScore;
      return node;
    }
    this.unlink(node, update);
    return this.insert(newScore, member);
  }

  /** 0-based rank of (score, member), or -1 when absent. */
  rank(score: number, member: string): number {
    let r = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && (less(n.score, n.member, score, member) || (n.score === score && n.member === member))) {
        r += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (x !== this.header && x.member === member) return r - 1;
    }
    return -1;
  }

  /** The node at 0-based `rank`, or null when out of range. */
  byRank(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.count) return null;
    const target = rank + 1;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = n;
        n = x.next[i];
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** The lowest node whose score is in range, or null. */
  firstInScoreRange(r: ScoreRange): ZNode | null {
    if (scoreRangeEmpty(r) || !this.tail || !scoreGteMin(this.tail.score, r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && !scoreGteMin(n.score, r)) {
        x = n;
        n = x.next[i];
      }
    }
    const c = x.next[0];
    return c && scoreLteMax(c.score, r) ? c : null;
  }

  /** The highest node whose score is in range, or null. */
  lastInScoreRange(r: ScoreRange): ZNode | null {
    const head = this.header.next[0];
    if (scoreRangeEmpty(r) || !head || !scoreLteMax(head.score, r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && scoreLteMax(n.score, r)) {
        x = n;
        n = x.next[i];
      }
    }
    return x !== this.header && scoreGteMin(x.score, r) ? x : null;
  }

  /** The lowest node whose member is in the lex range, or null. */
  firstInLexRange(r: LexRange): ZNode | null {
    if (lexRangeEmpty(r) || !this.tail || !lexGteMin(this.tail.member, r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && !lexGteMin(n.member, r)) {
        x = n;
        n = x.next[i];
      }
    }
    const c = x.next[0];
    return c && lexLteMax(c.member, r) ? c : null;
  }

  /** The highest node whose member is in the lex range, or null. */
  lastInLexRange(r: LexRange): ZNode | null {
    const head = this.header.next[0];
    if (lexRangeEmpty(r) || !head || !lexLteMax(head.member, r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n && lexLteMax(n.member, r)) {
        x = n;
        n = x.next[i];
      }
    }
    return x !== this.header && lexGteMin(x.member, r) ? x : null;
  }

  private unlink(node: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === node) {
        update[i].span[i] += node.span[i] - 1;
        update[i].next[i] = node.next[i];
      } else {
        update[i].span[i]--;
      }
    }
    if (node.next[0]) node.next[0].backward = node.backward;
    else this.tail = node.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
    this.count--;
  }
}

/**
 * A Redis sorted set: a member→score map for O(1) ZSCORE/membership plus a {@link SkipList} for
 * order, ranks and ranges.
 */
export class SortedSet {
  readonly scores = new Map<string, number>();
  readonly list = new SkipList();

  /** Number of members. */
  get size(): number {
    return this.scores.size;
  }

  /** The member's score, or undefined. */
  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Sets the member's score, adding it when new; returns true when it was added. */
  set(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old === undefined) {
      this.scores.set(member, score);
      this.list.insert(score, member);
      return true;
    }
    if (old !== score) {
      this.scores.set(member, score);
      this.list.updateScore(old, member, score);
    }
    return false;
  }

  /** Removes the member; returns false when absent. */
  delete(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.scores.delete(member);
    this.list.delete(old, member);
    return true;
  }

  /** 0-based rank from the lowest (or from the highest when `reverse`), or -1 when absent. */
  rank(member: string, reverse = false): number {
    const s = this.scores.get(member);
    if (s === undefined) return -1;
    const r = this.list.rank(s, member);
    return reverse ? this.size - 1 - r : r;
  }

  /** Number of members whose score is in range. */
  countInScoreRange(r: ScoreRange): number {
    const first = this.list.firstInScoreRange(r);
    if (!first) return 0;
    const last = this.list.lastInScoreRange(r) as ZNode;
    return this.list.rank(last.score, last.member) - this.list.rank(first.score, first.member) + 1;
  }

  /** Number of members whose member is in the lex range. */
  countInLexRange(r: LexRange): number {
    const first = this.list.firstInLexRange(r);
    if (!first) return 0;
    const last = this.list.lastInLexRange(r) as ZNode;
    return this.list.rank(last.score, last.member) - this.list.rank(first.score, first.member) + 1;
  }

  /** Nodes with 0-based ranks from `start` to `end` inclusive (already clamped), in order. */
  rangeByRank(start: number, end: number, reverse = false): ZNode[] {
    const out: ZNode[] = [];
    if (start > end) return out;
    let n = this.list.byRank(reverse ? this.size - 1 - start : start);
    for (let i = start; i <= end && n; i++) {
      out.push(n);
      n = reverse ? n.backward : n.next[0];
    }
    return out;
  }

  /** Iterates members in ascending (score, member) order. */
  *[Symbol.iterator](): IterableIterator<ZNode> {
    for (let n = this.list.first(); n; n = n.next[0]) yield n;
  }
}

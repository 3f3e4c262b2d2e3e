import { Deque } from '../../src/types/deque';
import { SortedSet, SkipList, type ScoreRange, type LexRange } from '../../src/types/zset';

// A seeded generator keeps the randomized checks reproducible when one fails.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Deque', () => {
  it('pushes and pops at both ends across wrap-around and growth', () => {
    const d = new Deque<number>(4);
    const model: number[] = [];
    const r = rng(1);
    for (let i = 0; i < 5000; i++) {
      const op = Math.floor(r() * 4);
      if (op === 0) {
        d.pushFront(i);
        model.unshift(i);
      } else if (op === 1) {
        d.pushBack(i);
        model.push(i);
      } else if (op === 2) {
        expect(d.popFront()).toBe(model.shift());
      } else {
        expect(d.popBack()).toBe(model.pop());
      }
      expect(d.length).toBe(model.length);
    }
    expect([...d]).toEqual(model);
  });

  it('gets, sets, inserts, trims and removes like an array', () => {
    const r = rng(2);
    const d = new Deque<number>();
    const model: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const op = Math.floor(r() * 7);
      const idx = Math.floor(r() * (model.length + 1));
      if (op <= 1) {
        d.insert(idx, i);
        model.splice(idx, 0, i);
      } else if (op === 2 && model.length) {
        const j = idx % model.length;
        d.set(j, -i);
        model[j] = -i;
      } else if (op === 3) {
        expect(d.get(idx)).toBe(model[idx]);
      } else if (op === 4 && r() < 0.05) {
        const a = Math.floor(r() * model.length);
        const b = Math.floor(r() * model.length);
        d.trim(a, b);
        model.splice(0, model.length, ...(a <= b ? model.slice(a, b + 1) : []));
      } else if (op === 5) {
        const v = model[Math.floor(r() * model.length)] ?? 0;
        const lim = Math.floor(r() * 3);
        const back = r() < 0.5;
        const removed = d.removeWhere((x) => x === v, lim, back);
        let n = 0;
        const order = model.map((_, k) => k);
        if (back) order.reverse();
        const drop = new Set<number>();
        for (const k of order) if ((lim === 0 || n < lim) && model[k] === v) { drop.add(k); n++; }
        expect(removed).toBe(n);
        model.splice(0, model.length, ...model.filter((_, k) => !drop.has(k)));
      } else {
        d.pushBack(i);
        model.push(i);
      }
      expect(d.length).toBe(model.length);
    }
    expect([...d]).toEqual(model);
    expect(d.slice(1, 3)).toEqual(model.slice(1, 4));
  });

  it('gives back memory after draining a large deque', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10000; i++) d.pushBack(i);
    for (let i = 0; i < 9990; i++) expect(d.popFront()).toBe(i);
    expect([...d]).toEqual([9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
    expect((d as unknown as { buf: unknown[] }).buf.length).toBeLessThan(100);
  });
});

describe('SkipList / SortedSet against a sorted-array model', () => {
  type E = { member: string; score: number };
  const cmp = (a: E, b: E) => (a.score - b.score) || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);

  function check(z: SortedSet, model: Map<string, number>): E[] {
    const sorted = [...model].map(([member, score]) => ({ member, score })).sort(cmp);
    expect([...z].map((n) => ({ member: n.member, score: n.score }))).toEqual(sorted);
    expect(z.size).toBe(sorted.length);
    // walking backwards must give the same order reversed
    const back: E[] = [];
    for (let n = z.list.last(); n; n = n.backward) back.push({ member: n.member, score: n.score });
    expect(back.reverse()).toEqual(sorted);
    return sorted;
  }

  it('keeps order, ranks and ranges right under random adds, updates and deletes', () => {
    const r = rng(3);
    const z = new SortedSet();
    const model = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const member = 'm' + Math.floor(r() * 300);
      const op = r();
      if (op < 0.55) {
        const score = Math.floor(r() * 50) - 25 + (r() < 0.3 ? 0.5 : 0);
        expect(z.set(member, score)).toBe(!model.has(member));
        model.set(member, score);
      } else if (op < 0.8) {
        expect(z.delete(member)).toBe(model.delete(member));
      } else {
        const s = model.get(member);
        expect(z.score(member)).toBe(s);
      }
      if (i % 200 === 0) {
        const sorted = check(z, model);
        sorted.forEach((e, k) => {
          expect(z.rank(e.member)).toBe(k);
          expect(z.rank(e.member, true)).toBe(sorted.length - 1 - k);
          expect(z.list.byRank(k)?.member).toBe(e.member);
        });
        expect(z.rank('absent')).toBe(-1);
        expect(z.list.byRank(sorted.length)).toBeNull();
      }
    }
    const sorted = check(z, model);
    for (let t = 0; t < 300; t++) {
      const a = Math.floor(r() * 60) - 30;
      const b = Math.floor(r() * 60) - 30;
      const range: ScoreRange = { min: a, max: b, minEx: r() < 0.5, maxEx: r() < 0.5 };
      const inRange = sorted.filter((e) => (range.minEx ? e.score > a : e.score >= a) && (range.maxEx ? e.score < b : e.score <= b));
      expect(z.countInScoreRange(range)).toBe(inRange.length);
      expect(z.list.firstInScoreRange(range)?.member).toBe(inRange[0]?.member);
      expect(z.list.lastInScoreRange(range)?.member).toBe(inRange[inRange.length - 1]?.member);
      const s = Math.floor(r() * sorted.length);
      const e = Math.floor(r() * sorted.length);
      expect(z.rangeByRank(s, e).map((n) => n.member)).toEqual(sorted.slice(s, e + 1).map((x) => x.member));
      const rev = [...sorted].reverse();
      expect(z.rangeByRank(s, e, true).map((n) => n.member)).toEqual(rev.slice(s, e + 1).map((x) => x.member));
    }
  });

  it('finds lex ranges over equal scores, with -, +, [ and ( bounds', () => {
    const z = new SortedSet();
    const names = ['a', 'aa', 'ab', 'b', 'ba', 'c', '\x00', '\xff', 'zz'];
    for (const n of names) z.set(n, 0);
    const sorted = [...names].sort();
    const r = rng(4);
    for (let t = 0; t < 400; t++) {
      const pick = () => sorted[Math.floor(r() * sorted.length)] + (r() < 0.3 ? 'a' : '');
      const range: LexRange = { min: pick(), max: pick(), minEx: r() < 0.5, maxEx: r() < 0.5, minInf: r() < 0.15, maxInf: r() < 0.15 };
      const want = sorted.filter(
        (m) => (range.minInf || (range.minEx ? m > range.min : m >= range.min)) && (range.maxInf || (range.maxEx ? m < range.max : m <= range.max)),
      );
      expect(z.list.firstInLexRange(range)?.member).toBe(want[0]);
      expect(z.list.lastInLexRange(range)?.member).toBe(want[want.length - 1]);
    }
  });

  it('moves a node when its new score passes a neighbour, and edits in place otherwise', () => {
    const l = new SkipList();
    const a = l.insert(1, 'a');
    l.insert(2, 'b');
    l.insert(3, 'c');
    expect(l.updateScore(1, 'a', 1.5)).toBe(a);
    const moved = l.updateScore(1.5, 'a', 10);
    expect(moved).not.toBe(a);
    expect(l.last()?.member).toBe('a');
    expect(l.rank(10, 'a')).toBe(2);
    expect(l.delete(10, 'a')).toBe(true);
    expect(l.delete(10, 'a')).toBe(false);
    expect(l.length).toBe(2);
  });
});

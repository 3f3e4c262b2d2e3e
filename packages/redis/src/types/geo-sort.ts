/**
 * The orders geo results come back in. All of them sorted: a stable merge sort, as glibc's
 * qsort is (JavaScript's sort is stable too). Only the first `count` (COUNT without ANY): Redis
 * uses pqsort, Bentley and McIlroy's quicksort ("Engineering a Sort Function", 1993) that skips
 * the partitions outside the wanted range. It is not stable, so which of several equally distant
 * points come first depends on its exact steps; they are reproduced here (written from the
 * paper's algorithm with Redis's range pruning) so that ties come out in redis-server's order.
 *
 * @packageDocumentation
 */

/** Something with a distance to sort by. */
export interface Distanced {
  dist: number;
}

/** Redis's sort_gp_asc: by distance, equal ones compare equal (NaN compares equal to anything). */
export function ascending(a: Distanced, b: Distanced): number {
  if (a.dist > b.dist) return 1;
  if (a.dist === b.dist) return 0;
  return -1;
}

/** Redis's sort_gp_desc. */
export function descending(a: Distanced, b: Distanced): number {
  return -ascending(a, b);
}

type Compare<T> = (a: T, b: T) => number;

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swaps the n elements from i with the n from j. */
function swapRun<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

/** The index of the median of three. */
function median3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  if (cmp(a[i], a[j]) < 0) return cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i;
  return cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k;
}

/**
 * Sorts `a` enough that positions `lrange..rrange` hold what a full sort puts there, in
 * Redis's pqsort order.
 */
export function partialSort<T>(a: T[], cmp: Compare<T>, lrange: number, rrange: number): void {
  sortRange(a, 0, a.length, cmp, lrange, rrange);
}

function sortRange<T>(a: T[], base: number, n: number, cmp: Compare<T>, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      // Insertion sort for small partitions.
      for (let m = base + 1; m < base + n; m++) for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        // Ninther: the median of three medians of three.
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    // Three-way partition around a[base]: equal ones gather at both ends, then move to the middle.
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) swap(a, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) swap(a, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    if (r > 0) swapRun(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    if (r > 0) swapRun(a, pb, pn - r, r);
    // Recurse into the partitions that overlap the wanted range (the smaller-than part first).
    r = pb - pa;
    if (r > 1 && overlaps(base, base + r - 1, lrange, rrange)) sortRange(a, base, r, cmp, lrange, rrange);
    r = pd - pc;
    if (r <= 1) return;
    base = pn - r;
    n = r;
    if (!overlaps(base, base + r - 1, lrange, rrange)) return;
  }
}

/** pqsort's pruning test: does first..last share a position with lrange..rrange? */
function overlaps(first: number, last: number, lrange: number, rrange: number): boolean {
  return !((lrange < first && rrange < first) || (lrange > last && rrange > last));
}

/**
 * Redis's glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, HSCAN/SSCAN/ZSCAN MATCH): `*`, `?`,
 * `[abc]`, `[^a-z]`, and `\x` escapes, over latin1 strings (one char per byte).
 *
 * @packageDocumentation
 */

/** True when `s` matches `pattern`; both hold bytes as latin1 chars. */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  if (pattern === '*') return true;
  return match(pattern, 0, s, 0, nocase, { steps: 0 });
}

// Bounds the work of pathological patterns (`a*a*a*…b`) so one KEYS cannot stall the loop.
const MAX_STEPS = 1_000_000;

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, budget: { steps: number }): boolean {
  const plen = p.length;
  const slen = s.length;
  while (pi < plen) {
    if (++budget.steps > MAX_STEPS) return false;
    const c = p.charCodeAt(pi);
    if (c === 0x2a /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 0x2a) pi++;
      if (pi + 1 === plen) return true;
      for (let k = si; k <= slen; k++) {
        if (match(p, pi + 1, s, k, nocase, budget)) return true;
        if (budget.steps > MAX_STEPS) return false;
      }
      return false;
    }
    if (si >= slen) return false;
    if (c === 0x3f /* ? */) {
      pi++;
      si++;
      continue;
    }
    if (c === 0x5b /* [ */) {
      pi++;
      const not = p.charCodeAt(pi) === 0x5e;
      if (not) pi++;
      const sc = fold(s.charCodeAt(si), nocase);
      let found = false;
      while (pi < plen) {
        let pc = p.charCodeAt(pi);
        if (pc === 0x5c && pi + 1 < plen) {
          pi++;
          if (fold(p.charCodeAt(pi), nocase) === sc) found = true;
        } else if (pc === 0x5d) {
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 0x2d) {
          let lo = fold(pc, nocase);
          let hi = fold(p.charCodeAt(pi + 2), nocase);
          if (lo > hi) [lo, hi] = [hi, lo];
          pi += 2;
          if (sc >= lo && sc <= hi) found = true;
        } else {
          pc = fold(pc, nocase);
          if (pc === sc) found = true;
        }
        pi++;
      }
      // An unterminated class ends the pattern, like Redis.
      if (pi >= plen) pi = plen - 1;
      if (not) found = !found;
      if (!found) return false;
      pi++;
      si++;
      continue;
    }
    let lit = c;
    if (c === 0x5c && pi + 1 < plen) {
      pi++;
      lit = p.charCodeAt(pi);
    }
    if (fold(lit, nocase) !== fold(s.charCodeAt(si), nocase)) return false;
    pi++;
    si++;
  }
  return si === slen;
}

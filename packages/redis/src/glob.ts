/**
 * Redis's glob matching (KEYS, SCAN MATCH, PSUBSCRIBE, HSCAN/SSCAN/ZSCAN MATCH, CONFIG GET,
 * COMMAND LIST FILTERBY PATTERN): `*`, `?`, `[abc]`, `[^a-z]` and `\x` escapes, with the exact
 * answers of `stringmatchlen()` in Redis 7.0's util.c, quirks included:
 *
 * - the empty string matches only the empty pattern (so `*` does not match ""; KEYS and SCAN
 *   never ask, they treat a lone `*` as "everything", and so does {@link globMatch});
 * - inside a class, `\x` compares `x` exactly even with `nocase`, `a-` followed by any byte is a
 *   range (`[a-]` is the range a..`]` and leaves the class open), and an unterminated class
 *   runs to the end of the pattern;
 * - range bounds and the subject byte are compared as C `char`, which is signed on x86-64, so
 *   `[\x00-\xff]` is the range -1..0 and matches only 0x00 and 0xff;
 * - `nocase` folds only A-Z (the C locale's `tolower`).
 *
 * Redis recurses once per `*` and cuts the search short with its `skipLongerMatches` flag. This
 * matcher is iterative instead: it remembers only the last `*` seen and, on a mismatch, lets that
 * star swallow one more byte. That is enough for glob (a later star can absorb whatever an
 * earlier one would), and bounds the work by (pattern length + 1) x (subject length + 1) token
 * steps: `a*a*a*a*a*a*a*a*a*b` against 10,000 `a`s takes about 10^5 steps, where naive
 * backtracking takes on the order of 10^32.
 *
 * @packageDocumentation
 */

const STAR = 0x2a; // *
const QUESTION = 0x3f; // ?
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const CARET = 0x5e; // ^
const BACKSLASH = 0x5c; // \
const DASH = 0x2d; // -

/** Work counter for tests and diagnostics: `steps` grows by one per token comparison. */
export interface MatchStats {
  steps: number;
}

/** C's `tolower` in the "C" locale: only A-Z change. */
function fold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** A byte as the signed `char` x86-64 C compares in class ranges. */
function signed(c: number): number {
  return (c << 24) >> 24;
}

/**
 * Matches the class whose `[` is at `p[pi]` against the subject byte `sc`. Returns the index just
 * past the class when it matches, -1 when it does not; `stats.steps` counts the bytes scanned.
 */
function matchClass(p: Uint8Array, plen: number, pi: number, sc: number, nocase: boolean, stats: MatchStats): number {
  pi++;
  const not = pi < plen && p[pi] === CARET;
  if (not) pi++;
  let found = false;
  for (;;) {
    stats.steps++;
    if (pi + 1 < plen && p[pi] === BACKSLASH) {
      pi++;
      if (p[pi] === sc) found = true;
    } else if (pi < plen && p[pi] === CLOSE) {
      break;
    } else if (pi >= plen) {
      // Unterminated: the class ends with the pattern (Redis steps back so its `pattern++` lands
      // on the end).
      pi--;
      break;
    } else if (pi + 2 < plen && p[pi + 1] === DASH) {
      let lo = signed(p[pi]);
      let hi = signed(p[pi + 2]);
      let c = signed(sc);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (nocase) {
        lo = fold(lo);
        hi = fold(hi);
        c = fold(c);
      }
      pi += 2;
      if (c >= lo && c <= hi) found = true;
    } else if (nocase ? fold(p[pi]) === fold(sc) : p[pi] === sc) {
      found = true;
    }
    pi++;
  }
  return found !== not ? pi + 1 : -1;
}

/**
 * Matches the single-byte token at `p[pi]` (anything but `*`) against `sc`: the index past the
 * token when it matches, -1 when not.
 */
function matchToken(p: Uint8Array, plen: number, pi: number, sc: number, nocase: boolean, stats: MatchStats): number {
  const c = p[pi];
  if (c === QUESTION) return pi + 1;
  if (c === OPEN) return matchClass(p, plen, pi, sc, nocase, stats);
  let lit = c;
  if (c === BACKSLASH && pi + 1 < plen) lit = p[++pi];
  return (nocase ? fold(lit) === fold(sc) : lit === sc) ? pi + 1 : -1;
}

const unused: MatchStats = { steps: 0 };

/**
 * Redis's `stringmatchlen(pattern, string, nocase)`, exactly (see the module notes for its
 * quirks), in at most about (pattern length + 1) x (subject length + 1) steps.
 *
 * @param stats - when given, `stats.steps` is increased by the work done (for tests that bound
 *   the complexity without timing anything).
 */
export function stringmatchlen(pattern: Uint8Array, subject: Uint8Array, nocase = false, stats: MatchStats = unused): boolean {
  return matchBytes(pattern, pattern.length, subject, subject.length, nocase, stats);
}

function matchBytes(p: Uint8Array, plen: number, s: Uint8Array, slen: number, nocase: boolean, stats: MatchStats): boolean {
  // Redis's loop runs only while both have bytes left, so "" matches nothing but "".
  if (slen === 0) return plen === 0;
  let pi = 0;
  let si = 0;
  // Where the last `*`'s continuation starts in the pattern, and the subject byte that star
  // would stop before if the continuation fails here.
  let resumeP = -1;
  let resumeS = 0;
  for (;;) {
    stats.steps++;
    if (si === slen) {
      // Subject consumed: only trailing stars may remain. A star cannot help either, it would
      // need more subject.
      while (pi < plen && p[pi] === STAR) pi++;
      return pi === plen;
    }
    if (pi < plen && p[pi] === STAR) {
      while (pi + 1 < plen && p[pi + 1] === STAR) pi++;
      if (pi + 1 === plen) return true;
      resumeP = ++pi;
      resumeS = si;
      continue;
    }
    const next = pi < plen ? matchToken(p, plen, pi, s[si], nocase, stats) : -1;
    if (next >= 0) {
      pi = next;
      si++;
      continue;
    }
    if (resumeP < 0) return false;
    // Let the last star swallow one more byte and retry its continuation from there.
    pi = resumeP;
    si = ++resumeS;
  }
}

// globMatch takes latin1 strings (one char per byte); they are written into these scratch
// buffers so that one matcher serves both strings and bytes without a per-call allocation.
let patternBuf: Buffer = Buffer.allocUnsafe(256);
let patternLen = 0;
let lastPattern: string | null = null;
let subjectBuf: Buffer = Buffer.allocUnsafe(256);

function scratchFor(buf: Buffer, len: number): Buffer {
  return buf.length >= len ? buf : Buffer.allocUnsafe(Math.max(len, buf.length * 2));
}

/**
 * True when `s` matches `pattern` by Redis's rules; both hold bytes as latin1 chars. A lone `*`
 * matches every string, the empty one too, as KEYS and SCAN treat it; otherwise this is
 * {@link stringmatchlen}.
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  if (pattern === '*') return true;
  if (pattern !== lastPattern) {
    patternBuf = scratchFor(patternBuf, pattern.length);
    patternLen = patternBuf.latin1Write(pattern, 0, pattern.length);
    lastPattern = pattern;
  }
  subjectBuf = scratchFor(subjectBuf, s.length);
  const slen = subjectBuf.latin1Write(s, 0, s.length);
  return matchBytes(patternBuf, patternLen, subjectBuf, slen, nocase, unused);
}

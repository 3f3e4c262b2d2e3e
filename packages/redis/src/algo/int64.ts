/**
 * Redis's number syntax, exactly: `string2ll` for integers (every integer argument and every
 * INCR-family value), `string2d` (strtod with Redis's checks) for doubles such as ZADD scores,
 * and `ll2string` for replies.
 *
 * Integers are exact: values beyond 2^53 come back as bigint, so 9223372036854775807 is never
 * rounded to 9223372036854775808 (which would then pass or fail range checks wrongly).
 *
 * @packageDocumentation
 */

/** The int64 range, C's LLONG_MIN / LLONG_MAX. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

// string2ll refuses strings of LONG_STR_SIZE (21) bytes or more: 20 is "-9223372036854775808".
const MAX_INT64_CHARS = 20;
// Up to 15 digits the value is below 10^15 < 2^53, so plain number arithmetic is exact.
const SAFE_DIGITS = 15;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;

/**
 * Parses `s` by Redis's `string2ll` rules: an optional `-` (never `+`), then `0` alone or a
 * digit 1-9 followed by digits, 1 to 20 bytes in all, nothing else (no spaces, no `-0`), within
 * the int64 range. Returns a number when the value is a safe integer (|v| < 2^53), a bigint when
 * it is a valid but larger int64, and null when `s` is not a Redis integer.
 */
export function parseInt64(s: Uint8Array): number | bigint | null {
  const len = s.length;
  if (len === 0 || len > MAX_INT64_CHARS) return null;
  if (len === 1 && s[0] === ZERO) return 0;
  const neg = s[0] === MINUS;
  let i = neg ? 1 : 0;
  if (i === len || s[i] <= ZERO || s[i] > NINE) return null;
  const digits = len - i;
  if (digits <= SAFE_DIGITS) {
    let v = 0;
    for (; i < len; i++) {
      const d = s[i] - ZERO;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
  let v = 0n;
  for (; i < len; i++) {
    const d = s[i] - ZERO;
    if (d < 0 || d > 9) return null;
    v = v * 10n + BigInt(d);
  }
  if (neg) v = -v;
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** {@link parseInt64} always as a bigint. */
export function parseInt64Big(s: Uint8Array): bigint | null {
  const v = parseInt64(s);
  return v === null ? null : BigInt(v);
}

/** `ll2string`: the decimal text of an integer, as Redis replies and stores it. */
export function ll2string(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(v === 0 ? 0 : v);
}

// C's isspace() in the "C" locale: space, \t, \n, \v, \f, \r.
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Index past a run of decimal digits starting at `i`. */
function skipDigits(s: Uint8Array, i: number): number {
  while (i < s.length && isDigit(s[i])) i++;
  return i;
}

/** True when `s[i..]` is, case-insensitively, exactly `word`. */
function restIs(s: Uint8Array, i: number, word: string): boolean {
  if (s.length - i !== word.length) return false;
  for (let k = 0; k < word.length; k++) if ((s[i + k] | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * Parses `s` as Redis's `string2d` does: C's `strtod` must consume every byte (so no trailing
 * space and no NUL), the first byte must not be a space, NaN is refused, and so is a finite
 * literal that overflows to infinity or underflows to zero (strtod's ERANGE). Accepted are
 * decimal (`1`, `-1.5e3`, `.5`, `5.`), hexadecimal (`0x1p-3`), and `inf`/`infinity` in any case
 * with an optional sign. Subnormal results are accepted, as glibc returns them.
 *
 * Decimal text is converted by `Number()`, which rounds correctly to nearest like glibc's strtod.
 */
export function parseStrictDouble(s: Uint8Array): number | null {
  const len = s.length;
  if (len === 0 || isCSpace(s[0])) return null;
  let i = 0;
  const neg = s[0] === MINUS;
  if (neg || s[0] === PLUS) i++;
  if (restIs(s, i, 'inf') || restIs(s, i, 'infinity')) return neg ? -Infinity : Infinity;
  if (i + 1 < len && s[i] === ZERO && (s[i + 1] | 0x20) === 0x78) {
    const v = parseHexBody(s, i + 2);
    // strtod reads "0x" without hex digits as the number 0 followed by junk: refused.
    return v === null ? null : neg ? -v : v;
  }
  // digits [. digits] | . digits, then an optional exponent with at least one digit.
  const intEnd = skipDigits(s, i);
  let end = intEnd;
  let fracEnd = intEnd;
  if (end < len && s[end] === DOT) fracEnd = end = skipDigits(s, end + 1);
  const mantissaDigits = intEnd - i + Math.max(0, fracEnd - intEnd - 1);
  if (mantissaDigits === 0) return null;
  if (end < len && (s[end] | 0x20) === 0x65) {
    let e = end + 1;
    if (e < len && (s[e] === PLUS || s[e] === MINUS)) e++;
    const expEnd = skipDigits(s, e);
    if (expEnd === e) return null;
    end = expEnd;
  }
  if (end !== len) return null;
  const v = Number(Buffer.from(s.buffer, s.byteOffset, len).latin1Slice(0, len));
  if (!Number.isFinite(v)) return null;
  if (v === 0 && !allZeroDigits(s, i, fracEnd)) return null;
  return v;
}

/** True when every digit in `s[from, to)` is 0 (the dot is skipped). */
function allZeroDigits(s: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (s[k] !== ZERO && s[k] !== DOT) return false;
  return true;
}

// IEEE double: 53-bit significand, smallest normal exponent -1022, subnormal step 2^-1074.
const SIGNIFICAND_BITS = 53;
const MIN_NORMAL_EXP = -1022;
const SUBNORMAL_EXP = -1074;

/** x * 2^e without intermediate overflow or underflow of 2^e itself. */
function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** m x 2^-shift, rounded to nearest with ties to even (exact when shift <= 0). */
function shiftRound(m: bigint, shift: number): bigint {
  if (shift <= 0) return m << BigInt(-shift);
  const s = BigInt(shift);
  const q = m >> s;
  const rem = m & ((1n << s) - 1n);
  const half = 1n << (s - 1n);
  return rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
}

/**
 * The magnitude of a hex float body (after `0x`): hex digits with an optional `.`, at least one
 * digit, then an optional binary exponent `p[+-]digits`. Null when malformed or out of range.
 */
function parseHexBody(s: Uint8Array, i: number): number | null {
  const len = s.length;
  let m = 0n;
  let digits = 0;
  let fracDigits = 0;
  let seenDot = false;
  let nonzero = false;
  for (; i < len; i++) {
    if (s[i] === DOT && !seenDot) {
      seenDot = true;
      continue;
    }
    const h = hexValue(s[i]);
    if (h < 0) break;
    m = (m << 4n) | BigInt(h);
    if (h !== 0) nonzero = true;
    digits++;
    if (seenDot) fracDigits++;
  }
  if (digits === 0) return null;
  let exp = 0;
  if (i < len && (s[i] | 0x20) === 0x70) {
    let e = i + 1;
    const expNeg = s[e] === MINUS;
    if (e < len && (s[e] === PLUS || s[e] === MINUS)) e++;
    const expEnd = skipDigits(s, e);
    if (expEnd === e) return null;
    // Beyond ±100,000 the value is infinite or zero whatever the digits (at most 4 bits each).
    const text = Buffer.from(s.buffer, s.byteOffset + e, expEnd - e).latin1Slice(0, expEnd - e);
    exp = Math.min(Number(text), 100000 + 4 * len) * (expNeg ? -1 : 1);
    i = expEnd;
  }
  if (i !== len) return null;
  if (!nonzero) return 0;
  const e2 = exp - 4 * fracDigits;
  const top = bitLength(m) - 1 + e2; // exponent of the leading bit
  if (top >= MIN_NORMAL_EXP) {
    // Normal (or overflowing): round the significand once to 53 bits, then scale exactly.
    const shift = Math.max(bitLength(m) - SIGNIFICAND_BITS, 0);
    const v = ldexp(Number(shiftRound(m, shift)), e2 + shift);
    return Number.isFinite(v) ? v : null;
  }
  // Subnormal: round to a multiple of 2^-1074 directly, once.
  const q = shiftRound(m, SUBNORMAL_EXP - e2);
  return q === 0n ? null : ldexp(Number(q), SUBNORMAL_EXP);
}

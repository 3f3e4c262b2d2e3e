/**
 * Number parsing with the exact acceptance rules of the C library calls Redis relies on
 * (`strtod`, `strtold`), and an exact emulation of x87 80-bit long doubles for HINCRBYFLOAT,
 * whose replies (`%.17Lf`, trailing zeros removed) show more precision than a double has:
 * Redis answers `0.3` to 0.1 + 0.2, where double arithmetic gives 0.30000000000000004.
 *
 * @packageDocumentation
 */

import { INT64_MAX, INT64_MIN } from '../algo/int64';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?inf(?:inity)?$/i;
// C's isspace() in the "C" locale.
const C_SPACE = /^[ \t\n\v\f\r]/;

/** An exact binary value `(-1)^neg × mant × 2^exp`, or an infinity. */
interface Binary {
  neg: boolean;
  mant: bigint;
  exp: number;
  inf: boolean;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds num/den (both > 0) to `bits` significant bits, ties to even, as IEEE arithmetic does. */
function roundRatio(num: bigint, den: bigint, bits: number): { mant: bigint; exp: number } {
  // Pick the shift that puts the quotient in [2^(bits-1), 2^bits).
  let shift = bits - (bitLength(num) - bitLength(den)) - 1;
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = shift >= 0 ? num << BigInt(shift) : num;
    d = shift >= 0 ? den : den << BigInt(-shift);
    q = n / d;
    r = n % d;
    if (q >= 1n << BigInt(bits)) shift--;
    else if (q < 1n << BigInt(bits - 1)) shift++;
    else break;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(bits)) {
    q >>= 1n;
    shift--;
  }
  return { mant: q, exp: -shift };
}

function roundBinary(neg: boolean, num: bigint, den: bigint, bits: number): Binary {
  if (num === 0n) return { neg, mant: 0n, exp: 0, inf: false };
  const { mant, exp } = roundRatio(num, den, bits);
  return { neg, mant, exp, inf: false };
}

/**
 * Parses the whole of `s` as C's strtod/strtold would, to `bits` of precision (53 for double, 64
 * for long double). Returns null when anything is left unparsed or nothing is a number; NaN is
 * refused because no Redis command accepts it. Does not skip leading spaces (callers decide).
 */
function parseBinary(s: string, bits: number): Binary | null {
  if (DECIMAL.test(s)) {
    const neg = s[0] === '-';
    const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s;
    const ePos = body.search(/[eE]/);
    const mantissa = ePos < 0 ? body : body.slice(0, ePos);
    let exp10 = ePos < 0 ? 0 : Number(body.slice(ePos + 1));
    const dot = mantissa.indexOf('.');
    const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    if (dot >= 0) exp10 -= mantissa.length - dot - 1;
    const num = BigInt(digits);
    if (num === 0n) return { neg, mant: 0n, exp: 0, inf: false };
    // Past these, the value is certainly out of any binary format's range; stop before BigInt blows
    // up, with a stand-in that every caller's range check treats as overflow or underflow.
    const magnitude = exp10 + digits.replace(/^0+/, '').length;
    if (magnitude > 5000) return { neg, mant: 0n, exp: 0, inf: true };
    if (magnitude < -5000) return { neg, mant: 1n, exp: -20000, inf: false };
    return exp10 >= 0 ? roundBinary(neg, num * 10n ** BigInt(exp10), 1n, bits) : roundBinary(neg, num, 10n ** BigInt(-exp10), bits);
  }
  const hex = HEX.exec(s);
  if (hex) {
    const intPart = hex[2];
    const frac = hex[3] ?? '';
    if (intPart.length + frac.length === 0) return null;
    const num = BigInt('0x' + (intPart + frac || '0'));
    const exp2 = Number(hex[4] ?? '0') - 4 * frac.length;
    const neg = hex[1] === '-';
    if (num === 0n) return { neg, mant: 0n, exp: 0, inf: false };
    if (exp2 > 20000) return { neg, mant: 0n, exp: 0, inf: true };
    if (exp2 < -20000) return { neg, mant: 1n, exp: -20000, inf: false };
    return exp2 >= 0 ? roundBinary(neg, num << BigInt(exp2), 1n, bits) : roundBinary(neg, num, 1n << BigInt(-exp2), bits);
  }
  if (INF.test(s)) return { neg: s[0] === '-', mant: 0n, exp: 0, inf: true };
  return null;
}

function toNumber(b: Binary): number {
  if (b.inf) return b.neg ? -Infinity : Infinity;
  // Number(mant) rounds a 64-bit mantissa to 53 bits; with at most 53 the product is exact unless
  // it over/underflows. Two steps keep
  // 2^exp itself from underflowing to zero for subnormal results.
  const v = b.exp < -1000 ? Number(b.mant) * 2 ** (b.exp + 500) * 2 ** -500 : Number(b.mant) * 2 ** b.exp;
  return b.neg ? -v : v;
}

/**
 * Redis's strict double parsing (ZADD scores, ZINCRBY, timeouts): the whole string must be a
 * number, no leading space, no NaN, and a literal that overflows to infinity or underflows to zero
 * is refused; `inf`/`-inf` are accepted. Returns null when invalid.
 */
export function parseStrictDouble(s: string): number | null {
  if (s.length === 0 || C_SPACE.test(s)) return null;
  const b = parseBinary(s, 53);
  if (b === null) return null;
  const v = toNumber(b);
  if (!b.inf && (v === Infinity || v === -Infinity)) return null;
  if (v === 0 && b.mant !== 0n) return null;
  return v;
}

/**
 * Parses a score-range bound body the lenient way Redis does (plain `strtod` with only a check
 * that nothing is left over): leading spaces are skipped, an empty string is 0, overflow gives
 * infinity. Returns null when invalid.
 */
export function parseRangeDouble(s: string): number | null {
  if (s.length === 0) return 0;
  const trimmed = s.replace(/^[ \t\n\v\f\r]+/, '');
  const b = parseBinary(trimmed, 53);
  return b === null ? null : toNumber(b);
}

/**
 * A value in x87 extended precision (64-bit mantissa), kept exactly as a {@link Binary}; only the
 * operations HINCRBYFLOAT needs are provided.
 */
export class LongDouble {
  private constructor(private readonly b: Binary) {}

  /** Redis's `string2ld`: the whole string, no leading space, no NaN, no overflow. */
  static parse(s: string): LongDouble | null {
    // Redis copies into a buffer of this many bytes and refuses anything that does not fit.
    if (s.length === 0 || s.length >= 5 * 1024 || C_SPACE.test(s)) return null;
    const b = parseBinary(s, 64);
    if (b === null) return null;
    if (b.inf) return INF.test(s) ? new LongDouble(b) : null;
    // strtold's ERANGE: beyond the largest x87 value, or below the smallest subnormal.
    if (b.mant !== 0n && (b.exp + 64 > 16384 || b.exp + 64 < -16445)) return null;
    return new LongDouble(b);
  }

  /** An integer as a long double (exact for |n| < 2^64). */
  static fromBigInt(n: bigint): LongDouble {
    const neg = n < 0n;
    return new LongDouble(roundBinary(neg, neg ? -n : n, 1n, 64));
  }

  /** True for ±infinity. */
  get isInfinite(): boolean {
    return this.b.inf;
  }

  /** The nearest double (for timeouts, where millisecond precision is all that matters). */
  toNumber(): number {
    return toNumber(this.b);
  }

  /** The correctly rounded sum; null when it is NaN (inf + -inf). */
  add(o: LongDouble): LongDouble | null {
    const a = this.b;
    const c = o.b;
    if (a.inf || c.inf) {
      if (a.inf && c.inf && a.neg !== c.neg) return null;
      return new LongDouble(a.inf ? a : c);
    }
    if (a.mant === 0n) return o;
    if (c.mant === 0n) return this;
    const e = Math.min(a.exp, c.exp);
    const av = (a.mant << BigInt(a.exp - e)) * (a.neg ? -1n : 1n);
    const cv = (c.mant << BigInt(c.exp - e)) * (c.neg ? -1n : 1n);
    const sum = av + cv;
    if (sum === 0n) return new LongDouble({ neg: false, mant: 0n, exp: 0, inf: false });
    const neg = sum < 0n;
    const r = roundBinary(neg, neg ? -sum : sum, 1n, 64);
    r.exp += e;
    // Beyond the x87 exponent range the sum overflows to infinity.
    if (r.exp + 64 > 16384) return new LongDouble({ neg, mant: 0n, exp: 0, inf: true });
    return new LongDouble(r);
  }

  /**
   * C's `(long long) ceill(x * k)` on x86-64, as Redis converts a timeout in seconds to ms
   * (k = 1000): the product rounded to 64 bits, its ceiling, and the processor's conversion,
   * which gives INT64_MIN for anything an int64 cannot hold (infinities included).
   */
  ceilMulToInt64(k: bigint): bigint {
    const b = this.b;
    if (b.inf) return INT64_MIN;
    if (b.mant === 0n) return 0n;
    const p = roundBinary(b.neg, b.mant * k, 1n, 64);
    const exp = p.exp + b.exp;
    // 2^64 and beyond cannot be an int64 (and would make a huge bigint).
    if (exp > 0) return INT64_MIN;
    const shift = BigInt(-exp);
    const floor = p.mant >> shift;
    const exact = (p.mant & ((1n << shift) - 1n)) === 0n;
    // The ceiling rounds a positive fraction up and a negative one towards zero.
    const magnitude = !b.neg && !exact ? floor + 1n : floor;
    const v = b.neg ? -magnitude : magnitude;
    return v > INT64_MAX || v < INT64_MIN ? INT64_MIN : v;
  }

  /** `%.17Lf` with trailing zeros (and a bare point) removed, and `-0` shown as `0`. */
  toHumanString(): string {
    const b = this.b;
    if (b.inf) return b.neg ? '-inf' : 'inf';
    // value × 10^17 rounded half-to-even, as glibc's printf rounds exact binary values.
    const scale = 10n ** 17n;
    let q: bigint;
    if (b.exp >= 0) q = (b.mant << BigInt(b.exp)) * scale;
    else {
      const den = 1n << BigInt(-b.exp);
      const n = b.mant * scale;
      q = n / den;
      const twice = (n % den) * 2n;
      if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
    }
    const digits = q.toString().padStart(18, '0');
    const out = (digits.slice(0, -17) + '.' + digits.slice(-17)).replace(/0+$/, '').replace(/\.$/, '');
    return b.neg && out !== '0' ? '-' + out : out;
  }
}

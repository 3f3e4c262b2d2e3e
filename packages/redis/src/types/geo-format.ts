/**
 * The number formats of geo replies and errors, exactly as Redis 7.0 prints them with glibc:
 * coordinates as `%.17Lf` without trailing zeros (addReplyHumanLongDouble), distances with 4
 * decimals (fixedpoint_d2string, rounding with llrint), and `%f` in the invalid-coordinates
 * error.
 *
 * glibc rounds the exact binary value to the nearest decimal, halves to even; JavaScript's
 * `toFixed` rounds the exact value too but halves away from zero, so exact halves (a double that
 * is an odd multiple of 2^-(digits+1)) are handled apart.
 *
 * @packageDocumentation
 */
import type { Reply } from '../command';

/** `toFixed` stops at 10^21 (it switches to exponents); such doubles are integers. */
const FIXED_LIMIT = 1e21;
/** What llrint returns for a value that does not fit a long long (LLONG_MIN, x86-64). */
const LLRINT_OVERFLOW = -(2n ** 63n);
/** Digits after the point in distances. */
const DISTANCE_DIGITS = 4;
const DISTANCE_SCALE = 10 ** DISTANCE_DIGITS;

/** `printf("%.<digits>f", d)` with glibc's rounding (digits ≤ 20). */
export function printfFixed(d: number, digits: number): string {
  if (Number.isNaN(d)) return 'nan';
  const negative = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  if (a === Infinity) return negative ? '-inf' : 'inf';
  let body: string;
  if (a >= FIXED_LIMIT) body = BigInt(a).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  else {
    body = a.toFixed(digits);
    // An exact half: toFixed went away from zero; glibc keeps the even neighbour.
    const twice = a * 2 ** (digits + 1);
    if (Number.isInteger(twice) && twice % 2 === 1) {
      const truncated = a.toFixed(digits + 1).slice(0, -1);
      const last = truncated.charCodeAt(truncated.length - (digits > 0 ? 1 : 2)) - 0x30;
      if (last % 2 === 0) body = digits > 0 ? truncated : truncated.slice(0, -1);
    }
  }
  return negative ? '-' + body : body;
}

/**
 * addReplyHumanLongDouble's text for a double: `%.17Lf` without trailing zeros or a bare point,
 * and `0` for what prints as `-0`.
 */
export function humanCoordinate(d: number): string {
  let s = printfFixed(d, 17);
  if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** llrint in the default rounding mode: the nearest integer, halves to even. */
function llrint(x: number): bigint {
  if (!(Math.abs(x) < 2 ** 63)) return LLRINT_OVERFLOW;
  const f = Math.floor(x);
  const r = x - f;
  const n = r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return BigInt(n);
}

/** addReplyDoubleDistance's text: `0.7750`, `166274.1514` (fixedpoint_d2string, 4 digits). */
export function formatDistance(d: number): string {
  if (d === 0) return '0.' + '0'.repeat(DISTANCE_DIGITS);
  const v = llrint(d * DISTANCE_SCALE);
  const digits = (v < 0n ? -v : v).toString().padStart(DISTANCE_DIGITS + 1, '0');
  return `${v < 0n ? '-' : ''}${digits.slice(0, -DISTANCE_DIGITS)}.${digits.slice(-DISTANCE_DIGITS)}`;
}

/** addReplyHumanLongDouble of a coordinate: a bulk string in RESP2, a double in RESP3. */
export function replyCoordinate(r: Reply, d: number): void {
  const s = humanCoordinate(d);
  if (r.proto === 3) r.raw(Buffer.from(`,${s}\r\n`, 'latin1'));
  else r.bulk(s);
}

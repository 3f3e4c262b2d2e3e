/**
 * BITFIELD and BITFIELD_RO with Redis 7.0's exact semantics (bitops.c): GET / SET / INCRBY on
 * signed i1..i64 and unsigned u1..u63 fields at any bit offset (`#n` = n x width), OVERFLOW
 * WRAP / SAT / FAIL, all in exact 64-bit arithmetic (bigint).
 *
 * Use: {@link bitfieldPlan} parses the arguments after the key (errors in Redis's order, the
 * BITFIELD_RO refusal last); the caller then checks the key's type, grows the value with zero
 * bytes to `plan.growTo` when it is non-zero, and calls {@link bitfieldRun}, whose replies are
 * the reply array (null for an operation refused by OVERFLOW FAIL).
 *
 * @packageDocumentation
 */
import { CommandError, SYNTAX } from '../errors';
import { argIs, int64Arg } from './args';
import { BITFIELD_TYPE_ERROR, parseBitOffset } from './bits';
import { parseInt64Big } from './int64';

/** An integer field type: `i8` is { signed: true, bits: 8 }. */
export interface BitfieldType {
  signed: boolean;
  bits: number;
}

/** What INCRBY and SET do with a value that does not fit the field. */
export type Overflow = 'wrap' | 'sat' | 'fail';

/** One parsed GET / SET / INCRBY. */
export interface BitfieldOp {
  kind: 'get' | 'set' | 'incrby';
  type: BitfieldType;
  /** Bit offset of the field's most significant bit. */
  offset: number;
  /** SET's value or INCRBY's increment (0 for GET). */
  value: bigint;
  overflow: Overflow;
}

/** The parsed command. */
export interface BitfieldPlan {
  ops: BitfieldOp[];
  /** Bytes the value must have before {@link bitfieldRun} (0 when nothing is written). */
  growTo: number;
}

/** The result of running a plan. */
export interface BitfieldResult {
  /** One entry per operation; null where OVERFLOW FAIL refused it. */
  replies: (bigint | null)[];
  /** Operations that wrote a different value (Redis's dirty count when the value did not grow). */
  changes: number;
}

/** `i1`..`i64` or `u1`..`u63` (u64 replies would not fit RESP's signed integers). */
export function parseBitfieldType(arg: Uint8Array): BitfieldType {
  const sign = arg[0];
  if (sign !== 0x69 /* i */ && sign !== 0x75 /* u */) throw new CommandError(BITFIELD_TYPE_ERROR);
  // Redis reads the width with strlen(), so it stops at a NUL byte.
  const nul = arg.indexOf(0, 1);
  const bits = parseInt64Big(arg.subarray(1, nul < 0 ? arg.length : nul));
  const signed = sign === 0x69;
  if (bits === null || bits < 1n || bits > (signed ? 64n : 63n)) throw new CommandError(BITFIELD_TYPE_ERROR);
  return { signed, bits: Number(bits) };
}

/**
 * Parses BITFIELD's arguments after the key. `readonly` is BITFIELD_RO, which refuses SET and
 * INCRBY (after the whole line parsed); `maxBulkLen` bounds offsets as for SETBIT.
 */
export function bitfieldPlan(args: readonly Uint8Array[], maxBulkLen: number, readonly = false): BitfieldPlan {
  const ops: BitfieldOp[] = [];
  let overflow: Overflow = 'wrap';
  let highest = -1;
  for (let j = 0; j < args.length; j++) {
    const rest = args.length - j - 1;
    const sub = args[j];
    let kind: BitfieldOp['kind'];
    if (argIs(sub, 'get') && rest >= 2) kind = 'get';
    else if (argIs(sub, 'set') && rest >= 3) kind = 'set';
    else if (argIs(sub, 'incrby') && rest >= 3) kind = 'incrby';
    else if (argIs(sub, 'overflow') && rest >= 1) {
      const w = args[++j];
      if (argIs(w, 'wrap')) overflow = 'wrap';
      else if (argIs(w, 'sat')) overflow = 'sat';
      else if (argIs(w, 'fail')) overflow = 'fail';
      else throw new CommandError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new CommandError(SYNTAX);
    const type = parseBitfieldType(args[j + 1]);
    const offset = parseBitOffset(args[j + 2], maxBulkLen, type.bits);
    let value = 0n;
    if (kind !== 'get') {
      highest = Math.max(highest, offset + type.bits - 1);
      value = int64Arg(args[j + 3]);
    }
    ops.push({ kind, type, offset, value, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  if (readonly && highest >= 0) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
  return { ops, growTo: highest < 0 ? 0 : Math.floor(highest / 8) + 1 };
}

/** The `bits`-wide unsigned field at bit `offset`; bytes past the end read as 0. */
function readField(buf: Uint8Array, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const skip = offset % 8;
  const nbytes = Math.ceil((skip + bits) / 8); // at most 9
  let v = 0n;
  for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(first + i < buf.length ? buf[first + i] : 0);
  return (v >> BigInt(nbytes * 8 - skip - bits)) & ((1n << BigInt(bits)) - 1n);
}

/** Stores the low `bits` bits of `value` at bit `offset` (the bytes must exist). */
function writeField(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const skip = offset % 8;
  const nbytes = Math.ceil((skip + bits) / 8);
  const shift = BigInt(nbytes * 8 - skip - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  let v = 0n;
  for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(buf[first + i]);
  v = (v & ~mask) | ((BigInt.asUintN(64, value) << shift) & mask);
  for (let i = nbytes - 1; i >= 0; i--) {
    buf[first + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const I64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/**
 * checkUnsignedBitfieldOverflow: `value` (as uint64) plus `incr` into `bits` bits. Returns the
 * value to store, or null when it overflows under FAIL.
 */
function unsignedResult(value: bigint, incr: bigint, bits: number, overflow: Overflow): bigint | null {
  const max = (1n << BigInt(bits)) - 1n;
  const v = U64(value);
  const sum = v + incr;
  if (v <= max && sum >= 0n && sum <= max) return sum;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return v > max || incr > 0n ? max : 0n;
  return U64(v + incr) & max;
}

/**
 * checkSignedBitfieldOverflow, transliterated with its wrapping int64 intermediate values: for
 * SET of a value below about -2^63 + 2^(bits-1) into a narrower field, Redis computes a wrapped
 * "max - value" and reports an overflow (SAT gives the maximum), which this reproduces.
 */
function signedResult(value: bigint, incr: bigint, bits: number, overflow: Overflow): bigint | null {
  const max = bits === 64 ? 2n ** 63n - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = I64(max - value);
  const minincr = I64(min - value);
  let dir = 0;
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
  else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
  if (dir === 0) return value + incr;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return dir > 0 ? max : min;
  // Wrap: add as uint64, then sign-extend from the field's top bit.
  const c = U64(value + incr);
  return bits === 64 ? I64(c) : BigInt.asIntN(bits, c);
}

/** Runs the plan's operations in order on `buf` (grown to `plan.growTo` if anything writes). */
export function bitfieldRun(buf: Uint8Array, plan: BitfieldPlan): BitfieldResult {
  const replies: (bigint | null)[] = [];
  let changes = 0;
  for (const op of plan.ops) {
    const { bits, signed } = op.type;
    const raw = readField(buf, op.offset, bits);
    const old = signed ? BigInt.asIntN(bits, raw) : raw;
    if (op.kind === 'get') {
      replies.push(old);
      continue;
    }
    const incr = op.kind === 'incrby';
    const base = incr ? old : op.value;
    const delta = incr ? op.value : 0n;
    const next = signed ? signedResult(base, delta, bits, op.overflow) : unsignedResult(base, delta, bits, op.overflow);
    if (next === null) {
      replies.push(null);
      continue;
    }
    replies.push(incr ? next : old);
    writeField(buf, op.offset, bits, next);
    if (next !== old) changes++;
  }
  return { replies, changes };
}

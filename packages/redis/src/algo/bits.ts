/**
 * Bitmaps over a string's bytes, with Redis 7.0's exact semantics (bitops.c): GETBIT, SETBIT,
 * BITCOUNT and BITPOS with BYTE|BIT ranges, and BITOP (BITFIELD is in `bitfield.ts`).
 *
 * Bit 0 is the most significant bit of byte 0, as in SETBIT. Functions take the value's bytes and
 * the command's arguments after the key, and throw {@link CommandError} with Redis's texts in
 * Redis's order; key lookup and type checks stay with the caller, which must also:
 * - answer BITCOUNT on a missing key with 0 and BITPOS with `bit ? -1 : 0` before looking at the
 *   range arguments (Redis does not parse them then);
 * - grow the value with zero bytes to SETBIT's offset / 8 + 1 (BITFIELD: its plan's `growTo`)
 *   before writing, and delete BITOP's destination when the result is empty.
 *
 * @packageDocumentation
 */
import { CommandError, SYNTAX } from '../errors';
import { argIs, int64Arg } from './args';

/** SETBIT / GETBIT / BITFIELD offset errors. */
export const BIT_OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';
/** SETBIT's value error. */
export const BIT_VALUE_ERROR = 'ERR bit is not an integer or out of range';
/** BITPOS's bit argument error. */
export const BITPOS_BIT_ERROR = 'ERR The bit argument must be 1 or 0.';
/** BITFIELD's type error. */
export const BITFIELD_TYPE_ERROR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

const HASH = 0x23; // '#'

/** The number of set bits in each byte value. */
const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1];
  return t;
})();

/**
 * A bit offset argument (`getBitOffsetFromArgument`): a non-negative int64 whose byte
 * (offset / 8) is below `maxBulkLen` (proto-max-bulk-len; pass Infinity for AOF and replication,
 * which Redis exempts). With `hashBits` > 0 (BITFIELD), `#n` means n x hashBits, multiplied in
 * wrapping int64 arithmetic as Redis's C does.
 */
export function parseBitOffset(arg: Uint8Array, maxBulkLen: number, hashBits = 0): number {
  const hash = hashBits > 0 && arg.length > 0 && arg[0] === HASH;
  let v = int64Arg(hash ? arg.subarray(1) : arg, BIT_OFFSET_ERROR);
  if (hash) v = BigInt.asIntN(64, v * BigInt(hashBits));
  if (v < 0n || Number(v >> 3n) >= maxBulkLen) throw new CommandError(BIT_OFFSET_ERROR);
  return Number(v);
}

/** SETBIT's bit value: exactly 0 or 1. */
export function parseBitValue(arg: Uint8Array): 0 | 1 {
  const v = int64Arg(arg, BIT_VALUE_ERROR);
  if (v !== 0n && v !== 1n) throw new CommandError(BIT_VALUE_ERROR);
  return v === 1n ? 1 : 0;
}

/** GETBIT: bits past the end read as 0. */
export function getBit(buf: Uint8Array, offset: number): 0 | 1 {
  const byte = Math.floor(offset / 8);
  return byte < buf.length && (buf[byte] & (0x80 >> offset % 8)) !== 0 ? 1 : 0;
}

/** SETBIT on a value already grown to cover `offset`; returns the previous bit. */
export function setBit(buf: Uint8Array, offset: number, on: 0 | 1): 0 | 1 {
  const byte = Math.floor(offset / 8);
  const mask = 0x80 >> offset % 8;
  const old = (buf[byte] & mask) !== 0 ? 1 : 0;
  buf[byte] = on ? buf[byte] | mask : buf[byte] & ~mask;
  return old;
}

/** Set bits in the bit range [from, to], inclusive, both within `buf`. */
function countBits(buf: Uint8Array, from: number, to: number): number {
  const first = Math.floor(from / 8);
  const last = Math.floor(to / 8);
  // Keep only the range's bits of the edge bytes.
  const headMask = 0xff >> from % 8;
  const tailMask = (0xff << (7 - (to % 8))) & 0xff;
  if (first === last) return POPCOUNT[buf[first] & headMask & tailMask];
  let n = POPCOUNT[buf[first] & headMask] + POPCOUNT[buf[last] & tailMask];
  for (let i = first + 1; i < last; i++) n += POPCOUNT[buf[i]];
  return n;
}

/** The first bit equal to `bit` in [from, to] (inclusive, within `buf`), or -1. */
function findBit(buf: Uint8Array, bit: 0 | 1, from: number, to: number): number {
  // A byte with nothing to find is 0x00 when looking for 1s and 0xff when looking for 0s.
  const skip = bit ? 0x00 : 0xff;
  let pos = from;
  while (pos <= to) {
    if (pos % 8 === 0 && pos + 7 <= to && buf[pos >> 3] === skip) {
      pos += 8;
      continue;
    }
    if (((buf[Math.floor(pos / 8)] >> (7 - (pos % 8))) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

/** Applies Redis's negative-index and clamping rules to [start, end] over `total` units. */
function clampRange(start: bigint, end: bigint, total: number): { start: number; end: number } {
  const t = BigInt(total);
  if (start < 0n) start += t;
  if (end < 0n) end += t;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= t) end = t - 1n;
  // start may still be past the end (callers test start > end); end now fits a number, and a
  // rounded huge start still compares greater.
  return { start: Number(start), end: Number(end) };
}

/** `BIT` or `BYTE` (any case); anything else is a syntax error. */
function parseUnit(arg: Uint8Array): boolean {
  if (argIs(arg, 'bit')) return true;
  if (argIs(arg, 'byte')) return false;
  throw new CommandError(SYNTAX);
}

/**
 * BITCOUNT on an existing string; `args` are those after the key: none, `start end`, or
 * `start end BIT|BYTE`.
 */
export function bitcount(buf: Uint8Array, args: readonly Uint8Array[]): number {
  if (args.length === 0) return countAll(buf);
  if (args.length !== 2 && args.length !== 3) throw new CommandError(SYNTAX);
  const start = int64Arg(args[0]);
  const end = int64Arg(args[1]);
  // Redis answers this before it even looks at the unit argument.
  if (start < 0n && end < 0n && start > end) return 0;
  const isBit = args.length === 3 && parseUnit(args[2]);
  const r = clampRange(start, end, isBit ? buf.length * 8 : buf.length);
  if (r.start > r.end) return 0;
  return isBit ? countBits(buf, r.start, r.end) : countBits(buf, r.start * 8, r.end * 8 + 7);
}

function countAll(buf: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < buf.length; i++) n += POPCOUNT[buf[i]];
  return n;
}

/** BITPOS's bit argument, parsed before the key is looked up. */
export function parseBitposBit(arg: Uint8Array): 0 | 1 {
  const v = int64Arg(arg);
  if (v !== 0n && v !== 1n) throw new CommandError(BITPOS_BIT_ERROR);
  return v === 1n ? 1 : 0;
}

/**
 * BITPOS on an existing string; `args` are those after the bit: none, `start`, `start end`, or
 * `start end BIT|BYTE`. When no clear bit is found and no end was given, the string counts as
 * zero-padded on the right (the answer is its length in bits); with an explicit end it is -1.
 */
export function bitpos(buf: Uint8Array, bit: 0 | 1, args: readonly Uint8Array[]): number {
  if (args.length > 3) throw new CommandError(SYNTAX);
  let fromBit = 0;
  let toBit = buf.length * 8 - 1;
  const endGiven = args.length >= 2;
  if (args.length > 0) {
    const start = int64Arg(args[0]);
    // Redis reads the unit before the end, so `BITPOS k 1 0 x FOO` is a syntax error.
    const isBit = args.length === 3 && parseUnit(args[2]);
    const total = isBit ? buf.length * 8 : buf.length;
    const end = endGiven ? int64Arg(args[1]) : BigInt(total - 1);
    const r = clampRange(start, end, total);
    if (r.start > r.end) return -1;
    fromBit = isBit ? r.start : r.start * 8;
    toBit = isBit ? r.end : r.end * 8 + 7;
  }
  if (fromBit > toBit) return -1;
  const pos = findBit(buf, bit, fromBit, toBit);
  if (pos >= 0 || bit === 1 || endGiven) return pos;
  return toBit + 1;
}

/** A BITOP operation. */
export type BitOp = 'and' | 'or' | 'xor' | 'not';

/** BITOP's operation name (any case) for `sources` source keys. */
export function parseBitop(name: Uint8Array, sources: number): BitOp {
  const op = (['and', 'or', 'xor', 'not'] as const).find((w) => argIs(name, w));
  if (op === undefined) throw new CommandError(SYNTAX);
  if (op === 'not' && sources !== 1) throw new CommandError('ERR BITOP NOT must be called with a single source key.');
  return op;
}

/**
 * BITOP over the sources' bytes (missing keys as empty): the result is as long as the longest
 * source, shorter sources read as zero bytes. An empty result means "delete the destination".
 */
export function bitop(op: BitOp, sources: readonly Uint8Array[]): Buffer {
  let max = 0;
  for (const s of sources) max = Math.max(max, s.length);
  const out = Buffer.alloc(max);
  const first = sources[0];
  out.set(first);
  if (op === 'not') {
    for (let i = 0; i < max; i++) out[i] = ~out[i] & 0xff;
    return out;
  }
  for (let k = 1; k < sources.length; k++) {
    const s = sources[k];
    if (op === 'and') {
      for (let i = 0; i < s.length; i++) out[i] &= s[i];
      out.fill(0, s.length);
    } else if (op === 'or') {
      for (let i = 0; i < s.length; i++) out[i] |= s[i];
    } else {
      for (let i = 0; i < s.length; i++) out[i] ^= s[i];
    }
  }
  return out;
}

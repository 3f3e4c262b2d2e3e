/**
 * Stream entry IDs (`<ms>-<seq>`, two unsigned 64-bit numbers) as one 128-bit bigint,
 * `ms * 2^64 + seq`: comparing two IDs is comparing two bigints, and the ID after `ms-(2^64-1)`
 * is `(ms+1)-0`, i.e. `id + 1n`, as Redis's `streamIncrID` has it. Parsing follows Redis 7.0's
 * `streamGenericParseIDOrReply` exactly (its `string2ull` accepts what `strtoull` accepts:
 * leading blanks, a sign, leading zeros), so the same arguments are valid or invalid as there.
 *
 * @packageDocumentation
 */
import { CommandError } from '../command';

/** A stream entry ID: `ms << 64n | seq`. */
export type StreamId = bigint;

/** 2^64-1, the largest `ms` or `seq`. */
export const UINT64_MAX = 0xffffffffffffffffn;
/** `0-0`: no entry has it; "nothing yet" for last IDs. */
export const ZERO_ID: StreamId = 0n;
/** `18446744073709551615-18446744073709551615`, the last possible ID (`+`). */
export const MAX_ID: StreamId = (UINT64_MAX << 64n) | UINT64_MAX;

/** Redis's reply to any malformed ID argument. */
export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** Makes an ID from its two parts. */
export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

/** The milliseconds part. */
export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

/** The sequence part. */
export function idSeq(id: StreamId): bigint {
  return id & UINT64_MAX;
}

/** `<ms>-<seq>`, as every reply shows an ID. */
export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & UINT64_MAX}`;
}

// Redis copies the argument into a 128-byte buffer: longer ones are invalid outright.
const MAX_ID_ARG = 127;
/** What `string2ll` accepts: no sign but '-', no leading zero, no blanks. */
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]*)$/;
/** What `strtoull` accepts: leading blanks (isspace), a sign, at least one digit, nothing after. */
const STRTOULL = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Redis's `string2ull`: an unsigned 64-bit number, or null. */
function string2ull(s: string): bigint | null {
  if (CANONICAL_INT.test(s)) {
    // Up to 15 characters the number is exact as a double, and BigInt of a number is quicker
    // than parsing the text again (every XACK and explicit XADD ID comes through here).
    const v = s.length <= 15 ? BigInt(Number(s)) : BigInt(s);
    // Within int64 string2ll decides (negative: invalid); beyond it strtoull takes over.
    if (v >= INT64_MIN && v <= INT64_MAX) return v < 0n ? null : v;
  }
  const m = STRTOULL.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > UINT64_MAX) return null; // ERANGE
  // strtoull negates in unsigned arithmetic: "-1" would be 2^64-1 (only reached for non-canonical forms).
  return m[1] === '-' && v !== 0n ? UINT64_MAX + 1n - v : v;
}

/** An ID argument whose sequence may be `*` (XADD): `seq` is null then. */
export interface ParsedId {
  readonly ms: bigint;
  readonly seq: bigint | null;
}

/**
 * Parses `arg` as Redis does: `-` and `+` (unless `strict`), `<ms>`, `<ms>-<seq>`, and with
 * `allowAutoSeq` `<ms>-*`. A missing sequence is `missingSeq`. Returns null when invalid.
 */
function parseParts(arg: Buffer, missingSeq: bigint, strict: boolean, allowAutoSeq: boolean): ParsedId | null {
  if (arg.length > MAX_ID_ARG) return null;
  let s = arg.latin1Slice(0, arg.length);
  // The C code works on a NUL-terminated copy: anything after a NUL byte is not seen.
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '-' || s === '+') {
    if (strict) return null;
    return s === '-' ? { ms: 0n, seq: 0n } : { ms: UINT64_MAX, seq: UINT64_MAX };
  }
  const dash = s.indexOf('-');
  const ms = string2ull(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq };
  const rest = s.slice(dash + 1);
  if (allowAutoSeq && rest === '*') return { ms, seq: null };
  const seq = string2ull(rest);
  return seq === null ? null : { ms, seq };
}

/** An ID argument where `-` and `+` are allowed (XRANGE bounds, XGROUP SETID). */
export function parseId(arg: Buffer, missingSeq = 0n): StreamId {
  const p = parseParts(arg, missingSeq, false, false);
  if (p === null || p.seq === null) throw new CommandError(INVALID_ID);
  return makeId(p.ms, p.seq);
}

/** An ID argument where `-` and `+` are not IDs (XDEL, XACK, XREAD, MINID, …). */
export function parseStrictId(arg: Buffer, missingSeq = 0n): StreamId {
  const p = parseParts(arg, missingSeq, true, false);
  if (p === null || p.seq === null) throw new CommandError(INVALID_ID);
  return makeId(p.ms, p.seq);
}

/** XADD's ID argument: strict, and `<ms>-*` leaves the sequence to the stream (`seq` null). */
export function parseAddId(arg: Buffer): ParsedId {
  const p = parseParts(arg, 0n, true, true);
  if (p === null) throw new CommandError(INVALID_ID);
  return p;
}

/**
 * A range bound of XRANGE/XREVRANGE/XPENDING/XAUTOCLAIM: `(` makes it exclusive (then `-`/`+`
 * are invalid, as Redis parses the rest strictly). An exclusive start becomes the next ID and an
 * exclusive end the previous one, with Redis's errors when there is none.
 */
export function parseRangeBound(arg: Buffer, isEnd: boolean): StreamId {
  const missingSeq = isEnd ? UINT64_MAX : 0n;
  if (arg.length > 1 && arg[0] === 0x28 /* ( */) {
    const id = parseStrictId(arg.subarray(1), missingSeq);
    if (isEnd) {
      if (id === ZERO_ID) throw new CommandError('ERR invalid end ID for the interval');
      return id - 1n;
    }
    if (id === MAX_ID) throw new CommandError('ERR invalid start ID for the interval');
    return id + 1n;
  }
  return parseId(arg, missingSeq);
}

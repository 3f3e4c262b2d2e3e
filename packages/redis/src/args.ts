/**
 * Argument parsing shared by every command: keywords and exact int64 arguments (`algo/args.ts`,
 * `algo/int64.ts`: Redis's `string2ll`), the number and range forms of the integer family (the
 * `get*FromObjectOrReply` bounds checks, with their error texts) and the SCAN family's cursor and
 * options.
 *
 * @packageDocumentation
 */
import { argIs, int64Arg } from './algo/args';
import { INT64_MAX, INT64_MIN, parseInt64 as string2ll, parseInt64Big } from './algo/int64';
import { CommandError, NOT_INTEGER, SYNTAX } from './errors';
import { keyOf } from './keyspace';

export { INT64_MAX, INT64_MIN, argIs, int64Arg };
/**
 * {@link INT64_MAX} as a double (2^63, the nearest one): for the bounds checks Redis does in
 * `long long` arithmetic on values that a double holds exactly enough (expiry times in ms).
 */
export const INT64_MAX_NUMBER = Number(INT64_MAX);

/**
 * A strict decimal int64 (Redis's `string2ll`), exactly, as a bigint; undefined when the syntax
 * is wrong or the value is outside [{@link INT64_MIN}, {@link INT64_MAX}].
 */
export function parseBigInt(arg: Uint8Array): bigint | undefined {
  return parseInt64Big(arg) ?? undefined;
}

/**
 * Like {@link parseBigInt}, as a number: exact within ±2^53 (the common case, no bigint made);
 * beyond that the nearest double, so use {@link parseBigInt} where the exact value matters
 * (INCRBY, HRANDFIELD's range check).
 */
export function parseInt64(arg: Uint8Array): number | undefined {
  const v = string2ll(arg);
  return v === null ? undefined : typeof v === 'number' ? v : Number(v);
}

/** An integer argument; throws `ERR value is not an integer or out of range` (or `msg`). */
export function argInt(arg: Buffer, msg = NOT_INTEGER): number {
  const v = parseInt64(arg);
  if (v === undefined) throw new CommandError(msg);
  return v;
}

/**
 * An exact integer argument in [min, max], as Redis's `getRangeLongFromObjectOrReply`:
 * `ERR value is out of range, value must between <min> and <max>` outside.
 */
export function argRange(arg: Buffer, min: bigint, max: bigint): bigint {
  const v = int64Arg(arg);
  if (v < min || v > max) throw new CommandError(`ERR value is out of range, value must between ${min} and ${max}`);
  return v;
}

/** The options of SCAN, HSCAN, SSCAN and ZSCAN. */
export interface ScanOptions {
  /** Where to continue (0 starts a new iteration). */
  readonly cursor: number;
  /** MATCH pattern (glob), or null. */
  readonly match: string | null;
  /** COUNT: how much work one call does (default 10). */
  readonly count: number;
  /** TYPE filter (SCAN only), lower case, or null. */
  readonly type: string | null;
}

const UINT64_MAX = 0xffffffffffffffffn;
const CURSOR = /^([+-]?)([0-9]*)$/;

/**
 * A SCAN cursor by Redis's rule (`strtoul`): an optional sign (a negative one wraps around),
 * digits, nothing else, at most 2^64-1; the empty string is cursor 0. `ERR invalid cursor`
 * otherwise.
 */
export function parseCursor(arg: Buffer): number {
  const s = keyOf(arg);
  const m = CURSOR.exec(s);
  if (m === null || (m[2] === '' && s !== '') || (m[2] !== '' && BigInt(m[2]) > UINT64_MAX)) throw new CommandError('ERR invalid cursor');
  let cursor = m[2] === '' ? 0n : BigInt(m[2]);
  if (m[1] === '-' && cursor !== 0n) cursor = UINT64_MAX + 1n - cursor;
  return Number(cursor);
}

/**
 * Parses `<cursor> [MATCH pattern] [COUNT count]` (and `[TYPE type]` when `withType`) starting
 * at `argv[at]`, with Redis's errors: `ERR invalid cursor`, `ERR syntax error` (also for a
 * COUNT under 1), `ERR value is not an integer or out of range`.
 */
export function parseScan(argv: Buffer[], at: number, withType: boolean): ScanOptions {
  const cursor = parseCursor(argv[at]);
  let match: string | null = null;
  let count = 10;
  let type: string | null = null;
  for (let j = at + 1; j < argv.length; j++) {
    const hasValue = j + 1 < argv.length;
    if (argIs(argv[j], 'count') && hasValue) {
      count = argInt(argv[++j]);
      if (count < 1) throw new CommandError(SYNTAX);
    } else if (argIs(argv[j], 'match') && hasValue) {
      match = keyOf(argv[++j]);
    } else if (withType && argIs(argv[j], 'type') && hasValue) {
      type = argv[++j].toString().toLowerCase();
    } else throw new CommandError(SYNTAX);
  }
  return { cursor, match, count, type };
}

/**
 * Where the keys of a `numkeys key [key …]` command are (COMMAND GETKEYS): numkeys at argv[at],
 * then up to that many keys (LMPOP, ZMPOP at 1; BLMPOP, BZMPOP, ZUNIONSTORE & co. at 2).
 */
export function numkeysPositions(argv: readonly Buffer[], at: number): number[] {
  const n = argv.length > at ? parseBigInt(argv[at]) : undefined;
  const keys: number[] = [];
  if (n === undefined) return keys;
  for (let i = at + 1; i < argv.length && BigInt(i - at) <= n; i++) keys.push(i);
  return keys;
}

/**
 * Helpers shared by the data-type commands: command definitions, argument decoding, and the
 * parsers whose error texts are specific to these commands.
 *
 * @packageDocumentation
 */
import { CommandError, argIs, parseInt64, type CommandContext, type CommandDef, type CommandFlag } from '../command';
import { NOT_INTEGER, SYNTAX } from '../errors';
import { keyOf } from '../keyspace';
import { LongDouble } from './numbers';

export { argIs, keyOf, CommandError, NOT_INTEGER, SYNTAX };

/** Defines a command; `keys` is [firstKey, lastKey, step] as in COMMAND INFO. */
export function def(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  keys: readonly [number, number, number],
  group: string,
  summary: string,
  run: (ctx: CommandContext, argv: Buffer[]) => void,
): CommandDef {
  return { name, arity, flags, firstKey: keys[0], lastKey: keys[1], step: keys[2], group, summary, run };
}

/** Decodes a member/field argument to its binary-safe string form (one char per byte). */
export const str = keyOf;

/** A copy of a value argument (argv Buffers are views into the read buffer). */
export function copy(arg: Buffer): Buffer {
  return Buffer.from(arg);
}

/** An integer argument with Redis's generic error text. */
export function int(arg: Buffer, msg = NOT_INTEGER): number {
  const v = parseInt64(arg);
  if (v === undefined) throw new CommandError(msg);
  return v;
}

/**
 * The timeout of BLPOP & co. in ms (0 = forever), with Redis 7.0's rules: a long double number of
 * seconds, truncated to whole ms (so anything under 1 ms waits forever), and what does not fit
 * an int64 of ms wraps negative, which is why `inf` says "timeout is negative".
 */
export function blockTimeout(arg: Buffer, now: number): number {
  const v = LongDouble.parse(str(arg));
  if (v === null) throw new CommandError('ERR timeout is not a float or out of range');
  const ms = Math.trunc(v.toNumber() * 1000);
  if (!(ms < 2 ** 63) || ms < 0) throw new CommandError('ERR timeout is negative');
  if (ms > 0 && ms > 2 ** 63 - 1 - now) throw new CommandError('ERR timeout is out of range');
  return ms;
}

/**
 * Converts Redis start/end indexes (negative from the end) into a clamped inclusive [start, end]
 * over `len` elements; returns null when the range is empty.
 */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** Parses an optional `COUNT n` / `MATCH p` / `TYPE t` tail of the SCAN family. */
export interface ScanArgs {
  cursor: number;
  match: string | null;
  count: number;
}

/** The cursor and options of HSCAN/SSCAN/ZSCAN (`argv[2]` is the cursor). */
export function scanArgs(argv: Buffer[]): ScanArgs {
  const cs = str(argv[2]);
  // Redis reads the cursor with strtoul: an optional sign (negatives wrap around), digits, no
  // leading space, nothing after, at most 2^64-1; and an empty string is cursor 0.
  const m = /^([+-]?)([0-9]*)$/.exec(cs);
  if (!m || (m[2] === '' && cs !== '') || (m[2] !== '' && BigInt(m[2]) > 0xffffffffffffffffn)) throw new CommandError('ERR invalid cursor');
  let cursor = m[2] === '' ? 0n : BigInt(m[2]);
  if (m[1] === '-' && cursor !== 0n) cursor = 0x10000000000000000n - cursor;
  const out: ScanArgs = { cursor: Number(cursor), match: null, count: 10 };
  for (let i = 3; i < argv.length; i += 2) {
    const last = i + 1 >= argv.length;
    if (argIs(argv[i], 'count') && !last) {
      out.count = int(argv[i + 1]);
      if (out.count < 1) throw new CommandError(SYNTAX);
    } else if (argIs(argv[i], 'match') && !last) {
      out.match = str(argv[i + 1]);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return out;
}

/** Fisher-Yates sample of `k` distinct items (k ≤ items.length). */
export function sample<T>(items: T[], k: number): T[] {
  const a = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (a.length - i));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  a.length = k;
  return a;
}

/** A random item of a non-empty array. */
export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/** True when `s` is a canonical int64 (Redis's string2ll rules), as intset membership needs. */
export function isInt64String(s: string): boolean {
  if (s.length === 0 || s.length > 20) return false;
  return parseInt64(Buffer.from(s, 'latin1')) !== undefined;
}

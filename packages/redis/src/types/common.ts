/**
 * Helpers shared by the data-type commands: argument decoding, ranges, streamed replies, and the
 * parsers whose error texts are specific to these commands.
 *
 * @packageDocumentation
 */
import { CommandError, INT64_MAX, LongDouble, keyOf } from '../command';
import type { CommandContext, Db, Reply } from '../command';

/** Decodes a member/field argument to its binary-safe string form (one char per byte). */
export const str = keyOf;

/**
 * After removing elements from the collection under `key`: deletes the key when `remaining` is 0
 * (Redis never keeps an empty list, set, sorted set or hash), otherwise marks it modified.
 */
export function afterRemove(db: Db, key: string, remaining: number): void {
  if (remaining === 0) db.delete(key);
  else db.modified(key);
}

/** A copy of a value argument (argv Buffers are views into the read buffer). */
export function copy(arg: Buffer): Buffer {
  return Buffer.from(arg);
}

/**
 * The timeout of BLPOP & co. in ms (0 = forever), with Redis 7.0.15's rules
 * (getTimeoutFromObjectOrReply): a long double number of seconds, times 1000 rounded up (so
 * 0.0001 waits 1 ms), converted as x86 does (what an int64 cannot hold, `inf` included, becomes
 * INT64_MIN: "timeout is negative"). Redis then adds the current time in int64 and files the
 * deadline as unsigned, so a sum past INT64_MAX wraps and never fires: that waits forever here.
 */
export function blockTimeout(arg: Buffer, now: number): number {
  const v = LongDouble.parse(str(arg));
  if (v === null) throw new CommandError('ERR timeout is not a float or out of range');
  const ms = v.ceilMulToInt64(1000n);
  if (ms < 0n) throw new CommandError('ERR timeout is negative');
  if (ms > INT64_MAX - BigInt(now)) return 0;
  return Number(ms);
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

/**
 * Elements written per piece of a streamed reply: large enough that the per-piece overhead
 * (a flush, a clock read) is small, small enough that one piece is a few tens of KB.
 */
export const REPLY_PIECE = 1024;

/**
 * Writes `count` elements (an exact int64, since a count may be 2^63-1) with `write`, after
 * `header(count)` has been written by the caller: up to {@link REPLY_PIECE} at once, more through
 * {@link ClientState.stream} (so a huge reply never sits in memory, and stops when the client
 * goes). `write` must not depend on keyspace state that may change between pieces.
 */
export function replyElements(ctx: CommandContext, count: bigint, write: (r: Reply) => void): void {
  const piece = BigInt(REPLY_PIECE);
  if (count <= piece) {
    for (let i = Number(count); i > 0; i--) write(ctx.reply);
    return;
  }
  let left = count;
  const next = (r: Reply): boolean => {
    const n = left < piece ? Number(left) : REPLY_PIECE;
    for (let i = 0; i < n; i++) write(r);
    left -= BigInt(n);
    return left === 0n;
  };
  ctx.client.stream(next);
}

/** An aggregate header for an exact int64 count (`array`/`map` take numbers, exact to 2^53). */
export function arrayHeader(r: Reply, count: bigint): void {
  if (count <= BigInt(Number.MAX_SAFE_INTEGER)) r.array(Number(count));
  else r.raw(Buffer.from(`*${count}\r\n`, 'latin1'));
}

/**
 * BLPOP/BRPOP/BZPOPMIN/BZPOPMAX: `argv` is the keys then the timeout. Serves the first key that
 * has data now; otherwise blocks the client on every key (a key that meanwhile holds another type
 * keeps it waiting, as in Redis), or, where it cannot block (MULTI, AOF replay), replies the
 * null array. `serve` pops, writes the reply and propagates, or returns false.
 */
export function popOrBlock(ctx: CommandContext, argv: Buffer[], serve: (c: CommandContext, key: string) => boolean): void {
  const timeoutMs = blockTimeout(argv[argv.length - 1], ctx.server.now());
  const keys: string[] = [];
  for (let i = 1; i < argv.length - 1; i++) keys.push(str(argv[i]));
  popOrBlockOn(ctx, keys, timeoutMs, serve);
}

/**
 * {@link popOrBlock} for commands whose keys and timeout sit elsewhere in argv (BLMPOP, BZMPOP):
 * the caller has parsed `timeoutMs` with {@link blockTimeout}, after its other arguments, as
 * Redis does.
 */
export function popOrBlockOn(ctx: CommandContext, keys: readonly string[], timeoutMs: number, serve: (c: CommandContext, key: string) => boolean): void {
  for (const key of keys) if (serve(ctx, key)) return;
  if (!ctx.client.canBlock) return ctx.reply.nullArray();
  ctx.client.block({
    keys,
    timeoutMs,
    serve: (c, key) => {
      try {
        return serve(c, key);
      } catch {
        return false;
      }
    },
  });
}

/**
 * The count argument and the sampling of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER (Redis 7.0's
 * t_set.c / t_hash.c / t_zset.c): a positive count asks for that many distinct members (all of
 * them when the collection is smaller), a negative one for |count| independent picks, repeats
 * allowed, in random order.
 *
 * A count may be as large as 2^63 - 1, and Redis then really starts streaming that many replies.
 * The picks are therefore an iterator that yields lazily: the caller writes as the client reads
 * and stops when it goes away, and a huge count never allocates its reply (issue 10:
 * `SRANDMEMBER s -9223372036854775808` looped while memory grew, where Redis refuses the count).
 *
 * @packageDocumentation
 */
import { CommandError } from '../errors';
import { int64Arg } from './args';
import { INT64_MAX } from './int64';

/** A uniform double in [0, 1), like Math.random (the default). */
export type RandomSource = () => number;

/**
 * Parses the count (`getRangeLongFromObjectOrReply(..., -LONG_MAX, LONG_MAX)`): an int64 other
 * than -2^63, whose absolute value would not fit.
 */
export function parseRandCount(arg: Uint8Array): bigint {
  const v = int64Arg(arg);
  if (v < -INT64_MAX) throw new CommandError(`ERR value is out of range, value must between ${-INT64_MAX} and ${INT64_MAX}`);
  return v;
}

/**
 * HRANDFIELD ... WITHVALUES and ZRANDMEMBER ... WITHSCORES reply two entries per pick, so Redis
 * also refuses |count| > LONG_MAX / 2 (checked after the option itself).
 */
export function checkPairCount(count: bigint): void {
  const half = INT64_MAX / 2n; // C's LONG_MAX/2: 4611686018427387903
  if (count < -half || count > half) throw new CommandError('ERR value is out of range');
}

/** What to reply: `length` picks, as indexes into the collection's members. */
export interface RandomPicks {
  /** Exact number of picks (the reply's array length, before doubling for pairs). */
  length: bigint;
  /** True when `indexes` may repeat (a negative count, or a count of 1 as Redis treats it). */
  repeats: boolean;
  /** The picks, produced on demand; each is in [0, size). */
  indexes: IterableIterator<number>;
}

/**
 * Chooses the picks for `count` (as parsed) out of a collection of `size` members.
 *
 * Distinct picks cost O(count) memory, or O(size) when count is more than a third of size (a
 * partial shuffle, as Redis copies the collection then too); repeated picks cost O(1).
 */
export function randomPicks(size: number, count: bigint, random: RandomSource = Math.random): RandomPicks {
  if (count === 0n || size === 0) return { length: 0n, repeats: false, indexes: [][Symbol.iterator]() };
  if (count < 0n || count === 1n) {
    const n = count < 0n ? -count : count;
    return { length: n, repeats: true, indexes: withReplacement(size, n, random) };
  }
  if (count >= BigInt(size)) return { length: BigInt(size), repeats: false, indexes: inOrder(size) };
  const n = Number(count);
  // Redis switches strategies at the same point (SRANDMEMBER_SUB_STRATEGY_MUL = 3).
  const indexes = n * 3 > size ? partialShuffle(size, n, random) : rejection(size, n, random);
  return { length: count, repeats: false, indexes };
}

function* withReplacement(size: number, n: bigint, random: RandomSource): IterableIterator<number> {
  // A number counter is exact up to 2^53 picks; no client reads further than that.
  for (let left = Number(n); left > 0; left--) yield Math.floor(random() * size);
}

function* inOrder(size: number): IterableIterator<number> {
  for (let i = 0; i < size; i++) yield i;
}

/** Fisher-Yates over an index table, stopped after `n` draws. */
function* partialShuffle(size: number, n: number, random: RandomSource): IterableIterator<number> {
  const table = new Uint32Array(size);
  for (let i = 0; i < size; i++) table[i] = i;
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (size - i));
    const pick = table[j];
    table[j] = table[i];
    table[i] = pick;
    yield pick;
  }
}

/** Draws until `n` distinct indexes came up; with n <= size / 3 a draw repeats at most 1/3 of the time. */
function* rejection(size: number, n: number, random: RandomSource): IterableIterator<number> {
  const seen = new Set<number>();
  while (seen.size < n) {
    const i = Math.floor(random() * size);
    if (seen.has(i)) continue;
    seen.add(i);
    yield i;
  }
}

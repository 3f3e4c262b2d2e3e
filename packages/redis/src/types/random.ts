/**
 * Random picks for SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and SPOP, and their `<count>` forms with
 * Redis 7.0's checks: the count is an exact int64 in [-LONG_MAX, LONG_MAX] (`ERR value is out of
 * range, value must between …`), with WITHVALUES/WITHSCORES half of that (`ERR value is out of
 * range`: the reply holds two elements per pick).
 *
 * The collections are read through a {@link RandomSource} (O(1) access by position) and the
 * positions come from `algo/random.ts`, so the cost is that of the reply, as in Redis: one pick
 * O(1), a positive count O(count) (O(size) past a third of the size, where Redis copies the
 * collection too), a negative count O(|count|) picks with repetition, streamed
 * ({@link replyElements}) when large. A count covering the whole collection lists it in the
 * collection's own order, as Redis does.
 *
 * @packageDocumentation
 */
import { CommandError, SYNTAX, argIs } from '../command';
import type { CommandContext, Reply } from '../command';
import { checkPairCount, parseRandCount, randomPicks, type RandomPicks } from '../algo/random';
import { REPLY_PIECE, arrayHeader, replyElements } from './common';

/** What a `<count>` form asks for. */
export interface RandomCount {
  /** Picks: negative = with repetition. */
  readonly count: bigint;
  /** WITHVALUES / WITHSCORES was given. */
  readonly paired: boolean;
}

/** A collection as random picks read it. */
export interface RandomSource<T> {
  /** Number of entries. */
  readonly size: number;
  /** The entry at position `i` (0 ≤ i < size), in O(1). */
  at(i: number): T;
  /** Every entry, in the order the collection lists them (HGETALL, SMEMBERS, …). */
  ordered(): Iterable<T>;
}

/** A uniformly random position in [0, n). */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * Parses `key count [keyword]` (argv[2..]); null for the one-element form (`key` alone). Errors
 * in Redis's order: the count's syntax and range, then the keyword, then the paired range.
 */
export function parseRandomCount(argv: Buffer[], keyword: string): RandomCount | null {
  if (argv.length === 2) return null;
  const count = parseRandCount(argv[2]);
  if (argv.length > 4 || (argv.length === 4 && !argIs(argv[3], keyword))) throw new CommandError(SYNTAX);
  const paired = argv.length === 4;
  if (paired) checkPairCount(count);
  return { count, paired };
}

/** The next index of `picks` (there is one for each element the reply announced). */
function nextIndex(picks: RandomPicks): number {
  const r = picks.indexes.next();
  return r.done === true ? 0 : r.value;
}

/**
 * The writer of one pick with repetition. A reply written at once draws from the collection
 * itself; a streamed one is written over several event-loop turns, between which other clients
 * may change the collection, so it draws from a snapshot: of the entries when the count is at
 * least the size (O(size) ≤ O(count)), else of the picks themselves, made now (O(count)).
 */
function withRepetition<T>(src: RandomSource<T>, picks: RandomPicks, one: (r: Reply, e: T) => void): (r: Reply) => void {
  const size = src.size;
  if (picks.length <= BigInt(REPLY_PIECE)) return (r) => one(r, src.at(nextIndex(picks)));
  if (picks.length >= BigInt(size)) {
    const entries = Array.from({ length: size }, (_, i) => src.at(i));
    return (r) => one(r, entries[nextIndex(picks)]);
  }
  const drawn = Array.from({ length: Number(picks.length) }, () => src.at(nextIndex(picks)));
  let next = 0;
  return (r) => one(r, drawn[next++]);
}

// Array.isArray does not narrow a readonly array out of a union.
function isArray<T>(x: readonly T[] | RandomSource<T>): x is readonly T[] {
  return Array.isArray(x);
}

function arraySource<T>(entries: readonly T[]): RandomSource<T> {
  return { size: entries.length, at: (i) => entries[i], ordered: () => entries };
}

/**
 * Replies to a `<count>` form over `source` (an array, in the order Redis lists it, or a
 * {@link RandomSource}; undefined for a missing key): `write` writes one entry, both halves when
 * `paired` (RESP3 nests each pair in an array, RESP2 flattens them).
 */
export function replyRandom<T>(
  ctx: CommandContext,
  req: RandomCount,
  source: readonly T[] | RandomSource<T> | undefined,
  write: (r: Reply, entry: T) => void,
): void {
  const r = ctx.reply;
  const { count, paired } = req;
  const src = source === undefined || !isArray(source) ? source : arraySource(source);
  if (src === undefined || src.size === 0 || count === 0n) return r.array(0);
  const size = src.size;
  const one = paired && r.proto === 3 ? (rr: Reply, e: T) => (rr.array(2), write(rr, e)) : write;
  const flat = paired && r.proto === 2 ? 2 : 1;
  if (count >= BigInt(size)) {
    r.array(size * flat);
    for (const e of src.ordered()) one(r, e);
    return;
  }
  const picks = randomPicks(size, count);
  arrayHeader(r, picks.length * BigInt(flat));
  if (picks.repeats) return replyElements(ctx, picks.length, withRepetition(src, picks, one));
  for (const i of picks.indexes) one(r, src.at(i));
}

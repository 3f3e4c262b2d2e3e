/**
 * The `<count>` forms of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER, with Redis 7.0's checks: the
 * count is an exact int64 in [-LONG_MAX, LONG_MAX] (`ERR value is out of range, value must
 * between …`), with WITHVALUES/WITHSCORES half of that (`ERR value is out of range`: the reply
 * holds two elements per pick). A negative count picks with repetition, as many as asked, so its
 * reply is streamed ({@link replyElements}) from a snapshot of the entries; a positive one picks
 * distinct entries, at most all of them.
 *
 * @packageDocumentation
 */
import { CommandError, INT64_MAX, SYNTAX, argIs, argRange } from '../command';
import type { CommandContext, Reply } from '../command';
import { arrayHeader, pick, replyElements, sample } from './common';

/** What a `<count>` form asks for. */
export interface RandomCount {
  /** Picks: negative = with repetition. */
  readonly count: bigint;
  /** WITHVALUES / WITHSCORES was given. */
  readonly paired: boolean;
}

/**
 * Parses `key count [keyword]` (argv[2..]); null for the one-element form (`key` alone). Errors
 * in Redis's order: the count's syntax and range, then the keyword, then the paired range.
 */
export function parseRandomCount(argv: Buffer[], keyword: string): RandomCount | null {
  if (argv.length === 2) return null;
  const count = argRange(argv[2], -INT64_MAX, INT64_MAX);
  if (argv.length > 4 || (argv.length === 4 && !argIs(argv[3], keyword))) throw new CommandError(SYNTAX);
  const paired = argv.length === 4;
  if (paired && (count < -INT64_MAX / 2n || count > INT64_MAX / 2n)) throw new CommandError('ERR value is out of range');
  return { count, paired };
}

/**
 * Replies to a `<count>` form over `entries` (a snapshot, in the order Redis lists them; empty
 * or undefined for a missing key): `write` writes one entry, both halves when `paired` (RESP3
 * nests each pair in an array, RESP2 flattens them).
 */
export function replyRandom<T>(ctx: CommandContext, req: RandomCount, entries: readonly T[] | undefined, write: (r: Reply, entry: T) => void): void {
  const r = ctx.reply;
  const { count, paired } = req;
  if (entries === undefined || entries.length === 0 || count === 0n) return r.array(0);
  const one = paired && r.proto === 3 ? (rr: Reply, e: T) => (rr.array(2), write(rr, e)) : write;
  if (count < 0n) {
    const picks = -count;
    arrayHeader(r, paired && r.proto === 2 ? picks * 2n : picks);
    return replyElements(ctx, picks, (rr) => one(rr, pick(entries)));
  }
  const chosen = count >= BigInt(entries.length) ? entries : sample(entries as T[], Number(count));
  r.array(paired && r.proto === 2 ? chosen.length * 2 : chosen.length);
  for (const e of chosen) one(r, e);
}

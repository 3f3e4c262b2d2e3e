/**
 * ZRANDMEMBER (`key [count [WITHSCORES]]`), on the RANDMEMBER family's shared rules
 * (`random.ts`): Redis's count checks, streamed replies for large negative counts.
 *
 * A sorted set finds the member at a rank in O(log n), so the replies Redis builds in O(count)
 * (one member; a few picks with repetition; a few distinct picks out of many) pick ranks here too,
 * instead of snapshotting the whole set: `ZRANDMEMBER z` on a million members costs microseconds,
 * as in Redis. The other forms (the whole set, or most of it, or a streamed reply, which must not
 * see changes made between its pieces) work on a snapshot in the set's order.
 *
 * @packageDocumentation
 */
import { CMD_READONLY, KEY1, def, type CommandContext, type CommandDef, type Reply } from '../command';
import { str } from './common';
import { parseRandomCount, replyRandom, type RandomCount } from './random';
import type { ZNode } from './zset';
import { getZ, type RedisZSet } from './zset-value';

/** Picks written without streaming (the shared helper streams beyond this many, in pieces of it). */
const DIRECT_PICKS = 1024;
/** Redis's ZRANDMEMBER_SUB_STRATEGY_MUL: distinct picks are drawn at random only out of a set 3 times larger. */
const SUB_STRATEGY_MUL = 3;

function randomRank(z: RedisZSet): number {
  return Math.floor(Math.random() * z.size);
}

/** The ranks of a reply Redis builds in O(count), or null when it needs a snapshot. */
function directRanks(z: RedisZSet, count: bigint): number[] | null {
  if (count < 0n && -count <= BigInt(DIRECT_PICKS)) return Array.from({ length: Number(-count) }, () => randomRank(z));
  if (count > 0n && count * BigInt(SUB_STRATEGY_MUL) <= BigInt(z.size)) {
    const seen = new Set<number>();
    // At most a third of the ranks are taken, so a draw repeats at most a third of the time.
    while (seen.size < Number(count)) seen.add(randomRank(z));
    return [...seen];
  }
  return null;
}

function writePick(r: Reply, n: ZNode, req: RandomCount): void {
  if (req.paired && r.proto === 3) r.array(2);
  r.bulkKey(n.member);
  if (req.paired) r.double(n.score);
}

function zrandmember(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseRandomCount(argv, 'withscores');
  const z = getZ(ctx.db, str(argv[1]));
  if (req === null) return z === undefined ? ctx.reply.nil() : ctx.reply.bulkKey((z.list.byRank(randomRank(z)) as ZNode).member);
  const ranks = z === undefined ? null : directRanks(z, req.count);
  if (z !== undefined && ranks !== null) {
    const r = ctx.reply;
    r.array(req.paired && r.proto === 2 ? ranks.length * 2 : ranks.length);
    for (const rank of ranks) writePick(r, z.list.byRank(rank) as ZNode, req);
    return;
  }
  // A snapshot in the set's order (what Redis lists when the count covers the whole set).
  replyRandom<ZNode>(ctx, req, z?.rangeByRank(0, z.size - 1), (r, n) => {
    r.bulkKey(n.member);
    if (req.paired) r.double(n.score);
  });
}

/** ZRANDMEMBER. */
export const zsetRandomCommands: CommandDef[] = [
  def('zrandmember', -2, CMD_READONLY, KEY1, 'sorted-set', zrandmember, 'Returns one or more random members from a sorted set.'),
];

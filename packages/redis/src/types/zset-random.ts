/**
 * ZRANDMEMBER (`key [count [WITHSCORES]]`), on the RANDMEMBER family's shared rules
 * (`random.ts`): Redis's count checks, streamed replies for negative counts.
 *
 * @packageDocumentation
 */
import { CMD_READONLY, KEY1, def, type CommandContext, type CommandDef } from '../command';
import { str } from './common';
import { parseRandomCount, replyRandom } from './random';
import type { RedisZSet } from './zset-value';
import type { ZNode } from './zset';

function zrandmember(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseRandomCount(argv, 'withscores');
  const z = ctx.db.get<RedisZSet>(str(argv[1]), 'zset');
  // A snapshot in the set's order (what Redis lists when the count covers the whole set).
  const nodes = z?.rangeByRank(0, z.size - 1);
  if (req === null) return nodes === undefined ? ctx.reply.nil() : ctx.reply.bulkKey(nodes[Math.floor(Math.random() * nodes.length)].member);
  replyRandom<ZNode>(ctx, req, nodes, (r, n) => {
    r.bulkKey(n.member);
    if (req.paired) r.double(n.score);
  });
}

/** ZRANDMEMBER. */
export const zsetRandomCommands: CommandDef[] = [
  def('zrandmember', -2, CMD_READONLY, KEY1, 'sorted-set', zrandmember, 'Returns one or more random members from a sorted set.'),
];

/**
 * Popping from sorted sets: ZPOPMIN/ZPOPMAX, ZMPOP, and their blocking forms BZPOPMIN/BZPOPMAX and
 * BZMPOP, with Redis 7.0's reply shapes (flat pairs, RESP3 nested pairs, `[key, [[m, s], …]]`),
 * argument errors, and propagation as ZPOPMIN/ZPOPMAX (with the count actually popped).
 *
 * @packageDocumentation
 */
import { CMD_BLOCKING, CMD_FAST, CMD_MOVABLE_KEYS, CMD_NOSCRIPT, CMD_WRITE, KEY1, CommandError, NOT_POSITIVE, SYNTAX } from '../command';
import { argIs, def, type CommandContext, type CommandDef } from '../command';
import { blockTimeout, popOrBlock, str } from './common';
import type { ZNode } from './zset';
import { countArg, replyScored, zForWrite, zsetShrunk, type RedisZSet } from './zset-value';
import { numkeysPositions } from '../command';

type End = 'min' | 'max';

/** Removes up to `count` (at least 1) members from the low (`min`) or high end, with its event; deletes the key once empty. */
function popNodes(ctx: CommandContext, key: string, z: RedisZSet, end: End, count: number): ZNode[] {
  const out: ZNode[] = [];
  while (out.length < count && z.size > 0) {
    const n = (end === 'max' ? z.list.last() : z.list.first()) as ZNode;
    z.delete(n.member);
    out.push(n);
  }
  zsetShrunk(ctx, key, z, end === 'max' ? 'zpopmax' : 'zpopmin');
  return out;
}

function popCommandName(end: End): string {
  return end === 'max' ? 'ZPOPMAX' : 'ZPOPMIN';
}

/** ZPOPMIN/ZPOPMAX `key [count]`: flat pairs, RESP3 nests them only when a count was given. */
function zpop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    const hasCount = argv.length === 3;
    const count = hasCount ? countArg(argv[2], 0n, NOT_POSITIVE) : 1;
    const key = str(argv[1]);
    const z = zForWrite(ctx.db, key);
    if (!z || count === 0) return ctx.reply.array(0);
    const nodes = popNodes(ctx, key, z, end, count);
    const r = ctx.reply;
    if (r.proto === 3 && hasCount) return replyScored(r, nodes, true);
    r.array(nodes.length * 2);
    for (const n of nodes) {
      r.bulkKey(n.member);
      r.double(n.score);
    }
  };
}

/** BZPOPMIN/BZPOPMAX `key [key …] timeout`: `[key, member, score]`, propagated as ZPOPMIN/ZPOPMAX key. */
function bzpop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    popOrBlock(ctx, argv, (c, key) => {
      const z = zForWrite(c.db, key);
      if (!z) return false;
      const [n] = popNodes(c, key, z, end, 1);
      c.reply.array(3);
      c.reply.bulkKey(key);
      c.reply.bulkKey(n.member);
      c.reply.double(n.score);
      c.propagate([popCommandName(end), key]);
      return true;
    });
  };
}

/** What ZMPOP/BZMPOP ask for. */
interface MultiPop {
  readonly keys: string[];
  readonly end: End;
  readonly count: number;
}

/** Parses `numkeys key [key …] MIN|MAX [COUNT count]` from argv[at]. */
function parseMultiPop(argv: Buffer[], at: number): MultiPop {
  const numkeys = countArg(argv[at], 1n, 'ERR numkeys should be greater than 0');
  // The position of MIN|MAX; a numkeys beyond the arguments is a syntax error.
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  let end: End;
  if (argIs(argv[whereAt], 'min')) end = 'min';
  else if (argIs(argv[whereAt], 'max')) end = 'max';
  else throw new CommandError(SYNTAX);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && argIs(argv[j], 'count') && j + 1 < argv.length) count = countArg(argv[++j], 1n, 'ERR count should be greater than 0');
    else throw new CommandError(SYNTAX);
  }
  const keys: string[] = [];
  for (let i = at + 1; i < whereAt; i++) keys.push(str(argv[i]));
  return { keys, end, count: count === -1 ? 1 : count };
}

/** Pops from `key` (a non-empty sorted set) and writes ZMPOP's `[key, [[member, score], …]]`. */
function serveMultiPop(ctx: CommandContext, key: string, z: RedisZSet, req: MultiPop): void {
  const nodes = popNodes(ctx, key, z, req.end, req.count);
  ctx.reply.array(2);
  ctx.reply.bulkKey(key);
  ctx.reply.array(nodes.length);
  for (const n of nodes) {
    ctx.reply.array(2);
    ctx.reply.bulkKey(n.member);
    ctx.reply.double(n.score);
  }
  ctx.propagate([popCommandName(req.end), key, String(nodes.length)]);
}

/** The first of `keys` that exists (WRONGTYPE when it is not a sorted set), as Redis picks it. */
function firstExisting(ctx: CommandContext, keys: readonly string[]): [string, RedisZSet] | null {
  for (const key of keys) {
    const z = zForWrite(ctx.db, key);
    if (z !== undefined) return [key, z];
  }
  return null;
}

function zmpop(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseMultiPop(argv, 1);
  const found = firstExisting(ctx, req.keys);
  if (found === null) return ctx.reply.nullArray();
  serveMultiPop(ctx, found[0], found[1], req);
}

/** BZMPOP `timeout numkeys key [key …] MIN|MAX [COUNT count]`: ZMPOP, or waits on the keys. */
function bzmpop(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseMultiPop(argv, 2);
  const timeoutMs = blockTimeout(argv[1], ctx.server.now());
  const found = firstExisting(ctx, req.keys);
  if (found !== null) return serveMultiPop(ctx, found[0], found[1], req);
  if (!ctx.client.canBlock) return ctx.reply.nullArray();
  ctx.client.block({
    keys: req.keys,
    timeoutMs,
    serve: (c, key) => {
      // A key that now holds another type keeps the client waiting, as in Redis.
      const e = c.db.lookupWrite(key);
      if (e === undefined || e.type !== 'zset') return false;
      serveMultiPop(c, key, e.value as RedisZSet, req);
      return true;
    },
  });
}

const W = CMD_WRITE;
const G = 'sorted-set';

/** ZPOPMIN, ZPOPMAX, BZPOPMIN, BZPOPMAX, ZMPOP, BZMPOP. */
export const zsetPopCommands: CommandDef[] = [
  def('zpopmin', -2, W | CMD_FAST, KEY1, G, zpop('min'), 'Returns the lowest-scoring members from a sorted set after removing them.'),
  def('zpopmax', -2, W | CMD_FAST, KEY1, G, zpop('max'), 'Returns the highest-scoring members from a sorted set after removing them.'),
  def('bzpopmin', -3, W | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, [1, -2, 1], G, bzpop('min'), 'Removes and returns the member with the lowest score from one or more sorted sets, or blocks.'),
  def('bzpopmax', -3, W | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, [1, -2, 1], G, bzpop('max'), 'Removes and returns the member with the highest score from one or more sorted sets, or blocks.'),
  { ...def('zmpop', -4, W | CMD_MOVABLE_KEYS, [0, 0, 0], G, zmpop, 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them.'), getKeys: (argv) => numkeysPositions(argv, 1) },
  { ...def('bzmpop', -5, W | CMD_BLOCKING | CMD_MOVABLE_KEYS, [0, 0, 0], G, bzmpop, 'Removes and returns a member by score from one or more sorted sets, or blocks until one is available.'), getKeys: (argv) => numkeysPositions(argv, 2) },
];

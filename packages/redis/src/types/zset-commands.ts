/**
 * Sorted-set commands over {@link RedisZSet} values.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, NOTIFY_ZSET, SYNTAX, argInt, argIs, formatDouble } from '../command';
import { parseScan, scanReply } from '../command';
import type { CommandContext, TypeOps } from '../command';
import { clampRange, str } from './common';
import type { ZNode } from './zset';
import { lexCount, lexNodes, lexRange, scoreNodes, scoreRange, zsetRangeCommands } from './zset-range';
import { zsetPopCommands } from './zset-pop';
import { zsetSetopCommands } from './zset-setops';
import { RedisZSet, getZ, newZSet, parseScore, zForWrite, zsetShrunk } from './zset-value';
import { sampledBytes } from '../memory-sample';

export { RedisZSet };

// LLONG_MAX / 2, the range in which Redis prints an integral score as an integer.
const HALF_INT64 = 4611686018427387903;

/**
 * ZSCAN shows scores as stored: a listpack keeps integral scores within ±LLONG_MAX/2 as integers,
 * so they print without an exponent; a skiplist's print like every other score reply.
 */
function scanScore(listpack: boolean, d: number): string {
  if (listpack && Number.isInteger(d) && d >= -HALF_INT64 && d <= HALF_INT64) return BigInt(d).toString();
  return formatDouble(d);
}

/** ZADD's options (GEOADD passes NX, XX and CH). */
export interface ZaddOptions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

function zadd(ctx: CommandContext, argv: Buffer[], incrOnly = false): void {
  const o: ZaddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: incrOnly };
  let i = 2;
  if (!incrOnly) {
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (argIs(a, 'nx')) o.nx = true;
      else if (argIs(a, 'xx')) o.xx = true;
      else if (argIs(a, 'gt')) o.gt = true;
      else if (argIs(a, 'lt')) o.lt = true;
      else if (argIs(a, 'ch')) o.ch = true;
      else if (argIs(a, 'incr')) o.incr = true;
      else break;
    }
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 === 1) throw new CommandError(SYNTAX);
  if (o.nx && o.xx) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((o.gt && o.nx) || (o.lt && o.nx) || (o.gt && o.lt)) throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (o.incr && elements > 2) throw new CommandError('ERR INCR option supports a single increment-element pair');
  // Every score is checked before anything changes: the command adds all or nothing.
  const pairs: [number, string][] = [];
  for (let j = i; j < argv.length; j += 2) pairs.push([parseScore(argv[j]), str(argv[j + 1])]);
  zaddPairs(ctx, str(argv[1]), pairs, o);
}

/**
 * The work of ZADD once its arguments are checked: adds or updates the `[score, member]` pairs
 * (at least one) under `key`, raises the events, and replies. GEOADD calls it with the scores it
 * computed, as Redis's geoadd hands ZADD its argv.
 */
export function zaddPairs(ctx: CommandContext, key: string, pairs: readonly [number, string][], o: ZaddOptions): void {
  const { nx, xx, gt, lt, ch, incr } = o;
  let z = zForWrite(ctx.db, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  if (z === undefined && !xx) {
    // Redis picks the new key's encoding by its first member; later insertions convert it.
    z = newZSet(ctx, 1, pairs[0][1].length);
    ctx.db.set(key, 'zset', z);
  }
  if (z !== undefined) {
    for (const [s, m] of pairs) {
      const cur = z.score(m);
      if (cur === undefined) {
        if (xx) continue;
        z.set(m, s);
        added++;
        processed++;
        result = s;
        continue;
      }
      if (nx) continue;
      const next = incr ? cur + s : s;
      // Only INCR sums (and has a single pair), so nothing has changed yet when this throws.
      if (Number.isNaN(next)) throw new CommandError('ERR resulting score is not a number (NaN)');
      if ((lt && next >= cur) || (gt && next <= cur)) continue;
      processed++;
      result = next;
      if (next !== cur) {
        z.set(m, next);
        updated++;
      }
    }
    if (added + updated > 0) {
      ctx.db.modified(key);
      ctx.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key);
    }
    if (added > 0) ctx.db.signalReady(key);
  }
  if (incr) {
    if (processed > 0) ctx.reply.double(result);
    else ctx.reply.nil();
  } else {
    ctx.reply.integer(ch ? added + updated : added);
  }
}

function zincrby(ctx: CommandContext, argv: Buffer[]): void {
  zadd(ctx, [argv[0], argv[1], argv[2], argv[3]], true);
}

function zrem(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const z = zForWrite(ctx.db, key);
  if (!z) return ctx.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (z.delete(str(argv[i]))) n++;
  ctx.reply.integer(n);
  if (n > 0) zsetShrunk(ctx, key, z, 'zrem');
}

function zscore(ctx: CommandContext, argv: Buffer[]): void {
  const s = getZ(ctx.db, str(argv[1]))?.score(str(argv[2]));
  if (s === undefined) ctx.reply.nil();
  else ctx.reply.double(s);
}

function zmscore(ctx: CommandContext, argv: Buffer[]): void {
  const z = getZ(ctx.db, str(argv[1]));
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(str(argv[i]));
    if (s === undefined) ctx.reply.nil();
    else ctx.reply.double(s);
  }
}

function zcard(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getZ(ctx.db, str(argv[1]))?.size ?? 0);
}

function zcount(ctx: CommandContext, argv: Buffer[]): void {
  const r = scoreRange(argv[2], argv[3]);
  const z = getZ(ctx.db, str(argv[1]));
  ctx.reply.integer(z ? z.countInScoreRange(r) : 0);
}

function zrankGeneric(reverse: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const z = getZ(ctx.db, str(argv[1]));
    const r = z ? z.rank(str(argv[2]), reverse) : -1;
    if (r < 0) ctx.reply.nil();
    else ctx.reply.integer(r);
  };
}

function zlexcount(ctx: CommandContext, argv: Buffer[]): void {
  const r = lexRange(argv[2], argv[3]);
  const z = getZ(ctx.db, str(argv[1]));
  ctx.reply.integer(z ? lexCount(z, r) : 0);
}

function zremrange(kind: 'rank' | 'score' | 'lex') {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const key = str(argv[1]);
    let nodes: (z: RedisZSet) => ZNode[];
    if (kind === 'rank') {
      const start = argInt(argv[2]);
      const end = argInt(argv[3]);
      nodes = (z) => {
        const r = clampRange(start, end, z.size);
        return r ? z.rangeByRank(r[0], r[1]) : [];
      };
    } else if (kind === 'score') {
      const sr = scoreRange(argv[2], argv[3]);
      nodes = (z) => scoreNodes(z, sr, false, 0, -1);
    } else {
      const lr = lexRange(argv[2], argv[3]);
      nodes = (z) => lexNodes(z, lr, false, 0, -1);
    }
    const z = zForWrite(ctx.db, key);
    if (!z) return ctx.reply.integer(0);
    const doomed = nodes(z);
    for (const n of doomed) z.delete(n.member);
    ctx.reply.integer(doomed.length);
    if (doomed.length > 0) zsetShrunk(ctx, key, z, `zremrangeby${kind}`);
  };
}

/** A sorted set as ZSCAN pages through it: whole while a listpack, as Redis does, else by rank. */
function zscan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 2, false);
  const z = getZ(ctx.db, str(argv[1]));
  scanReply<ZNode>(ctx.reply, opts, z && {
    size: z.size,
    whole: z.listpack,
    width: 2,
    slice: (start, end) => z.rangeByRank(start, end - 1),
    name: (n) => n.member,
    write: (r, n) => {
      r.bulkKey(n.member);
      r.bulk(scanScore(z.listpack, n.score));
    },
  });
}

const R = CMD_READONLY;
const RF = CMD_READONLY | CMD_FAST;
const G = 'sorted-set';

/** The sorted-set commands. */
export const zsetCommands: CommandDef[] = [
  def('zadd', -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, G, (c, a) => zadd(c, a), 'Adds one or more members to a sorted set, or updates their scores.'),
  def('zincrby', 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, G, zincrby, 'Increments the score of a member in a sorted set.'),
  def('zrem', -3, CMD_WRITE | CMD_FAST, KEY1, G, zrem, 'Removes one or more members from a sorted set.'),
  def('zscore', 3, RF, KEY1, G, zscore, 'Returns the score of a member in a sorted set.'),
  def('zmscore', -3, RF, KEY1, G, zmscore, 'Returns the score of one or more members in a sorted set.'),
  def('zcard', 2, RF, KEY1, G, zcard, 'Returns the number of members in a sorted set.'),
  def('zcount', 4, RF, KEY1, G, zcount, 'Returns the count of members in a sorted set that have scores within a range.'),
  def('zlexcount', 4, RF, KEY1, G, zlexcount, 'Returns the number of members in a sorted set within a lexicographical range.'),
  def('zrank', 3, RF, KEY1, G, zrankGeneric(false), 'Returns the index of a member in a sorted set ordered by ascending scores.'),
  def('zrevrank', 3, RF, KEY1, G, zrankGeneric(true), 'Returns the index of a member in a sorted set ordered by descending scores.'),
  def('zremrangebyrank', 4, CMD_WRITE, KEY1, G, zremrange('rank'), 'Removes members in a sorted set within a range of indexes.'),
  def('zremrangebyscore', 4, CMD_WRITE, KEY1, G, zremrange('score'), 'Removes members in a sorted set within a range of scores.'),
  def('zremrangebylex', 4, CMD_WRITE, KEY1, G, zremrange('lex'), 'Removes members in a sorted set within a lexicographical range.'),
  def('zscan', -3, R, KEY1, G, zscan, 'Iterates over members and scores of a sorted set.'),
  ...zsetRangeCommands,
  ...zsetPopCommands,
  ...zsetSetopCommands,
];

/** Keyspace hooks for sorted-set values. */
/** A skip-list node's bytes: the member, score and links, and a pointer per level. */
const nodeBytes = (node: ZNode): number => node.member.length + 48 + node.next.length * 16;

export const zsetOps: TypeOps = {
  *rewrite(key, value) {
    const nodes = [...(value as RedisZSet)];
    for (let i = 0; i < nodes.length; i += 64) {
      const cmd: (Buffer | string)[] = ['ZADD', key];
      for (const n of nodes.slice(i, i + 64)) cmd.push(formatDouble(n.score), n.member);
      yield cmd;
    }
  },
  copy: (value) => (value as RedisZSet).clone(),
  encoding: (value) => ((value as RedisZSet).listpack ? 'listpack' : 'skiplist'),
  reload: (value, config) => (value as RedisZSet).reloaded(config),
  memory(value, samples) {
    const zset = value as RedisZSet;
    return 64 + sampledBytes(zset, zset.size, samples, nodeBytes);
  },
};

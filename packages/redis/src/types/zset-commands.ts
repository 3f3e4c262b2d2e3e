/**
 * Sorted-set commands over {@link RedisZSet} values.
 *
 * @packageDocumentation
 */
import { CMD_BLOCKING, CMD_DENYOOM, CMD_FAST, CMD_NOSCRIPT, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, NOT_FLOAT, NOT_POSITIVE, SYNTAX, argInt, argIs, formatDouble, parseRangeDouble } from '../command';
import { parseScan, parseStrictDouble, scanReply } from '../command';
import type { CommandContext, Db, Reply, TypeOps } from '../command';
import { afterRemove, clampRange, popOrBlock, str } from './common';
import { SortedSet, lexGteMin, lexLteMax, scoreGteMin, scoreLteMax, type LexRange, type ScoreRange, type ZNode } from './zset';

// Redis 7.0's compiled-in defaults (zset-max-listpack-entries/value).
const LISTPACK_ENTRIES = 128;
const LISTPACK_VALUE = 64;

/** A Redis sorted set, remembering which encoding Redis would be using for it. */
export class RedisZSet extends SortedSet {
  /** A listpack until it grows past the thresholds, then a skiplist for good. */
  listpack = true;

  /** Sets a score (see {@link SortedSet.set}) and tracks the encoding. */
  override set(member: string, score: number): boolean {
    const added = super.set(member, score);
    if (this.listpack && (this.size > LISTPACK_ENTRIES || member.length > LISTPACK_VALUE)) this.listpack = false;
    return added;
  }

  /** Picks the encoding Redis gives a freshly built set (ZRANGESTORE, ZADD on a new key). */
  static sized(count: number, maxMemberLength: number): RedisZSet {
    const z = new RedisZSet();
    z.listpack = count <= LISTPACK_ENTRIES && maxMemberLength <= LISTPACK_VALUE;
    return z;
  }
}

function getZ(db: Db, key: string): RedisZSet | undefined {
  return db.get<RedisZSet>(key, 'zset');
}

function zForWrite(db: Db, key: string): RedisZSet | undefined {
  return db.getForWrite<RedisZSet>(key, 'zset');
}


function score(arg: Buffer): number {
  const v = parseStrictDouble(str(arg));
  if (v === null) throw new CommandError(NOT_FLOAT);
  // Redis never reports a score of -0.
  return v === 0 ? 0 : v;
}

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

/** `(1.5`, `-inf`, `2` — a ScoreRange bound; returns null when invalid. */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const ex = s[0] === '(';
  const v = parseRangeDouble(ex ? s.slice(1) : s);
  return v === null ? null : { v, ex };
}

function scoreRange(minArg: Buffer, maxArg: Buffer): ScoreRange {
  const min = parseScoreBound(str(minArg));
  const max = parseScoreBound(str(maxArg));
  if (!min || !max) throw new CommandError('ERR min or max is not a float');
  return { min: min.v, max: max.v, minEx: min.ex, maxEx: max.ex };
}

function parseLexBound(s: string): { v: string; ex: boolean; inf: 0 | 1 | -1 } | null {
  if (s === '+') return { v: '', ex: false, inf: 1 };
  if (s === '-') return { v: '', ex: false, inf: -1 };
  if (s[0] === '(') return { v: s.slice(1), ex: true, inf: 0 };
  if (s[0] === '[') return { v: s.slice(1), ex: false, inf: 0 };
  return null;
}

function lexRange(minArg: Buffer, maxArg: Buffer): LexRange {
  const min = parseLexBound(str(minArg));
  const max = parseLexBound(str(maxArg));
  if (!min || !max) throw new CommandError('ERR min or max not valid string range item');
  // `+` as a minimum or `-` as a maximum make an empty range: model them as an impossible bound.
  const r: LexRange = { min: min.v, max: max.v, minEx: min.ex, maxEx: max.ex, minInf: min.inf === -1, maxInf: max.inf === 1 };
  if (min.inf === 1 || max.inf === -1) return { min: '\uffff', max: '', minEx: true, maxEx: true, minInf: false, maxInf: false };
  return r;
}

function replyScored(r: Reply, nodes: ZNode[], withScores: boolean): void {
  if (!withScores) {
    r.array(nodes.length);
    for (const n of nodes) r.bulkKey(n.member);
    return;
  }
  // RESP3 pairs each member with its score; RESP2 flattens them.
  r.array(r.proto === 3 ? nodes.length : nodes.length * 2);
  for (const n of nodes) {
    if (r.proto === 3) r.array(2);
    r.bulkKey(n.member);
    r.double(n.score);
  }
}

function zadd(ctx: CommandContext, argv: Buffer[], incrOnly = false): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrOnly;
  let i = 2;
  if (!incrOnly) {
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (argIs(a, 'nx')) nx = true;
      else if (argIs(a, 'xx')) xx = true;
      else if (argIs(a, 'gt')) gt = true;
      else if (argIs(a, 'lt')) lt = true;
      else if (argIs(a, 'ch')) ch = true;
      else if (argIs(a, 'incr')) incr = true;
      else break;
    }
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 === 1) throw new CommandError(SYNTAX);
  if (nx && xx) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && elements > 2) throw new CommandError('ERR INCR option supports a single increment-element pair');
  const pairs: [number, string][] = [];
  let maxLen = 0;
  for (let j = i; j < argv.length; j += 2) {
    const m = str(argv[j + 1]);
    pairs.push([score(argv[j]), m]);
    if (m.length > maxLen) maxLen = m.length;
  }
  const key = str(argv[1]);
  let z = zForWrite(ctx.db, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  if (z === undefined && !xx) {
    z = RedisZSet.sized(pairs.length, maxLen);
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
      if (Number.isNaN(next)) {
        if (added + updated > 0) ctx.db.modified(key);
        throw new CommandError('ERR resulting score is not a number (NaN)');
      }
      if ((lt && next >= cur) || (gt && next <= cur)) continue;
      processed++;
      result = next;
      if (next !== cur) {
        z.set(m, next);
        updated++;
      }
    }
    if (added + updated > 0) ctx.db.modified(key);
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
  if (n > 0) afterRemove(ctx.db, key, z.size);
  ctx.reply.integer(n);
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

function lexNodes(z: RedisZSet, r: LexRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const out: ZNode[] = [];
  let n = reverse ? z.list.lastInLexRange(r) : z.list.firstInLexRange(r);
  // Redis skips `offset` nodes first; a negative offset never stops skipping, so yields nothing.
  if (offset < 0) return out;
  for (; n && offset > 0; offset--) n = reverse ? n.backward : n.next[0];
  for (; n && limit !== 0; limit--) {
    if (reverse ? !lexGteMin(n.member, r) : !lexLteMax(n.member, r)) break;
    out.push(n);
    n = reverse ? n.backward : n.next[0];
  }
  return out;
}

function scoreNodes(z: RedisZSet, r: ScoreRange, reverse: boolean, offset: number, limit: number): ZNode[] {
  const out: ZNode[] = [];
  let n = reverse ? z.list.lastInScoreRange(r) : z.list.firstInScoreRange(r);
  if (offset < 0) return out;
  if (n && offset > 0) {
    // Jump by rank rather than walking `offset` nodes.
    const rank = z.list.rank(n.score, n.member) + (reverse ? -offset : offset);
    n = z.list.byRank(rank);
  }
  for (; n && limit !== 0; limit--) {
    if (reverse ? !scoreGteMin(n.score, r) : !scoreLteMax(n.score, r)) break;
    out.push(n);
    n = reverse ? n.backward : n.next[0];
  }
  return out;
}

type RangeType = 'auto' | 'rank' | 'score' | 'lex';

interface RangeQuery {
  type: RangeType;
  reverse: boolean;
  withScores: boolean;
  offset: number;
  limit: number;
  hasLimit: boolean;
  minArg: Buffer;
  maxArg: Buffer;
}

/**
 * Parses the ZRANGE family's arguments starting at `start` (the key's position). The fixed-form
 * commands (ZRANGEBYSCORE, ZREVRANGE, …) pass their range type and direction; ZRANGE and
 * ZRANGESTORE pass 'auto' and accept BYSCORE/BYLEX/REV.
 */
function parseRange(argv: Buffer[], start: number, type: RangeType, reverse: boolean | null, store: boolean): RangeQuery {
  const q: RangeQuery = { type, reverse: reverse ?? false, withScores: false, offset: 0, limit: -1, hasLimit: false, minArg: argv[start + 1], maxArg: argv[start + 2] };
  for (let j = start + 3; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (!store && argIs(a, 'withscores')) q.withScores = true;
    else if (argIs(a, 'limit') && left >= 2) {
      q.offset = argInt(argv[j + 1]);
      q.limit = argInt(argv[j + 2]);
      q.hasLimit = true;
      j += 2;
    } else if (reverse === null && !q.reverse && argIs(a, 'rev')) q.reverse = true;
    else if (type === 'auto' && q.type === 'auto' && argIs(a, 'byscore')) q.type = 'score';
    else if (type === 'auto' && q.type === 'auto' && argIs(a, 'bylex')) q.type = 'lex';
    else throw new CommandError(SYNTAX);
  }
  if (q.type === 'auto') q.type = 'rank';
  if (q.hasLimit && q.type === 'rank') throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (q.withScores && q.type === 'lex') throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  // Reversed score and lex ranges are written max first.
  if (q.reverse && q.type !== 'rank') [q.minArg, q.maxArg] = [q.maxArg, q.minArg];
  return q;
}

/** Runs a parsed range query; null means the key is missing. */
function runRange(db: Db, key: string, q: RangeQuery): ZNode[] | null {
  let rank: [number, number] = [0, 0];
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  if (q.type === 'rank') rank = [argInt(q.minArg), argInt(q.maxArg)];
  else if (q.type === 'score') sr = scoreRange(q.minArg, q.maxArg);
  else lr = lexRange(q.minArg, q.maxArg);
  const z = getZ(db, key);
  if (!z) return null;
  if (sr) return scoreNodes(z, sr, q.reverse, q.offset, q.limit);
  if (lr) return lexNodes(z, lr, q.reverse, q.offset, q.limit);
  const r = clampRange(rank[0], rank[1], z.size);
  return r ? z.rangeByRank(r[0], r[1], q.reverse) : [];
}

function zrangeGeneric(type: RangeType, reverse: boolean | null) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const q = parseRange(argv, 1, type, reverse, false);
    const nodes = runRange(ctx.db, str(argv[1]), q) ?? [];
    replyScored(ctx.reply, nodes, q.withScores);
  };
}

function zrangestore(ctx: CommandContext, argv: Buffer[]): void {
  const q = parseRange(argv, 2, 'auto', null, true);
  const dst = str(argv[1]);
  const nodes = runRange(ctx.db, str(argv[2]), q) ?? [];
  if (nodes.length === 0) {
    ctx.db.delete(dst);
    return ctx.reply.integer(0);
  }
  let maxLen = 0;
  for (const n of nodes) if (n.member.length > maxLen) maxLen = n.member.length;
  const z = RedisZSet.sized(nodes.length, maxLen);
  for (const n of nodes) z.set(n.member, n.score);
  ctx.db.set(dst, 'zset', z);
  ctx.db.signalReady(dst);
  ctx.reply.integer(nodes.length);
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
  ctx.reply.integer(z ? lexNodes(z, r, false, 0, -1).length : 0);
}

function popNodes(z: RedisZSet, max: boolean, count: number): ZNode[] {
  const out: ZNode[] = [];
  while (out.length < count && z.size > 0) {
    const n = (max ? z.list.last() : z.list.first()) as ZNode;
    z.delete(n.member);
    out.push(n);
  }
  return out;
}

function zpop(max: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    const hasCount = argv.length === 3;
    const count = hasCount ? argInt(argv[2], NOT_POSITIVE) : 1;
    if (count < 0) throw new CommandError(NOT_POSITIVE);
    const key = str(argv[1]);
    const z = zForWrite(ctx.db, key);
    if (!z || count === 0) return ctx.reply.array(0);
    const nodes = popNodes(z, max, count);
    afterRemove(ctx.db, key, z.size);
    const r = ctx.reply;
    // RESP3 pairs members with scores only when a count was given.
    if (r.proto === 3 && hasCount) return replyScored(r, nodes, true);
    r.array(nodes.length * 2);
    for (const n of nodes) {
      r.bulkKey(n.member);
      r.double(n.score);
    }
  };
}

function bzpop(max: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const serve = (c: CommandContext, key: string): boolean => {
      const z = zForWrite(c.db, key);
      if (!z || z.size === 0) return false;
      const [n] = popNodes(z, max, 1);
      afterRemove(c.db, key, z.size);
      c.reply.array(3);
      c.reply.bulkKey(key);
      c.reply.bulkKey(n.member);
      c.reply.double(n.score);
      c.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', key]);
      return true;
    };
    popOrBlock(ctx, argv, serve);
  };
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
    if (doomed.length > 0) afterRemove(ctx.db, key, z.size);
    ctx.reply.integer(doomed.length);
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
  def('zrange', -4, R, KEY1, G, zrangeGeneric('auto', null), 'Returns members in a sorted set within a range of indexes, scores or lexicographical values.'),
  def('zrangebyscore', -4, R, KEY1, G, zrangeGeneric('score', false), 'Returns members in a sorted set within a range of scores.'),
  def('zrevrangebyscore', -4, R, KEY1, G, zrangeGeneric('score', true), 'Returns members in a sorted set within a range of scores in reverse order.'),
  def('zrangebylex', -4, R, KEY1, G, zrangeGeneric('lex', false), 'Returns members in a sorted set within a lexicographical range.'),
  def('zrevrangebylex', -4, R, KEY1, G, zrangeGeneric('lex', true), 'Returns members in a sorted set within a lexicographical range in reverse order.'),
  def('zrevrange', -4, R, KEY1, G, zrangeGeneric('rank', true), 'Returns members in a sorted set within a range of indexes in reverse order.'),
  def('zrangestore', -5, CMD_WRITE | CMD_DENYOOM, [1, 2, 1], G, zrangestore, 'Stores a range of members from sorted set in a key.'),
  def('zrank', 3, RF, KEY1, G, zrankGeneric(false), 'Returns the index of a member in a sorted set ordered by ascending scores.'),
  def('zrevrank', 3, RF, KEY1, G, zrankGeneric(true), 'Returns the index of a member in a sorted set ordered by descending scores.'),
  def('zpopmin', -2, CMD_WRITE | CMD_FAST, KEY1, G, zpop(false), 'Returns the lowest-scoring members from a sorted set after removing them.'),
  def('zpopmax', -2, CMD_WRITE | CMD_FAST, KEY1, G, zpop(true), 'Returns the highest-scoring members from a sorted set after removing them.'),
  def('bzpopmin', -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, [1, -2, 1], G, bzpop(false), 'Removes and returns the member with the lowest score from one or more sorted sets, or blocks.'),
  def('bzpopmax', -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, [1, -2, 1], G, bzpop(true), 'Removes and returns the member with the highest score from one or more sorted sets, or blocks.'),
  def('zremrangebyrank', 4, CMD_WRITE, KEY1, G, zremrange('rank'), 'Removes members in a sorted set within a range of indexes.'),
  def('zremrangebyscore', 4, CMD_WRITE, KEY1, G, zremrange('score'), 'Removes members in a sorted set within a range of scores.'),
  def('zremrangebylex', 4, CMD_WRITE, KEY1, G, zremrange('lex'), 'Removes members in a sorted set within a lexicographical range.'),
  def('zscan', -3, R, KEY1, G, zscan, 'Iterates over members and scores of a sorted set.'),
];

/** Keyspace hooks for sorted-set values. */
export const zsetOps: TypeOps = {
  *rewrite(key, value) {
    const nodes = [...(value as RedisZSet)];
    for (let i = 0; i < nodes.length; i += 64) {
      const cmd: (Buffer | string)[] = ['ZADD', key];
      for (const n of nodes.slice(i, i + 64)) cmd.push(formatDouble(n.score), n.member);
      yield cmd;
    }
  },
  copy(value) {
    const src = value as RedisZSet;
    const out = new RedisZSet();
    for (const n of src) out.set(n.member, n.score);
    out.listpack = src.listpack;
    return out;
  },
  encoding: (value) => ((value as RedisZSet).listpack ? 'listpack' : 'skiplist'),
  memory(value) {
    let n = 64;
    for (const node of value as RedisZSet) n += node.member.length + 48 + node.next.length * 16;
    return n;
  },
};

/**
 * The sorted-set value as the keyspace holds it ({@link RedisZSet}: a {@link SortedSet} that knows
 * which encoding Redis would be using), and what every sorted-set command file shares: typed
 * lookups, score arguments and the scored reply.
 *
 * @packageDocumentation
 */
import { CommandError, NOT_FLOAT, NOTIFY_GENERIC, NOTIFY_ZSET, parseBigInt, parseStrictDouble } from '../command';
import type { CommandContext, Config, Db, Reply } from '../command';
import { str } from './common';
import { SortedSet, type ZNode } from './zset';

/** The encoding thresholds (`zset-max-listpack-entries`/`-value`; `zset-max-ziplist-*` are their aliases). */
export type ZSetLimits = Readonly<Pick<Config, 'zset-max-listpack-entries' | 'zset-max-listpack-value'>>;

/** Redis 7.0's compiled-in thresholds, for sets made outside a server (tests, tools). */
const DEFAULT_LIMITS: ZSetLimits = { 'zset-max-listpack-entries': 128, 'zset-max-listpack-value': 64 };

/**
 * A Redis sorted set, remembering which encoding Redis would be using for it: a listpack while it
 * has at most `zset-max-listpack-entries` members of at most `zset-max-listpack-value` bytes, a
 * skiplist once an insertion exceeds either (for good, as in Redis 7.0, which never converts back
 * except when it builds a set from scratch: see {@link RedisZSet.sized}).
 *
 * The thresholds are read when a member is inserted, as Redis reads them, so a CONFIG SET
 * applies to the next insertion and converts nothing by itself.
 */
export class RedisZSet extends SortedSet {
  /** True while Redis would keep this set as a listpack. */
  listpack = true;

  /** `limits`: usually the server's live config (`ctx.server.config`). */
  constructor(readonly limits: ZSetLimits = DEFAULT_LIMITS) {
    super();
  }

  /** Sets a score (see {@link SortedSet.set}); an insertion past the thresholds converts to a skiplist. */
  override set(member: string, score: number): boolean {
    const added = super.set(member, score);
    if (added && this.listpack && (this.size > this.limits['zset-max-listpack-entries'] || member.length > this.limits['zset-max-listpack-value'])) {
      this.listpack = false;
    }
    return added;
  }

  /**
   * An empty set in the encoding Redis gives a set it builds knowing its final size and longest
   * member: ZADD on a new key (its first member), ZRANGESTORE, ZUNIONSTORE & co. A listpack when
   * both fit the thresholds (pass the server's, `ctx.server.config`), else a skiplist.
   */
  static sized(count: number, maxMemberLength: number, limits: ZSetLimits): RedisZSet {
    const z = new RedisZSet(limits);
    z.listpack = count <= limits['zset-max-listpack-entries'] && maxMemberLength <= limits['zset-max-listpack-value'];
    return z;
  }

  /**
   * The set as loading a dump rebuilds it (DEBUG RELOAD), under `limits`: Redis saves a listpack as
   * a listpack and reloads it so unless it has more than `zset-max-listpack-entries` members; a
   * skiplist is reloaded as a listpack when both thresholds allow.
   */
  reloaded(limits: ZSetLimits): RedisZSet {
    const out = new RedisZSet(limits);
    let maxLen = 0;
    for (const n of this) {
      out.set(n.member, n.score);
      if (n.member.length > maxLen) maxLen = n.member.length;
    }
    const fits = this.size <= limits['zset-max-listpack-entries'];
    out.listpack = this.listpack ? fits : fits && maxLen <= limits['zset-max-listpack-value'];
    return out;
  }

  /** A copy with the same members, encoding and thresholds (COPY keeps the encoding, as Redis's zsetDup). */
  clone(): RedisZSet {
    const out = new RedisZSet(this.limits);
    for (const n of this) out.set(n.member, n.score);
    out.listpack = this.listpack;
    return out;
  }
}

/** The sorted set at `key` for reading; undefined when absent, WRONGTYPE for another type. */
export function getZ(db: Db, key: string): RedisZSet | undefined {
  return db.get<RedisZSet>(key, 'zset');
}

/** The sorted set at `key` for a command about to change it. */
export function zForWrite(db: Db, key: string): RedisZSet | undefined {
  return db.getForWrite<RedisZSet>(key, 'zset');
}

/** A new sorted set sized as {@link RedisZSet.sized}, under the server's current thresholds. */
export function newZSet(ctx: CommandContext, count: number, maxMemberLength: number): RedisZSet {
  return RedisZSet.sized(count, maxMemberLength, ctx.server.config);
}

/** A score argument (ZADD, ZINCRBY): Redis's strict double, `ERR value is not a valid float` otherwise. */
export function parseScore(arg: Buffer): number {
  const v = parseStrictDouble(str(arg));
  if (v === null) throw new CommandError(NOT_FLOAT);
  // Redis never reports a score of -0.
  return v === 0 ? 0 : v;
}

/**
 * A count argument of at least `min` (Redis's getRangeLongFromObjectOrReply with a message: `msg`
 * for a bad integer and for one below `min`). Counts beyond 2^53 mean "all of them" for any set,
 * so they are clamped there.
 */
export function countArg(arg: Buffer, min: bigint, msg: string): number {
  const v = parseBigInt(arg);
  if (v === undefined || v < min) throw new CommandError(msg);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/**
 * Members, with their scores when asked: RESP3 pairs each member with its score in an array of
 * two, RESP2 flattens them into one array.
 */
export function replyScored(r: Reply, nodes: readonly Pick<ZNode, 'member' | 'score'>[], withScores: boolean): void {
  if (!withScores) {
    r.array(nodes.length);
    for (const n of nodes) r.bulkKey(n.member);
    return;
  }
  r.array(r.proto === 3 ? nodes.length : nodes.length * 2);
  for (const n of nodes) {
    if (r.proto === 3) r.array(2);
    r.bulkKey(n.member);
    r.double(n.score);
  }
}


/**
 * After members left the sorted set under `key`: raises `event` (zrem, zpopmin, …), then deletes
 * the key with a `del` event when the set is empty (Redis keeps no empty set), or marks it modified.
 */
export function zsetShrunk(ctx: CommandContext, key: string, z: RedisZSet, event: string): void {
  ctx.notify(NOTIFY_ZSET, event, key);
  if (z.size === 0) {
    ctx.db.delete(key);
    ctx.notify(NOTIFY_GENERIC, 'del', key);
  } else {
    ctx.db.modified(key);
  }
}

/**
 * Writes a STORE form's result under `dst` and replies its size: an empty result deletes `dst`
 * instead (a `del` event when it existed), as Redis stores no empty set; otherwise the stored set
 * raises `event` (zunionstore, zrangestore, …) and wakes clients blocked on `dst`.
 */
export function storeZSet(ctx: CommandContext, dst: string, z: RedisZSet, event: string): void {
  if (z.size === 0) {
    if (ctx.db.delete(dst)) ctx.notify(NOTIFY_GENERIC, 'del', dst);
    return ctx.reply.integer(0);
  }
  ctx.db.set(dst, 'zset', z);
  ctx.db.signalReady(dst);
  ctx.reply.integer(z.size);
  ctx.notify(NOTIFY_ZSET, event, dst);
}

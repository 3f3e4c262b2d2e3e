/**
 * List commands over {@link Deque} values, including the blocking pops.
 *
 * @packageDocumentation
 */
import { CMD_BLOCKING, CMD_DENYOOM, CMD_FAST, CMD_NOSCRIPT, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, NOT_POSITIVE, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, WRONGTYPE, argInt, argIs } from '../command';
import type { CommandContext, Db, TypeOps } from '../command';
import { afterRemove, blockTimeout, clampRange, copy, popOrBlock, str } from './common';
import { Deque } from './deque';

/** A Redis list value. */
export type List = Deque<Buffer>;

type End = 'left' | 'right';

function getList(db: Db, key: string): List | undefined {
  return db.get<List>(key, 'list');
}

function getListForWrite(db: Db, key: string): List | undefined {
  return db.getForWrite<List>(key, 'list');
}


function pushTo(db: Db, key: string, list: List | undefined, values: Buffer[], end: End): number {
  if (list === undefined) {
    list = new Deque<Buffer>();
    for (const v of values) end === 'left' ? list.pushFront(v) : list.pushBack(v);
    db.set(key, 'list', list);
  } else {
    for (const v of values) end === 'left' ? list.pushFront(v) : list.pushBack(v);
    db.modified(key);
  }
  db.signalReady(key);
  return list.length;
}

function push(end: End, onlyExisting: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const key = str(argv[1]);
    const list = getListForWrite(ctx.db, key);
    if (list === undefined && onlyExisting) return ctx.reply.integer(0);
    const values: Buffer[] = [];
    for (let i = 2; i < argv.length; i++) values.push(copy(argv[i]));
    ctx.reply.integer(pushTo(ctx.db, key, list, values, end));
  };
}

function popOne(list: List, end: End): Buffer {
  return (end === 'left' ? list.popFront() : list.popBack()) as Buffer;
}

function pop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    if (argv.length > 3) throw new CommandError(`ERR wrong number of arguments for '${str(argv[0]).toLowerCase()}' command`);
    const hasCount = argv.length === 3;
    const count = hasCount ? argInt(argv[2], NOT_POSITIVE) : 1;
    if (count < 0) throw new CommandError(NOT_POSITIVE);
    const key = str(argv[1]);
    const list = getListForWrite(ctx.db, key);
    if (list === undefined) return hasCount ? ctx.reply.nullArray() : ctx.reply.nil();
    if (!hasCount) {
      ctx.reply.bulk(popOne(list, end));
      return afterRemove(ctx.db, key, list.length);
    }
    const n = Math.min(count, list.length);
    ctx.reply.array(n);
    if (n === 0) return;
    for (let i = 0; i < n; i++) ctx.reply.bulk(popOne(list, end));
    afterRemove(ctx.db, key, list.length);
  };
}

function llen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getList(ctx.db, str(argv[1]))?.length ?? 0);
}

function lrange(ctx: CommandContext, argv: Buffer[]): void {
  const start = argInt(argv[2]);
  const end = argInt(argv[3]);
  const list = getList(ctx.db, str(argv[1]));
  const r = list && clampRange(start, end, list.length);
  if (!list || !r) return ctx.reply.array(0);
  ctx.reply.array(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) ctx.reply.bulk(list.get(i) as Buffer);
}

function lindex(ctx: CommandContext, argv: Buffer[]): void {
  const list = getList(ctx.db, str(argv[1]));
  const index = argInt(argv[2]);
  if (!list) return ctx.reply.nil();
  const v = list.get(index < 0 ? index + list.length : index);
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(v);
}

function lset(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const index = argInt(argv[2]);
  const list = getListForWrite(ctx.db, key);
  if (!list) throw new CommandError(NO_SUCH_KEY);
  const i = index < 0 ? index + list.length : index;
  if (i < 0 || i >= list.length) throw new CommandError(OUT_OF_RANGE);
  list.set(i, copy(argv[3]));
  ctx.db.modified(key);
  ctx.reply.ok();
}

function lrem(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const count = argInt(argv[2]);
  const list = getListForWrite(ctx.db, key);
  if (!list) return ctx.reply.integer(0);
  const target = argv[3];
  const removed = list.removeWhere((v) => v.equals(target), Math.abs(count), count < 0);
  if (removed > 0) afterRemove(ctx.db, key, list.length);
  ctx.reply.integer(removed);
}

function ltrim(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const start = argInt(argv[2]);
  const end = argInt(argv[3]);
  const list = getListForWrite(ctx.db, key);
  if (!list) return ctx.reply.ok();
  const r = clampRange(start, end, list.length);
  if (r === null) list.trim(1, 0);
  else list.trim(r[0], r[1]);
  afterRemove(ctx.db, key, list.length);
  ctx.reply.ok();
}

function linsert(ctx: CommandContext, argv: Buffer[]): void {
  let after: boolean;
  if (argIs(argv[2], 'after')) after = true;
  else if (argIs(argv[2], 'before')) after = false;
  else throw new CommandError(SYNTAX);
  const key = str(argv[1]);
  const list = getListForWrite(ctx.db, key);
  if (!list) return ctx.reply.integer(0);
  const pivot = argv[3];
  let at = -1;
  for (let i = 0; i < list.length; i++) {
    if ((list.get(i) as Buffer).equals(pivot)) {
      at = i;
      break;
    }
  }
  if (at < 0) return ctx.reply.integer(-1);
  list.insert(after ? at + 1 : at, copy(argv[4]));
  ctx.db.modified(key);
  ctx.reply.integer(list.length);
}

function lpos(ctx: CommandContext, argv: Buffer[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const last = i + 1 >= argv.length;
    if (argIs(argv[i], 'rank') && !last) {
      rank = argInt(argv[++i]);
      if (rank === 0) {
        throw new CommandError(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (argIs(argv[i], 'count') && !last) {
      count = argInt(argv[++i]);
      if (count < 0) throw new CommandError("ERR COUNT can't be negative");
    } else if (argIs(argv[i], 'maxlen') && !last) {
      maxlen = argInt(argv[++i]);
      if (maxlen < 0) throw new CommandError("ERR MAXLEN can't be negative");
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const list = getList(ctx.db, str(argv[1]));
  if (!list) return count >= 0 ? ctx.reply.array(0) : ctx.reply.nil();
  const want = count === 0 ? Infinity : count < 0 ? 1 : count;
  const found: number[] = [];
  const element = argv[2];
  const len = list.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let skip = Math.abs(rank) - 1;
  for (let step = 0; step < limit && found.length < want; step++) {
    const i = rank > 0 ? step : len - 1 - step;
    if (!(list.get(i) as Buffer).equals(element)) continue;
    if (skip > 0) skip--;
    else found.push(i);
  }
  if (count < 0) return found.length ? ctx.reply.integer(found[0]) : ctx.reply.nil();
  ctx.reply.array(found.length);
  for (const i of found) ctx.reply.integer(i);
}

function parseEnd(arg: Buffer): End {
  if (argIs(arg, 'left')) return 'left';
  if (argIs(arg, 'right')) return 'right';
  throw new CommandError(SYNTAX);
}

/**
 * Pops from `src` and pushes onto `dst`; the source must be a non-empty list. Throws WRONGTYPE,
 * before touching anything, when the destination holds another type.
 */
function move(db: Db, srcKey: string, src: List, dstKey: string, from: End, to: End): Buffer {
  const dst = getListForWrite(db, dstKey);
  const value = popOne(src, from);
  afterRemove(db, srcKey, src.length);
  // With src === dst and a single element, the pop deleted the key: push into a fresh list.
  pushTo(db, dstKey, dst !== undefined && dst.length > 0 ? dst : undefined, [value], to);
  return value;
}

function checkDestination(db: Db, dstKey: string): void {
  getListForWrite(db, dstKey);
}

function lmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: End, to: End): void {
  const src = getListForWrite(ctx.db, srcKey);
  if (!src) return ctx.reply.nil();
  checkDestination(ctx.db, dstKey);
  ctx.reply.bulk(move(ctx.db, srcKey, src, dstKey, from, to));
}

function lmove(ctx: CommandContext, argv: Buffer[]): void {
  const from = parseEnd(argv[3]);
  const to = parseEnd(argv[4]);
  lmoveGeneric(ctx, str(argv[1]), str(argv[2]), from, to);
}

function rpoplpush(ctx: CommandContext, argv: Buffer[]): void {
  lmoveGeneric(ctx, str(argv[1]), str(argv[2]), 'right', 'left');
}

const endWord = (e: End): string => (e === 'left' ? 'LEFT' : 'RIGHT');

/** BLPOP/BRPOP: the first non-empty list among the keys, or block on all of them. */
function bpop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const popName = end === 'left' ? 'LPOP' : 'RPOP';
    const serve = (c: CommandContext, key: string): boolean => {
      const list = getListForWrite(c.db, key);
      if (!list || list.length === 0) return false;
      c.reply.array(2);
      c.reply.bulkKey(key);
      c.reply.bulk(popOne(list, end));
      afterRemove(c.db, key, list.length);
      c.propagate([popName, key]);
      return true;
    };
    popOrBlock(ctx, argv, serve);
  };
}

/** BLMOVE/BRPOPLPUSH. */
function blmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: End, to: End, timeoutArg: Buffer): void {
  const timeoutMs = blockTimeout(timeoutArg, ctx.server.now());
  const src = getListForWrite(ctx.db, srcKey);
  if (src) {
    checkDestination(ctx.db, dstKey);
    ctx.reply.bulk(move(ctx.db, srcKey, src, dstKey, from, to));
    ctx.propagate(['LMOVE', srcKey, dstKey, endWord(from), endWord(to)]);
    return;
  }
  if (!ctx.client.canBlock) return ctx.reply.nullArray();
  ctx.client.block({
    keys: [srcKey],
    timeoutMs,
    serve: (c, key) => {
      let list: List | undefined;
      try {
        list = getListForWrite(c.db, key);
      } catch {
        return false;
      }
      if (!list || list.length === 0) return false;
      // A destination of the wrong type ends the wait with WRONGTYPE and leaves the source alone.
      try {
        checkDestination(c.db, dstKey);
      } catch {
        c.reply.error(WRONGTYPE);
        return true;
      }
      c.reply.bulk(move(c.db, key, list, dstKey, from, to));
      c.propagate(['LMOVE', key, dstKey, endWord(from), endWord(to)]);
      return true;
    },
  });
}

function blmove(ctx: CommandContext, argv: Buffer[]): void {
  const from = parseEnd(argv[3]);
  const to = parseEnd(argv[4]);
  blmoveGeneric(ctx, str(argv[1]), str(argv[2]), from, to, argv[5]);
}

function brpoplpush(ctx: CommandContext, argv: Buffer[]): void {
  blmoveGeneric(ctx, str(argv[1]), str(argv[2]), 'right', 'left', argv[3]);
}

const W = CMD_WRITE | CMD_DENYOOM;

/** The list commands. */
export const listCommands: CommandDef[] = [
  def('lpush', -3, W | CMD_FAST, KEY1, 'list', push('left', false), 'Prepends one or more elements to a list.'),
  def('rpush', -3, W | CMD_FAST, KEY1, 'list', push('right', false), 'Appends one or more elements to a list.'),
  def('lpushx', -3, W | CMD_FAST, KEY1, 'list', push('left', true), 'Prepends elements to a list only when it exists.'),
  def('rpushx', -3, W | CMD_FAST, KEY1, 'list', push('right', true), 'Appends elements to a list only when it exists.'),
  def('lpop', -2, CMD_WRITE | CMD_FAST, KEY1, 'list', pop('left'), 'Removes and returns the first elements of a list.'),
  def('rpop', -2, CMD_WRITE | CMD_FAST, KEY1, 'list', pop('right'), 'Removes and returns the last elements of a list.'),
  def('llen', 2, CMD_READONLY | CMD_FAST, KEY1, 'list', llen, 'Returns the length of a list.'),
  def('lrange', 4, CMD_READONLY, KEY1, 'list', lrange, 'Returns a range of elements from a list.'),
  def('lindex', 3, CMD_READONLY, KEY1, 'list', lindex, 'Returns an element from a list by its index.'),
  def('lset', 4, W, KEY1, 'list', lset, 'Sets the value of an element in a list by its index.'),
  def('lrem', 4, CMD_WRITE, KEY1, 'list', lrem, 'Removes elements from a list.'),
  def('ltrim', 4, CMD_WRITE, KEY1, 'list', ltrim, 'Removes elements from both ends a list.'),
  def('linsert', 5, W, KEY1, 'list', linsert, 'Inserts an element before or after another element in a list.'),
  def('lpos', -3, CMD_READONLY, KEY1, 'list', lpos, 'Returns the index of matching elements in a list.'),
  def('lmove', 5, W, [1, 2, 1], 'list', lmove, 'Pops an element from a list, pushes it to another list and returns it.'),
  def('rpoplpush', 3, W, [1, 2, 1], 'list', rpoplpush, 'Returns the last element of a list after removing and pushing it to another list.'),
  def('blpop', -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, [1, -2, 1], 'list', bpop('left'), 'Removes and returns the first element in a list, or blocks until one is available.'),
  def('brpop', -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, [1, -2, 1], 'list', bpop('right'), 'Removes and returns the last element in a list, or blocks until one is available.'),
  def('blmove', 6, W | CMD_NOSCRIPT | CMD_BLOCKING, [1, 2, 1], 'list', blmove, 'Pops an element from a list, pushes it to another list and returns it; blocks until one is available.'),
  def('brpoplpush', 4, W | CMD_NOSCRIPT | CMD_BLOCKING, [1, 2, 1], 'list', brpoplpush, 'Pops an element from a list, pushes it to another list and returns it; blocks until one is available.'),
];

/** Keyspace hooks for list values. */
export const listOps: TypeOps = {
  *rewrite(key, value) {
    const items = [...(value as List)];
    for (let i = 0; i < items.length; i += 64) yield ['RPUSH', key, ...items.slice(i, i + 64)];
  },
  copy(value) {
    const out = new Deque<Buffer>();
    for (const v of value as List) out.pushBack(Buffer.from(v));
    return out;
  },
  // Redis 7.0 always stores lists as quicklists (7.2 added listpack for small ones).
  encoding: () => 'quicklist',
  memory(value) {
    let n = 64;
    for (const v of value as List) n += v.length + 16;
    return n;
  },
};

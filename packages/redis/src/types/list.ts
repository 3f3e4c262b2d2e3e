/**
 * List commands over {@link Deque} values, except the pops and moves (`list-pop.ts`), and the
 * helpers both share.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, NOTIFY_GENERIC, NOTIFY_LIST, def, type CommandDef } from '../command';
import { CommandError, INT64_MIN, NO_SUCH_KEY, OUT_OF_RANGE, SYNTAX, argInt, argIs, int64Arg } from '../command';
import type { CommandContext, Db, TypeOps } from '../command';
import { REPLY_PIECE, clampRange, copy, replyElements, str } from './common';
import { Deque } from './deque';
import { sampledBytes } from '../memory-sample';

/** A Redis list value. */
export type List = Deque<Buffer>;

/** The head (`left`) or the tail (`right`) of a list. */
export type End = 'left' | 'right';

function getList(db: Db, key: string): List | undefined {
  return db.get<List>(key, 'list');
}

/** The list under `key` for a command that changes it; WRONGTYPE for another type. */
export function getListForWrite(db: Db, key: string): List | undefined {
  return db.getForWrite<List>(key, 'list');
}

/**
 * Pushes `values` one by one at `end` of `list` (created under `key` when undefined) and
 * signals the key ready for blocked clients. Returns the new length.
 */
export function pushTo(db: Db, key: string, list: List | undefined, values: Buffer[], end: End): number {
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

/** The keyspace event of a push at `end`. */
export const pushEvent = (end: End): string => (end === 'left' ? 'lpush' : 'rpush');

/**
 * After elements left the list under `key` (Redis's listElementsRemoved): raises `event`, then
 * deletes the key with a `del` event when the list is empty (Redis keeps no empty list), or
 * marks it modified.
 */
export function listShrunk(ctx: CommandContext, key: string, list: List, event: string): void {
  ctx.notify(NOTIFY_LIST, event, key);
  if (list.length === 0) {
    ctx.db.delete(key);
    ctx.notify(NOTIFY_GENERIC, 'del', key);
  } else {
    ctx.db.modified(key);
  }
}

function push(end: End, onlyExisting: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const key = str(argv[1]);
    const list = getListForWrite(ctx.db, key);
    if (list === undefined && onlyExisting) return ctx.reply.integer(0);
    const values: Buffer[] = [];
    for (let i = 2; i < argv.length; i++) values.push(copy(argv[i]));
    ctx.reply.integer(pushTo(ctx.db, key, list, values, end));
    ctx.notify(NOTIFY_LIST, pushEvent(end), key);
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
  const n = r[1] - r[0] + 1;
  ctx.reply.array(n);
  if (n <= REPLY_PIECE) {
    for (let i = r[0]; i <= r[1]; i++) ctx.reply.bulk(list.get(i) as Buffer);
    return;
  }
  // A long range is streamed from a snapshot of the element references (8 bytes each, the
  // Buffers themselves are never changed in place), so the list may change meanwhile and the
  // encoded reply is never built whole.
  const items = list.slice(r[0], r[1]);
  let next = 0;
  replyElements(ctx, BigInt(n), (reply) => reply.bulk(items[next++]));
}

function lindex(ctx: CommandContext, argv: Buffer[]): void {
  // Redis looks the key up before it parses the index: LINDEX nokey x is a nil.
  const list = getList(ctx.db, str(argv[1]));
  if (!list) return ctx.reply.nil();
  const index = argInt(argv[2]);
  const v = list.get(index < 0 ? index + list.length : index);
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(v);
}

function lset(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  // As in Redis, the key (no such key, WRONGTYPE) before the index.
  const list = getListForWrite(ctx.db, key);
  if (!list) throw new CommandError(NO_SUCH_KEY);
  const index = argInt(argv[2]);
  const i = index < 0 ? index + list.length : index;
  if (i < 0 || i >= list.length) throw new CommandError(OUT_OF_RANGE);
  list.set(i, copy(argv[3]));
  ctx.db.modified(key);
  ctx.notify(NOTIFY_LIST, 'lset', key);
  ctx.reply.ok();
}

function lrem(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const count = argInt(argv[2]);
  const list = getListForWrite(ctx.db, key);
  if (!list) return ctx.reply.integer(0);
  const target = argv[3];
  const removed = list.removeWhere((v) => v.equals(target), Math.abs(count), count < 0);
  if (removed > 0) listShrunk(ctx, key, list, 'lrem');
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
  listShrunk(ctx, key, list, 'ltrim');
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
  ctx.notify(NOTIFY_LIST, 'linsert', key);
  ctx.reply.integer(list.length);
}

function lpos(ctx: CommandContext, argv: Buffer[]): void {
  let rank = 1;
  let wrapped = false;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const last = i + 1 >= argv.length;
    if (argIs(argv[i], 'rank') && !last) {
      // Exact: -9223372036854775807 and -9223372036854775808 are one double, not one rank.
      const exact = int64Arg(argv[++i]);
      wrapped = exact === INT64_MIN;
      rank = Number(exact);
      if (rank === 0) {
        throw new CommandError(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
    } else if (argIs(argv[i], 'count') && !last) {
      // Redis's getPositiveLongFromObjectOrReply: one message for non-integers and negatives.
      count = argInt(argv[++i], "ERR COUNT can't be negative");
      if (count < 0) throw new CommandError("ERR COUNT can't be negative");
    } else if (argIs(argv[i], 'maxlen') && !last) {
      maxlen = argInt(argv[++i], "ERR MAXLEN can't be negative");
      if (maxlen < 0) throw new CommandError("ERR MAXLEN can't be negative");
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const list = getList(ctx.db, str(argv[1]));
  if (!list) return count >= 0 ? ctx.reply.array(0) : ctx.reply.nil();
  // RANK -9223372036854775808: Redis negates it into itself (int64 wrap-around), so every match
  // from the tail qualifies and its COUNT test (matches - rank + 1 >= count) never passes: the
  // first match, or with COUNT every match within MAXLEN.
  const want = count === 0 || (wrapped && count > 0) ? Infinity : count < 0 ? 1 : count;
  const found: number[] = [];
  const element = argv[2];
  const len = list.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let skip = wrapped ? 0 : Math.abs(rank) - 1;
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

const W = CMD_WRITE | CMD_DENYOOM;

/** The list commands. */
export const listCommands: CommandDef[] = [
  def('lpush', -3, W | CMD_FAST, KEY1, 'list', push('left', false), 'Prepends one or more elements to a list.'),
  def('rpush', -3, W | CMD_FAST, KEY1, 'list', push('right', false), 'Appends one or more elements to a list.'),
  def('lpushx', -3, W | CMD_FAST, KEY1, 'list', push('left', true), 'Prepends elements to a list only when it exists.'),
  def('rpushx', -3, W | CMD_FAST, KEY1, 'list', push('right', true), 'Appends elements to a list only when it exists.'),
  def('llen', 2, CMD_READONLY | CMD_FAST, KEY1, 'list', llen, 'Returns the length of a list.'),
  def('lrange', 4, CMD_READONLY, KEY1, 'list', lrange, 'Returns a range of elements from a list.'),
  def('lindex', 3, CMD_READONLY, KEY1, 'list', lindex, 'Returns an element from a list by its index.'),
  def('lset', 4, W, KEY1, 'list', lset, 'Sets the value of an element in a list by its index.'),
  def('lrem', 4, CMD_WRITE, KEY1, 'list', lrem, 'Removes elements from a list.'),
  def('ltrim', 4, CMD_WRITE, KEY1, 'list', ltrim, 'Removes elements from both ends a list.'),
  def('linsert', 5, W, KEY1, 'list', linsert, 'Inserts an element before or after another element in a list.'),
  def('lpos', -3, CMD_READONLY, KEY1, 'list', lpos, 'Returns the index of matching elements in a list.'),
];

/** Keyspace hooks for list values. */
/** An element's bytes: the Buffer and its slot in the deque. */
const elementBytes = (v: Buffer): number => v.length + 16;

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
  memory(value, samples) {
    const list = value as List;
    return 64 + sampledBytes(list, list.length, samples, elementBytes);
  },
};

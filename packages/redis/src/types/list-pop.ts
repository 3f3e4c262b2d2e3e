/**
 * The list pops and moves: LPOP/RPOP, LMPOP, LMOVE/RPOPLPUSH and their blocking forms BLPOP,
 * BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH (Redis's t_list.c rules: argument errors first, in
 * argument order, then the timeout, then WRONGTYPE on the first key that holds another type).
 *
 * @packageDocumentation
 */
import { CMD_BLOCKING, CMD_FAST, CMD_MOVABLE_KEYS, CMD_NOSCRIPT, CMD_WRITE, CMD_DENYOOM, KEY1, NOKEYS, NOTIFY_LIST, def, type CommandDef } from '../command';
import { CommandError, NOT_POSITIVE, SYNTAX, WRONGTYPE, argInt, argIs, numkeysPositions } from '../command';
import type { CommandContext, Reply } from '../command';
import { blockTimeout, popOrBlock, popOrBlockOn, str } from './common';
import { getListForWrite, listShrunk, pushEvent, pushTo, type End, type List } from './list';

function popOne(list: List, end: End): Buffer {
  return (end === 'left' ? list.popFront() : list.popBack()) as Buffer;
}

/** Pops `n` (≤ length) elements from `end`, in the order they leave the list. */
function popMany(list: List, end: End, n: number): Buffer[] {
  const out = new Array<Buffer>(n);
  for (let i = 0; i < n; i++) out[i] = popOne(list, end);
  return out;
}

function writeBulks(r: Reply, items: readonly Buffer[]): void {
  r.array(items.length);
  for (const v of items) r.bulk(v);
}

/** The LPOP/RPOP that a pop from `end` propagates as. */
const popName = (end: End): string => (end === 'left' ? 'LPOP' : 'RPOP');

/** The keyspace event of a pop from `end`. */
const popEvent = (end: End): string => (end === 'left' ? 'lpop' : 'rpop');

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
      return listShrunk(ctx, key, list, popEvent(end));
    }
    if (count === 0) return ctx.reply.array(0);
    writeBulks(ctx.reply, popMany(list, end, Math.min(count, list.length)));
    listShrunk(ctx, key, list, popEvent(end));
  };
}

function parseEnd(arg: Buffer): End {
  if (argIs(arg, 'left')) return 'left';
  if (argIs(arg, 'right')) return 'right';
  throw new CommandError(SYNTAX);
}

/** LMPOP/BLMPOP's arguments after the command name (and BLMPOP's timeout). */
interface MpopArgs {
  readonly keys: string[];
  readonly end: End;
  readonly count: number;
}

/** `numkeys key... LEFT|RIGHT [COUNT count]` from argv[at] on, with Redis's error texts. */
function parseMpop(argv: Buffer[], at: number): MpopArgs {
  const numkeys = argInt(argv[at], 'ERR numkeys should be greater than 0');
  if (numkeys < 1) throw new CommandError('ERR numkeys should be greater than 0');
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const end = parseEnd(argv[whereAt]);
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && argIs(argv[i], 'count') && i + 1 < argv.length) {
      count = argInt(argv[++i], 'ERR count should be greater than 0');
      if (count < 1) throw new CommandError('ERR count should be greater than 0');
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const keys: string[] = [];
  for (let i = at + 1; i < whereAt; i++) keys.push(str(argv[i]));
  return { keys, end, count: count === -1 ? 1 : count };
}

/**
 * Serves an LMPOP from `key` when it holds a non-empty list: replies `[key, [elements]]` and
 * propagates `LPOP|RPOP key n`. WRONGTYPE for another type.
 */
function mpopFrom(ctx: CommandContext, key: string, end: End, count: number): boolean {
  const list = getListForWrite(ctx.db, key);
  if (list === undefined || list.length === 0) return false;
  const items = popMany(list, end, Math.min(count, list.length));
  ctx.reply.array(2);
  ctx.reply.bulkKey(key);
  writeBulks(ctx.reply, items);
  listShrunk(ctx, key, list, popEvent(end));
  ctx.propagate([popName(end), key, String(items.length)]);
  return true;
}

function lmpop(ctx: CommandContext, argv: Buffer[]): void {
  const { keys, end, count } = parseMpop(argv, 1);
  for (const key of keys) if (mpopFrom(ctx, key, end, count)) return;
  ctx.reply.nullArray();
}

function blmpop(ctx: CommandContext, argv: Buffer[]): void {
  const { keys, end, count } = parseMpop(argv, 2);
  const timeoutMs = blockTimeout(argv[1], ctx.server.now());
  popOrBlockOn(ctx, keys, timeoutMs, (c, key) => mpopFrom(c, key, end, count));
}

/** BLPOP/BRPOP: the first non-empty list among the keys, or block on all of them. */
function bpop(end: End) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    popOrBlock(ctx, argv, (c, key) => {
      const list = getListForWrite(c.db, key);
      if (!list || list.length === 0) return false;
      c.reply.array(2);
      c.reply.bulkKey(key);
      c.reply.bulk(popOne(list, end));
      listShrunk(c, key, list, popEvent(end));
      c.propagate([popName(end), key]);
      return true;
    });
  };
}

/**
 * Pops from `src` and pushes onto `dst` (Redis's order: the push and its event, then the pop's
 * event and the source's deletion, so that a one-element list moved onto itself survives); the
 * source must be a non-empty list. Throws WRONGTYPE, before touching anything, when the
 * destination holds another type.
 */
function move(ctx: CommandContext, srcKey: string, src: List, dstKey: string, from: End, to: End): Buffer {
  const dst = getListForWrite(ctx.db, dstKey);
  const value = popOne(src, from);
  pushTo(ctx.db, dstKey, dst, [value], to);
  ctx.notify(NOTIFY_LIST, pushEvent(to), dstKey);
  listShrunk(ctx, srcKey, src, popEvent(from));
  return value;
}

function lmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: End, to: End): void {
  const src = getListForWrite(ctx.db, srcKey);
  if (!src) return ctx.reply.nil();
  ctx.reply.bulk(move(ctx, srcKey, src, dstKey, from, to));
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

/**
 * BLMOVE/BRPOPLPUSH: the timeout is parsed before the source is looked at, as in Redis. The move
 * is propagated as its non-blocking form: BRPOPLPUSH as RPOPLPUSH, BLMOVE as LMOVE (a replica's
 * INFO commandstats shows the one Redis's would).
 */
function blmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: End, to: End, timeoutArg: Buffer, legacy: boolean): void {
  const timeoutMs = blockTimeout(timeoutArg, ctx.server.now());
  const propagated = (key: string): string[] => (legacy ? ['RPOPLPUSH', key, dstKey] : ['LMOVE', key, dstKey, endWord(from), endWord(to)]);
  const src = getListForWrite(ctx.db, srcKey);
  if (src) {
    ctx.reply.bulk(move(ctx, srcKey, src, dstKey, from, to));
    ctx.propagate(propagated(srcKey));
    return;
  }
  // Outside a blocking context an empty source answers at once: a null bulk, as LMOVE would.
  if (!ctx.client.canBlock) return ctx.reply.nil();
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
        getListForWrite(c.db, dstKey);
      } catch {
        c.reply.error(WRONGTYPE);
        return true;
      }
      c.reply.bulk(move(c, key, list, dstKey, from, to));
      c.propagate(propagated(key));
      return true;
    },
  });
}

function blmove(ctx: CommandContext, argv: Buffer[]): void {
  const from = parseEnd(argv[3]);
  const to = parseEnd(argv[4]);
  blmoveGeneric(ctx, str(argv[1]), str(argv[2]), from, to, argv[5], false);
}

function brpoplpush(ctx: CommandContext, argv: Buffer[]): void {
  blmoveGeneric(ctx, str(argv[1]), str(argv[2]), 'right', 'left', argv[3], true);
}

const W = CMD_WRITE | CMD_DENYOOM;
const BLOCKING = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING;

/** The list pop and move commands. */
export const listPopCommands: CommandDef[] = [
  def('lpop', -2, CMD_WRITE | CMD_FAST, KEY1, 'list', pop('left'), 'Removes and returns the first elements of a list.'),
  def('rpop', -2, CMD_WRITE | CMD_FAST, KEY1, 'list', pop('right'), 'Removes and returns the last elements of a list.'),
  {
    ...def('lmpop', -4, CMD_WRITE | CMD_MOVABLE_KEYS, NOKEYS, 'list', lmpop, 'Returns multiple elements from a list after removing them.'),
    getKeys: (argv) => numkeysPositions(argv, 1),
  },
  def('lmove', 5, W, [1, 2, 1], 'list', lmove, 'Pops an element from a list, pushes it to another list and returns it.'),
  def('rpoplpush', 3, W, [1, 2, 1], 'list', rpoplpush, 'Returns the last element of a list after removing and pushing it to another list.'),
  def('blpop', -3, BLOCKING, [1, -2, 1], 'list', bpop('left'), 'Removes and returns the first element in a list, or blocks until one is available.'),
  def('brpop', -3, BLOCKING, [1, -2, 1], 'list', bpop('right'), 'Removes and returns the last element in a list, or blocks until one is available.'),
  {
    ...def('blmpop', -5, CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, NOKEYS, 'list', blmpop, 'Pops the first element from one of multiple lists, or blocks until one is available.'),
    getKeys: (argv) => numkeysPositions(argv, 2),
  },
  def('blmove', 6, W | CMD_NOSCRIPT | CMD_BLOCKING, [1, 2, 1], 'list', blmove, 'Pops an element from a list, pushes it to another list and returns it; blocks until one is available.'),
  def('brpoplpush', 4, W | CMD_NOSCRIPT | CMD_BLOCKING, [1, 2, 1], 'list', brpoplpush, 'Pops an element from a list, pushes it to another list and returns it; blocks until one is available.'),
];

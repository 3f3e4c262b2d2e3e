/**
 * Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
 * XACK, XPENDING, XCLAIM and XAUTOCLAIM, with Redis 7.0's arguments, replies and errors. XCLAIM
 * and XAUTOCLAIM log each claim as the idempotent XCLAIM Redis propagates.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, NOTIFY_STREAM, def, type CommandDef } from '../command';
import { CommandError, SYNTAX, argIs, int64Arg, unknownSubcommand } from '../command';
import type { CommandContext } from '../command';
import { helpReply } from '../commands/sub';
import { str } from './common';
import { findGroup, noGroup, readStream, replyEntry, replyId, writeStream } from './stream-access';
import { MAX_ID, ZERO_ID, parseId, parseRangeBound, parseStrictId, type StreamId } from './stream-id';
import { ConsumerGroup, INVALID_ENTRIES_READ, Nack, type Consumer } from './stream-groups';
import { propagateClaim, propagateGroupId } from './stream-read';
import { Stream } from './stream-store';

/** `ERR unknown subcommand or wrong number of arguments for 'x'. Try XGROUP HELP.` */
function subcommandSyntax(sub: Buffer, container: string): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${sub.latin1Slice(0, Math.min(128, sub.length))}'. Try ${container} HELP.`);
}

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

/** Subcommand arities (Redis 7's table: `xgroup|create` is -5, …). */
const XGROUP_ARITY: Record<string, number> = { create: -5, setid: -5, destroy: 4, createconsumer: 5, delconsumer: 5, help: 2 };

function xgroup(ctx: CommandContext, argv: Buffer[]): void {
  const sub = str(argv[1]).toLowerCase();
  const arity = Object.prototype.hasOwnProperty.call(XGROUP_ARITY, sub) ? XGROUP_ARITY[sub] : undefined;
  if (arity === undefined) throw new CommandError(unknownSubcommand(argv[1], 'XGROUP'));
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) throw new CommandError(`ERR wrong number of arguments for 'xgroup|${sub}' command`);
  if (sub === 'help') return helpReply(ctx, XGROUP_HELP);
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (sub === 'create' && argIs(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((sub === 'create' || sub === 'setid') && argIs(argv[i], 'entriesread') && i + 1 < argv.length) {
      entriesRead = int64Arg(argv[i + 1]);
      if (entriesRead < 0n && entriesRead !== INVALID_ENTRIES_READ) throw new CommandError('ERR value for ENTRIESREAD must be positive or -1');
      i += 2;
    } else throw subcommandSyntax(argv[1], 'XGROUP');
  }
  const key = str(argv[2]);
  const groupName = str(argv[3]);
  const db = ctx.db;
  let s = writeStream(db, key);
  let g: ConsumerGroup | null = null;
  if (!mkstream) {
    if (s === undefined) {
      throw new CommandError(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
      );
    }
    g = findGroup(s, groupName);
    if (g === null && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
      throw new CommandError(`NOGROUP No such consumer group '${groupName}' for key name '${key}'`);
    }
  }
  const r = ctx.reply;
  switch (sub) {
    case 'create': {
      if (argv.length > 8) throw subcommandSyntax(argv[1], 'XGROUP');
      const isLast = argv[4].length === 1 && argv[4][0] === 0x24; /* $ */
      const id = isLast ? (s?.lastId ?? ZERO_ID) : parseStrictId(argv[4]);
      if (s === undefined) {
        s = new Stream();
        db.set(key, 'stream', s);
      }
      const groups = (s.groups ??= new Map());
      if (groups.has(groupName)) throw new CommandError('BUSYGROUP Consumer Group name already exists');
      groups.set(groupName, new ConsumerGroup(id, entriesRead));
      db.modified(key);
      ctx.notify(NOTIFY_STREAM, 'xgroup-create', key);
      return r.ok();
    }
    case 'setid': {
      if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntax(argv[1], 'XGROUP');
      if (s === undefined || g === null) throw subcommandSyntax(argv[1], 'XGROUP'); // checked above
      const isLast = argv[4].length === 1 && argv[4][0] === 0x24;
      g.lastId = isLast ? s.lastId : parseId(argv[4]);
      g.entriesRead = entriesRead;
      db.modified(key);
      ctx.notify(NOTIFY_STREAM, 'xgroup-setid', key);
      return r.ok();
    }
    case 'destroy': {
      if (g === null || s === undefined) return r.integer(0);
      s.groups?.delete(groupName);
      db.modified(key);
      ctx.notify(NOTIFY_STREAM, 'xgroup-destroy', key);
      // XREADGROUP clients blocked on this group get NOGROUP.
      db.signalReady(key);
      return r.integer(1);
    }
    case 'createconsumer': {
      if (g === null) return r.integer(0); // checked above
      const { created } = g.consumer(str(argv[4]), ctx.server.now());
      if (created) {
        db.modified(key);
        ctx.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key);
      }
      return r.integer(created ? 1 : 0);
    }
    default: {
      // delconsumer
      const c = g?.consumers.get(str(argv[4]));
      if (g === null || c === undefined) return r.integer(0);
      r.integer(g.deleteConsumer(c));
      db.modified(key);
      ctx.notify(NOTIFY_STREAM, 'xgroup-delconsumer', key);
    }
  }
}

function xack(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const s = readStream(ctx.db, key);
  const g = s === undefined ? null : findGroup(s, str(argv[2]));
  if (g === null) return ctx.reply.integer(0);
  // All IDs are checked before any is acknowledged.
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(parseStrictId(argv[j]));
  let acked = 0;
  for (const id of ids) if (g.ack(id)) acked++;
  if (acked > 0) ctx.db.modified(key);
  ctx.reply.integer(acked);
}

function xpending(ctx: CommandContext, argv: Buffer[]): void {
  const n = argv.length;
  if (n !== 3 && (n < 6 || n > 9)) throw new CommandError(SYNTAX);
  let start = ZERO_ID;
  let end = MAX_ID;
  let count = 0n;
  let minIdle = 0n;
  let consumerName: string | null = null;
  if (n >= 6) {
    let at = 3;
    if (argIs(argv[3], 'idle')) {
      minIdle = int64Arg(argv[4]);
      if (n < 8) throw new CommandError(SYNTAX);
      at += 2;
    }
    count = int64Arg(argv[at + 2]);
    if (count < 0n) count = 0n;
    start = parseRangeBound(argv[at], false);
    end = parseRangeBound(argv[at + 1], true);
    if (at + 3 < n) consumerName = str(argv[at + 3]);
  }
  const key = str(argv[1]);
  const groupName = str(argv[2]);
  const s = readStream(ctx.db, key);
  const g = s === undefined ? null : findGroup(s, groupName);
  if (g === null) throw noGroup(key, groupName);
  const r = ctx.reply;
  if (n === 3) {
    r.array(4);
    r.integer(g.pel.size);
    const first = g.pel.first();
    const last = g.pel.last();
    if (first === undefined || last === undefined) {
      r.nil();
      r.nil();
      r.nullArray();
      return;
    }
    replyId(r, first[0]);
    replyId(r, last[0]);
    const owners = g.sortedConsumers().filter((c) => c.pel.size > 0);
    r.array(owners.length);
    for (const c of owners) {
      r.array(2);
      r.bulkKey(c.name);
      r.bulk(String(c.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return r.array(0);
    pel = c.pel;
  }
  const now = ctx.server.now();
  const rows: [StreamId, Nack][] = [];
  if (count > 0n) {
    pel.walk(start, false, (id, nack) => {
      if (id > end) return false;
      if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) return true;
      rows.push([id, nack]);
      return BigInt(rows.length) < count;
    });
  }
  r.array(rows.length);
  for (const [id, nack] of rows) {
    r.array(4);
    replyId(r, id);
    r.bulkKey(nack.consumer?.name ?? '');
    r.integer(Math.max(0, now - nack.deliveryTime));
    r.integer(nack.deliveryCount);
  }
}

/** The consumer a claim goes to, looked up (and created) on the first claim only, as Redis does. */
class ClaimTarget {
  private consumer: Consumer | null = null;

  constructor(
    private readonly ctx: CommandContext,
    private readonly key: string,
    private readonly g: ConsumerGroup,
    private readonly name: string,
  ) {}

  get(): Consumer {
    if (this.consumer !== null) return this.consumer;
    const { consumer, created } = this.g.consumer(this.name, this.ctx.server.now());
    if (created) this.ctx.notify(NOTIFY_STREAM, 'xgroup-createconsumer', this.key);
    return (this.consumer = consumer);
  }
}

/** Reads an integer option of XCLAIM with its own error text. */
function claimInt(arg: Buffer, what: string): bigint {
  return int64Arg(arg, `ERR Invalid ${what} option argument for XCLAIM`);
}

function xclaim(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const groupName = str(argv[2]);
  const s = readStream(ctx.db, key);
  const g = s === undefined ? null : findGroup(s, groupName);
  if (s === undefined || g === null) throw noGroup(key, groupName);
  let minIdle = int64Arg(argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  // IDs come first; the first argument that is not one starts the options.
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    try {
      ids.push(parseStrictId(argv[j]));
    } catch {
      break;
    }
  }
  const now = ctx.server.now();
  let force = false;
  let justId = false;
  let deliveryTime = -1n;
  let retryCount = -1n;
  let lastId = ZERO_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (argIs(opt, 'force')) force = true;
    else if (argIs(opt, 'justid')) justId = true;
    else if (argIs(opt, 'idle') && more > 0) deliveryTime = BigInt(now) - claimInt(argv[++j], 'IDLE');
    else if (argIs(opt, 'time') && more > 0) deliveryTime = claimInt(argv[++j], 'TIME');
    else if (argIs(opt, 'retrycount') && more > 0) retryCount = claimInt(argv[++j], 'RETRYCOUNT');
    else if (argIs(opt, 'lastid') && more > 0) lastId = parseStrictId(argv[++j]);
    else throw new CommandError(`ERR Unrecognized XCLAIM option '${str(opt)}'`);
  }
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // A delivery time in the future or negative is taken as now (clients' clocks differ).
  const time = deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
  const target = new ClaimTarget(ctx, key, g, str(argv[3]));
  const claimed: StreamId[] = [];
  let changed = propagateLastId;
  for (const id of ids) {
    let nack = g.pel.get(id);
    if (s.find(id) === null) {
      // The entry is gone: its pending entry goes too.
      if (nack !== undefined) {
        propagateClaim(ctx, key, groupName, g, id, nack.consumer?.name ?? '', nack.deliveryTime, nack.deliveryCount);
        propagateLastId = false;
        g.forget(id, nack);
        changed = true;
      }
      continue;
    }
    if (force && nack === undefined) {
      // Redis creates it with one delivery, before the count below is applied.
      nack = new Nack(null, now, 1);
      g.pel.set(id, nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    const consumer = target.get();
    nack.deliveryTime = time;
    if (retryCount >= 0n) nack.deliveryCount = Number(retryCount);
    else if (!justId) nack.deliveryCount++;
    g.transfer(id, nack, consumer);
    claimed.push(id);
    propagateClaim(ctx, key, groupName, g, id, consumer.name, nack.deliveryTime, nack.deliveryCount);
    propagateLastId = false;
    changed = true;
  }
  if (propagateLastId) propagateGroupId(ctx, key, groupName, g);
  if (changed) ctx.db.modified(key);
  const r = ctx.reply;
  r.array(claimed.length);
  for (const id of claimed) {
    if (justId) replyId(r, id);
    else {
      const hit = s.find(id);
      if (hit !== null) replyEntry(r, { id, node: hit.node, at: hit.at });
    }
  }
}

/** Pending entries XAUTOCLAIM looks at per entry it may claim (Redis's attempts factor). */
const ATTEMPTS_FACTOR = 10;
/** COUNT's upper bound: LONG_MAX / max(sizeof(streamID), attempts factor) = 2^63 / 16. */
const AUTOCLAIM_MAX_COUNT = (2n ** 63n - 1n) / 16n;

function xautoclaim(ctx: CommandContext, argv: Buffer[]): void {
  let minIdle = int64Arg(argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const start = parseRangeBound(argv[5], false);
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (argIs(argv[j], 'count') && more > 0) {
      const v = int64Arg(argv[j + 1], 'ERR COUNT must be > 0');
      if (v < 1n || v > AUTOCLAIM_MAX_COUNT) throw new CommandError('ERR COUNT must be > 0');
      // More than the PEL holds changes nothing: keep the number small.
      count = v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
      j++;
    } else if (argIs(argv[j], 'justid')) justId = true;
    else throw new CommandError(SYNTAX);
  }
  const key = str(argv[1]);
  const groupName = str(argv[2]);
  const s = readStream(ctx.db, key);
  const g = s === undefined ? null : findGroup(s, groupName);
  if (s === undefined || g === null) throw noGroup(key, groupName);
  const now = ctx.server.now();
  const target = new ClaimTarget(ctx, key, g, str(argv[3]));
  let attempts = count * ATTEMPTS_FACTOR;
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  let cursor = g.pel.ceil(start);
  while (attempts-- > 0 && count > 0 && cursor !== undefined) {
    const [id, nack] = cursor;
    cursor = g.pel.ceil(id + 1n);
    if (s.find(id) === null) {
      propagateClaim(ctx, key, groupName, g, id, nack.consumer?.name ?? '', nack.deliveryTime, nack.deliveryCount);
      g.forget(id, nack);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    const consumer = target.get();
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    g.transfer(id, nack, consumer);
    claimed.push(id);
    count--;
    propagateClaim(ctx, key, groupName, g, id, consumer.name, nack.deliveryTime, nack.deliveryCount);
  }
  if (claimed.length > 0 || deleted.length > 0) ctx.db.modified(key);
  const r = ctx.reply;
  r.array(3);
  replyId(r, cursor === undefined ? ZERO_ID : cursor[0]);
  r.array(claimed.length);
  for (const id of claimed) {
    if (justId) replyId(r, id);
    else {
      const hit = s.find(id);
      if (hit !== null) replyEntry(r, { id, node: hit.node, at: hit.at });
    }
  }
  r.array(deleted.length);
  for (const id of deleted) replyId(r, id);
}

/** The consumer group commands (XREADGROUP is with XREAD). */
export const streamGroupCommands: CommandDef[] = [
  def('xgroup', -2, CMD_WRITE | CMD_DENYOOM, [2, 2, 1], 'stream', xgroup, 'A container for consumer groups commands'),
  def('xack', -4, CMD_WRITE | CMD_FAST, KEY1, 'stream', xack, 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group.'),
  def('xpending', -3, CMD_READONLY, KEY1, 'stream', xpending, 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.'),
  def('xclaim', -6, CMD_WRITE | CMD_FAST, KEY1, 'stream', xclaim, 'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.'),
  def('xautoclaim', -6, CMD_WRITE | CMD_FAST, KEY1, 'stream', xautoclaim, 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.'),
];

/**
 * XREAD and XREADGROUP (Redis 7.0's `xreadCommand` and the stream part of blocked.c): serving
 * at once what is there, otherwise blocking on every key through the server's blocking path
 * ({@link ClientState.block}), woken by XADD's `signalReady`. An XREADGROUP client also wakes
 * when its key is deleted, overwritten or flushed (it then gets Redis's UNBLOCKED error), and
 * when its group is destroyed (NOGROUP).
 *
 * Deliveries to a group are logged as Redis propagates them: one `XCLAIM … FORCE JUSTID LASTID`
 * per entry; after a NOACK read, which leaves no XCLAIM, `XGROUP SETID … ENTRIESREAD` and
 * `XGROUP CREATECONSUMER` for a consumer it created. Otherwise a new consumer is not logged: the
 * XCLAIMs create it (unit/multi's "MULTI propagation of XREADGROUP" checks the stream).
 *
 * @packageDocumentation
 */
import { CLIENT_SCRIPT, CMD_BLOCKING, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, NOTIFY_STREAM, def, type CommandDef } from '../command';
import { CommandError, INT64_MAX_NUMBER, SYNTAX, argIs, int64Arg, parseBigInt } from '../command';
import type { CommandContext, Reply } from '../command';
import { str } from './common';
import { collect, findGroup, noGroup, replyEntry, replyId, writeStream, type EntryAt } from './stream-access';
import { MAX_ID, ZERO_ID, formatId, parseStrictId, type StreamId } from './stream-id';
import { advanceGroup, type Consumer, type ConsumerGroup } from './stream-groups';
import type { Stream } from './stream-store';

/** Entries a blocked read without COUNT gets at most (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;

/** `>`: new entries for the group (any ID is smaller than this marker). */
const NEW_ENTRIES = -1n;

/** A pending ID whose entry is gone: replied as `[id, nil]`. */
interface MissingEntry {
  readonly id: StreamId;
  readonly node: null;
}

type ReadItem = EntryAt | MissingEntry;

/** One stream's part of a reply. */
interface StreamPart {
  readonly key: string;
  readonly items: ReadItem[];
}

/** XREADGROUP's GROUP/NOACK options. */
interface GroupOptions {
  readonly name: string;
  readonly consumer: string;
  readonly noack: boolean;
}

/** `[[key, entries], …]`, or in RESP3 `{key: entries, …}`. */
function replyParts(r: Reply, parts: readonly StreamPart[]): void {
  if (r.proto === 3) r.map(parts.length);
  else r.array(parts.length);
  for (const p of parts) {
    if (r.proto === 2) r.array(2);
    r.bulkKey(p.key);
    r.array(p.items.length);
    for (const it of p.items) {
      if (it.node !== null) replyEntry(r, it);
      else {
        r.array(2);
        replyId(r, it.id);
        r.nullArray();
      }
    }
  }
}

/** The consumer, created (and, for a NOACK read, logged) when new. */
function consumerFor(ctx: CommandContext, key: string, g: ConsumerGroup, opts: GroupOptions): Consumer {
  const { consumer, created } = g.consumer(opts.consumer, ctx.server.now());
  if (created) {
    if (opts.noack) ctx.propagate(['XGROUP', 'CREATECONSUMER', key, opts.name, opts.consumer]);
    ctx.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key);
  }
  return consumer;
}

/** Logs a pending entry idempotently, as Redis's `streamPropagateXCLAIM`. */
export function propagateClaim(ctx: CommandContext, key: string, groupName: string, g: ConsumerGroup, id: StreamId, consumer: string, time: number, count: number): void {
  ctx.propagate(['XCLAIM', key, groupName, consumer, '0', formatId(id), 'TIME', String(time), 'RETRYCOUNT', String(count), 'FORCE', 'JUSTID', 'LASTID', formatId(g.lastId)]);
}

/** Logs a group's last ID and read counter (`streamPropagateGroupID`). */
export function propagateGroupId(ctx: CommandContext, key: string, groupName: string, g: ConsumerGroup): void {
  ctx.propagate(['XGROUP', 'SETID', key, groupName, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

/**
 * Delivers entries after `after` to a consumer (`streamReplyWithRange` with a group): advances
 * the group, creates or moves pending entries unless NOACK, and logs it all.
 */
function deliverNew(ctx: CommandContext, key: string, s: Stream, g: ConsumerGroup, opts: GroupOptions, after: StreamId, count: number): ReadItem[] {
  const consumer = consumerFor(ctx, key, g, opts);
  const entries = after === MAX_ID ? [] : collect(s, after + 1n, MAX_ID, false, count);
  const now = ctx.server.now();
  let advanced = false;
  for (const e of entries) {
    if (e.id > g.lastId) {
      advanceGroup(s, g, e.id);
      advanced = true;
    }
    if (opts.noack) continue;
    const nack = g.deliver(e.id, consumer, now);
    propagateClaim(ctx, key, opts.name, g, e.id, consumer.name, nack.deliveryTime, nack.deliveryCount);
  }
  if (opts.noack && advanced) propagateGroupId(ctx, key, opts.name, g);
  if (entries.length > 0) ctx.db.modified(key);
  return entries;
}

/** The consumer's own pending entries from `start` on (history read: any ID but `>`). */
function deliverHistory(ctx: CommandContext, key: string, s: Stream, g: ConsumerGroup, opts: GroupOptions, start: StreamId, count: number): ReadItem[] {
  const consumer = consumerFor(ctx, key, g, opts);
  const items: ReadItem[] = [];
  const now = ctx.server.now();
  consumer.pel.walk(start, false, (id, nack) => {
    const hit = s.find(id);
    if (hit === null) items.push({ id, node: null });
    else {
      items.push({ id, node: hit.node, at: hit.at });
      nack.deliveryTime = now;
      nack.deliveryCount++;
    }
    return count === 0 || items.length < count;
  });
  return items;
}

/** A parsed XREAD/XREADGROUP. */
interface ReadRequest {
  readonly keys: string[];
  /** Per key: entries after this ID, or {@link NEW_ENTRIES}. */
  readonly ids: StreamId[];
  readonly count: number;
  /** Milliseconds to block (0: forever), or -1 without BLOCK. */
  readonly timeoutMs: number;
  readonly group: GroupOptions | null;
}

/** Redis's `getTimeoutFromObjectOrReply` in milliseconds. */
function blockMs(ctx: CommandContext, arg: Buffer): number {
  const v = parseBigInt(arg);
  if (v === undefined) throw new CommandError('ERR timeout is not an integer or out of range');
  if (v < 0n) throw new CommandError('ERR timeout is negative');
  if (v > 0n && Number(v) > INT64_MAX_NUMBER - ctx.server.now()) throw new CommandError('ERR timeout is out of range');
  return Number(v);
}

function parseRead(ctx: CommandContext, argv: Buffer[], isGroup: boolean): ReadRequest {
  let timeoutMs = -1;
  let count = 0;
  let streamsAt = 0;
  let groupName: string | null = null;
  let consumer = '';
  let noack = false;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (argIs(o, 'block') && more > 0) {
      // Redis refuses BLOCK from scripts outright (a script cannot wait), with the name as called.
      if ((ctx.client.flags & CLIENT_SCRIPT) !== 0) {
        throw new CommandError(`ERR ${argv[0].toString()} command is not allowed with BLOCK option from scripts`);
      }
      timeoutMs = blockMs(ctx, argv[++i]);
    } else if (argIs(o, 'count') && more > 0) {
      const c = int64Arg(argv[++i]);
      count = c < 0n ? 0 : c > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(c);
    } else if (argIs(o, 'streams') && more > 0) {
      streamsAt = i + 1;
      if ((argv.length - streamsAt) % 2 !== 0) {
        throw new CommandError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      }
      break;
    } else if (argIs(o, 'group') && more >= 2) {
      if (!isGroup) throw new CommandError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      groupName = str(argv[i + 1]);
      consumer = str(argv[i + 2]);
      i += 2;
    } else if (argIs(o, 'noack')) {
      if (!isGroup) throw new CommandError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noack = true;
    } else throw new CommandError(SYNTAX);
  }
  if (streamsAt === 0) throw new CommandError(SYNTAX);
  if (isGroup && groupName === null) throw new CommandError('ERR Missing GROUP option for XREADGROUP');
  const n = (argv.length - streamsAt) / 2;
  const keys: string[] = [];
  const ids: StreamId[] = [];
  for (let j = 0; j < n; j++) {
    const key = str(argv[streamsAt + j]);
    const arg = argv[streamsAt + n + j];
    const s = ctx.db.get<Stream>(key, 'stream');
    if (groupName !== null && (s === undefined || findGroup(s, groupName) === null)) {
      throw noGroup(key, groupName, ' in XREADGROUP with GROUP option');
    }
    keys.push(key);
    if (arg.length === 1 && arg[0] === 0x24 /* $ */) {
      if (isGroup) {
        throw new CommandError(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids.push(s?.lastId ?? ZERO_ID);
    } else if (arg.length === 1 && arg[0] === 0x3e /* > */) {
      if (!isGroup) throw new CommandError('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      ids.push(NEW_ENTRIES);
    } else ids.push(parseStrictId(arg));
  }
  const group = groupName === null ? null : { name: groupName, consumer, noack };
  return { keys, ids, count, timeoutMs, group };
}

/** What can be served now of stream `j` (null: nothing, keep it out of the reply). */
function serveNow(ctx: CommandContext, req: ReadRequest, j: number): StreamPart | null {
  const key = req.keys[j];
  const s = ctx.db.get<Stream>(key, 'stream');
  if (s === undefined) return null;
  const gt = req.ids[j];
  if (req.group === null) {
    if (s.length === 0 || (s.edgeId(false) ?? ZERO_ID) <= gt) return null;
    return { key, items: collect(s, gt + 1n, MAX_ID, false, req.count) };
  }
  // Checked when parsing; no stream of this call can have removed it since.
  const g = findGroup(s, req.group.name);
  if (g === null) return null;
  if (gt !== NEW_ENTRIES) return { key, items: deliverHistory(ctx, key, s, g, req.group, gt + 1n, req.count) };
  if (s.length === 0 || (s.edgeId(false) ?? ZERO_ID) <= g.lastId) return null;
  return { key, items: deliverNew(ctx, key, s, g, req.group, g.lastId, req.count) };
}

/**
 * Serves a blocked reader once `key` was signalled (Redis's `serveClientsBlockedOnStreamKey`).
 * The errors it throws end the wait: the server replies them to the blocked client.
 */
function serveBlocked(c: CommandContext, req: ReadRequest, key: string): boolean {
  let s: Stream | undefined;
  try {
    s = writeStream(c.db, key);
  } catch {
    s = undefined; // another type now: as if it were gone
  }
  const group = req.group;
  if (s === undefined) {
    if (group === null) return false;
    throw new CommandError('UNBLOCKED the stream key no longer exists');
  }
  let gt = req.ids[req.keys.indexOf(key)];
  let g: ConsumerGroup | null = null;
  if (group !== null) {
    g = findGroup(s, group.name);
    if (g === null) throw new CommandError('NOGROUP the consumer group this client was blocked on no longer exists');
    gt = g.lastId;
  }
  if (s.lastId <= gt) return false;
  const count = req.count === 0 ? BLOCKED_DEFAULT_COUNT : req.count;
  const items = g !== null && group !== null ? deliverNew(c, key, s, g, group, gt, count) : collect(s, gt + 1n, MAX_ID, false, count);
  replyParts(c.reply, [{ key, items }]);
  return true;
}

function xread(isGroup: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const req = parseRead(ctx, argv, isGroup);
    const parts: StreamPart[] = [];
    for (let j = 0; j < req.keys.length; j++) {
      const part = serveNow(ctx, req, j);
      if (part !== null) parts.push(part);
    }
    if (parts.length > 0) return replyParts(ctx.reply, parts);
    if (req.timeoutMs < 0 || !ctx.client.canBlock) return ctx.reply.nullArray();
    ctx.client.block({
      keys: [...new Set(req.keys)],
      timeoutMs: req.timeoutMs,
      wakeOnChange: isGroup,
      serve: (c, key) => serveBlocked(c, req, key),
    });
  };
}

/** The keys of XREAD/XREADGROUP: the first half of what follows STREAMS. */
function readKeys(argv: readonly Buffer[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (!argIs(argv[i], 'streams')) continue;
    const n = Math.floor((argv.length - i - 1) / 2);
    return Array.from({ length: n }, (_, j) => i + 1 + j);
  }
  return [];
}

/** XREAD and XREADGROUP. */
export const streamReadCommands: CommandDef[] = [
  {
    ...def('xread', -4, CMD_READONLY | CMD_BLOCKING | CMD_MOVABLE_KEYS, [0, 0, 0], 'stream', xread(false), 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.'),
    getKeys: readKeys,
  },
  {
    ...def('xreadgroup', -7, CMD_WRITE | CMD_BLOCKING | CMD_MOVABLE_KEYS, [0, 0, 0], 'stream', xread(true), 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.'),
    getKeys: readKeys,
  },
];

/**
 * The stream commands without consumer groups: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and
 * XSETID (Redis 7.0's t_stream.c, same arguments, replies and error texts). XADD and XTRIM log
 * what makes the AOF deterministic: the generated ID instead of `*`, and an approximate trim
 * (`~`, LIMIT) as the exact one it amounted to.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, NOTIFY_STREAM, def, type CommandDef } from '../command';
import { CommandError, NO_SUCH_KEY, SYNTAX, arityError, argIs, int64Arg } from '../command';
import type { CommandContext } from '../command';
import { str } from './common';
import { collect, nodeLimits, readStream, replyEntries, writeStream } from './stream-access';
import { MAX_ID, UINT64_MAX, ZERO_ID, formatId, idMs, idSeq, makeId, parseAddId, parseRangeBound, parseStrictId, type ParsedId, type StreamId } from './stream-id';
import { LISTPACK_MAX_SIZE, Stream, type TrimSpec } from './stream-store';

/** XADD/XTRIM options as parsed (Redis's `streamAddTrimArgs`). */
interface AddTrimArgs {
  trim: TrimSpec | null;
  /** XADD: position of the ID argument. */
  idPos: number;
  /** XADD: the ID given, or null for `*`. */
  id: ParsedId | null;
  noMkStream: boolean;
}

const TRIM_CONFLICT = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';

/**
 * Redis's `streamParseAddOrTrimArgsOrReply`. Commands replayed from the AOF (no connection) are
 * never limited, as Redis does for its master and AOF clients.
 */
function parseAddOrTrim(ctx: CommandContext, argv: Buffer[], xadd: boolean): AddTrimArgs {
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = 0n;
  let minid = ZERO_ID;
  let limit = 0n;
  let limitGiven = false;
  let id: ParsedId | null = null;
  let noMkStream = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.length === 1 && opt[0] === 0x2a /* * */) break;
    if ((argIs(opt, 'maxlen') || argIs(opt, 'minid')) && more > 0) {
      if (strategy !== null) throw new CommandError(TRIM_CONFLICT);
      const isMaxlen = argIs(opt, 'maxlen');
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next.length === 1 && (next[0] === 0x7e /* ~ */ || next[0] === 0x3d) /* = */) {
        approx = next[0] === 0x7e;
        i++;
      }
      if (isMaxlen) {
        maxlen = int64Arg(argv[i + 1]);
        if (maxlen < 0n) throw new CommandError('ERR The MAXLEN argument must be >= 0.');
      } else {
        minid = parseStrictId(argv[i + 1]);
      }
      i++;
      strategy = isMaxlen ? 'maxlen' : 'minid';
    } else if (argIs(opt, 'limit') && more > 0) {
      limit = int64Arg(argv[i + 1]);
      if (limit < 0n) throw new CommandError('ERR The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && argIs(opt, 'nomkstream')) {
      noMkStream = true;
    } else if (xadd) {
      id = parseAddId(opt);
      break;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (limit !== 0n && strategy === null) throw new CommandError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && strategy === null) throw new CommandError('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (ctx.client.conn === null) {
    limit = 0n;
  } else if (limitGiven) {
    if (!approx) throw new CommandError('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (approx) {
    // Redis caps the work of an approximate trim at 100 nodes' worth of entries.
    limit = 100n * BigInt(ctx.server.config['stream-node-max-entries']);
    if (limit <= 0n) limit = 10000n;
    if (limit > 1000000n) limit = 1000000n;
  } else {
    limit = 0n;
  }
  const trim: TrimSpec | null = strategy === null ? null : { strategy, maxlen, minid, approx, limit: Number(limit) };
  return { trim, idPos: i, id, noMkStream };
}

/**
 * The trim argument as it must be logged: an approximate trim becomes the exact one it amounted
 * to (`MAXLEN = <length>`, `MINID = <first ID, deleted or not>`), as Redis rewrites it.
 */
function exactTrimArgs(s: Stream, trim: TrimSpec): string[] {
  if (!trim.approx) return trim.strategy === 'maxlen' ? ['MAXLEN', String(trim.maxlen)] : ['MINID', formatId(trim.minid)];
  if (trim.strategy === 'maxlen') return ['MAXLEN', '=', String(s.length)];
  let first = MAX_ID;
  const head = s.nodes.first();
  if (head !== undefined) {
    head[1].scan(false, true, (id) => {
      first = id;
      return false;
    });
  }
  return ['MINID', '=', formatId(first)];
}

/** The ID a new entry gets (Redis's `streamAppendItem` rules), or the error to reply. */
function newEntryId(s: Stream, given: ParsedId | null, now: number): StreamId {
  const last = s.lastId;
  let id: StreamId;
  if (given === null) {
    const ms = BigInt(now);
    id = ms > idMs(last) ? makeId(ms, 0n) : last + 1n;
  } else if (given.seq !== null) {
    id = makeId(given.ms, given.seq);
  } else if (given.ms === idMs(last)) {
    // Redis fails here without setting errno, so the reply is its generic one.
    if (idSeq(last) === UINT64_MAX) throw new CommandError('ERR Elements are too large to be stored');
    id = last + 1n;
  } else {
    id = makeId(given.ms, 0n);
  }
  if (id <= last) throw new CommandError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  return id;
}

function xadd(ctx: CommandContext, argv: Buffer[]): void {
  const args = parseAddOrTrim(ctx, argv, true);
  const fieldPos = args.idPos + 1;
  const nPairs = argv.length - fieldPos;
  if (nPairs < 2 || nPairs % 2 === 1) throw new CommandError(arityError('xadd'));
  const given = args.id;
  if (given !== null && given.seq === 0n && given.ms === 0n) throw new CommandError('ERR The ID specified in XADD must be greater than 0-0');
  const key = str(argv[1]);
  const db = ctx.db;
  let s = writeStream(db, key);
  if (s === undefined && args.noMkStream) return ctx.reply.nil();
  const created = s === undefined;
  s ??= new Stream();
  if (s.lastId === MAX_ID) throw new CommandError('ERR The stream has exhausted the last possible ID, unable to add more items');
  const id = newEntryId(s, given, ctx.server.now());
  let total = 0;
  for (let i = fieldPos; i < argv.length; i++) total += argv[i].length;
  if (total > LISTPACK_MAX_SIZE) throw new CommandError('ERR Elements are too large to be stored');
  s.append(id, argv.slice(fieldPos), nodeLimits(ctx));
  const idText = formatId(id);
  ctx.reply.bulk(idText);
  if (created) db.set(key, 'stream', s);
  else db.modified(key);
  ctx.notify(NOTIFY_STREAM, 'xadd', key);
  if (args.trim !== null && s.trim(args.trim) > 0) ctx.notify(NOTIFY_STREAM, 'xtrim', key);
  // Log the generated ID and an exact trim; a fully given ID without `~` is logged as sent.
  if (given === null || given.seq === null || args.trim?.approx === true) {
    const out: (Buffer | string)[] = ['XADD', key];
    if (args.trim !== null) out.push(...exactTrimArgs(s, args.trim));
    out.push(idText);
    for (let i = fieldPos; i < argv.length; i++) out.push(argv[i]);
    ctx.propagate(out);
  }
  db.signalReady(key);
}

/** XRANGE/XREVRANGE: `rev` takes the end bound first. */
function xrangeGeneric(rev: boolean) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const start = parseRangeBound(rev ? argv[3] : argv[2], false);
    const end = parseRangeBound(rev ? argv[2] : argv[3], true);
    let count = -1n;
    for (let j = 4; j < argv.length; j++) {
      if (argIs(argv[j], 'count') && j + 1 < argv.length) {
        count = int64Arg(argv[++j]);
        if (count < 0n) count = 0n;
      } else throw new CommandError(SYNTAX);
    }
    const s = readStream(ctx.db, str(argv[1]));
    if (s === undefined) return ctx.reply.array(0);
    if (count === 0n) return ctx.reply.nullArray();
    // A count beyond the stream's length is the whole range.
    const n = count < 0n || count > BigInt(s.length) ? 0 : Number(count);
    replyEntries(ctx.reply, collect(s, start, end, rev, n));
  };
}

function xlen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(readStream(ctx.db, str(argv[1]))?.length ?? 0);
}

function xdel(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const s = writeStream(ctx.db, key);
  if (s === undefined) return ctx.reply.integer(0);
  // Every ID is checked first, so an invalid one leaves the stream untouched.
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(parseStrictId(argv[j]));
  let deleted = 0;
  for (const id of ids) if (s.deleteEntry(id)) deleted++;
  if (deleted > 0) {
    ctx.db.modified(key);
    ctx.notify(NOTIFY_STREAM, 'xdel', key);
  }
  ctx.reply.integer(deleted);
}

function xtrim(ctx: CommandContext, argv: Buffer[]): void {
  const args = parseAddOrTrim(ctx, argv, false);
  const key = str(argv[1]);
  const s = writeStream(ctx.db, key);
  const trim = args.trim;
  if (s === undefined || trim === null) return ctx.reply.integer(0);
  const deleted = s.trim(trim);
  if (deleted > 0) {
    ctx.db.modified(key);
    ctx.notify(NOTIFY_STREAM, 'xtrim', key);
    if (trim.approx) ctx.propagate(['XTRIM', key, ...exactTrimArgs(s, trim)]);
  }
  ctx.reply.integer(deleted);
}

function xsetid(ctx: CommandContext, argv: Buffer[]): void {
  const id = parseStrictId(argv[2]);
  let entriesAdded = -1n;
  let maxDeleted = ZERO_ID;
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (argIs(argv[i], 'entriesadded') && more > 0) {
      entriesAdded = int64Arg(argv[++i]);
      if (entriesAdded < 0n) throw new CommandError('ERR entries_added must be positive');
    } else if (argIs(argv[i], 'maxdeletedid') && more > 0) {
      maxDeleted = parseStrictId(argv[++i]);
      if (id < maxDeleted) throw new CommandError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
    } else throw new CommandError(SYNTAX);
  }
  const key = str(argv[1]);
  const s = writeStream(ctx.db, key);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  if (s.length > 0) {
    const top = s.edgeId(false) ?? ZERO_ID;
    if (id < top) throw new CommandError('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      throw new CommandError('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDeleted !== ZERO_ID) s.maxDeletedId = maxDeleted;
  ctx.db.modified(key);
  ctx.notify(NOTIFY_STREAM, 'xsetid', key);
  ctx.reply.ok();
}

/** The stream commands outside consumer groups. */
export const streamCommands: CommandDef[] = [
  def('xadd', -5, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, 'stream', xadd, 'Appends a new entry to a stream'),
  def('xrange', -4, CMD_READONLY, KEY1, 'stream', xrangeGeneric(false), 'Return a range of elements in a stream, with IDs matching the specified IDs interval'),
  def('xrevrange', -4, CMD_READONLY, KEY1, 'stream', xrangeGeneric(true), 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE'),
  def('xlen', 2, CMD_READONLY | CMD_FAST, KEY1, 'stream', xlen, 'Return the number of entries in a stream'),
  def('xdel', -3, CMD_WRITE | CMD_FAST, KEY1, 'stream', xdel, 'Removes the specified entries from the stream.'),
  def('xtrim', -4, CMD_WRITE, KEY1, 'stream', xtrim, "Trims the stream to (approximately if '~' is passed) a certain size"),
  def('xsetid', -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, 'stream', xsetid, 'An internal command for replicating stream values'),
];

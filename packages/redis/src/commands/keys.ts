/**
 * Generic key commands: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY, RANDOMKEY, the EXPIRE
 * family, TTL, PERSIST, OBJECT, TOUCH.
 *
 * @packageDocumentation
 */
import { ALLKEYS, CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, NOKEYS, def, type CommandDef } from '../command';
import { CommandError, INT64_MAX, INT64_MIN, NOTIFY_GENERIC, NO_SUCH_KEY, SYNTAX, argIs, argRange, globMatch, int64Arg, keyOf, lfuDecayed } from '../command';
import { parseScan, scanReply, showSetting } from '../command';
import type { CommandContext, Db, Entry, Reply, ScanSource } from '../command';
import { isSharedInteger, stringValue } from '../stringvalue';
import { dispatchSub, helpReply } from './sub';

/** Redis's OBJ_SHARED_REFCOUNT (INT_MAX): OBJECT REFCOUNT of a shared object. */
const SHARED_REFCOUNT = 2147483647;

/** Entries not yet reclaimed but past their TTL are invisible (KEYS, SCAN, RANDOMKEY). */
function isExpired(db: Db, key: string, now: number): boolean {
  const at = db.getExpire(key);
  return at !== undefined && at <= now;
}

/** DEL and UNLINK (`lazily`, as DEL under lazyfree-lazy-user-del yes): the same, but for INFO's lazyfreed_objects. */
function del(ctx: CommandContext, argv: Buffer[], lazily: boolean): void {
  let n = 0;
  const db = ctx.db;
  for (let i = 1; i < argv.length; i++) {
    const key = keyOf(argv[i]);
    const e = db.lookupWrite(key);
    if (e === undefined || !db.delete(key)) continue;
    ctx.server.valueDeleted(e, lazily);
    ctx.notify(NOTIFY_GENERIC, 'del', key);
    n++;
  }
  ctx.reply.integer(n);
}

/** A deep copy of a value, for COPY. */
function copyValue(ctx: CommandContext, e: Entry): unknown {
  const ops = ctx.server.typeOps[e.type];
  if (ops === undefined) throw new CommandError(`ERR cannot copy a ${e.type}`);
  return ops.copy(e.value);
}

function rename(ctx: CommandContext, argv: Buffer[], nx: boolean): void {
  const db = ctx.db;
  const src = keyOf(argv[1]);
  const dst = keyOf(argv[2]);
  const e = db.lookupWrite(src);
  if (e === undefined) throw new CommandError(NO_SUCH_KEY);
  if (src === dst) {
    if (nx) ctx.reply.integer(0);
    else ctx.reply.ok();
    return;
  }
  const expire = db.getExpireExact(src);
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) {
      ctx.reply.integer(0);
      return;
    }
    db.delete(dst);
  }
  db.delete(src);
  db.set(dst, e.type, e.value);
  if (expire !== undefined) db.setExpire(dst, expire);
  if (e.type === 'list' || e.type === 'zset' || e.type === 'stream') db.signalReady(dst);
  ctx.notify(NOTIFY_GENERIC, 'rename_from', src);
  ctx.notify(NOTIFY_GENERIC, 'rename_to', dst);
  if (nx) ctx.reply.integer(1);
  else ctx.reply.ok();
}

/**
 * A database number argument of COPY and MOVE: an int (Redis's getIntFromObjectOrReply, with
 * its range error beyond 32 bits), then `DB index is out of range`.
 */
function dbArg(ctx: CommandContext, arg: Buffer): Db {
  const id = Number(argRange(arg, INT32_MIN, INT32_MAX));
  const dbs = ctx.server.dbs;
  if (id < 0 || id >= dbs.length) throw new CommandError('ERR DB index is out of range');
  return dbs[id];
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** MOVE key db: 1 when moved, 0 when the key is missing here or exists there (Redis's moveCommand). */
function move(ctx: CommandContext, argv: Buffer[]): void {
  const src = ctx.db;
  const dst = dbArg(ctx, argv[2]);
  if (dst === src) throw new CommandError('ERR source and destination objects are the same');
  const key = keyOf(argv[1]);
  const e = src.lookupWrite(key);
  if (e === undefined || dst.lookupWrite(key) !== undefined) {
    ctx.reply.integer(0);
    return;
  }
  const expire = src.getExpireExact(key);
  dst.set(key, e.type, e.value);
  if (expire !== undefined) dst.setExpire(key, expire);
  src.delete(key);
  if (e.type === 'list' || e.type === 'zset' || e.type === 'stream') dst.signalReady(key);
  ctx.notify(NOTIFY_GENERIC, 'move_from', key);
  ctx.notify(NOTIFY_GENERIC, 'move_to', key, dst);
  ctx.reply.integer(1);
}

function copy(ctx: CommandContext, argv: Buffer[]): void {
  let dstDb = ctx.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (argIs(argv[j], 'replace')) replace = true;
    else if (argIs(argv[j], 'db') && j + 1 < argv.length) dstDb = dbArg(ctx, argv[++j]);
    else throw new CommandError(SYNTAX);
  }
  const src = keyOf(argv[1]);
  const dst = keyOf(argv[2]);
  if (src === dst && dstDb === ctx.db) throw new CommandError('ERR source and destination objects are the same');
  const e = ctx.db.lookupRead(src);
  if (e === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const expire = ctx.db.getExpireExact(src);
  if (dstDb.lookupWrite(dst) !== undefined) {
    if (!replace) {
      ctx.reply.integer(0);
      return;
    }
    dstDb.delete(dst);
  }
  dstDb.set(dst, e.type, copyValue(ctx, e));
  if (expire !== undefined) dstDb.setExpire(dst, expire);
  if (e.type === 'list' || e.type === 'zset' || e.type === 'stream') dstDb.signalReady(dst);
  ctx.notify(NOTIFY_GENERIC, 'copy_to', dst, dstDb);
  ctx.reply.integer(1);
}

const EX_NX = 1;
const EX_XX = 2;
const EX_GT = 4;
const EX_LT = 8;

function expireGeneric(ctx: CommandContext, argv: Buffer[], base: 'now' | 'zero', seconds: boolean, name: string): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j];
    if (argIs(a, 'nx')) flags |= EX_NX;
    else if (argIs(a, 'xx')) flags |= EX_XX;
    else if (argIs(a, 'gt')) flags |= EX_GT;
    else if (argIs(a, 'lt')) flags |= EX_LT;
    else throw new CommandError(`ERR Unsupported option ${a.latin1Slice(0, a.length)}`);
  }
  if ((flags & EX_NX) && (flags & (EX_XX | EX_GT | EX_LT))) {
    throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if ((flags & EX_GT) && (flags & EX_LT)) throw new CommandError('ERR GT and LT options at the same time are not compatible');
  // Exact int64 arithmetic, as Redis detects overflow of the unit conversion and the addition.
  let big = int64Arg(argv[2]);
  const invalid = `ERR invalid expire time in '${name}' command`;
  if (seconds) {
    if (big > INT64_MAX / 1000n || big < INT64_MIN / 1000n) throw new CommandError(invalid);
    big *= 1000n;
  }
  const now = ctx.server.now();
  if (base === 'now') {
    if (big > INT64_MAX - BigInt(now)) throw new CommandError(invalid);
    big += BigInt(now);
  }
  const when = Number(big);
  const db = ctx.db;
  const key = keyOf(argv[1]);
  if (db.lookupWrite(key) === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (flags) {
    const cur = db.getExpire(key) ?? -1;
    if ((flags & EX_NX) && cur !== -1) return ctx.reply.integer(0);
    if ((flags & EX_XX) && cur === -1) return ctx.reply.integer(0);
    if ((flags & EX_GT) && (when <= cur || cur === -1)) return ctx.reply.integer(0);
    if ((flags & EX_LT) && cur !== -1 && when >= cur) return ctx.reply.integer(0);
  }
  if (when <= now && !ctx.server.loading) {
    db.delete(key);
    ctx.propagate(['DEL', key]);
    ctx.notify(NOTIFY_GENERIC, 'del', key);
  } else {
    db.setExpire(key, big);
    db.modified(key);
    ctx.propagate(['PEXPIREAT', key, String(big)]);
    ctx.notify(NOTIFY_GENERIC, 'expire', key);
  }
  ctx.reply.integer(1);
}

function ttl(ctx: CommandContext, argv: Buffer[], ms: boolean, absolute: boolean): void {
  const db = ctx.db;
  const key = keyOf(argv[1]);
  if (db.lookupRead(key, false) === undefined) return ctx.reply.integer(-2);
  const at = db.getExpire(key);
  if (at === undefined) return ctx.reply.integer(-1);
  if (!Number.isSafeInteger(at)) return ttlExact(ctx, db.getExpireExact(key) ?? BigInt(at), ms, absolute);
  if (absolute) return ctx.reply.integer(ms ? at : Math.trunc(at / 1000));
  const left = Math.max(0, at - ctx.server.now());
  ctx.reply.integer(ms ? left : Math.trunc((left + 500) / 1000));
}

/** {@link ttl} for a time past 2^53 ms (PEXPIREAT near INT64_MAX), in exact integer arithmetic. */
function ttlExact(ctx: CommandContext, at: bigint, ms: boolean, absolute: boolean): void {
  if (absolute) return ctx.reply.integer(ms ? at : at / 1000n);
  const left = at - BigInt(ctx.server.now());
  ctx.reply.integer(ms ? left : (left + 500n) / 1000n);
}

// SCAN cursors index into a snapshot of the database's keys, so a key present for the whole
// iteration is returned even when others are deleted meanwhile (Redis's SCAN guarantee).
// The low bits of the cursor name the snapshot's slot. A snapshot is an array of references to
// the key strings (8 bytes a key): 32 concurrent scans of a million-key database hold ~256 MB at
// worst; a 33rd recycles the oldest, whose cursor then resumes by position in a new snapshot.
const SCAN_SLOTS = 32;
interface ScanSnapshot {
  db: Db;
  keys: string[];
}
const scanSnapshots: (ScanSnapshot | undefined)[] = new Array(SCAN_SLOTS);
let nextScanSlot = 1;

/** The keyspace as SCAN pages through it: a snapshot of the keys, named by the cursor's low bits. */
class KeyScan implements ScanSource<string> {
  readonly whole = false;
  readonly width = 1;
  private slot = 0;
  private keys: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly now: number,
    private readonly type: string | null,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  position(cursor: number): number {
    const db = this.db;
    let slot = cursor % SCAN_SLOTS;
    let pos = Math.floor(cursor / SCAN_SLOTS);
    let snap = cursor === 0 ? undefined : scanSnapshots[slot];
    if (snap === undefined || snap.db !== db) {
      if (cursor !== 0 && snap === undefined) pos = Math.min(pos, db.size);
      else pos = 0;
      slot = nextScanSlot;
      nextScanSlot = (nextScanSlot % (SCAN_SLOTS - 1)) + 1;
      snap = { db, keys: Array.from(db.dict.keys()) };
      scanSnapshots[slot] = snap;
    }
    this.slot = slot;
    this.keys = snap.keys;
    return pos;
  }

  slice(start: number, end: number): readonly string[] {
    return this.keys.slice(start, end);
  }

  name(key: string): string {
    return key;
  }

  accept(key: string): boolean {
    const e = this.db.dict.get(key);
    if (e === undefined) return false;
    if (isExpired(this.db, key, this.now)) {
      // As Redis's SCAN: an expired key met on the way is deleted (and its DEL propagated).
      this.db.lookupWrite(key);
      return false;
    }
    return this.type === null || e.type === this.type;
  }

  write(reply: Reply, key: string): void {
    reply.bulkKey(key);
  }

  cursorAt(pos: number): number {
    return pos * SCAN_SLOTS + this.slot;
  }

  done(): void {
    scanSnapshots[this.slot] = undefined;
  }
}

/**
 * KEYS: one pass marks the matching keys in a bitmap (one bit a key, 1.25 MB for 10 million keys,
 * instead of an array of references eight times larger), a second writes them, so the reply
 * streams to the connection in the Reply's 16 KB chunks and the JS heap holds no copy of it.
 */
function keys(ctx: CommandContext, argv: Buffer[]): void {
  const db = ctx.db;
  const pattern = keyOf(argv[1]);
  const now = ctx.server.now();
  const matched = new Uint8Array((db.dict.size >> 3) + 1);
  const all = pattern === '*';
  let count = 0;
  let i = 0;
  for (const key of db.dict.keys()) {
    if ((all || globMatch(pattern, key)) && !isExpired(db, key, now)) {
      matched[i >> 3] |= 1 << (i & 7);
      count++;
    }
    i++;
  }
  ctx.reply.array(count);
  i = 0;
  for (const key of db.dict.keys()) {
    if ((matched[i >> 3] & (1 << (i & 7))) !== 0) ctx.reply.bulkKey(key);
    i++;
  }
}

function scan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 1, true);
  scanReply(ctx.reply, opts, new KeyScan(ctx.db, ctx.server.now(), opts.type));
}

const object = dispatchSub('object', {
  encoding: {
    arity: 3,
    run: (ctx, argv) => {
      const e = ctx.db.lookupWrite(keyOf(argv[2]));
      if (e === undefined) return ctx.reply.nil();
      const ops = ctx.server.typeOps[e.type];
      ctx.reply.bulk(ops === undefined ? 'unknown' : ops.encoding(e.value));
    },
  },
  freq: {
    arity: 3,
    run: (ctx, argv) => {
      const e = ctx.db.lookupWrite(keyOf(argv[2]));
      if (e === undefined) return ctx.reply.nil();
      if (!ctx.server.config['maxmemory-policy'].endsWith('-lfu')) {
        throw new CommandError(
          'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
        );
      }
      ctx.reply.integer(lfuDecayed(e));
    },
  },
  idletime: {
    arity: 3,
    run: (ctx, argv) => {
      const key = keyOf(argv[2]);
      // Read before the lookup, which counts as an access (Redis's OBJECT does not touch the key).
      const lru = ctx.db.dict.get(key)?.lru;
      const e = ctx.db.lookupWrite(key);
      if (e === undefined || lru === undefined) return ctx.reply.nil();
      e.lru = lru;
      ctx.reply.integer(Math.max(0, Math.floor(ctx.server.now() / 1000) - lru));
    },
  },
  refcount: {
    arity: 3,
    run: (ctx, argv) => {
      const e = ctx.db.lookupWrite(keyOf(argv[2]));
      if (e === undefined) return ctx.reply.nil();
      const cfg = ctx.server.config;
      const noSharing = cfg.maxmemory !== 0 && /lru|lfu/.test(cfg['maxmemory-policy']);
      ctx.reply.integer(e.type === 'string' && isSharedInteger(stringValue(e), noSharing) ? SHARED_REFCOUNT : 1);
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'ENCODING <key>',
        '    Return the kind of internal representation used in order to store the value',
        '    associated with a <key>.',
        'FREQ <key>',
        '    Return the access frequency index of the <key>. The returned integer is',
        '    proportional to the logarithm of the recent access frequency of the key.',
        'IDLETIME <key>',
        '    Return the idle time of the <key>, that is the approximated number of',
        '    seconds elapsed since the last access to the key.',
        'REFCOUNT <key>',
        '    Return the number of references of the value associated with the specified',
        '    <key>.',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const keyCommands: CommandDef[] = [
  def('del', -2, CMD_WRITE, ALLKEYS, 'generic', (ctx, argv) => del(ctx, argv, showSetting(ctx.server.config, 'lazyfree-lazy-user-del') === 'yes')),
  def('unlink', -2, CMD_WRITE | CMD_FAST, ALLKEYS, 'generic', (ctx, argv) => del(ctx, argv, true)),
  def('exists', -2, CMD_READONLY | CMD_FAST, ALLKEYS, 'generic', (ctx, argv) => {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (ctx.db.lookupRead(keyOf(argv[i]), false) !== undefined) n++;
    ctx.reply.integer(n);
  }),
  def('touch', -2, CMD_READONLY | CMD_FAST, ALLKEYS, 'generic', (ctx, argv) => {
    let n = 0;
    for (let i = 1; i < argv.length; i++) if (ctx.db.lookupRead(keyOf(argv[i])) !== undefined) n++;
    ctx.reply.integer(n);
  }),
  def('type', 2, CMD_READONLY | CMD_FAST, KEY1, 'generic', (ctx, argv) => {
    const e = ctx.db.lookupRead(keyOf(argv[1]), false);
    ctx.reply.simple(e === undefined ? 'none' : e.type);
  }),
  def('keys', 2, CMD_READONLY, NOKEYS, 'generic', keys),
  def('scan', -2, CMD_READONLY, NOKEYS, 'generic', scan),
  def('randomkey', 1, CMD_READONLY, NOKEYS, 'generic', (ctx) => {
    const db = ctx.db;
    const now = ctx.server.now();
    // Several tries, as expired-but-unreclaimed keys do not count.
    for (let attempt = 0; attempt < 100; attempt++) {
      const s = db.sample(Math.floor(Math.random() * Math.min(db.size, 1024)));
      if (s === undefined) break;
      if (!isExpired(db, s[0], now)) return ctx.reply.bulkKey(s[0]);
      db.lookupWrite(s[0]);
    }
    ctx.reply.nil();
  }),
  def('rename', 3, CMD_WRITE, [1, 2, 1], 'generic', (ctx, argv) => rename(ctx, argv, false)),
  def('renamenx', 3, CMD_WRITE | CMD_FAST, [1, 2, 1], 'generic', (ctx, argv) => rename(ctx, argv, true)),
  def('move', 3, CMD_WRITE | CMD_FAST, KEY1, 'generic', move),
  def('copy', -3, CMD_WRITE | CMD_DENYOOM, [1, 2, 1], 'generic', copy),
  def('expire', -3, CMD_WRITE | CMD_FAST, KEY1, 'generic', (ctx, argv) => expireGeneric(ctx, argv, 'now', true, 'expire')),
  def('pexpire', -3, CMD_WRITE | CMD_FAST, KEY1, 'generic', (ctx, argv) => expireGeneric(ctx, argv, 'now', false, 'pexpire')),
  def('expireat', -3, CMD_WRITE | CMD_FAST, KEY1, 'generic', (ctx, argv) => expireGeneric(ctx, argv, 'zero', true, 'expireat')),
  def('pexpireat', -3, CMD_WRITE | CMD_FAST, KEY1, 'generic', (ctx, argv) => expireGeneric(ctx, argv, 'zero', false, 'pexpireat')),
  def('ttl', 2, CMD_READONLY | CMD_FAST, KEY1, 'generic', (ctx, argv) => ttl(ctx, argv, false, false)),
  def('pttl', 2, CMD_READONLY | CMD_FAST, KEY1, 'generic', (ctx, argv) => ttl(ctx, argv, true, false)),
  def('expiretime', 2, CMD_READONLY | CMD_FAST, KEY1, 'generic', (ctx, argv) => ttl(ctx, argv, false, true)),
  def('pexpiretime', 2, CMD_READONLY | CMD_FAST, KEY1, 'generic', (ctx, argv) => ttl(ctx, argv, true, true)),
  def('persist', 2, CMD_WRITE | CMD_FAST, KEY1, 'generic', (ctx, argv) => {
    const key = keyOf(argv[1]);
    if (ctx.db.lookupWrite(key) !== undefined && ctx.db.persist(key)) {
      ctx.db.modified(key);
      ctx.notify(NOTIFY_GENERIC, 'persist', key);
      ctx.reply.integer(1);
    } else ctx.reply.integer(0);
  }),
  def('object', -2, CMD_READONLY, [2, 2, 1], 'generic', object),
];


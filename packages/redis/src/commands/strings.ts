/**
 * String commands. Values stored whole are immutable Buffers (COPY and GET share them); APPEND
 * and SETRANGE change a value in place through its growable form (`stringvalue.ts`).
 *
 * @packageDocumentation
 */
import { ALLKEYS, CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, INT64_MAX, INT64_MIN, LongDouble, NOTIFY_GENERIC, NOTIFY_STRING, NOT_FLOAT, NOT_INTEGER, OVERFLOW } from '../command';
import { SYNTAX, WRONGTYPE, argInt, argIs, int64Arg, arityError, keyOf, parseBigInt, parseInt64 } from '../command';
import type { CommandContext } from '../command';
import { checkStringLength } from '../algo/sds';
import { bytesOf, growableString, readString, readStringForWrite, stringValue, withoutIntEncoding } from '../stringvalue';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const WRITE = CMD_WRITE | CMD_DENYOOM;
const WRITE_FAST = WRITE | CMD_FAST;
const READ_FAST = CMD_READONLY | CMD_FAST;

const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_PERSIST = 16;
const F_EX = 32;
const F_PX = 64;
const F_EXAT = 128;
const F_PXAT = 256;
const F_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

interface StringOptions {
  flags: number;
  /** Absolute expiry in ms when an EX/PX/EXAT/PXAT option was given. */
  when: bigint;
}

/**
 * Parses SET's (`forSet`) or GETEX's options from argv[start], with Redis's rules on which
 * combine; the expiry is checked (`invalid expire time in 'set' command`) and made absolute.
 */
function parseOptions(ctx: CommandContext, argv: Buffer[], start: number, forSet: boolean, name: string): StringOptions {
  let flags = 0;
  let expireArg: Buffer | null = null;
  for (let j = start; j < argv.length; j++) {
    const a = argv[j];
    const hasNext = j + 1 < argv.length;
    if (forSet && argIs(a, 'nx') && !(flags & F_XX)) flags |= F_NX;
    else if (forSet && argIs(a, 'xx') && !(flags & F_NX)) flags |= F_XX;
    else if (forSet && argIs(a, 'get')) flags |= F_GET;
    else if (forSet && argIs(a, 'keepttl') && !(flags & (F_PERSIST | F_EXPIRE))) flags |= F_KEEPTTL;
    else if (!forSet && argIs(a, 'persist') && !(flags & (F_EXPIRE | F_KEEPTTL))) flags |= F_PERSIST;
    else if (argIs(a, 'ex') && !(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EX;
      expireArg = argv[++j];
    } else if (argIs(a, 'px') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT)) && hasNext) {
      flags |= F_PX;
      expireArg = argv[++j];
    } else if (argIs(a, 'exat') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT)) && hasNext) {
      flags |= F_EXAT;
      expireArg = argv[++j];
    } else if (argIs(a, 'pxat') && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX)) && hasNext) {
      flags |= F_PXAT;
      expireArg = argv[++j];
    } else throw new CommandError(SYNTAX);
  }
  let when = 0n;
  if (expireArg !== null) when = expireTime(ctx, expireArg, flags, name);
  return { flags, when };
}

function expireTime(ctx: CommandContext, arg: Buffer, flags: number, name: string): bigint {
  // Exact int64 arithmetic: a time near INT64_MAX must come back exactly from PEXPIRETIME.
  const v = int64Arg(arg);
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  const invalid = `ERR invalid expire time in '${name}' command`;
  if (v <= 0n || (seconds && v > INT64_MAX / 1000n)) throw new CommandError(invalid);
  let ms = seconds ? v * 1000n : v;
  if (flags & (F_EX | F_PX)) {
    const now = BigInt(ctx.server.now());
    if (ms > INT64_MAX - now) throw new CommandError(invalid);
    ms += now;
  }
  return ms;
}

function set(ctx: CommandContext, argv: Buffer[]): void {
  const db = ctx.db;
  const key = keyOf(argv[1]);
  if (argv.length === 3) {
    db.set(key, 'string', Buffer.from(argv[2]));
    ctx.notify(NOTIFY_STRING, 'set', key);
    ctx.reply.ok();
    return;
  }
  const { flags, when } = parseOptions(ctx, argv, 3, true, 'set');
  if (flags & F_GET) {
    const old = readString(db, key);
    if (old === undefined) ctx.reply.nil();
    else ctx.reply.bulk(old);
  }
  if (flags & (F_NX | F_XX)) {
    const found = db.exists(key);
    if (((flags & F_NX) && found) || ((flags & F_XX) && !found)) {
      if (!(flags & F_GET)) ctx.reply.nil();
      return;
    }
  }
  const value = Buffer.from(argv[2]);
  db.set(key, 'string', value, (flags & F_KEEPTTL) !== 0);
  ctx.notify(NOTIFY_STRING, 'set', key);
  if (flags & F_EXPIRE) {
    db.setExpire(key, when);
    ctx.propagate(['SET', key, value, 'PXAT', String(when)]);
    ctx.notify(NOTIFY_GENERIC, 'expire', key);
  }
  if (!(flags & F_GET)) ctx.reply.ok();
}

function setWithExpire(ctx: CommandContext, argv: Buffer[], flag: number, name: string): void {
  const when = expireTime(ctx, argv[2], flag, name);
  const key = keyOf(argv[1]);
  const value = Buffer.from(argv[3]);
  ctx.db.set(key, 'string', value);
  ctx.notify(NOTIFY_STRING, 'set', key);
  ctx.db.setExpire(key, when);
  ctx.propagate(['SET', key, value, 'PXAT', String(when)]);
  ctx.notify(NOTIFY_GENERIC, 'expire', key);
  ctx.reply.ok();
}

function getex(ctx: CommandContext, argv: Buffer[]): void {
  const db = ctx.db;
  const key = keyOf(argv[1]);
  const { flags, when } = parseOptions(ctx, argv, 2, false, 'getex');
  const value = readString(db, key);
  if (value === undefined) {
    ctx.reply.nil();
    return;
  }
  ctx.reply.bulk(value);
  if (flags & (F_EXAT | F_PXAT) && when <= ctx.server.now()) {
    db.delete(key);
    ctx.propagate(['DEL', key]);
    ctx.notify(NOTIFY_GENERIC, 'del', key);
  } else if (flags & F_EXPIRE) {
    db.setExpire(key, when);
    db.modified(key);
    ctx.propagate(['PEXPIREAT', key, String(when)]);
    ctx.notify(NOTIFY_GENERIC, 'expire', key);
  } else if (flags & F_PERSIST) {
    if (db.persist(key)) {
      db.modified(key);
      ctx.propagate(['PERSIST', key]);
      ctx.notify(NOTIFY_GENERIC, 'persist', key);
    }
  }
}

/** INCRBY's arithmetic on the stored string, exact over the whole int64 range. */
function incrBy(ctx: CommandContext, key: string, by: number | bigint): void {
  const db = ctx.db;
  const cur = readStringForWrite(db, key);
  let result: number | bigint;
  if (cur === undefined) {
    result = by;
  } else {
    const n = parseInt64(cur);
    if (n === undefined) throw new CommandError(NOT_INTEGER);
    if (typeof by === 'number' && Math.abs(n) <= MAX_SAFE && Math.abs(by) <= MAX_SAFE && Math.abs(n + by) <= MAX_SAFE) {
      result = n + by;
    } else {
      const old = Math.abs(n) <= MAX_SAFE ? BigInt(n) : parseBigInt(cur)!;
      const r = old + BigInt(by);
      if (r > INT64_MAX || r < INT64_MIN) throw new CommandError(OVERFLOW);
      result = r;
    }
  }
  db.set(key, 'string', Buffer.from(String(result), 'latin1'), true);
  ctx.notify(NOTIFY_STRING, 'incrby', key);
  ctx.reply.integer(result);
}

function incrArg(arg: Buffer): number | bigint {
  const n = parseInt64(arg);
  if (n === undefined) throw new CommandError(NOT_INTEGER);
  return Math.abs(n) <= MAX_SAFE ? n : parseBigInt(arg)!;
}

function getrange(ctx: CommandContext, argv: Buffer[]): void {
  let start = argInt(argv[2]);
  let end = argInt(argv[3]);
  const value = readString(ctx.db, keyOf(argv[1]));
  if (value === undefined) {
    ctx.reply.bulk('');
    return;
  }
  const len = value.length;
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) ctx.reply.bulk('');
  else ctx.reply.bulk(value.subarray(start, end + 1));
}

function setrange(ctx: CommandContext, argv: Buffer[]): void {
  const offset = argInt(argv[2]);
  if (offset < 0) throw new CommandError('ERR offset is out of range');
  const db = ctx.db;
  const key = keyOf(argv[1]);
  const patch = argv[3];
  const cur = readStringForWrite(db, key);
  // Writing nothing changes nothing: no key is created, no encoding changes.
  if (patch.length === 0) {
    ctx.reply.integer(cur === undefined ? 0 : cur.length);
    return;
  }
  checkStringLength(offset, patch.length, ctx.server.config['proto-max-bulk-len']);
  const len = growableString(db, key).setRange(offset, patch);
  db.modified(key);
  ctx.notify(NOTIFY_STRING, 'setrange', key);
  ctx.reply.integer(len);
}

function append(ctx: CommandContext, argv: Buffer[]): void {
  const db = ctx.db;
  const key = keyOf(argv[1]);
  const cur = readStringForWrite(db, key);
  const add = argv[2];
  if (cur === undefined) {
    // A new key holds the argument as SET would store it (int/embstr encodings included).
    db.set(key, 'string', Buffer.from(add));
    ctx.notify(NOTIFY_STRING, 'append', key);
    ctx.reply.integer(add.length);
    return;
  }
  checkStringLength(cur.length, add.length, ctx.server.config['proto-max-bulk-len']);
  const len = growableString(db, key).append(add);
  db.modified(key);
  ctx.notify(NOTIFY_STRING, 'append', key);
  ctx.reply.integer(len);
}

function mset(ctx: CommandContext, argv: Buffer[], nx: boolean, name: string): void {
  if (argv.length % 2 === 0) throw new CommandError(arityError(name));
  const db = ctx.db;
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.exists(keyOf(argv[i]))) {
        ctx.reply.integer(0);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    const key = keyOf(argv[i]);
    db.set(key, 'string', Buffer.from(argv[i + 1]));
    ctx.notify(NOTIFY_STRING, 'set', key);
  }
  if (nx) ctx.reply.integer(1);
  else ctx.reply.ok();
}

export const stringCommands: CommandDef[] = [
  def('get', 2, READ_FAST, KEY1, 'string', (ctx, argv) => {
    const e = ctx.db.lookupRead(keyOf(argv[1]));
    if (e === undefined) ctx.reply.nil();
    else if (e.type !== 'string') throw new CommandError(WRONGTYPE);
    else ctx.reply.bulk(bytesOf(stringValue(e)));
  }),
  def('set', -3, WRITE, KEY1, 'string', set),
  def('setnx', 3, WRITE_FAST, KEY1, 'string', (ctx, argv) => {
    const key = keyOf(argv[1]);
    if (ctx.db.exists(key)) ctx.reply.integer(0);
    else {
      ctx.db.set(key, 'string', Buffer.from(argv[2]));
      ctx.notify(NOTIFY_STRING, 'set', key);
      ctx.reply.integer(1);
    }
  }),
  def('setex', 4, WRITE, KEY1, 'string', (ctx, argv) => setWithExpire(ctx, argv, F_EX, 'setex')),
  def('psetex', 4, WRITE, KEY1, 'string', (ctx, argv) => setWithExpire(ctx, argv, F_PX, 'psetex')),
  def('getset', 3, WRITE_FAST, KEY1, 'string', (ctx, argv) => {
    const key = keyOf(argv[1]);
    const old = readStringForWrite(ctx.db, key);
    if (old === undefined) ctx.reply.nil();
    else ctx.reply.bulk(old);
    const value = Buffer.from(argv[2]);
    ctx.db.set(key, 'string', value);
    ctx.notify(NOTIFY_STRING, 'set', key);
    // Logged as the SET it amounts to, as Redis propagates it.
    ctx.propagate(['SET', key, value]);
  }),
  def('getdel', 2, CMD_WRITE | CMD_FAST, KEY1, 'string', (ctx, argv) => {
    const key = keyOf(argv[1]);
    const value = readString(ctx.db, key);
    if (value === undefined) ctx.reply.nil();
    else {
      ctx.reply.bulk(value);
      ctx.db.delete(key);
      // Logged as the DEL it amounts to, as Redis propagates it.
      ctx.propagate(['DEL', key]);
      ctx.notify(NOTIFY_GENERIC, 'del', key);
    }
  }),
  def('getex', -2, CMD_WRITE | CMD_FAST, KEY1, 'string', getex),
  def('mget', -2, READ_FAST, ALLKEYS, 'string', (ctx, argv) => {
    ctx.reply.array(argv.length - 1);
    for (let i = 1; i < argv.length; i++) {
      const e = ctx.db.lookupRead(keyOf(argv[i]));
      if (e === undefined || e.type !== 'string') ctx.reply.nil();
      else ctx.reply.bulk(bytesOf(stringValue(e)));
    }
  }),
  def('mset', -3, WRITE, [1, -1, 2], 'string', (ctx, argv) => mset(ctx, argv, false, 'mset')),
  def('msetnx', -3, WRITE, [1, -1, 2], 'string', (ctx, argv) => mset(ctx, argv, true, 'msetnx')),
  def('incr', 2, WRITE_FAST, KEY1, 'string', (ctx, argv) => incrBy(ctx, keyOf(argv[1]), 1)),
  def('decr', 2, WRITE_FAST, KEY1, 'string', (ctx, argv) => incrBy(ctx, keyOf(argv[1]), -1)),
  def('incrby', 3, WRITE_FAST, KEY1, 'string', (ctx, argv) => incrBy(ctx, keyOf(argv[1]), incrArg(argv[2]))),
  def('decrby', 3, WRITE_FAST, KEY1, 'string', (ctx, argv) => {
    const by = incrArg(argv[2]);
    if (by === INT64_MIN) throw new CommandError('ERR decrement would overflow');
    incrBy(ctx, keyOf(argv[1]), typeof by === 'number' ? -by : -by);
  }),
  def('incrbyfloat', 3, WRITE_FAST, KEY1, 'string', (ctx, argv) => {
    const key = keyOf(argv[1]);
    const cur = readStringForWrite(ctx.db, key);
    // Redis computes in long double: emulated exactly so that results print identically.
    let base = LongDouble.fromBigInt(0n);
    if (cur !== undefined) {
      const v = LongDouble.parse(keyOf(cur));
      if (v === null) throw new CommandError(NOT_FLOAT);
      base = v;
    }
    const by = LongDouble.parse(keyOf(argv[2]));
    if (by === null) throw new CommandError(NOT_FLOAT);
    const result = base.add(by);
    if (result === null || result.isInfinite) throw new CommandError('ERR increment would produce NaN or Infinity');
    const value = withoutIntEncoding(Buffer.from(result.toHumanString(), 'latin1'));
    ctx.db.set(key, 'string', value, true);
    ctx.propagate(['SET', key, value, 'KEEPTTL']);
    ctx.notify(NOTIFY_STRING, 'incrbyfloat', key);
    ctx.reply.bulk(value);
  }),
  def('append', 3, WRITE_FAST, KEY1, 'string', append),
  def('strlen', 2, READ_FAST, KEY1, 'string', (ctx, argv) => {
    const v = readString(ctx.db, keyOf(argv[1]));
    ctx.reply.integer(v === undefined ? 0 : v.length);
  }),
  def('getrange', 4, CMD_READONLY, KEY1, 'string', getrange),
  def('substr', 4, CMD_READONLY, KEY1, 'string', getrange),
  def('setrange', 4, WRITE, KEY1, 'string', setrange),
];

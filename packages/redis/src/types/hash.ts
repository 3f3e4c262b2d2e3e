/**
 * Hash commands over {@link RedisHash} values.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, INT64_MAX, INT64_MIN, LongDouble, NOT_FLOAT, OVERFLOW, int64Arg } from '../command';
import { parseBigInt, parseScan, scanReply } from '../command';
import type { CommandContext, Db, TypeOps } from '../command';
import { copy, pick, str } from './common';
import { parseRandomCount, replyRandom } from './random';

// Redis 7.0's compiled-in defaults (hash-max-listpack-entries/value).
const LISTPACK_ENTRIES = 512;
const LISTPACK_VALUE = 64;

/**
 * A Redis hash: fields (binary-safe latin1 strings) to Buffer values. Map iteration order is
 * insertion order, which is also the order of a Redis listpack, so small hashes list their fields
 * exactly as Redis does.
 */
export class RedisHash {
  readonly map = new Map<string, Buffer>();
  /** Redis's encoding: a listpack until it grows past the thresholds, then a hash table for good. */
  listpack = true;

  /** Sets a field; true when it is new. */
  set(field: string, value: Buffer): boolean {
    const isNew = !this.map.has(field);
    this.map.set(field, value);
    if (this.listpack && (this.map.size > LISTPACK_ENTRIES || field.length > LISTPACK_VALUE || value.length > LISTPACK_VALUE)) this.listpack = false;
    return isNew;
  }
}

function getHash(db: Db, key: string): RedisHash | undefined {
  return db.get<RedisHash>(key, 'hash');
}

function hashForWrite(db: Db, key: string): RedisHash | undefined {
  return db.getForWrite<RedisHash>(key, 'hash');
}

/** The key's hash, created (and stored) when absent. */
function hashOrCreate(db: Db, key: string): RedisHash {
  let h = hashForWrite(db, key);
  if (h === undefined) {
    h = new RedisHash();
    db.set(key, 'hash', h);
  }
  return h;
}

function setPairs(ctx: CommandContext, argv: Buffer[]): number {
  if (argv.length % 2 === 1) throw new CommandError(`ERR wrong number of arguments for '${str(argv[0]).toLowerCase()}' command`);
  const key = str(argv[1]);
  const h = hashOrCreate(ctx.db, key);
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(str(argv[i]), copy(argv[i + 1]))) added++;
  ctx.db.modified(key);
  return added;
}

function hset(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(setPairs(ctx, argv));
}

function hmset(ctx: CommandContext, argv: Buffer[]): void {
  setPairs(ctx, argv);
  ctx.reply.ok();
}

function hsetnx(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = hashForWrite(ctx.db, key);
  if (existing?.map.has(field)) return ctx.reply.integer(0);
  hashOrCreate(ctx.db, key).set(field, copy(argv[3]));
  ctx.db.modified(key);
  ctx.reply.integer(1);
}

function hget(ctx: CommandContext, argv: Buffer[]): void {
  const v = getHash(ctx.db, str(argv[1]))?.map.get(str(argv[2]));
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(v);
}

function hmget(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.map.get(str(argv[i]));
    if (v === undefined) ctx.reply.nil();
    else ctx.reply.bulk(v);
  }
}

function hgetall(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.map(h?.map.size ?? 0);
  if (!h) return;
  for (const [f, v] of h.map) {
    ctx.reply.bulkKey(f);
    ctx.reply.bulk(v);
  }
}

function hkeys(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(h?.map.size ?? 0);
  if (h) for (const f of h.map.keys()) ctx.reply.bulkKey(f);
}

function hvals(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(h?.map.size ?? 0);
  if (h) for (const v of h.map.values()) ctx.reply.bulk(v);
}

function hdel(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const h = hashForWrite(ctx.db, key);
  if (!h) return ctx.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (h.map.delete(str(argv[i]))) n++;
  if (n > 0) {
    if (h.map.size === 0) ctx.db.delete(key);
    else ctx.db.modified(key);
  }
  ctx.reply.integer(n);
}

function hlen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.map.size ?? 0);
}

function hexists(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.map.has(str(argv[2])) ? 1 : 0);
}

function hstrlen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.map.get(str(argv[2]))?.length ?? 0);
}

function hincrby(ctx: CommandContext, argv: Buffer[]): void {
  const incr = int64Arg(argv[3]);
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = hashForWrite(ctx.db, key);
  let cur = 0n;
  const old = existing?.map.get(field);
  if (old !== undefined) {
    const v = parseBigInt(old);
    if (v === undefined) throw new CommandError('ERR hash value is not an integer');
    cur = v;
  }
  const next = cur + incr;
  if (next > INT64_MAX || next < INT64_MIN) throw new CommandError(OVERFLOW);
  (existing ?? hashOrCreate(ctx.db, key)).set(field, Buffer.from(next.toString()));
  ctx.db.modified(key);
  ctx.reply.integer(next);
}

function hincrbyfloat(ctx: CommandContext, argv: Buffer[]): void {
  const incr = LongDouble.parse(str(argv[3]));
  if (incr === null) throw new CommandError(NOT_FLOAT);
  if (incr.isInfinite) throw new CommandError('ERR value is NaN or Infinity');
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = hashForWrite(ctx.db, key);
  let cur = LongDouble.fromBigInt(0n);
  const old = existing?.map.get(field);
  if (old !== undefined) {
    const v = LongDouble.parse(str(old));
    if (v === null) throw new CommandError('ERR hash value is not a float');
    cur = v;
  }
  const next = cur.add(incr);
  if (next === null || next.isInfinite) throw new CommandError('ERR increment would produce NaN or Infinity');
  const text = next.toHumanString();
  (existing ?? hashOrCreate(ctx.db, key)).set(field, Buffer.from(text, 'latin1'));
  ctx.db.modified(key);
  ctx.reply.bulk(text);
  // Replicas and the AOF get the result, so that replaying never re-rounds differently.
  ctx.propagate(['HSET', key, field, text]);
}

function hrandfield(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseRandomCount(argv, 'withvalues');
  const h = getHash(ctx.db, str(argv[1]));
  if (req === null) return h === undefined ? ctx.reply.nil() : ctx.reply.bulkKey(pick([...h.map.keys()]));
  replyRandom<[string, Buffer]>(ctx, req, h && [...h.map], (r, [field, value]) => {
    r.bulkKey(field);
    if (req.paired) r.bulk(value);
  });
}

/** A hash as HSCAN pages through it: whole while a listpack, as Redis does, else by position. */
function hscan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 2, false);
  const h = getHash(ctx.db, str(argv[1]));
  const entries = h === undefined ? [] : [...h.map];
  scanReply<[string, Buffer]>(ctx.reply, opts, h && {
    size: entries.length,
    whole: h.listpack,
    width: 2,
    slice: (start, end) => entries.slice(start, end),
    name: ([field]) => field,
    write: (r, [field, value]) => {
      r.bulkKey(field);
      r.bulk(value);
    },
  });
}

const W = CMD_WRITE | CMD_DENYOOM | CMD_FAST;

/** The hash commands. */
export const hashCommands: CommandDef[] = [
  def('hset', -4, W, KEY1, 'hash', hset, 'Creates or modifies the value of fields in a hash.'),
  def('hmset', -4, W, KEY1, 'hash', hmset, 'Sets the values of multiple fields.'),
  def('hsetnx', 4, W, KEY1, 'hash', hsetnx, 'Sets the value of a field in a hash only when the field does not exist.'),
  def('hget', 3, CMD_READONLY | CMD_FAST, KEY1, 'hash', hget, 'Returns the value of a field in a hash.'),
  def('hmget', -3, CMD_READONLY | CMD_FAST, KEY1, 'hash', hmget, 'Returns the values of all fields in a hash.'),
  def('hgetall', 2, CMD_READONLY, KEY1, 'hash', hgetall, 'Returns all fields and values in a hash.'),
  def('hkeys', 2, CMD_READONLY, KEY1, 'hash', hkeys, 'Returns all fields in a hash.'),
  def('hvals', 2, CMD_READONLY, KEY1, 'hash', hvals, 'Returns all values in a hash.'),
  def('hdel', -3, CMD_WRITE | CMD_FAST, KEY1, 'hash', hdel, 'Deletes one or more fields and their values from a hash.'),
  def('hlen', 2, CMD_READONLY | CMD_FAST, KEY1, 'hash', hlen, 'Returns the number of fields in a hash.'),
  def('hexists', 3, CMD_READONLY | CMD_FAST, KEY1, 'hash', hexists, 'Determines whether a field exists in a hash.'),
  def('hstrlen', 3, CMD_READONLY | CMD_FAST, KEY1, 'hash', hstrlen, 'Returns the length of the value of a field.'),
  def('hincrby', 4, W, KEY1, 'hash', hincrby, 'Increments the integer value of a field in a hash by a number.'),
  def('hincrbyfloat', 4, W, KEY1, 'hash', hincrbyfloat, 'Increments the floating point value of a field by a number.'),
  def('hrandfield', -2, CMD_READONLY, KEY1, 'hash', hrandfield, 'Returns one or more random fields from a hash.'),
  def('hscan', -3, CMD_READONLY, KEY1, 'hash', hscan, 'Iterates over fields and values of a hash.'),
];

/** Keyspace hooks for hash values. */
export const hashOps: TypeOps = {
  *rewrite(key, value) {
    const entries = [...(value as RedisHash).map];
    for (let i = 0; i < entries.length; i += 64) {
      const cmd: (Buffer | string)[] = ['HSET', key];
      for (const [f, v] of entries.slice(i, i + 64)) cmd.push(f, v);
      yield cmd;
    }
  },
  copy(value) {
    const src = value as RedisHash;
    const out = new RedisHash();
    for (const [f, v] of src.map) out.map.set(f, Buffer.from(v));
    out.listpack = src.listpack;
    return out;
  },
  encoding: (value) => ((value as RedisHash).listpack ? 'listpack' : 'hashtable'),
  memory(value) {
    let n = 64;
    for (const [f, v] of (value as RedisHash).map) n += f.length + v.length + 32;
    return n;
  },
};

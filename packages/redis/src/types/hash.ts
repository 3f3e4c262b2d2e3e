/**
 * Hash commands over {@link RedisHash} values.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_FAST, CMD_READONLY, CMD_WRITE, KEY1, def, type CommandDef } from '../command';
import { CommandError, INT64_MAX, INT64_MIN, LongDouble, NOTIFY_GENERIC, NOTIFY_HASH, NOT_FLOAT, OVERFLOW, int64Arg } from '../command';
import { parseBigInt, parseScan, scanReply } from '../command';
import type { CommandContext, Config, Db, Reply, ScanSource, TypeOps } from '../command';
import { copy, str } from './common';
import { DenseMap, scanDown } from './dense-index';
import { parseRandomCount, randomIndex, replyRandom, type RandomSource } from './random';

/** The settings that decide a hash's encoding (CONFIG SET changes them at run time). */
export type HashLimits = Pick<Config, 'hash-max-listpack-entries' | 'hash-max-listpack-value'>;

/** A field and its value. */
type Pair = [field: string, value: Buffer];

/**
 * A Redis hash: fields (binary-safe latin1 strings) to Buffer values, at dense positions
 * (`dense-index.ts`). While it is a listpack, fields keep their insertion order, also across
 * deletions, which is the order a Redis listpack lists them in, so small hashes reply exactly
 * as Redis does.
 */
export class RedisHash {
  readonly fields = new DenseMap<Buffer>();
  /**
   * Redis's encoding: a listpack until it has more than `hash-max-listpack-entries` fields or a
   * field or value longer than `hash-max-listpack-value` bytes, then a hash table for good
   * (Redis 7.0 never converts back).
   */
  listpack = true;

  /** Number of fields. */
  get size(): number {
    return this.fields.size;
  }

  /** The value of `field`, or undefined. */
  get(field: string): Buffer | undefined {
    return this.fields.get(field);
  }

  /** Sets a field; true when it is new. Converts to a hash table past `limits` (Redis's hashTypeSet). */
  set(field: string, value: Buffer, limits: HashLimits): boolean {
    const maxValue = limits['hash-max-listpack-value'];
    if (this.listpack && (field.length > maxValue || value.length > maxValue)) this.listpack = false;
    const isNew = this.fields.set(field, value);
    if (this.listpack && this.fields.size > limits['hash-max-listpack-entries']) this.listpack = false;
    return isNew;
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    return this.fields.delete(field, this.listpack);
  }

  /** The field and value at position `i`. */
  pairAt(i: number): Pair {
    return [this.fields.keyAt(i), this.fields.valueAt(i)];
  }

  /** Every field and value, in the order HGETALL lists them. */
  *pairs(): IterableIterator<Pair> {
    for (let i = 0; i < this.fields.size; i++) yield this.pairAt(i);
  }

  /** The hash as random picks read it. */
  random(): RandomSource<Pair> {
    return { size: this.size, at: (i) => this.pairAt(i), ordered: () => this.pairs() };
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
  const limits = ctx.server.config;
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(str(argv[i]), copy(argv[i + 1]), limits)) added++;
  ctx.db.modified(key);
  ctx.notify(NOTIFY_HASH, 'hset', key);
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
  if (existing?.get(field) !== undefined) return ctx.reply.integer(0);
  hashOrCreate(ctx.db, key).set(field, copy(argv[3]), ctx.server.config);
  ctx.db.modified(key);
  ctx.notify(NOTIFY_HASH, 'hset', key);
  ctx.reply.integer(1);
}

function hget(ctx: CommandContext, argv: Buffer[]): void {
  const v = getHash(ctx.db, str(argv[1]))?.get(str(argv[2]));
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(v);
}

function hmget(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(str(argv[i]));
    if (v === undefined) ctx.reply.nil();
    else ctx.reply.bulk(v);
  }
}

function hgetall(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.map(h?.size ?? 0);
  if (!h) return;
  for (let i = 0; i < h.size; i++) {
    ctx.reply.bulkKey(h.fields.keyAt(i));
    ctx.reply.bulk(h.fields.valueAt(i));
  }
}

function hkeys(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(h?.size ?? 0);
  if (h) for (let i = 0; i < h.size; i++) ctx.reply.bulkKey(h.fields.keyAt(i));
}

function hvals(ctx: CommandContext, argv: Buffer[]): void {
  const h = getHash(ctx.db, str(argv[1]));
  ctx.reply.array(h?.size ?? 0);
  if (h) for (let i = 0; i < h.size; i++) ctx.reply.bulk(h.fields.valueAt(i));
}

function hdel(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const h = hashForWrite(ctx.db, key);
  if (!h) return ctx.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (h.delete(str(argv[i]))) n++;
  if (n > 0) {
    ctx.notify(NOTIFY_HASH, 'hdel', key);
    if (h.size === 0) {
      ctx.db.delete(key);
      ctx.notify(NOTIFY_GENERIC, 'del', key);
    } else ctx.db.modified(key);
  }
  ctx.reply.integer(n);
}

function hlen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.size ?? 0);
}

function hexists(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.get(str(argv[2])) !== undefined ? 1 : 0);
}

function hstrlen(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getHash(ctx.db, str(argv[1]))?.get(str(argv[2]))?.length ?? 0);
}

function hincrby(ctx: CommandContext, argv: Buffer[]): void {
  const incr = int64Arg(argv[3]);
  const key = str(argv[1]);
  const field = str(argv[2]);
  const existing = hashForWrite(ctx.db, key);
  let cur = 0n;
  const old = existing?.get(field);
  if (old !== undefined) {
    const v = parseBigInt(old);
    if (v === undefined) throw new CommandError('ERR hash value is not an integer');
    cur = v;
  }
  const next = cur + incr;
  if (next > INT64_MAX || next < INT64_MIN) throw new CommandError(OVERFLOW);
  (existing ?? hashOrCreate(ctx.db, key)).set(field, Buffer.from(next.toString()), ctx.server.config);
  ctx.db.modified(key);
  ctx.notify(NOTIFY_HASH, 'hincrby', key);
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
  const old = existing?.get(field);
  if (old !== undefined) {
    const v = LongDouble.parse(str(old));
    if (v === null) throw new CommandError('ERR hash value is not a float');
    cur = v;
  }
  const next = cur.add(incr);
  if (next === null || next.isInfinite) throw new CommandError('ERR increment would produce NaN or Infinity');
  const text = next.toHumanString();
  (existing ?? hashOrCreate(ctx.db, key)).set(field, Buffer.from(text, 'latin1'), ctx.server.config);
  ctx.db.modified(key);
  ctx.notify(NOTIFY_HASH, 'hincrbyfloat', key);
  ctx.reply.bulk(text);
  // Replicas and the AOF get the result, so that replaying never re-rounds differently.
  ctx.propagate(['HSET', key, field, text]);
}

/** HRANDFIELD: one pick in O(1), a count in O(count) (`random.ts`). */
function hrandfield(ctx: CommandContext, argv: Buffer[]): void {
  const req = parseRandomCount(argv, 'withvalues');
  const h = getHash(ctx.db, str(argv[1]));
  if (req === null) return h === undefined ? ctx.reply.nil() : ctx.reply.bulkKey(h.fields.keyAt(randomIndex(h.size)));
  replyRandom<Pair>(ctx, req, h?.random(), (r, [field, value]) => {
    r.bulkKey(field);
    if (req.paired) r.bulk(value);
  });
}

function writePair(r: Reply, [field, value]: Pair): void {
  r.bulkKey(field);
  r.bulk(value);
}

/** A hash as HSCAN pages through it: whole while a listpack, as Redis does, else COUNT at a time. */
function hscanSource(h: RedisHash): ScanSource<Pair> {
  const shown: Pick<ScanSource<Pair>, 'name' | 'write' | 'width'> = { width: 2, name: ([field]) => field, write: writePair };
  if (!h.listpack) return scanDown((cursor) => h.fields.scanBoundary(cursor), (i) => h.pairAt(i), shown);
  return { whole: true, size: h.size, slice: () => [...h.pairs()], ...shown };
}

function hscan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 2, false);
  const h = getHash(ctx.db, str(argv[1]));
  scanReply<Pair>(ctx.reply, opts, h && hscanSource(h));
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
    const h = value as RedisHash;
    for (let i = 0; i < h.size; i += 64) {
      const cmd: (Buffer | string)[] = ['HSET', key];
      for (let j = i; j < Math.min(h.size, i + 64); j++) cmd.push(h.fields.keyAt(j), h.fields.valueAt(j));
      yield cmd;
    }
  },
  copy(value) {
    const src = value as RedisHash;
    const out = new RedisHash();
    // Values are never changed in place (a write stores a new Buffer), so the copy shares them.
    for (let i = 0; i < src.size; i++) out.fields.set(src.fields.keyAt(i), src.fields.valueAt(i));
    out.listpack = src.listpack;
    return out;
  },
  encoding: (value) => ((value as RedisHash).listpack ? 'listpack' : 'hashtable'),
  reload(value, config) {
    const src = value as RedisHash;
    const out = new RedisHash();
    for (let i = 0; i < src.size; i++) out.set(src.fields.keyAt(i), src.fields.valueAt(i), config);
    return out;
  },
  memory(value, samples) {
    const h = value as RedisHash;
    const seen = samples === 0 ? h.size : Math.min(samples, h.size);
    let bytes = 0;
    for (let i = 0; i < seen; i++) bytes += h.fields.keyAt(i).length + h.fields.valueAt(i).length + 32;
    return 64 + (seen === 0 ? 0 : (bytes / seen) * h.size);
  },
};

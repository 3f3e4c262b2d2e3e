/**
 * Set commands over {@link RedisSet} values.
 *
 * @packageDocumentation
 */
import { ALLKEYS, CMD_DENYOOM, CMD_FAST, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, KEY1, NOKEYS, def, type CommandDef } from '../command';
import { CommandError, NOTIFY_GENERIC, NOTIFY_SET, NOT_POSITIVE, SYNTAX, argInt, argIs, parseScan, scanReply } from '../command';
import type { CommandContext, Config, Db, Reply, ScanSource, TypeOps } from '../command';
import { str } from './common';
import { DenseSet, scanDown } from './dense-index';
import { parseRandomCount, randomIndex, replyRandom, type RandomSource } from './random';
import { sampledBytes } from '../memory-sample';

/** The setting that decides a set's encoding (CONFIG SET changes it at run time). */
export type SetLimits = Pick<Config, 'set-max-intset-entries'>;

/** The longest int64 magnitudes, as text (`string2ll`'s bounds). */
const INT64_MAX_TEXT = '9223372036854775807';
const INT64_MIN_MAGNITUDE = '9223372036854775808';

/**
 * True when `s` is a canonical int64, what Redis's intset accepts (`string2ll`: no sign but `-`,
 * no leading zeros, no spaces, in range). Works on the string itself: it runs on every SADD to
 * an intset.
 */
function isInt64Text(s: string): boolean {
  const neg = s.charCodeAt(0) === 0x2d; /* '-' */
  const digits = s.length - (neg ? 1 : 0);
  if (digits === 0 || digits > INT64_MAX_TEXT.length) return false;
  if (s === '0') return true;
  const first = neg ? 1 : 0;
  for (let i = first; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || (i === first && c === 0x30)) return false;
  }
  if (digits < INT64_MAX_TEXT.length) return true;
  // Same length: the text order is the numeric order.
  return s.slice(first) <= (neg ? INT64_MIN_MAGNITUDE : INT64_MAX_TEXT);
}

/** Orders canonical int64 strings numerically without converting them (they may exceed 2^53). */
function compareIntStrings(a: string, b: string): number {
  const an = a[0] === '-';
  const bn = b[0] === '-';
  if (an !== bn) return an ? -1 : 1;
  const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return an ? -byMagnitude : byMagnitude;
}

/**
 * A Redis set of binary-safe latin1 strings, at dense positions (`dense-index.ts`: O(1) random
 * picks). While every member is an integer and there are at most `set-max-intset-entries` of
 * them, Redis 7.0 keeps an intset, which lists members in ascending numeric order; this class
 * reproduces that order so small integer sets reply exactly like Redis. Otherwise it is a hash
 * table, for good.
 */
export class RedisSet {
  readonly items = new DenseSet();
  /** Redis's encoding: an intset until a non-integer member or too many members arrive. */
  intset = true;

  /** Number of members. */
  get size(): number {
    return this.items.size;
  }

  /** True when `m` is a member. */
  has(m: string): boolean {
    return this.items.has(m);
  }

  /** Adds a member; true when it is new. Converts to a hash table as Redis's setTypeAdd does. */
  add(m: string, limits: SetLimits): boolean {
    if (!this.items.add(m)) return false;
    if (this.intset && (this.items.size > limits['set-max-intset-entries'] || !isInt64Text(m))) this.intset = false;
    return true;
  }

  /** Removes a member; true when it was there. */
  delete(m: string): boolean {
    return this.items.delete(m, false);
  }

  /** Removes and returns a random member (the set must not be empty). */
  popRandom(): string {
    const i = randomIndex(this.items.size);
    const m = this.items.at(i);
    this.items.removeAt(i, false);
    return m;
  }

  /** Members in the order Redis would list them (numeric for an intset): a copy. */
  members(): string[] {
    const all = this.items.toArray();
    return this.intset ? all.sort(compareIntStrings) : all;
  }

  /** The set as random picks read it. */
  random(): RandomSource<string> {
    return { size: this.size, at: (i) => this.items.at(i), ordered: () => this.members() };
  }
}

function getSet(db: Db, key: string): RedisSet | undefined {
  return db.get<RedisSet>(key, 'set');
}

function setForWrite(db: Db, key: string): RedisSet | undefined {
  return db.getForWrite<RedisSet>(key, 'set');
}

/**
 * After members were removed from the set under `key`: the event (`srem`, `spop`), then the
 * key's deletion and `del` when it is empty (Redis never keeps an empty set).
 */
function removed(ctx: CommandContext, key: string, s: RedisSet, event: string): void {
  ctx.notify(NOTIFY_SET, event, key);
  if (s.size > 0) return ctx.db.modified(key);
  ctx.db.delete(key);
  ctx.notify(NOTIFY_GENERIC, 'del', key);
}

function replyMembers(ctx: CommandContext, members: string[]): void {
  ctx.reply.set(members.length);
  for (const m of members) ctx.reply.bulkKey(m);
}

function sadd(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const limits = ctx.server.config;
  let s = setForWrite(ctx.db, key);
  let added = 0;
  if (s === undefined) {
    s = new RedisSet();
    for (let i = 2; i < argv.length; i++) if (s.add(str(argv[i]), limits)) added++;
    ctx.db.set(key, 'set', s);
  } else {
    for (let i = 2; i < argv.length; i++) if (s.add(str(argv[i]), limits)) added++;
    if (added > 0) ctx.db.modified(key);
  }
  if (added > 0) ctx.notify(NOTIFY_SET, 'sadd', key);
  ctx.reply.integer(added);
}

function srem(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const s = setForWrite(ctx.db, key);
  if (!s) return ctx.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (s.delete(str(argv[i]))) n++;
  if (n > 0) removed(ctx, key, s, 'srem');
  ctx.reply.integer(n);
}

function smembers(ctx: CommandContext, argv: Buffer[]): void {
  replyMembers(ctx, getSet(ctx.db, str(argv[1]))?.members() ?? []);
}

function sismember(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getSet(ctx.db, str(argv[1]))?.has(str(argv[2])) ? 1 : 0);
}

function smismember(ctx: CommandContext, argv: Buffer[]): void {
  const s = getSet(ctx.db, str(argv[1]));
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.integer(s?.has(str(argv[i])) ? 1 : 0);
}

function scard(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getSet(ctx.db, str(argv[1]))?.size ?? 0);
}

/** SPOP: one member in O(1), a count in O(count); the AOF gets the SREM of what was removed. */
function spop(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  const key = str(argv[1]);
  if (argv.length === 2) {
    const s = setForWrite(ctx.db, key);
    if (!s) return ctx.reply.nil();
    const m = s.popRandom();
    ctx.reply.bulkKey(m);
    ctx.propagate(['SREM', key, m]);
    return removed(ctx, key, s, 'spop');
  }
  const count = argInt(argv[2], NOT_POSITIVE);
  if (count < 0) throw new CommandError(NOT_POSITIVE);
  const s = setForWrite(ctx.db, key);
  if (!s || count === 0) return replyMembers(ctx, []);
  let popped: string[];
  if (count >= s.size) {
    popped = s.members();
    for (const m of popped) s.delete(m);
  } else {
    popped = new Array<string>(count);
    for (let i = 0; i < count; i++) popped[i] = s.popRandom();
  }
  replyMembers(ctx, popped);
  // Log what was actually removed: replaying a random pop would remove other members.
  for (let i = 0; i < popped.length; i += 1024) ctx.propagate(['SREM', key, ...popped.slice(i, i + 1024)]);
  removed(ctx, key, s, 'spop');
}

/** SRANDMEMBER: one pick in O(1), a count in O(count) (`random.ts`). */
function srandmember(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  const req = parseRandomCount(argv, '');
  const s = getSet(ctx.db, str(argv[1]));
  if (req === null) return s === undefined ? ctx.reply.nil() : ctx.reply.bulkKey(s.items.at(randomIndex(s.size)));
  replyRandom(ctx, req, s?.random(), (r, m) => r.bulkKey(m));
}

/** The sets named by `keys`, in order (undefined for missing keys); every key's type is checked. */
function loadSets(db: Db, keys: string[]): (RedisSet | undefined)[] {
  const out: (RedisSet | undefined)[] = [];
  for (const k of keys) out.push(db.get<RedisSet>(k, 'set'));
  return out;
}

/** The sets to intersect, or null when one is missing (the intersection is then empty). */
function loadAll(db: Db, keys: string[]): RedisSet[] | null {
  const out: RedisSet[] = [];
  let missing = false;
  for (const s of loadSets(db, keys)) {
    if (s === undefined) missing = true;
    else out.push(s);
  }
  return missing ? null : out;
}

/** The intersection, in the order of its smallest input (as Redis lists it); at most `limit` (0: all). */
function intersect(sets: RedisSet[], limit = 0): string[] {
  const bySize = [...sets].sort((a, b) => a.size - b.size);
  const out: string[] = [];
  for (const m of bySize[0].members()) {
    let inAll = true;
    for (let i = 1; i < bySize.length && inAll; i++) inAll = bySize[i].has(m);
    if (inAll) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

type SetOp = 'inter' | 'union' | 'diff';

/** The result of a set operation, as the set Redis would build (so intset order applies). */
function compute(db: Db, keys: string[], op: SetOp, limits: SetLimits): RedisSet {
  const result = new RedisSet();
  if (op === 'inter') {
    const sets = loadAll(db, keys);
    if (sets !== null) for (const m of intersect(sets)) result.add(m, limits);
    return result;
  }
  const sets = loadSets(db, keys);
  if (op === 'union') {
    for (const s of sets) if (s) for (const m of s.items.values()) result.add(m, limits);
    return result;
  }
  const first = sets[0];
  if (!first) return result;
  for (const m of first.items.values()) {
    let keep = true;
    for (let i = 1; i < sets.length && keep; i++) keep = !sets[i]?.has(m);
    if (keep) result.add(m, limits);
  }
  return result;
}

function setOp(op: SetOp) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const keys = argv.slice(1).map(str);
    if (op === 'inter') {
      const sets = loadAll(ctx.db, keys);
      return replyMembers(ctx, sets === null ? [] : intersect(sets));
    }
    replyMembers(ctx, compute(ctx.db, keys, op, ctx.server.config).members());
  };
}

function setOpStore(op: SetOp) {
  const event = `s${op}store`;
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const dst = str(argv[1]);
    const result = compute(ctx.db, argv.slice(2).map(str), op, ctx.server.config);
    if (result.size > 0) {
      ctx.db.set(dst, 'set', result);
      ctx.notify(NOTIFY_SET, event, dst);
    } else if (ctx.db.delete(dst)) ctx.notify(NOTIFY_GENERIC, 'del', dst);
    ctx.reply.integer(result.size);
  };
}

function sintercard(ctx: CommandContext, argv: Buffer[]): void {
  const numkeys = argInt(argv[1], 'ERR numkeys should be greater than 0');
  if (numkeys < 1) throw new CommandError('ERR numkeys should be greater than 0');
  if (numkeys > argv.length - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i += 2) {
    if (argIs(argv[i], 'limit') && i + 1 < argv.length) {
      limit = argInt(argv[i + 1], "ERR LIMIT can't be negative");
      if (limit < 0) throw new CommandError("ERR LIMIT can't be negative");
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const sets = loadAll(ctx.db, argv.slice(2, 2 + numkeys).map(str));
  ctx.reply.integer(sets === null ? 0 : intersect(sets, limit).length);
}

/**
 * SMOVE, in Redis's order: a missing source answers 0 before the destination's type is looked
 * at; the destination counts as changed (WATCH) only when the member was not in it yet.
 */
function smove(ctx: CommandContext, argv: Buffer[]): void {
  const srcKey = str(argv[1]);
  const dstKey = str(argv[2]);
  const member = str(argv[3]);
  const src = setForWrite(ctx.db, srcKey);
  if (!src) return ctx.reply.integer(0);
  const dst = setForWrite(ctx.db, dstKey);
  if (srcKey === dstKey) return ctx.reply.integer(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return ctx.reply.integer(0);
  removed(ctx, srcKey, src, 'srem');
  let added = true;
  if (dst === undefined) {
    const s = new RedisSet();
    s.add(member, ctx.server.config);
    ctx.db.set(dstKey, 'set', s);
  } else if (dst.add(member, ctx.server.config)) ctx.db.modified(dstKey);
  else added = false;
  if (added) ctx.notify(NOTIFY_SET, 'sadd', dstKey);
  ctx.reply.integer(1);
}

function writeMember(r: Reply, m: string): void {
  r.bulkKey(m);
}

/** A set as SSCAN pages through it: whole while an intset, as Redis does, else COUNT at a time. */
function sscanSource(s: RedisSet): ScanSource<string> {
  const shown: Pick<ScanSource<string>, 'name' | 'write' | 'width'> = { width: 1, name: (m) => m, write: writeMember };
  if (!s.intset) return scanDown((cursor) => s.items.scanBoundary(cursor), (i) => s.items.at(i), shown);
  return { whole: true, size: s.size, slice: () => s.members(), ...shown };
}

function sscan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 2, false);
  const s = getSet(ctx.db, str(argv[1]));
  scanReply<string>(ctx.reply, opts, s && sscanSource(s));
}

const R = CMD_READONLY;

/** The set commands. */
export const setCommands: CommandDef[] = [
  def('sadd', -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, KEY1, 'set', sadd, 'Adds one or more members to a set.'),
  def('srem', -3, CMD_WRITE | CMD_FAST, KEY1, 'set', srem, 'Removes one or more members from a set.'),
  def('smembers', 2, R, KEY1, 'set', smembers, 'Returns all members of a set.'),
  def('sismember', 3, CMD_READONLY | CMD_FAST, KEY1, 'set', sismember, 'Determines whether a member belongs to a set.'),
  def('smismember', -3, CMD_READONLY | CMD_FAST, KEY1, 'set', smismember, 'Determines whether multiple members belong to a set.'),
  def('scard', 2, CMD_READONLY | CMD_FAST, KEY1, 'set', scard, 'Returns the number of members in a set.'),
  def('spop', -2, CMD_WRITE | CMD_FAST, KEY1, 'set', spop, 'Returns one or more random members from a set after removing them.'),
  def('srandmember', -2, R, KEY1, 'set', srandmember, 'Get one or multiple random members from a set.'),
  def('sinter', -2, R, ALLKEYS, 'set', setOp('inter'), 'Returns the intersect of multiple sets.'),
  def('sunion', -2, R, ALLKEYS, 'set', setOp('union'), 'Returns the union of multiple sets.'),
  def('sdiff', -2, R, ALLKEYS, 'set', setOp('diff'), 'Returns the difference of multiple sets.'),
  def('sinterstore', -3, CMD_WRITE | CMD_DENYOOM, ALLKEYS, 'set', setOpStore('inter'), 'Stores the intersect of multiple sets in a key.'),
  def('sunionstore', -3, CMD_WRITE | CMD_DENYOOM, ALLKEYS, 'set', setOpStore('union'), 'Stores the union of multiple sets in a key.'),
  def('sdiffstore', -3, CMD_WRITE | CMD_DENYOOM, ALLKEYS, 'set', setOpStore('diff'), 'Stores the difference of multiple sets in a key.'),
  def('sintercard', -3, R | CMD_MOVABLE_KEYS, NOKEYS, 'set', sintercard, 'Returns the number of members of the intersect of multiple sets.'),
  def('smove', 4, CMD_WRITE | CMD_FAST, [1, 2, 1], 'set', smove, 'Moves a member from one set to another.'),
  def('sscan', -3, R, KEY1, 'set', sscan, 'Iterates over members of a set.'),
];

/** Keyspace hooks for set values. */
/** A member's bytes: the string and its hash-table entry. */
const memberBytes = (m: string): number => m.length + 24;

export const setOps: TypeOps = {
  *rewrite(key, value) {
    const all = (value as RedisSet).members();
    for (let i = 0; i < all.length; i += 64) yield ['SADD', key, ...all.slice(i, i + 64)];
  },
  copy(value) {
    const src = value as RedisSet;
    const out = new RedisSet();
    for (const m of src.items.values()) out.items.add(m);
    out.intset = src.intset;
    return out;
  },
  encoding: (value) => ((value as RedisSet).intset ? 'intset' : 'hashtable'),
  reload(value, config) {
    const out = new RedisSet();
    for (const m of (value as RedisSet).items.values()) out.add(m, config);
    return out;
  },
  memory(value, samples) {
    const set = value as RedisSet;
    return 64 + sampledBytes(set.items.values(), set.size, samples, memberBytes);
  },
};

/**
 * Set commands over {@link RedisSet} values.
 *
 * @packageDocumentation
 */
import { ALLKEYS, CMD_DENYOOM, CMD_FAST, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, KEY1, NOKEYS, def, type CommandDef } from '../command';
import { CommandError, NOT_POSITIVE, SYNTAX, WRONGTYPE, argInt, argIs, parseScan, scanReply } from '../command';
import type { CommandContext, Db, TypeOps } from '../command';
import { afterRemove, isInt64String, pick, sample, str } from './common';
import { parseRandomCount, replyRandom } from './random';

// Redis 7.0's compiled-in default (set-max-intset-entries).
const INTSET_ENTRIES = 512;

/** Orders canonical int64 strings numerically without converting them (they may exceed 2^53). */
function compareIntStrings(a: string, b: string): number {
  const an = a[0] === '-';
  const bn = b[0] === '-';
  if (an !== bn) return an ? -1 : 1;
  const byMagnitude = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return an ? -byMagnitude : byMagnitude;
}

/**
 * A Redis set of binary-safe latin1 strings. While every member is an integer and there are few
 * of them Redis keeps an intset, which lists members in ascending numeric order; this class
 * reproduces that order so small integer sets reply exactly like Redis.
 */
export class RedisSet {
  readonly set = new Set<string>();
  /** Redis's encoding: an intset until a non-integer member or too many members arrive. */
  intset = true;

  /** Adds a member; true when it is new. */
  add(m: string): boolean {
    if (this.set.has(m)) return false;
    this.set.add(m);
    if (this.intset && (this.set.size > INTSET_ENTRIES || !isInt64String(m))) this.intset = false;
    return true;
  }

  /** Number of members. */
  get size(): number {
    return this.set.size;
  }

  /** Members in the order Redis would list them (numeric for an intset). */
  members(): string[] {
    const all = [...this.set];
    return this.intset ? all.sort(compareIntStrings) : all;
  }
}

function getSet(db: Db, key: string): RedisSet | undefined {
  return db.get<RedisSet>(key, 'set');
}

function setForWrite(db: Db, key: string): RedisSet | undefined {
  return db.getForWrite<RedisSet>(key, 'set');
}


function replyMembers(ctx: CommandContext, members: string[]): void {
  ctx.reply.set(members.length);
  for (const m of members) ctx.reply.bulkKey(m);
}

function sadd(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  let s = setForWrite(ctx.db, key);
  let added = 0;
  if (s === undefined) {
    s = new RedisSet();
    for (let i = 2; i < argv.length; i++) if (s.add(str(argv[i]))) added++;
    ctx.db.set(key, 'set', s);
  } else {
    for (let i = 2; i < argv.length; i++) if (s.add(str(argv[i]))) added++;
    if (added > 0) ctx.db.modified(key);
  }
  ctx.reply.integer(added);
}

function srem(ctx: CommandContext, argv: Buffer[]): void {
  const key = str(argv[1]);
  const s = setForWrite(ctx.db, key);
  if (!s) return ctx.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (s.set.delete(str(argv[i]))) n++;
  if (n > 0) afterRemove(ctx.db, key, s.size);
  ctx.reply.integer(n);
}

function smembers(ctx: CommandContext, argv: Buffer[]): void {
  replyMembers(ctx, getSet(ctx.db, str(argv[1]))?.members() ?? []);
}

function sismember(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getSet(ctx.db, str(argv[1]))?.set.has(str(argv[2])) ? 1 : 0);
}

function smismember(ctx: CommandContext, argv: Buffer[]): void {
  const s = getSet(ctx.db, str(argv[1]));
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) ctx.reply.integer(s?.set.has(str(argv[i])) ? 1 : 0);
}

function scard(ctx: CommandContext, argv: Buffer[]): void {
  ctx.reply.integer(getSet(ctx.db, str(argv[1]))?.size ?? 0);
}

function spop(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  const key = str(argv[1]);
  if (argv.length === 2) {
    const s = setForWrite(ctx.db, key);
    if (!s) return ctx.reply.nil();
    const m = pick([...s.set]);
    s.set.delete(m);
    ctx.reply.bulkKey(m);
    ctx.propagate(['SREM', key, m]);
    return afterRemove(ctx.db, key, s.size);
  }
  const count = argInt(argv[2], NOT_POSITIVE);
  if (count < 0) throw new CommandError(NOT_POSITIVE);
  const s = setForWrite(ctx.db, key);
  if (!s || count === 0) return replyMembers(ctx, []);
  const popped = count >= s.size ? s.members() : sample([...s.set], count);
  for (const m of popped) s.set.delete(m);
  replyMembers(ctx, popped);
  // Log what was actually removed: replaying a random pop would remove other members.
  for (let i = 0; i < popped.length; i += 1024) ctx.propagate(['SREM', key, ...popped.slice(i, i + 1024)]);
  afterRemove(ctx.db, key, s.size);
}

function srandmember(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  const req = parseRandomCount(argv, '');
  const s = getSet(ctx.db, str(argv[1]));
  if (req === null) return s === undefined ? ctx.reply.nil() : ctx.reply.bulkKey(pick([...s.set]));
  replyRandom(ctx, req, s?.members(), (r, m) => r.bulkKey(m));
}

/** The sets named by `keys`, in order (undefined for missing keys); every key's type is checked. */
function loadSets(db: Db, keys: string[]): (RedisSet | undefined)[] {
  const out: (RedisSet | undefined)[] = [];
  for (const k of keys) {
    const e = db.lookupRead(k);
    if (e !== undefined && e.type !== 'set') throw new CommandError(WRONGTYPE);
    out.push(e?.value as RedisSet | undefined);
  }
  return out;
}

/** The sets to intersect, or null when one is missing (the intersection is then empty). */
function loadAll(db: Db, keys: string[]): RedisSet[] | null {
  const sets = loadSets(db, keys);
  return sets.includes(undefined) ? null : (sets as RedisSet[]);
}

function intersect(sets: RedisSet[], limit = 0): string[] {
  const bySize = [...sets].sort((a, b) => a.size - b.size);
  const out: string[] = [];
  for (const m of bySize[0].members()) {
    let inAll = true;
    for (let i = 1; i < bySize.length && inAll; i++) inAll = bySize[i].set.has(m);
    if (inAll) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

type SetOp = 'inter' | 'union' | 'diff';

/** The result of a set operation, as the set Redis would build (so intset order applies). */
function compute(db: Db, keys: string[], op: SetOp): RedisSet {
  const result = new RedisSet();
  if (op === 'inter') {
    const sets = loadAll(db, keys);
    if (sets !== null) for (const m of intersect(sets)) result.add(m);
    return result;
  }
  const sets = loadSets(db, keys);
  if (op === 'union') {
    for (const s of sets) if (s) for (const m of s.set) result.add(m);
    return result;
  }
  const first = sets[0];
  if (!first) return result;
  for (const m of first.set) {
    let keep = true;
    for (let i = 1; i < sets.length && keep; i++) keep = !sets[i]?.set.has(m);
    if (keep) result.add(m);
  }
  return result;
}

function setOp(op: SetOp) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const keys = argv.slice(1).map(str);
    if (op === 'inter') {
      // An intersection is listed in the iteration order of its smallest input, as Redis does.
      const sets = loadAll(ctx.db, keys);
      return replyMembers(ctx, sets === null ? [] : intersect(sets));
    }
    replyMembers(ctx, compute(ctx.db, keys, op).members());
  };
}

function setOpStore(op: SetOp) {
  return (ctx: CommandContext, argv: Buffer[]): void => {
    const dst = str(argv[1]);
    const result = compute(ctx.db, argv.slice(2).map(str), op);
    if (result.size === 0) ctx.db.delete(dst);
    else ctx.db.set(dst, 'set', result);
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

function smove(ctx: CommandContext, argv: Buffer[]): void {
  const srcKey = str(argv[1]);
  const dstKey = str(argv[2]);
  const member = str(argv[3]);
  const src = setForWrite(ctx.db, srcKey);
  // A missing source answers 0 before the destination's type is looked at, as in Redis.
  if (!src) return ctx.reply.integer(0);
  const dst = setForWrite(ctx.db, dstKey);
  if (srcKey === dstKey) return ctx.reply.integer(src.set.has(member) ? 1 : 0);
  if (!src.set.delete(member)) return ctx.reply.integer(0);
  afterRemove(ctx.db, srcKey, src.size);
  if (dst) {
    dst.add(member);
    ctx.db.modified(dstKey);
  } else {
    const s = new RedisSet();
    s.add(member);
    ctx.db.set(dstKey, 'set', s);
  }
  ctx.reply.integer(1);
}

/** A set as SSCAN pages through it: whole while an intset, as Redis does, else by position. */
function sscan(ctx: CommandContext, argv: Buffer[]): void {
  const opts = parseScan(argv, 2, false);
  const s = getSet(ctx.db, str(argv[1]));
  const members = s === undefined ? [] : s.members();
  scanReply<string>(ctx.reply, opts, s && {
    size: members.length,
    whole: s.intset,
    width: 1,
    slice: (start, end) => members.slice(start, end),
    name: (m) => m,
    write: (r, m) => r.bulkKey(m),
  });
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
export const setOps: TypeOps = {
  *rewrite(key, value) {
    const all = (value as RedisSet).members();
    for (let i = 0; i < all.length; i += 64) yield ['SADD', key, ...all.slice(i, i + 64)];
  },
  copy(value) {
    const src = value as RedisSet;
    const out = new RedisSet();
    for (const m of src.set) out.set.add(m);
    out.intset = src.intset;
    return out;
  },
  encoding: (value) => ((value as RedisSet).intset ? 'intset' : 'hashtable'),
  memory(value) {
    let n = 64;
    for (const m of (value as RedisSet).set) n += m.length + 24;
    return n;
  },
};

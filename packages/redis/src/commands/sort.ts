/**
 * SORT and SORT_RO (Redis 7.0's sort.c): sort a list, set or sorted set numerically or by bytes
 * (ALPHA), by the element itself or by keys made from a pattern (`BY weight_*`, `BY h_*->field`,
 * `BY nosort`: any pattern without `*` keeps the stored order), with LIMIT, GET patterns (`#` is
 * the element) and STORE into a list.
 *
 * Redis's order is kept where it shows: options are parsed before the key is looked up (so a
 * syntax error wins over WRONGTYPE), equal numeric scores fall back to comparing the elements,
 * missing BY keys score 0 (numeric) or sort first (ALPHA), and a set sorted with `BY nosort` and
 * STORE is sorted ALPHA so that the stored result does not depend on hashing order.
 *
 * @packageDocumentation
 */
import { CLIENT_SCRIPT, CMD_DENYOOM, CMD_MOVABLE_KEYS, CMD_READONLY, CMD_WRITE, CommandError, SYNTAX, WRONGTYPE, argInt, argIs, def, keyOf } from '../command';
import type { CommandContext, CommandDef, Db } from '../command';
import { Deque, RedisHash, RedisSet, RedisZSet } from '../types';
import { bytesOf, stringValue } from '../stringvalue';

const STAR = 0x2a; // '*'

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** LIMIT offset and count (count < 0: all). */
  offset: number;
  count: number;
  /** BY pattern; null sorts by the elements. */
  by: Buffer | null;
  /** BY a pattern without `*`: keep the stored order. */
  dontSort: boolean;
  get: Buffer[];
  store: string | null;
}

/**
 * `mayReadAnyKey`: the user may read every key (BY and GET patterns read keys the command line
 * does not name, so a user limited to some keys may not use them; Redis's sort.c).
 */
function parseOptions(argv: Buffer[], readonly: boolean, mayReadAnyKey: () => boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, offset: 0, count: -1, by: null, dontSort: false, get: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (argIs(a, 'asc')) o.desc = false;
    else if (argIs(a, 'desc')) o.desc = true;
    else if (argIs(a, 'alpha')) o.alpha = true;
    else if (argIs(a, 'limit') && left >= 2) {
      o.offset = argInt(argv[j + 1]);
      o.count = argInt(argv[j + 2]);
      j += 2;
    } else if (!readonly && argIs(a, 'store') && left >= 1) {
      o.store = keyOf(argv[++j]);
    } else if (argIs(a, 'by') && left >= 1) {
      o.by = Buffer.from(argv[++j]);
      o.dontSort = o.by.indexOf(STAR) < 0;
      if (!o.dontSort && !mayReadAnyKey()) throw new CommandError('ERR BY option of SORT denied due to insufficient ACL permissions.');
    } else if (argIs(a, 'get') && left >= 1) {
      if (!mayReadAnyKey()) throw new CommandError('ERR GET option of SORT denied due to insufficient ACL permissions.');
      o.get.push(Buffer.from(argv[++j]));
    } else throw new CommandError(SYNTAX);
  }
  return o;
}

/**
 * Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced by
 * the element, and a `->field` after it reads that field of a hash. Null when the pattern has no
 * `*`, the key is missing or of another type, or the field is absent.
 */
function lookupByPattern(db: Db, pattern: Buffer, element: Buffer): Buffer | null {
  if (pattern.length === 1 && pattern[0] === 0x23 /* '#' */) return element;
  const star = pattern.indexOf(STAR);
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1, 'latin1');
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.latin1Slice(0, star) + keyOf(element) + pattern.latin1Slice(star + 1, keyEnd);
  const e = db.lookupRead(key);
  if (e === undefined) return null;
  if (hasField) {
    if (e.type !== 'hash') return null;
    return (e.value as RedisHash).get(pattern.latin1Slice(arrow + 2, pattern.length)) ?? null;
  }
  return e.type === 'string' ? bytesOf(stringValue(e)) : null;
}

// strtod's syntax (after leading white space, which it skips): decimal or hex numbers, inf,
// infinity, nan. The whole rest must be consumed, as Redis checks `eptr[0] != '\0'`.
const STRTOD = /^[ \t\n\v\f\r]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf(?:inity)?|nan)$/i;

/** A sort score as Redis reads it with strtod: null where Redis reports a conversion error. */
function sortScore(v: Buffer): number | null {
  const s = v.latin1Slice(0, v.length);
  // An empty (or all blank) string is consumed entirely by strtod and reads as 0.
  if (/^[ \t\n\v\f\r]*$/.test(s)) return 0;
  if (!STRTOD.test(s)) return null;
  const t = s.trim().toLowerCase();
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  if (body.startsWith('nan')) return null;
  if (body.startsWith('inf')) return neg ? -Infinity : Infinity;
  const n = body.startsWith('0x') ? parseInt(body.slice(2), 16) : Number(body);
  // strtod sets ERANGE on overflow (and underflow), which Redis reports too.
  if (!Number.isFinite(n) || (n === 0 && /[1-9]/.test(body.replace(/e.*$/, '')))) return null;
  return neg ? -n : n;
}

interface Item {
  element: Buffer;
  score: number;
  /** ALPHA with BY: the BY value (null when missing). */
  by: Buffer | null;
}

/** The elements to sort, with [start, end] already applied where the stored order is kept. */
function loadElements(value: unknown, type: string, o: SortOptions, start: number, end: number): Buffer[] {
  if (type === 'list') {
    const list = value as Deque<Buffer>;
    if (!o.dontSort) return list.slice(0, list.length - 1);
    const len = list.length;
    const out = o.desc ? list.slice(len - 1 - end, len - 1 - start) : list.slice(start, end);
    return o.desc ? out.reverse() : out;
  }
  if (type === 'zset') {
    const z = value as RedisZSet;
    const nodes = o.dontSort ? z.rangeByRank(start, end, o.desc) : z.rangeByRank(0, z.size - 1);
    return nodes.map((n) => Buffer.from(n.member, 'latin1'));
  }
  return (value as RedisSet).members().map((m) => Buffer.from(m, 'latin1'));
}

function sizeOf(value: unknown, type: string): number {
  if (type === 'list') return (value as Deque<Buffer>).length;
  if (type === 'zset') return (value as RedisZSet).size;
  return (value as RedisSet).size;
}

function sort(ctx: CommandContext, argv: Buffer[], readonly: boolean): void {
  const o = parseOptions(argv, readonly, () => ctx.client.mayReadEveryKey(argv));
  const db = ctx.db;
  const e = db.lookupRead(keyOf(argv[1]));
  if (e !== undefined && e.type !== 'list' && e.type !== 'set' && e.type !== 'zset') throw new CommandError(WRONGTYPE);
  // A set's order is the hash table's: SORT BY <constant> orders it by bytes when the result is
  // stored or goes to a script, so that what is replicated and what scripts see is deterministic.
  if (o.dontSort && e?.type === 'set' && (o.store !== null || (ctx.client.flags & CLIENT_SCRIPT) !== 0)) {
    o.dontSort = false;
    o.alpha = true;
    o.by = null;
  }
  const len = e === undefined ? 0 : sizeOf(e.value, e.type);
  let start = o.offset < 0 ? 0 : o.offset;
  let end = o.count < 0 ? len - 1 : start + o.count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  let elements: Buffer[] = [];
  if (e !== undefined) {
    elements = loadElements(e.value, e.type, o, start, end);
    // Lists and sorted sets kept in their order were loaded as the range already.
    if (o.dontSort && e.type !== 'set') {
      end -= start;
      start = 0;
    }
  }
  const items: Item[] = elements.map((element) => ({ element, score: 0, by: null }));
  if (!o.dontSort) {
    let conversionError = false;
    for (const it of items) {
      const byval = o.by === null ? it.element : lookupByPattern(db, o.by, it.element);
      if (byval === null) continue;
      if (o.alpha) {
        if (o.by !== null) it.by = byval;
      } else {
        const s = sortScore(byval);
        if (s === null) conversionError = true;
        else it.score = s;
      }
    }
    if (conversionError) throw new CommandError("ERR One or more scores can't be converted into double");
    items.sort(comparator(o));
  }
  const count = Math.max(0, end - start + 1);
  const outputLen = o.get.length > 0 ? o.get.length * count : count;
  if (o.store === null) {
    ctx.reply.array(outputLen);
    for (let j = start; j <= end; j++) {
      const el = items[j].element;
      if (o.get.length === 0) ctx.reply.bulk(el);
      for (const pattern of o.get) {
        const v = lookupByPattern(db, pattern, el);
        if (v === null) ctx.reply.nil();
        else ctx.reply.bulk(v);
      }
    }
    return;
  }
  const out = new Deque<Buffer>();
  for (let j = start; j <= end; j++) {
    const el = items[j].element;
    if (o.get.length === 0) out.pushBack(Buffer.from(el));
    for (const pattern of o.get) out.pushBack(Buffer.from(lookupByPattern(db, pattern, el) ?? EMPTY));
  }
  if (outputLen > 0) {
    db.set(o.store, 'list', out);
    db.signalReady(o.store);
    ctx.server.persistence.addDirty(outputLen - 1);
  } else db.delete(o.store);
  ctx.reply.integer(outputLen);
}

const EMPTY = Buffer.alloc(0);

/** Redis's sortCompare for the options (C-locale strcoll is a byte comparison). */
function comparator(o: SortOptions): (a: Item, b: Item) => number {
  const dir = o.desc ? -1 : 1;
  if (!o.alpha) return (a, b) => dir * (a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.element, b.element));
  if (o.by !== null) {
    return (a, b) => {
      if (a.by === null || b.by === null) return dir * (a.by === b.by ? 0 : a.by === null ? -1 : 1);
      return dir * Buffer.compare(a.by, b.by);
    };
  }
  return (a, b) => dir * Buffer.compare(a.element, b.element);
}

/** SORT's keys (Redis's sortGetKeys): the sorted key and the last STORE destination. */
function sortKeys(argv: readonly Buffer[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    if (argIs(argv[i], 'limit')) i += 2;
    else if (argIs(argv[i], 'get') || argIs(argv[i], 'by')) i += 1;
    else if (argIs(argv[i], 'store') && i + 1 < argv.length) store = i + 1;
  }
  return store < 0 ? [1] : [1, store];
}

export const sortCommands: CommandDef[] = [
  {
    ...def('sort', -2, CMD_WRITE | CMD_DENYOOM | CMD_MOVABLE_KEYS, [1, 1, 1], 'generic', (ctx, argv) => sort(ctx, argv, false), 'Sort the elements in a list, set or sorted set, optionally storing the result.'),
    getKeys: sortKeys,
  },
  def('sort_ro', -2, CMD_READONLY | CMD_MOVABLE_KEYS, [1, 1, 1], 'generic', (ctx, argv) => sort(ctx, argv, true), 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.'),
];

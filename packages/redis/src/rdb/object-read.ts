/**
 * One value read back (rdbLoadObject): every object type Redis 7.0 loads, the plain ones and
 * the compact encodings of this and older versions (ziplist, zipmap, intset, listpack,
 * quicklist of ziplists or listpacks, ZSET with text scores). The value is built as Redis's
 * load builds it: the encoding is chosen afresh from the contents and the current thresholds
 * (a listpack hash stays a listpack unless it has too many fields, a plain hash becomes one when
 * it is small, …). Everything is validated as Redis's deep sanitization does (duplicates, NaN
 * scores, blob integrity), whatever `sanitize-dump-payload` says: nevio has no cheaper way to
 * hold a blob it has not parsed.
 *
 * @packageDocumentation
 */
import { CommandError } from '../errors';
import type { Config } from '../config';
import type { ValueType } from '../keyspace';
import { parseStrictDouble } from '../algo/int64';
import { Deque, RedisHash, RedisSet, RedisZSet } from '../types';
import { loadStream } from '../types/stream-rdb';
import * as T from './constants';
import { intsetMembers } from './intset';
import { ziplistEntries, zipmapEntries } from './legacy';
import { listpackElements } from './listpack';
import { RdbFormatError, type RdbReader } from './reader';

/** The thresholds a loaded value's encoding is chosen by. */
export type LoadLimits = Readonly<
  Pick<
    Config,
    | 'hash-max-listpack-entries'
    | 'hash-max-listpack-value'
    | 'set-max-intset-entries'
    | 'zset-max-listpack-entries'
    | 'zset-max-listpack-value'
    | 'stream-node-max-bytes'
    | 'stream-node-max-entries'
  >
>;

/** A value that loaded as an empty collection: a file load skips the key, RESTORE refuses it. */
export class RdbEmptyKeyError extends RdbFormatError {}

/** A loaded value. */
export interface LoadedValue {
  readonly type: ValueType;
  readonly value: unknown;
}

/** True for the bytes that start an object (rdbIsObjectType). */
export function isObjectType(t: number): boolean {
  return (t >= T.TYPE_STRING && t <= T.TYPE_MODULE_2) || (t >= T.TYPE_HASH_ZIPMAP && t <= T.TYPE_STREAM_LISTPACKS_2);
}

/**
 * A compact hash (listpack, ziplist, zipmap; `container` names it in errors): it stays compact
 * unless it has too many fields. A duplicate field is Redis's "listpack with dup elements" (the
 * words its conversion logs; its deep sanitization refuses the same blob).
 */
function compactHash(pairs: readonly Buffer[], limits: LoadLimits, checkValues: boolean, container: string): RedisHash {
  if (pairs.length % 2 !== 0) throw new RdbFormatError(`${container} integrity check failed: odd number of elements`);
  const h = new RedisHash();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (!h.set(pairs[i].latin1Slice(0, pairs[i].length), pairs[i + 1], limits)) throw new RdbFormatError(`${container} integrity check failed: listpack with dup elements`);
  }
  // Redis keeps a listpack with long values (only the count is checked) except for zipmaps.
  h.listpack = h.size <= limits['hash-max-listpack-entries'] && (!checkValues || pairs.every((p) => p.length <= limits['hash-max-listpack-value']));
  return h;
}

/** A score stored as listpack text (zzlStrtod). */
function scoreOf(text: Buffer): number {
  const v = parseStrictDouble(text);
  if (v === null || Number.isNaN(v)) throw new RdbFormatError('Zset with a bad score');
  return v;
}

/** A compact sorted set (listpack, ziplist): it stays compact unless it has too many members. */
function compactZSet(pairs: readonly Buffer[], limits: LoadLimits, container: string): RedisZSet {
  if (pairs.length % 2 !== 0) throw new RdbFormatError(`${container} integrity check failed: odd number of elements`);
  const z = new RedisZSet(limits);
  for (let i = 0; i < pairs.length; i += 2) {
    if (!z.set(pairs[i].latin1Slice(0, pairs[i].length), scoreOf(pairs[i + 1]))) throw new RdbFormatError(`${container} integrity check failed: duplicate elements`);
  }
  z.listpack = z.size <= limits['zset-max-listpack-entries'];
  return z;
}

function intsetValue(blob: Buffer, limits: LoadLimits): RedisSet {
  const s = new RedisSet();
  for (const m of intsetMembers(blob)) s.add(m, limits);
  return s;
}

/** A plain list: `count` strings. */
function plainList(r: RdbReader): Deque<Buffer> {
  const list = new Deque<Buffer>();
  for (let n = r.count(); n > 0; n--) list.pushBack(r.string());
  return list;
}

/** A quicklist: nodes of ziplists (v1) or of listpacks and plain elements (v2). */
function quicklist(r: RdbReader, v2: boolean): Deque<Buffer> {
  const list = new Deque<Buffer>();
  for (let nodes = r.count(); nodes > 0; nodes--) {
    const container = v2 ? r.length() : T.CONTAINER_PACKED;
    if (container !== T.CONTAINER_PACKED && container !== T.CONTAINER_PLAIN) throw new RdbFormatError('Quicklist integrity check failed.');
    const blob = r.string();
    if (blob.length === 0) throw new RdbFormatError('Quicklist node is empty');
    if (container === T.CONTAINER_PLAIN) list.pushBack(blob);
    else for (const v of v2 ? listpackElements(blob, 'Quicklist listpack') : ziplistEntries(blob, 'Quicklist ziplist')) list.pushBack(v);
  }
  return list;
}

function plainSet(r: RdbReader, limits: LoadLimits): RedisSet {
  const s = new RedisSet();
  for (let n = r.count(); n > 0; n--) {
    const m = r.string();
    if (!s.add(m.latin1Slice(0, m.length), limits)) throw new RdbFormatError('Duplicate set members detected');
  }
  return s;
}

function plainZSet(r: RdbReader, binaryScores: boolean, limits: LoadLimits): RedisZSet {
  const z = new RedisZSet(limits);
  let maxLen = 0;
  for (let n = r.count(binaryScores ? 9 : 2); n > 0; n--) {
    const m = r.string();
    const score = binaryScores ? r.double() : r.textDouble();
    if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected');
    if (!z.set(m.latin1Slice(0, m.length), score)) throw new RdbFormatError('Duplicate zset fields detected');
    maxLen = Math.max(maxLen, m.length);
  }
  // Converted after loading, as Redis does (the members arrive in no useful order).
  z.listpack = z.size <= limits['zset-max-listpack-entries'] && maxLen <= limits['zset-max-listpack-value'];
  return z;
}

function plainHash(r: RdbReader, limits: LoadLimits): RedisHash {
  const h = new RedisHash();
  for (let n = r.count(2); n > 0; n--) {
    const field = r.string();
    if (!h.set(field.latin1Slice(0, field.length), r.string(), limits)) throw new RdbFormatError('Duplicate hash fields detected');
  }
  return h;
}

/** The number of elements, for the emptiness check (a stream may be empty). */
function sizeOf(v: LoadedValue): number {
  switch (v.type) {
    case 'string':
    case 'stream':
      return 1;
    case 'list':
      return (v.value as Deque<Buffer>).length;
    default:
      return (v.value as RedisSet | RedisHash | RedisZSet).size;
  }
}

/** Reads the body of an object of type byte `type` (already read). */
function readBody(r: RdbReader, type: number, limits: LoadLimits): LoadedValue {
  switch (type) {
    case T.TYPE_STRING:
      return { type: 'string', value: r.string() };
    case T.TYPE_LIST:
      return { type: 'list', value: plainList(r) };
    case T.TYPE_LIST_QUICKLIST:
    case T.TYPE_LIST_QUICKLIST_2:
      return { type: 'list', value: quicklist(r, type === T.TYPE_LIST_QUICKLIST_2) };
    case T.TYPE_LIST_ZIPLIST: {
      const list = new Deque<Buffer>();
      for (const v of ziplistEntries(r.string(), 'List ziplist')) list.pushBack(v);
      return { type: 'list', value: list };
    }
    case T.TYPE_SET:
      return { type: 'set', value: plainSet(r, limits) };
    case T.TYPE_SET_INTSET:
      return { type: 'set', value: intsetValue(r.string(), limits) };
    case T.TYPE_ZSET:
    case T.TYPE_ZSET_2:
      return { type: 'zset', value: plainZSet(r, type === T.TYPE_ZSET_2, limits) };
    case T.TYPE_ZSET_ZIPLIST:
      return { type: 'zset', value: compactZSet(ziplistEntries(r.string(), 'Zset ziplist'), limits, 'Zset ziplist') };
    case T.TYPE_ZSET_LISTPACK:
      return { type: 'zset', value: compactZSet(listpackElements(r.string(), 'Zset listpack'), limits, 'Zset listpack') };
    case T.TYPE_HASH:
      return { type: 'hash', value: plainHash(r, limits) };
    case T.TYPE_HASH_ZIPMAP:
      return { type: 'hash', value: compactHash(zipmapEntries(r.string()), limits, true, 'Zipmap') };
    case T.TYPE_HASH_ZIPLIST:
      return { type: 'hash', value: compactHash(ziplistEntries(r.string(), 'Hash ziplist'), limits, false, 'Hash ziplist') };
    case T.TYPE_HASH_LISTPACK:
      return { type: 'hash', value: compactHash(listpackElements(r.string(), 'Hash listpack'), limits, false, 'Hash listpack') };
    case T.TYPE_STREAM_LISTPACKS:
    case T.TYPE_STREAM_LISTPACKS_2: {
      const nodeLimits = { maxBytes: limits['stream-node-max-bytes'], maxEntries: limits['stream-node-max-entries'] };
      return { type: 'stream', value: loadStream(r, type === T.TYPE_STREAM_LISTPACKS_2, nodeLimits) };
    }
    case T.TYPE_MODULE:
    case T.TYPE_MODULE_2:
      throw new RdbFormatError('module values are not supported (nevio has no modules)');
    default:
      throw new RdbFormatError(`Unknown RDB encoding type ${type}`);
  }
}

/**
 * Reads an object's body; `type` is its type byte. Throws {@link RdbFormatError} for malformed
 * data (the stream reader's `Bad data format` included) and {@link RdbEmptyKeyError} for an
 * empty collection.
 */
export function readObject(r: RdbReader, type: number, limits: LoadLimits): LoadedValue {
  let v: LoadedValue;
  try {
    v = readBody(r, type, limits);
  } catch (e) {
    if (e instanceof CommandError) throw new RdbFormatError(e.message);
    throw e;
  }
  if (sizeOf(v) === 0) throw new RdbEmptyKeyError('empty keys skipped');
  return v;
}

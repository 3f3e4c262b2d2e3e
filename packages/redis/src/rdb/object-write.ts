/**
 * One value as Redis 7.0's rdbSaveObjectType + rdbSaveObject write it, for the encoding Redis
 * would hold it in (nevio's values remember that: `RedisHash.listpack`, `RedisSet.intset`,
 * `RedisZSet.listpack`):
 * - strings: integer-encoded or LZF-compressed per {@link RdbWriter.string};
 * - lists: QUICKLIST_2, listpack nodes filled as RPUSH fills them (`list-max-listpack-size`);
 * - sets: an intset blob (SET_INTSET) or each member (SET);
 * - hashes: a listpack of field, value, … (HASH_LISTPACK) or each pair (HASH);
 * - sorted sets: a listpack of member, score, … ascending (ZSET_LISTPACK) or each member and
 *   binary score from the highest to the lowest (ZSET_2, as Redis walks its skiplist back);
 * - streams: STREAM_LISTPACKS_2, by `types/stream-rdb.ts`'s saveStream.
 * For the compact encodings this gives the very bytes redis-server writes for the same value
 * (the differential tests compare DUMP payloads); a hash table's order is Redis's dict order,
 * which nevio does not reproduce, so those differ in order only.
 *
 * @packageDocumentation
 */
import { formatDouble } from '../reply';
import type { ValueType } from '../keyspace';
import { bytesOf, type StringValue } from '../stringvalue';
import type { Deque, RedisHash, RedisSet, RedisZSet } from '../types';
import { saveStream } from '../types/stream-rdb';
import type { Stream } from '../types/stream-store';
import { CONTAINER_PACKED, TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_LIST_QUICKLIST_2, TYPE_SET, TYPE_SET_INTSET, TYPE_STREAM_LISTPACKS_2, TYPE_STRING, TYPE_ZSET_2, TYPE_ZSET_LISTPACK } from './constants';
import { encodeIntset } from './intset';
import { ListpackBuilder } from './listpack';
import type { RdbWriter } from './writer';

/** Settings that shape what is written. */
export interface ObjectWriteOptions {
  /** `list-max-listpack-size`: a node's limit, in bytes when negative (-2: 8 KB), in elements when positive. */
  readonly listFill: number;
}

/** The byte sizes `list-max-listpack-size` -1 .. -5 stand for (quicklist.c optimization_level). */
const FILL_BYTES = [4096, 8192, 16384, 32768, 65536];
/** A node grows past a count limit only while it stays under 8 KB (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/** What quicklist adds to an element's length to estimate its listpack cost (SIZE_ESTIMATE_OVERHEAD). */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Largest magnitude double2ll converts: LLONG_MAX / 2 as a double (2^62). */
const DOUBLE2LL_LIMIT = 4611686018427387904;

/** quicklist's _quicklistNodeAllowInsert: may a node of `bytes`/`count` take an element of `len` bytes? */
function nodeAllowsInsert(bytes: number, count: number, fill: number, len: number): boolean {
  const newSize = bytes + len + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const limit = FILL_BYTES[-fill - 1];
    if (limit !== undefined && newSize <= limit) return true;
  }
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** The listpacks of a list's quicklist nodes, as RPUSH of its elements in order builds them. */
export function quicklistNodes(list: Iterable<Buffer>, fill: number): Buffer[] {
  const nodes: Buffer[] = [];
  let node: ListpackBuilder | null = null;
  for (const v of list) {
    if (node === null || !nodeAllowsInsert(node.size, node.length, fill, v.length)) {
      if (node !== null) nodes.push(node.finish());
      node = new ListpackBuilder();
    }
    node.append(v);
  }
  if (node !== null) nodes.push(node.finish());
  return nodes;
}

/** Appends a score as zzlInsertAt does: an integer when double2ll allows, else d2string's text. */
function appendScore(lp: ListpackBuilder, score: number): void {
  // `+ 0` turns -0 into 0, as the cast to long long does.
  if (Number.isInteger(score) && Math.abs(score) <= DOUBLE2LL_LIMIT) lp.appendInteger(Number.isSafeInteger(score) ? score + 0 : BigInt(score));
  else lp.append(Buffer.from(formatDouble(score), 'latin1'));
}

/** The object type byte of a value (rdbSaveObjectType). */
export function objectTypeByte(type: ValueType, value: unknown): number {
  switch (type) {
    case 'string':
      return TYPE_STRING;
    case 'list':
      return TYPE_LIST_QUICKLIST_2;
    case 'set':
      return (value as RedisSet).intset ? TYPE_SET_INTSET : TYPE_SET;
    case 'hash':
      return (value as RedisHash).listpack ? TYPE_HASH_LISTPACK : TYPE_HASH;
    case 'zset':
      return (value as RedisZSet).listpack ? TYPE_ZSET_LISTPACK : TYPE_ZSET_2;
    case 'stream':
      return TYPE_STREAM_LISTPACKS_2;
  }
}

/** The object type byte and body of a value (rdbSaveObjectType + rdbSaveObject). */
export function writeObject(w: RdbWriter, type: ValueType, value: unknown, options: ObjectWriteOptions): void {
  w.byte(objectTypeByte(type, value));
  writeObjectBody(w, type, value, options);
}

/** The body of a value, after its type byte (rdbSaveObject). */
export function writeObjectBody(w: RdbWriter, type: ValueType, value: unknown, options: ObjectWriteOptions): void {
  switch (type) {
    case 'string':
      w.string(bytesOf(value as StringValue));
      return;
    case 'list': {
      const nodes = quicklistNodes(value as Deque<Buffer>, options.listFill);
      w.length(nodes.length);
      for (const lp of nodes) {
        w.length(CONTAINER_PACKED);
        w.string(lp);
      }
      return;
    }
    case 'set': {
      const s = value as RedisSet;
      if (s.intset) return w.string(encodeIntset(s.members()));
      w.length(s.size);
      for (const m of s.items.values()) w.text(m);
      return;
    }
    case 'hash': {
      const h = value as RedisHash;
      if (h.listpack) {
        const lp = new ListpackBuilder();
        for (const [field, v] of h.pairs()) {
          lp.append(Buffer.from(field, 'latin1'));
          lp.append(v);
        }
        return w.string(lp.finish());
      }
      w.length(h.size);
      for (const [field, v] of h.pairs()) {
        w.text(field);
        w.string(v);
      }
      return;
    }
    case 'zset': {
      const z = value as RedisZSet;
      if (z.listpack) {
        const lp = new ListpackBuilder();
        for (const n of z) {
          lp.append(Buffer.from(n.member, 'latin1'));
          appendScore(lp, n.score);
        }
        return w.string(lp.finish());
      }
      w.length(z.size);
      for (let n = z.list.last(); n !== null; n = n.backward) {
        w.text(n.member);
        w.double(n.score);
      }
      return;
    }
    case 'stream':
      saveStream(w, value as Stream);
      return;
  }
}

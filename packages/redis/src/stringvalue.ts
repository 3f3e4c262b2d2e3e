/**
 * How a string value is kept: a plain `Buffer` for values stored whole (SET, MSET, INCR, …),
 * which stay immutable (so COPY and GET can share them and SET/GET cost nothing extra), and a
 * {@link GrowableBytes} once APPEND, SETRANGE, SETBIT or BITFIELD changes a value in place, so
 * that n appends cost O(total bytes) instead of a copy of the whole value each (10,240 appends of
 * 10 KB moved about 0.5 TB that way). A GrowableBytes belongs to exactly one key: COPY clones it.
 *
 * OBJECT ENCODING follows Redis: a Buffer reports `int` (a canonical int64 of up to 20 bytes),
 * `embstr` (up to 44 bytes) or `raw`; a value changed in place is `raw`, as Redis's unshared
 * string is, whatever its length.
 *
 * @packageDocumentation
 */
import { GrowableBytes } from './algo/sds';
import { parseInt64 } from './algo/int64';
import type { TypeOps } from './command';
import { CommandError, WRONGTYPE } from './errors';
import type { Db, Entry } from './keyspace';

export { GrowableBytes };

/** A string value as the keyspace stores it. */
export type StringValue = Buffer | GrowableBytes;

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT: longer strings are `raw`. */
const EMBSTR_SIZE_LIMIT = 44;
/** The longest canonical int64 (`-9223372036854775808`). */
const MAX_INT_LENGTH = 20;

/** The bytes of a string value (a view for a growable one, valid until it next changes). */
export function bytesOf(value: StringValue): Buffer {
  return value instanceof GrowableBytes ? value.view() : value;
}

/** The string value of an entry whose type is 'string'. */
export function stringValue(e: Entry): StringValue {
  return e.value as StringValue;
}

/** The bytes of the string under `key` for reading (undefined when absent); WRONGTYPE otherwise. */
export function readString(db: Db, key: string): Buffer | undefined {
  const e = db.lookupRead(key);
  if (e === undefined) return undefined;
  if (e.type !== 'string') throw new CommandError(WRONGTYPE);
  return bytesOf(stringValue(e));
}

/** Like {@link readString} for a command about to write the key (no hit/miss counting). */
export function readStringForWrite(db: Db, key: string): Buffer | undefined {
  const e = db.lookupWrite(key);
  if (e === undefined) return undefined;
  if (e.type !== 'string') throw new CommandError(WRONGTYPE);
  return bytesOf(stringValue(e));
}

/**
 * The growable form of the string under `key`, to change in place: an absent key becomes an
 * empty string (stored only once the caller writes; call {@link Db.modified} after writing);
 * a Buffer is copied into a GrowableBytes once (Redis's dbUnshareStringValue).
 * WRONGTYPE for other types.
 */
export function growableString(db: Db, key: string): GrowableBytes {
  const e = db.lookupWrite(key);
  if (e === undefined) {
    const g = new GrowableBytes();
    db.set(key, 'string', g);
    return g;
  }
  if (e.type !== 'string') throw new CommandError(WRONGTYPE);
  const v = stringValue(e);
  if (v instanceof GrowableBytes) return v;
  const g = new GrowableBytes(v);
  e.value = g;
  return g;
}

/**
 * Values Redis stores without trying the int encoding (INCRBYFLOAT's results, made by
 * createStringObjectFromLongDouble): `embstr` or `raw` by length, never `int`, even for `3`.
 */
const neverInt = new WeakSet<Buffer>();

/** Marks `value` as stored without the int encoding (see {@link stringEncoding}); returns it. */
export function withoutIntEncoding(value: Buffer): Buffer {
  neverInt.add(value);
  return value;
}

/** Redis's OBJ_SHARED_INTEGERS: the integers 0..9999 are one shared object each. */
const SHARED_INTEGERS = 10000;

/**
 * True when Redis would hold `value` as one of its shared integer objects (OBJECT REFCOUNT then
 * answers INT_MAX): an `int`-encoded value in [0, 10000), unless `noSharing` (an LRU or LFU
 * maxmemory policy with a maxmemory set, where each key needs its own access time).
 */
export function isSharedInteger(value: StringValue, noSharing: boolean): boolean {
  if (noSharing || stringEncoding(value) !== 'int') return false;
  const n = parseInt64(bytesOf(value));
  return typeof n === 'number' && n >= 0 && n < SHARED_INTEGERS;
}

/** OBJECT ENCODING of a string value. */
export function stringEncoding(value: StringValue): 'int' | 'embstr' | 'raw' {
  if (value instanceof GrowableBytes) return 'raw';
  if (value.length <= MAX_INT_LENGTH && !neverInt.has(value) && parseInt64(value) !== null) return 'int';
  return value.length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
}

/** The keyspace hooks of strings (AOF rewrite, COPY, OBJECT ENCODING, memory, DEBUG RELOAD). */
export const stringOps: TypeOps = {
  rewrite(key: string, value: unknown): Iterable<readonly (Buffer | string)[]> {
    return [['SET', key, bytesOf(value as StringValue)]];
  },
  copy(value: unknown): unknown {
    const v = value as StringValue;
    // Buffers are never changed in place, so a copy may share one.
    return v instanceof GrowableBytes ? new GrowableBytes(v.view()) : v;
  },
  encoding(value: unknown): string {
    return stringEncoding(value as StringValue);
  },
  memory(value: unknown): number {
    const v = value as StringValue;
    return v instanceof GrowableBytes ? v.capacity : v.length;
  },
  reload(value: unknown): unknown {
    // Loaded strings are stored whole and their encoding tried again (int, embstr, raw).
    return Buffer.from(bytesOf(value as StringValue));
  },
};

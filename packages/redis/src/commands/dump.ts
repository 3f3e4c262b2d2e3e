/**
 * DUMP and RESTORE in Redis's payload format: one RDB object (its type byte and value), the RDB
 * version (2 bytes, little endian) and a CRC64 of everything before it (8 bytes, little endian).
 *
 * nevio writes the plain RDB object types every Redis since 2.0 loads: STRING (0), LIST (1), SET
 * (2), HASH (4) and ZSET_2 (5), with raw (uncompressed) strings; it reads those, including the
 * integer and LZF-compressed string forms Redis writes, and Redis's streams (types 15 and 19,
 * `types/stream-rdb.ts`; DUMP writes 19 with the listpacks redis-server holds). Redis 7.0's DUMP of a small collection
 * uses its compact encodings (listpack, intset, quicklist), which nevio does not parse: RESTORE
 * answers `Bad data format` for them. A value restored takes its encoding afresh from its
 * contents and the current thresholds, as Redis's load does.
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_READONLY, CMD_WRITE, CommandError, KEY1, NOTIFY_GENERIC, SYNTAX, argIs, def, int64Arg, keyOf } from '../command';
import type { CommandContext, CommandDef, Entry, ValueType } from '../command';
import { crc64 } from '../crc64';
import { Deque, RedisHash, RedisSet, RedisZSet } from '../types';
import { bytesOf, stringValue } from '../stringvalue';
import { RDB_VERSION } from '../scripting/functions';
import { RDB_TYPE_STREAM_LISTPACKS_2, loadStream, saveStream } from '../types/stream-rdb';
import type { Stream } from '../types/stream-store';

// RDB object type bytes (Redis's rdb.h).
const RDB_TYPE_STRING = 0;
const RDB_TYPE_LIST = 1;
const RDB_TYPE_SET = 2;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_ZSET_2 = 5;
const RDB_TYPE_STREAM_LISTPACKS = 15;

// The two top bits of a length byte: 6-bit length, 14-bit length, 32/64-bit length, or a
// special string encoding (integers, LZF) in the low 6 bits.
const LEN_6BIT = 0;
const LEN_14BIT = 1;
const LEN_32BIT = 0x80;
const LEN_64BIT = 0x81;
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

const BAD_FORMAT = 'ERR Bad data format';

/** A growing byte buffer for one payload. */
class PayloadWriter {
  private buf = Buffer.alloc(256);
  private pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  length(n: number): void {
    this.reserve(9);
    if (n < 1 << 6) this.buf[this.pos++] = n;
    else if (n < 1 << 14) {
      this.buf[this.pos++] = (LEN_14BIT << 6) | (n >> 8);
      this.buf[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      this.buf[this.pos++] = LEN_32BIT;
      this.pos = this.buf.writeUInt32BE(n, this.pos);
    } else {
      this.buf[this.pos++] = LEN_64BIT;
      this.pos = this.buf.writeBigUInt64BE(BigInt(n), this.pos);
    }
  }

  /** rdbSaveLen of a number that may need all 64 bits (stream IDs and counters). */
  number(n: bigint | number): void {
    if (typeof n === 'number' || n <= 0xffffffffn) return this.length(Number(n));
    this.reserve(9);
    this.buf[this.pos++] = LEN_64BIT;
    this.pos = this.buf.writeBigUInt64BE(n, this.pos);
  }

  raw(b: Buffer): void {
    this.reserve(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  /** An 8-byte little-endian millisecond time. */
  millis(ms: number): void {
    this.reserve(8);
    this.pos = this.buf.writeBigInt64LE(BigInt(ms), this.pos);
  }

  string(s: Buffer | string): void {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    this.length(b.length);
    this.reserve(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  double(d: number): void {
    this.reserve(8);
    this.pos = this.buf.writeDoubleLE(d, this.pos);
  }

  /** The payload: what was written, the RDB version and the CRC64 of both. */
  finish(): Buffer {
    this.reserve(10);
    this.pos = this.buf.writeUInt16LE(RDB_VERSION, this.pos);
    const body = this.buf.subarray(0, this.pos);
    const out = Buffer.alloc(this.pos + 8);
    body.copy(out);
    out.writeBigUInt64LE(crc64(body), this.pos);
    return out;
  }
}

/** The RDB object of an entry. */
function serialize(e: Entry): Buffer {
  const w = new PayloadWriter();
  switch (e.type) {
    case 'string':
      w.byte(RDB_TYPE_STRING);
      w.string(bytesOf(stringValue(e)));
      break;
    case 'list': {
      const list = e.value as Deque<Buffer>;
      w.byte(RDB_TYPE_LIST);
      w.length(list.length);
      for (const v of list) w.string(v);
      break;
    }
    case 'set': {
      const s = e.value as RedisSet;
      w.byte(RDB_TYPE_SET);
      w.length(s.size);
      for (const m of s.items.values()) w.string(m);
      break;
    }
    case 'hash': {
      const h = e.value as RedisHash;
      w.byte(RDB_TYPE_HASH);
      w.length(h.size);
      for (let i = 0; i < h.size; i++) {
        w.string(h.fields.keyAt(i));
        w.string(h.fields.valueAt(i));
      }
      break;
    }
    case 'zset': {
      const z = e.value as RedisZSet;
      w.byte(RDB_TYPE_ZSET_2);
      w.length(z.size);
      for (const n of z) {
        w.string(n.member);
        w.double(n.score);
      }
      break;
    }
    case 'stream':
      w.byte(RDB_TYPE_STREAM_LISTPACKS_2);
      saveStream(w, e.value as Stream);
      break;
  }
  return w.finish();
}

/** Redis's lzf_decompress: literal runs and back references; null when malformed. */
function lzfDecompress(src: Buffer, outLength: number): Buffer | null {
  const out = Buffer.alloc(outLength);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outLength || ip + run > src.length) return null;
      src.copy(out, op, ip, ip + run);
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= src.length) return null;
      len += src[ip++];
    }
    if (ip >= src.length) return null;
    let ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
    len += 2;
    if (ref < 0 || op + len > outLength) return null;
    // Byte by byte: a reference may overlap what it produces.
    while (len-- > 0) out[op++] = out[ref++];
  }
  return op === outLength ? out : null;
}

/** Reads an RDB object; throws `Bad data format` on anything it cannot read. */
class PayloadReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CommandError(BAD_FORMAT);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** A length, or the special string encoding it announces (`encoded`). */
  private lengthOrEncoding(): { n: number; encoded: boolean } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === LEN_6BIT) return { n: first & 0x3f, encoded: false };
    if (kind === LEN_14BIT) return { n: ((first & 0x3f) << 8) | this.byte(), encoded: false };
    if (first === LEN_32BIT) {
      this.need(4);
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { n, encoded: false };
    }
    if (first === LEN_64BIT) {
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (n > BigInt(this.buf.length)) throw new CommandError(BAD_FORMAT);
      return { n: Number(n), encoded: false };
    }
    if (kind === 3) return { n: first & 0x3f, encoded: true };
    throw new CommandError(BAD_FORMAT);
  }

  /** A count of elements: no more than the bytes left could hold (a hostile length allocates nothing). */
  length(): number {
    const { n, encoded } = this.lengthOrEncoding();
    if (encoded || n > this.buf.length - this.pos) throw new CommandError(BAD_FORMAT);
    return n;
  }

  string(): Buffer {
    const { n, encoded } = this.lengthOrEncoding();
    if (!encoded) {
      this.need(n);
      this.pos += n;
      return Buffer.from(this.buf.subarray(this.pos - n, this.pos));
    }
    const width = n === ENC_INT8 ? 1 : n === ENC_INT16 ? 2 : n === ENC_INT32 ? 4 : 0;
    if (width > 0) {
      this.need(width);
      const v = this.buf.readIntLE(this.pos, width);
      this.pos += width;
      return Buffer.from(String(v), 'latin1');
    }
    if (n !== ENC_LZF) throw new CommandError(BAD_FORMAT);
    const clen = this.length();
    const { n: len, encoded: bad } = this.lengthOrEncoding();
    // Redis's strings are at most proto-max-bulk-len; 512 MB bounds what a payload may ask for.
    if (bad || len > 512 * 1024 * 1024) throw new CommandError(BAD_FORMAT);
    this.need(clen);
    const out = lzfDecompress(this.buf.subarray(this.pos, this.pos + clen), len);
    this.pos += clen;
    if (out === null) throw new CommandError(BAD_FORMAT);
    return out;
  }

  /** A length-encoded number without the element-count bound (IDs, counters). */
  number(): bigint {
    const { n, encoded } = this.lengthOrEncodingBig();
    if (encoded) throw new CommandError(BAD_FORMAT);
    return n;
  }

  private lengthOrEncodingBig(): { n: bigint; encoded: boolean } {
    if (this.buf[this.pos] === LEN_64BIT) {
      this.pos++;
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return { n, encoded: false };
    }
    const { n, encoded } = this.lengthOrEncoding();
    return { n: BigInt(n), encoded };
  }

  /** `n` raw bytes. */
  raw(n: number): Buffer {
    this.need(n);
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  /** An 8-byte little-endian millisecond time (rdbLoadMillisecondTime). */
  millis(): number {
    this.need(8);
    const t = Number(this.buf.readBigInt64LE(this.pos));
    this.pos += 8;
    return t;
  }

  double(): number {
    this.need(8);
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    if (Number.isNaN(d)) throw new CommandError(BAD_FORMAT);
    return d;
  }

  /** True when every byte of the object was read. */
  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** The value an RDB object describes, built as Redis's load builds it (encodings afresh). */
function deserialize(ctx: CommandContext, object: Buffer): { type: ValueType; value: unknown } {
  const r = new PayloadReader(object);
  const type = r.byte();
  const config = ctx.server.config;
  let out: { type: ValueType; value: unknown; size: number };
  if (type === RDB_TYPE_STRING) {
    const s = r.string();
    out = { type: 'string', value: s, size: 1 };
  } else if (type === RDB_TYPE_LIST) {
    const list = new Deque<Buffer>();
    for (let n = r.length(); n > 0; n--) list.pushBack(r.string());
    out = { type: 'list', value: list, size: list.length };
  } else if (type === RDB_TYPE_SET) {
    const s = new RedisSet();
    for (let n = r.length(); n > 0; n--) if (!s.add(keyOf(r.string()), config)) throw new CommandError(BAD_FORMAT);
    out = { type: 'set', value: s, size: s.size };
  } else if (type === RDB_TYPE_HASH) {
    const h = new RedisHash();
    for (let n = r.length(); n > 0; n--) if (!h.set(keyOf(r.string()), r.string(), config)) throw new CommandError(BAD_FORMAT);
    out = { type: 'hash', value: h, size: h.size };
  } else if (type === RDB_TYPE_ZSET_2) {
    const z = new RedisZSet(config);
    for (let n = r.length(); n > 0; n--) {
      const member = keyOf(r.string());
      if (!z.set(member, r.double())) throw new CommandError(BAD_FORMAT);
    }
    out = { type: 'zset', value: z, size: z.size };
  } else if (type === RDB_TYPE_STREAM_LISTPACKS || type === RDB_TYPE_STREAM_LISTPACKS_2) {
    const limits = { maxBytes: config['stream-node-max-bytes'], maxEntries: config['stream-node-max-entries'] };
    // An empty stream is a valid value: it counts as one for the emptiness check below.
    out = { type: 'stream', value: loadStream(r, type === RDB_TYPE_STREAM_LISTPACKS_2, limits), size: 1 };
  } else throw new CommandError(BAD_FORMAT);
  // Redis refuses empty collections and trailing bytes alike.
  if (!r.done || out.size === 0) throw new CommandError(BAD_FORMAT);
  return out;
}

/** DUMP's payload of an entry: the RDB object, the RDB version and a CRC64 (MIGRATE sends it too). */
export function dumpPayload(e: Entry): Buffer {
  return serialize(e);
}

function dump(ctx: CommandContext, argv: Buffer[]): void {
  const e = ctx.db.lookupRead(keyOf(argv[1]));
  if (e === undefined) return ctx.reply.nil();
  ctx.reply.bulk(serialize(e));
}

/** The RDB object of a payload whose version and checksum are right; null otherwise. */
function verifiedObject(payload: Buffer): Buffer | null {
  if (payload.length < 10) return null;
  const footer = payload.length - 10;
  if (payload.readUInt16LE(footer) > RDB_VERSION) return null;
  if (crc64(payload.subarray(0, payload.length - 8)) !== payload.readBigUInt64LE(payload.length - 8)) return null;
  return payload.subarray(0, footer);
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checks in Redis's order. */
function restore(ctx: CommandContext, argv: Buffer[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    if (argIs(argv[j], 'replace')) replace = true;
    else if (argIs(argv[j], 'absttl')) absttl = true;
    else if (argIs(argv[j], 'idletime') && more && freq === -1n) {
      idle = int64Arg(argv[++j]);
      if (idle < 0n) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
    } else if (argIs(argv[j], 'freq') && more && idle === -1n) {
      freq = int64Arg(argv[++j]);
      if (freq < 0n || freq > 255n) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
    } else throw new CommandError(SYNTAX);
  }
  const db = ctx.db;
  const key = keyOf(argv[1]);
  if (!replace && db.lookupWrite(key) !== undefined) throw new CommandError('BUSYKEY Target key name already exists.');
  const ttlArg = int64Arg(argv[2]);
  if (ttlArg < 0n) throw new CommandError('ERR Invalid TTL value, must be >= 0');
  const object = verifiedObject(argv[3]);
  if (object === null) throw new CommandError('ERR DUMP payload version or checksum are wrong');
  const { type, value } = deserialize(ctx, object);
  const deleted = replace && db.delete(key);
  const now = ctx.server.now();
  const at = ttlArg === 0n ? 0 : Number(absttl ? ttlArg : ttlArg + BigInt(now));
  if (at !== 0 && at <= now) {
    // Already expired: nothing is stored (what was there is gone when REPLACE deleted it).
    if (deleted) {
      ctx.propagate(['DEL', key]);
      ctx.notify(NOTIFY_GENERIC, 'del', key);
    }
    return ctx.reply.ok();
  }
  db.set(key, type, value);
  if (at !== 0) db.setExpire(key, at);
  const e = db.dict.get(key);
  if (e !== undefined) {
    if (idle >= 0n) e.lru = Math.floor(now / 1000) - Number(idle);
    if (freq >= 0n) e.freq = Number(freq);
  }
  // Logged with an absolute TTL, so that a replay does not restart the countdown.
  const logged: (Buffer | string)[] = ['RESTORE', key, String(at), argv[3], 'ABSTTL'];
  if (replace) logged.push('REPLACE');
  ctx.propagate(logged);
  if (type === 'list' || type === 'zset') db.signalReady(key);
  ctx.notify(NOTIFY_GENERIC, 'restore', key);
  ctx.reply.ok();
}

/** DUMP and RESTORE. */
export const dumpCommands: CommandDef[] = [
  def('dump', 2, CMD_READONLY, KEY1, 'generic', dump, 'Returns a serialized representation of the value stored at a key.'),
  def('restore', -4, CMD_WRITE | CMD_DENYOOM, KEY1, 'generic', restore, 'Creates a key from the serialized representation of a value.'),
];

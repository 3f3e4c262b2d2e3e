/**
 * The RDB file writer, incremental: {@link RdbFileWriter.begin} (magic and aux fields),
 * {@link RdbFileWriter.functions}, then per database {@link RdbFileWriter.database} (SELECTDB,
 * RESIZEDB) and one {@link RdbFileWriter.entry} per key (EXPIRETIME_MS, IDLE or FREQ, the
 * object), then {@link RdbFileWriter.end} (EOF and the CRC64 trailer, zero with `rdbchecksum no`).
 * Whoever drives it takes the bytes produced so far with {@link RdbFileWriter.take} whenever it
 * likes (after each key, or each few hundred KB), so a background save can write a slice, serve
 * clients, and come back; the checksum follows what was taken. The layout is rdbSaveRio's.
 *
 * @packageDocumentation
 */
import { Crc64 } from '../crc64';
import type { ValueType } from '../keyspace';
import * as T from './constants';
import { objectTypeByte, writeObjectBody, type ObjectWriteOptions } from './object-write';
import { RdbWriter } from './writer';

/** The aux fields Redis writes at the start of a file (rdbSaveInfoAuxFields), in its order. */
export interface AuxFields {
  /** `redis-ver`: the version nevio reports (7.0.15 in INFO). */
  readonly redisVersion: string;
  /** `ctime`: the creation time, in seconds. */
  readonly ctime: number;
  /** `used-mem`: bytes in use. */
  readonly usedMemory: number;
  /** Replication state, written for a replica's full sync and when the server has a replication ID. */
  readonly replication?: { readonly streamDb: number; readonly replId: string; readonly offset: number };
  /** `aof-base`: the file is an AOF's base (aof-use-rdb-preamble). */
  readonly aofBase: boolean;
}

/** How the file is written. */
export interface RdbFileOptions extends ObjectWriteOptions {
  /** `rdbcompression`. */
  readonly compress: boolean;
  /** `rdbchecksum`. */
  readonly checksum: boolean;
}

/** What is known of one key besides its value. */
export interface EntryMeta {
  /** Absolute expiry in ms; absent when the key has none. */
  readonly expireAt?: number;
  /** Idle time in seconds, written under an LRU `maxmemory-policy` (RDB_OPCODE_IDLE). */
  readonly idleSeconds?: number;
  /** The LFU counter, written under an LFU policy (RDB_OPCODE_FREQ). */
  readonly freq?: number;
}

/** Pointer width: `redis-bits` (64-bit builds only). */
const REDIS_BITS = 64;

/** Serializes one RDB file, a piece at a time. */
export class RdbFileWriter {
  private readonly w: RdbWriter;
  private readonly crc = new Crc64();
  private finished = false;

  constructor(private readonly options: RdbFileOptions) {
    this.w = new RdbWriter(options.compress, 64 * 1024);
  }

  /** Bytes produced and not yet taken (a driver takes them once this passes its slice size). */
  get pending(): number {
    return this.w.size;
  }

  private auxField(key: string, value: string | number): void {
    this.w.byte(T.OPCODE_AUX);
    this.w.text(key);
    if (typeof value === 'number') this.w.integerString(value);
    else this.w.text(value);
  }

  /** The magic, the version and the aux fields. */
  begin(aux: AuxFields): void {
    this.w.raw(Buffer.from(`${T.RDB_MAGIC}${String(T.RDB_VERSION).padStart(4, '0')}`, 'latin1'));
    this.auxField('redis-ver', aux.redisVersion);
    this.auxField('redis-bits', REDIS_BITS);
    this.auxField('ctime', aux.ctime);
    this.auxField('used-mem', aux.usedMemory);
    if (aux.replication !== undefined) {
      this.auxField('repl-stream-db', aux.replication.streamDb);
      this.auxField('repl-id', aux.replication.replId);
      this.auxField('repl-offset', aux.replication.offset);
    }
    this.auxField('aof-base', aux.aofBase ? 1 : 0);
  }

  /** The libraries' code, one RDB_OPCODE_FUNCTION2 each (rdbSaveFunctions). */
  functions(codes: Iterable<Buffer>): void {
    for (const code of codes) {
      this.w.byte(T.OPCODE_FUNCTION2);
      this.w.string(code);
    }
  }

  /** Starts database `index` with `keys` keys, `expires` of which have a TTL (skip empty databases, as Redis does). */
  database(index: number, keys: number, expires: number): void {
    this.w.byte(T.OPCODE_SELECTDB);
    this.w.length(index);
    this.w.byte(T.OPCODE_RESIZEDB);
    this.w.length(keys);
    this.w.length(expires);
  }

  /** One key (rdbSaveKeyValuePair). */
  entry(key: string, type: ValueType, value: unknown, meta: EntryMeta = {}): void {
    if (meta.expireAt !== undefined) {
      this.w.byte(T.OPCODE_EXPIRETIME_MS);
      this.w.millis(meta.expireAt);
    }
    if (meta.idleSeconds !== undefined) {
      this.w.byte(T.OPCODE_IDLE);
      this.w.length(Math.max(0, Math.floor(meta.idleSeconds)));
    }
    if (meta.freq !== undefined) {
      this.w.byte(T.OPCODE_FREQ);
      this.w.byte(meta.freq & 0xff);
    }
    this.w.byte(objectTypeByte(type, value));
    this.w.text(key);
    writeObjectBody(this.w, type, value, this.options);
  }

  /** The EOF opcode and the checksum. */
  end(): void {
    this.w.byte(T.OPCODE_EOF);
    this.finished = true;
  }

  /** The bytes produced since the last take (with the trailer once {@link RdbFileWriter.end} was called). */
  take(): Buffer {
    const chunk = this.w.take();
    if (this.options.checksum) this.crc.update(chunk);
    if (!this.finished) return chunk;
    const trailer = Buffer.alloc(8);
    if (this.options.checksum) trailer.writeBigUInt64LE(this.crc.value);
    this.finished = false;
    return Buffer.concat([chunk, trailer]);
  }
}

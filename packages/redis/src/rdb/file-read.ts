/**
 * The RDB file reader (rdbLoadRio): the header (`REDIS` and a version up to 10), aux fields,
 * functions, SELECTDB, RESIZEDB, expiry/IDLE/FREQ opcodes before a key, the keys, EOF and the
 * CRC64 trailer (checked unless it is zero, as Redis does). What it reads goes to an
 * {@link RdbSink}; the reader itself keeps nothing.
 *
 * Two ways in: {@link loadRdb} for a whole Buffer (a dump.rdb read at start), and
 * {@link RdbStreamLoader} for bytes as they arrive (a replica's full sync): it parses every
 * complete record of what it has and keeps the rest, so memory stays at about one key's size.
 * A record cut by the end of a chunk is parsed again from its start when more bytes came (at
 * least the bytes it was missing, and at least twice what was tried before, so that a huge
 * record costs a linear amount of work in all).
 *
 * @packageDocumentation
 */
import { Crc64 } from '../crc64';
import * as T from './constants';
import { RdbEmptyKeyError, isObjectType, readObject, type LoadLimits, type LoadedValue } from './object-read';
import { RdbFormatError, RdbReader, RdbTruncatedError } from './reader';

/** What a key came with. */
export interface LoadedMeta {
  /** Absolute expiry in ms, when the key has one. */
  readonly expireAt?: number;
  /** LRU idle time in seconds, when the file has it. */
  readonly idleSeconds?: number;
  /** LFU counter, when the file has it. */
  readonly freq?: number;
}

/** Receives what the reader reads, in file order. */
export interface RdbSink {
  /** An aux field (`redis-ver`, `repl-id`, …). */
  aux?(key: string, value: Buffer): void;
  /** A library's code (RDB_OPCODE_FUNCTION2). */
  func?(code: Buffer): void;
  /** RESIZEDB's hint for the current database. */
  resize?(db: number, keys: number, expires: number): void;
  /** A key of database `db`. */
  entry(db: number, key: string, value: LoadedValue, meta: LoadedMeta): void;
  /** A key skipped because its value is an empty collection (Redis logs each one). */
  emptyKey?(db: number, key: string): void;
}

/** How to read. */
export interface RdbLoadOptions {
  /** The thresholds values take their encodings from (usually the server's config). */
  readonly limits: LoadLimits;
  /** `rdbchecksum`: false skips the trailer's check. */
  readonly verifyChecksum: boolean;
  /** Highest database index accepted (`databases` - 1). */
  readonly maxDb: number;
}

/** What a finished load found. */
export interface RdbLoadSummary {
  readonly version: number;
  readonly keys: number;
  /** Keys skipped because they were empty collections. */
  readonly emptySkipped: number;
}

const HEADER_LENGTH = 9;
const SHORT_READ = 'Short read or OOM loading DB. Unrecoverable error, aborting now.';

/** Where a parser is in the file. */
type Stage = 'header' | 'records' | 'trailer' | 'done';

/** Parses records one at a time; shared by the Buffer and the stream paths. */
class RecordParser {
  version = 0;
  db = 0;
  keys = 0;
  emptySkipped = 0;
  stage: Stage = 'header';
  /** The last {@link RecordParser.parse} stopped because {@link RecordParser.shouldYield} said so. */
  yielded = false;
  private readonly crc = new Crc64();

  constructor(
    private readonly sink: RdbSink,
    private readonly options: RdbLoadOptions,
    /** Asked after each key: true stops the parse there (the rest is parsed by the next call). */
    private readonly shouldYield?: () => boolean,
  ) {}

  /** Parses every complete record of `buf` from `start`; returns where the unparsed rest begins. */
  parse(buf: Buffer, start: number, complete: boolean): number {
    let pos = start;
    this.yielded = false;
    while (this.stage !== 'done') {
      if (this.stage === 'trailer') {
        if (pos + 8 > buf.length) {
          if (complete) throw new RdbFormatError(SHORT_READ);
          return pos;
        }
        const stored = buf.readBigUInt64LE(pos);
        if (this.options.verifyChecksum && stored !== 0n && stored !== this.crc.value) throw new RdbFormatError(`Wrong RDB checksum expected: (${this.crc.value.toString(16)}) got (${stored.toString(16)}). RDB CRC error.`);
        this.stage = 'done';
        return pos + 8;
      }
      const r = new RdbReader(buf, pos, buf.length, complete);
      const keysBefore = this.keys;
      try {
        if (this.stage === 'header') this.header(r);
        else this.record(r);
      } catch (e) {
        if (!(e instanceof RdbTruncatedError)) throw e;
        if (complete) throw new RdbFormatError(SHORT_READ);
        return pos;
      }
      this.crc.update(buf.subarray(pos, r.pos));
      pos = r.pos;
      if (this.shouldYield !== undefined && this.keys !== keysBefore && this.shouldYield()) {
        this.yielded = true;
        return pos;
      }
    }
    return pos;
  }

  private header(r: RdbReader): void {
    const magic = r.raw(HEADER_LENGTH).toString('latin1');
    if (!magic.startsWith(T.RDB_MAGIC)) throw new RdbFormatError('Wrong signature trying to load DB from file');
    const digits = magic.slice(T.RDB_MAGIC.length);
    const version = Number(digits);
    if (!/^\d{4}$/.test(digits) || version < 1 || version > T.RDB_VERSION) throw new RdbFormatError(`Can't handle RDB format version ${digits}`);
    this.version = version;
    this.stage = 'records';
  }

  private record(r: RdbReader): void {
    const start = r.pos;
    let expireAt: number | undefined;
    let idleSeconds: number | undefined;
    let freq: number | undefined;
    for (;;) {
      const op = r.byte();
      switch (op) {
        case T.OPCODE_EXPIRETIME:
          expireAt = r.seconds() * 1000;
          continue;
        case T.OPCODE_EXPIRETIME_MS:
          expireAt = r.millis();
          continue;
        case T.OPCODE_IDLE:
          idleSeconds = Number(r.number());
          continue;
        case T.OPCODE_FREQ:
          freq = r.byte();
          continue;
        case T.OPCODE_EOF:
          // RDB 5 and later end with a CRC64.
          this.stage = this.version >= 5 ? 'trailer' : 'done';
          return;
        case T.OPCODE_SELECTDB: {
          const db = r.length();
          if (db > this.options.maxDb) throw new RdbFormatError(`FATAL: Data file was created with a Redis server configured to handle more than ${this.options.maxDb + 1} databases. Exiting`);
          this.db = db;
          return;
        }
        // The operands are read before the optional calls: `f?.(read())` would skip the read.
        case T.OPCODE_RESIZEDB: {
          const keys = r.length();
          const expires = r.length();
          this.sink.resize?.(this.db, keys, expires);
          return;
        }
        case T.OPCODE_AUX: {
          const key = r.string().toString('latin1');
          const value = r.string();
          this.sink.aux?.(key, value);
          return;
        }
        case T.OPCODE_FUNCTION2: {
          const code = r.string();
          this.sink.func?.(code);
          return;
        }
        case T.OPCODE_FUNCTION:
          throw new RdbFormatError('Pre-GA function format not supported.');
        case T.OPCODE_MODULE_AUX:
          throw new RdbFormatError('The RDB file contains module AUX data, but nevio has no modules.');
        default: {
          if (!isObjectType(op)) throw new RdbFormatError(`Unknown RDB type ${op}`);
          const keyBytes = r.string();
          const key = keyBytes.latin1Slice(0, keyBytes.length);
          let value: LoadedValue;
          try {
            value = readObject(r, op, this.options.limits);
          } catch (e) {
            if (e instanceof RdbEmptyKeyError) {
              this.emptySkipped++;
              this.sink.emptyKey?.(this.db, key);
              return;
            }
            if (e instanceof RdbFormatError && !(e instanceof RdbTruncatedError)) e.where = `[offset ${start}] reading key '${key}' of type ${op}`;
            throw e;
          }
          this.keys++;
          this.sink.entry(this.db, key, value, { expireAt, idleSeconds, freq });
          return;
        }
      }
    }
  }
}

/** Loads a whole RDB file from `buf`; throws {@link RdbFormatError} for anything malformed. */
export function loadRdb(buf: Buffer, sink: RdbSink, options: RdbLoadOptions): RdbLoadSummary {
  const p = new RecordParser(sink, options);
  p.parse(buf, 0, true);
  return { version: p.version, keys: p.keys, emptySkipped: p.emptySkipped };
}

/** Loads an RDB file from bytes as they arrive: {@link RdbStreamLoader.push} each chunk, then {@link RdbStreamLoader.end}. */
export class RdbStreamLoader {
  private readonly parser: RecordParser;
  /** The start of a record not complete yet. */
  private held: Buffer = Buffer.alloc(0);
  /** Chunks that came since the last attempt. */
  private arrived: Buffer[] = [];
  private arrivedBytes = 0;
  /** Don't try again before holding this many bytes (see the file comment). */
  private retryAt = 0;

  constructor(sink: RdbSink, options: RdbLoadOptions, shouldYield?: () => boolean) {
    this.parser = new RecordParser(sink, options, shouldYield);
  }

  /** True once EOF and the checksum were read. */
  get finished(): boolean {
    return this.parser.stage === 'done';
  }

  /** The last push or resume stopped early (its `shouldYield`): {@link RdbStreamLoader.resume} goes on. */
  get yielded(): boolean {
    return this.parser.yielded;
  }

  /** Parses on from where a yield stopped, without new bytes. */
  resume(): void {
    this.retryAt = 0;
    this.push(Buffer.alloc(0));
  }

  /** Feeds the next bytes; throws {@link RdbFormatError} as soon as something is malformed. */
  push(chunk: Buffer): void {
    if (this.finished) return;
    this.arrived.push(chunk);
    this.arrivedBytes += chunk.length;
    if (this.held.length + this.arrivedBytes < this.retryAt) return;
    // Joined only now: a big record's chunks are copied a few times, not once per chunk.
    this.held = Buffer.concat([this.held, ...this.arrived]);
    this.arrived = [];
    this.arrivedBytes = 0;
    this.held = this.held.subarray(this.parser.parse(this.held, 0, false));
    // After a yield the rest may be complete records: the next push parses on at once.
    this.retryAt = this.parser.yielded ? 0 : this.held.length * 2;
  }

  /** No more bytes: what is held must complete the file. */
  end(): RdbLoadSummary {
    const rest = Buffer.concat([this.held, ...this.arrived]);
    // The end is no time to yield: every key left is parsed now.
    for (let pos = 0; !this.finished; ) {
      pos = this.parser.parse(rest, pos, true);
      if (!this.parser.yielded) break;
    }
    this.arrived = [];
    this.held = Buffer.alloc(0);
    return { version: this.parser.version, keys: this.parser.keys, emptySkipped: this.parser.emptySkipped };
  }
}

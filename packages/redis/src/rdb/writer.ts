/**
 * The RDB primitives on the writing side, as Redis 7.0's rdbSave* functions emit them: lengths,
 * strings (integer-encoded when they are small canonical integers, LZF-compressed when that is
 * on and saves at least 4 bytes of a string over 20 bytes), binary doubles and millisecond times.
 * One {@link RdbWriter} grows a buffer; {@link RdbWriter.take} hands over what was written so far
 * (the incremental file writer streams that way).
 *
 * @packageDocumentation
 */
import { parseInt64 } from '../algo/int64';
import { ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_14BIT, LEN_32BIT, LEN_64BIT, LEN_ENCVAL } from './constants';
import { lzfCompress } from './lzf';

/** Shortest string Redis tries to compress (under 21 bytes it cannot win, per rdbSaveRawString). */
const LZF_MIN_LENGTH = 21;
/** Longest string Redis tries as an integer (rdbSaveRawString: 11 bytes, "-2147483648"). */
const INT_ENCODING_MAX_LENGTH = 11;
/** The first size a writer's buffer has. */
const INITIAL_CAPACITY = 256;

/** A growing byte buffer of RDB primitives. */
export class RdbWriter {
  private buf: Buffer;
  private pos = 0;

  /** `compress`: `rdbcompression` (strings over 20 bytes LZF-compressed when it pays). */
  constructor(
    readonly compress: boolean,
    capacity = INITIAL_CAPACITY,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written and not yet taken. */
  get size(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** One byte (a type or an opcode). */
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }

  /** Bytes as they are. */
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length (rdbSaveLen): 1, 2, 5 or 9 bytes. */
  length(n: number | bigint): void {
    this.reserve(9);
    if (typeof n === 'bigint' && n > 0xffffffffn) {
      this.buf[this.pos++] = LEN_64BIT;
      this.pos = this.buf.writeBigUInt64BE(n, this.pos);
      return;
    }
    const v = Number(n);
    if (v < 1 << 6) this.buf[this.pos++] = v;
    else if (v < 1 << 14) {
      this.buf[this.pos++] = (LEN_14BIT << 6) | (v >> 8);
      this.buf[this.pos++] = v & 0xff;
    } else if (v <= 0xffffffff) {
      this.buf[this.pos++] = LEN_32BIT;
      this.pos = this.buf.writeUInt32BE(v, this.pos);
    } else {
      this.buf[this.pos++] = LEN_64BIT;
      this.pos = this.buf.writeBigUInt64BE(BigInt(v), this.pos);
    }
  }

  /** A length-encoded number of up to 64 bits (the name `types/stream-rdb.ts`'s writer interface uses). */
  number(n: bigint | number): void {
    this.length(n);
  }

  /** An integer in the smallest special encoding that holds it; false when none does (rdbEncodeInteger). */
  private encodedInteger(v: number): boolean {
    this.reserve(5);
    if (v >= -128 && v <= 127) {
      this.buf[this.pos++] = (LEN_ENCVAL << 6) | ENC_INT8;
      this.pos = this.buf.writeInt8(v, this.pos);
    } else if (v >= -32768 && v <= 32767) {
      this.buf[this.pos++] = (LEN_ENCVAL << 6) | ENC_INT16;
      this.pos = this.buf.writeInt16LE(v, this.pos);
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.buf[this.pos++] = (LEN_ENCVAL << 6) | ENC_INT32;
      this.pos = this.buf.writeInt32LE(v, this.pos);
    } else return false;
    return true;
  }

  /** A string as rdbSaveRawString writes it: integer, LZF or plain. */
  string(s: Uint8Array): void {
    if (s.length <= INT_ENCODING_MAX_LENGTH) {
      const v = parseInt64(s);
      if (typeof v === 'number' && this.encodedInteger(v)) return;
    }
    if (this.compress && s.length >= LZF_MIN_LENGTH && this.lzfString(s)) return;
    this.length(s.length);
    this.raw(s);
  }

  /** A string of latin1 text (keys, names). */
  text(s: string): void {
    this.string(Buffer.from(s, 'latin1'));
  }

  /** An integer as rdbSaveLongLongAsStringObject writes it (aux fields' numbers). */
  integerString(v: number | bigint): void {
    if (typeof v === 'number' && this.encodedInteger(v)) return;
    const text = Buffer.from(String(v), 'latin1');
    this.length(text.length);
    this.raw(text);
  }

  /** `s` LZF-compressed when that saves at least 4 bytes (rdbSaveLzfStringObject); false otherwise. */
  private lzfString(s: Uint8Array): boolean {
    const packed = lzfCompress(s, s.length - 4);
    if (packed === null) return false;
    this.lzfBlob(packed, s.length);
    return true;
  }

  /** An already compressed blob of `originalLength` bytes (rdbSaveLzfBlob). */
  lzfBlob(packed: Uint8Array, originalLength: number): void {
    this.byte((LEN_ENCVAL << 6) | ENC_LZF);
    this.length(packed.length);
    this.length(originalLength);
    this.raw(packed);
  }

  /** A binary double, little endian (rdbSaveBinaryDoubleValue). */
  double(d: number): void {
    this.reserve(8);
    this.pos = this.buf.writeDoubleLE(d, this.pos);
  }

  /** A millisecond time, 8 bytes little endian (rdbSaveMillisecondTime). */
  millis(t: number): void {
    this.reserve(8);
    this.pos = this.buf.writeBigInt64LE(BigInt(Math.trunc(t)), this.pos);
  }

  /** Two bytes little endian (the DUMP payload's RDB version). */
  uint16(v: number): void {
    this.reserve(2);
    this.pos = this.buf.writeUInt16LE(v, this.pos);
  }

  /** Eight bytes little endian (checksums). */
  uint64(v: bigint): void {
    this.reserve(8);
    this.pos = this.buf.writeBigUInt64LE(v, this.pos);
  }

  /** What was written since the last take, as a buffer of its own; the writer starts empty again. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** A view of what was written (valid until the next write), without resetting. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

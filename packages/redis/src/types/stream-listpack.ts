/**
 * Redis's listpack encoding (listpack.c), as far as streams need it: the size an element takes
 * (to split nodes where redis-server splits them), writing a whole listpack (a stream node in an
 * RDB payload, byte for byte what redis-server holds for the same entries); reading one back is
 * `rdb/listpack.ts`'s (with Redis's integrity checks).
 *
 * A listpack is `total-bytes:u32le  count:u16le  element*  0xff`; each element is its encoding
 * (a small or wide integer, or a string with its length) followed by a "backlen", the encoding's
 * size written so that it can be read from right to left. A string that is exactly the decimal
 * form of an int64 (no sign but '-', no leading zero) is stored as that integer.
 *
 * @packageDocumentation
 */
/** Header (total bytes + element count) and end byte. */
export const LP_OVERHEAD = 7;
const LP_HEADER = 6;
const LP_EOF = 0xff;
/** The element count a header holds when there are more (LP_HDR_NUMELE_UNKNOWN). */
const COUNT_UNKNOWN = 0xffff;

// Encoding bytes (listpack.c LP_ENCODING_*).
const ENC_13BIT_INT = 0xc0;
const ENC_6BIT_STR = 0x80;
const ENC_12BIT_STR = 0xe0;
const ENC_32BIT_STR = 0xf0;
const ENC_16BIT_INT = 0xf1;
const ENC_24BIT_INT = 0xf2;
const ENC_32BIT_INT = 0xf3;
const ENC_64BIT_INT = 0xf4;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Bytes of an integer element (encoding plus its 1-byte backlen), for an int64 value. */
export function lpIntBytes(v: bigint | number): number {
  // 7-bit uint, 13-bit, 16-bit, 24-bit, 32-bit, 64-bit signed encodings.
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes the backlen of an element whose encoding takes `n` bytes needs. */
function lpBacklenBytes(n: number): number {
  if (n <= 127) return 1;
  if (n < 16383) return 2;
  if (n < 2097151) return 3;
  if (n < 268435455) return 4;
  return 5;
}

/** Bytes of a string's encoding (without backlen) when it is stored as a string. */
function strEncodingBytes(len: number): number {
  return len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
}

/** `s` as an int64 when it is written exactly as one (lpStringToInt64), else null. */
export function canonicalInt(s: Buffer): bigint | number | null {
  // LONG_STR_SIZE: 21 bytes or more cannot be an int64.
  if (s.length === 0 || s.length > 20) return null;
  let i = 0;
  if (s[0] === 0x2d /* - */) {
    if (s.length === 1) return null;
    i = 1;
  }
  if (s[i] === 0x30 /* 0 */) return s.length === 1 ? 0 : null;
  for (let j = i; j < s.length; j++) if (s[j] < 0x30 || s[j] > 0x39) return null;
  if (s.length < 16) return Number(s.latin1Slice(0, s.length));
  const v = BigInt(s.latin1Slice(0, s.length));
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Bytes of a string element: listpack stores strings that are canonical int64s as integers. */
export function lpStringBytes(s: Buffer): number {
  const v = canonicalInt(s);
  if (v !== null) return lpIntBytes(v);
  const enc = strEncodingBytes(s.length);
  return enc + lpBacklenBytes(enc);
}

/** Builds one listpack, element by element, in a growing Buffer. */
export class ListpackWriter {
  private buf = Buffer.allocUnsafe(256);
  private pos = LP_HEADER;
  private count = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** lpEncodeBacklen: the encoding's size `l`, most significant 7 bits first. */
  private backlen(l: number): void {
    const n = lpBacklenBytes(l);
    for (let i = 0; i < n; i++) {
      const shift = 7 * (n - 1 - i);
      const bits = Math.floor(l / 2 ** shift) & 127;
      this.buf[this.pos++] = i === 0 ? bits : bits | 128;
    }
  }

  /** An integer element (lpAppendInteger). */
  integer(value: bigint | number): void {
    const v = BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`listpack integer out of int64 range: ${v}`);
    this.reserve(10);
    const b = this.buf;
    const start = this.pos;
    if (v >= 0n && v <= 127n) b[this.pos++] = Number(v);
    else if (v >= -4096n && v <= 4095n) {
      const u = Number(BigInt.asUintN(13, v));
      b[this.pos++] = ENC_13BIT_INT | (u >> 8);
      b[this.pos++] = u & 0xff;
    } else if (v >= -32768n && v <= 32767n) {
      b[this.pos++] = ENC_16BIT_INT;
      this.pos = b.writeInt16LE(Number(v), this.pos);
    } else if (v >= -8388608n && v <= 8388607n) {
      b[this.pos++] = ENC_24BIT_INT;
      this.pos = b.writeIntLE(Number(v), this.pos, 3);
    } else if (v >= -2147483648n && v <= 2147483647n) {
      b[this.pos++] = ENC_32BIT_INT;
      this.pos = b.writeInt32LE(Number(v), this.pos);
    } else {
      b[this.pos++] = ENC_64BIT_INT;
      this.pos = b.writeBigInt64LE(v, this.pos);
    }
    this.backlen(this.pos - start);
    this.count++;
  }

  /** A string element (lpAppend): an integer when it is written as one. */
  string(s: Buffer): void {
    const v = canonicalInt(s);
    if (v !== null) return this.integer(v);
    const len = s.length;
    this.reserve(len + 10);
    const b = this.buf;
    const start = this.pos;
    if (len < 64) b[this.pos++] = ENC_6BIT_STR | len;
    else if (len < 4096) {
      b[this.pos++] = ENC_12BIT_STR | (len >> 8);
      b[this.pos++] = len & 0xff;
    } else {
      b[this.pos++] = ENC_32BIT_STR;
      this.pos = b.writeUInt32LE(len, this.pos);
    }
    this.pos += s.copy(b, this.pos);
    this.backlen(this.pos - start);
    this.count++;
  }

  /** The finished listpack (header filled in, end byte appended). */
  finish(): Buffer {
    this.reserve(1);
    this.buf[this.pos++] = LP_EOF;
    this.buf.writeUInt32LE(this.pos, 0);
    this.buf.writeUInt16LE(this.count < COUNT_UNKNOWN ? this.count : COUNT_UNKNOWN, 4);
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * Listpacks, Redis's compact sequence (listpack.c): a 6-byte header (total bytes, 32-bit LE;
 * element count, 16-bit LE, 65535 meaning "count them"), the elements, and an end byte 0xFF.
 * Each element is an encoding byte (with its length or a small integer), the data, and a
 * "backlen" of 1-5 bytes holding the size of the encoding and data, written so that it can be
 * read from its last byte backwards.
 *
 * {@link ListpackBuilder} encodes as lpAppend does (a string that is a canonical int64 is stored
 * as an integer, in the smallest of the 7/13/16/24/32/64-bit forms), so the bytes equal Redis's.
 * {@link listpackElements} decodes and checks everything lpValidateIntegrity's deep mode does.
 *
 * @packageDocumentation
 */
import { parseInt64 } from '../algo/int64';
import { RdbFormatError } from './reader';

/** Header: total bytes (4) and element count (2). */
const HEADER_SIZE = 6;
const EOF_BYTE = 0xff;
/** The count field's "unknown" value (too many elements to count in 16 bits). */
const COUNT_UNKNOWN = 0xffff;

/** How many bytes the backlen of an entry of `size` bytes takes (lpEncodeBacklen). */
function backlenSize(size: number): number {
  return size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
}

/** Encodes one listpack element at a time, as lpAppend does. */
export class ListpackBuilder {
  private parts: Buffer[] = [];
  private bytes = HEADER_SIZE + 1;
  private count = 0;

  /** Number of elements so far. */
  get length(): number {
    return this.count;
  }

  /** The listpack's size in bytes so far (lpBytes: header and end byte included). */
  get size(): number {
    return this.bytes;
  }

  /** The bytes one element takes (encoding, data, backlen), before appending it. */
  static entrySize(s: Uint8Array): number {
    const v = parseInt64(s);
    const size = v !== null ? intEncodingSize(v) : s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + s.length;
    return size + backlenSize(size);
  }

  /** Appends a string (an integer encoding when it is a canonical int64). */
  append(s: Uint8Array): void {
    const v = parseInt64(s);
    if (v !== null) return this.appendInteger(v);
    let head: Buffer;
    if (s.length < 64) head = Buffer.from([0x80 | s.length]);
    else if (s.length < 4096) head = Buffer.from([0xe0 | (s.length >> 8), s.length & 0xff]);
    else {
      head = Buffer.allocUnsafe(5);
      head[0] = 0xf0;
      head.writeUInt32LE(s.length, 1);
    }
    this.push(Buffer.concat([head, s]));
  }

  /** Appends an integer (lpAppendInteger). */
  appendInteger(value: number | bigint): void {
    const v = typeof value === 'bigint' ? value : BigInt(value);
    let enc: Buffer;
    if (v >= 0n && v <= 127n) enc = Buffer.from([Number(v)]);
    else if (v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? (1n << 13n) + v : v);
      enc = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
    } else if (v >= -32768n && v <= 32767n) {
      enc = Buffer.allocUnsafe(3);
      enc[0] = 0xf1;
      enc.writeInt16LE(Number(v), 1);
    } else if (v >= -8388608n && v <= 8388607n) {
      enc = Buffer.allocUnsafe(4);
      enc[0] = 0xf2;
      enc.writeIntLE(Number(v), 1, 3);
    } else if (v >= -2147483648n && v <= 2147483647n) {
      enc = Buffer.allocUnsafe(5);
      enc[0] = 0xf3;
      enc.writeInt32LE(Number(v), 1);
    } else {
      enc = Buffer.allocUnsafe(9);
      enc[0] = 0xf4;
      enc.writeBigInt64LE(v, 1);
    }
    this.push(enc);
  }

  private push(entry: Buffer): void {
    const size = entry.length;
    const back = Buffer.allocUnsafe(backlenSize(size));
    // Big-endian 7-bit groups; every byte but the first has the high bit set.
    for (let i = back.length - 1, l = size; i >= 0; i--, l = Math.floor(l / 128)) back[i] = (l & 127) | (i === 0 ? 0 : 128);
    this.parts.push(entry, back);
    this.bytes += size + back.length;
    this.count++;
  }

  /** The finished listpack. */
  finish(): Buffer {
    const head = Buffer.allocUnsafe(HEADER_SIZE);
    head.writeUInt32LE(this.bytes, 0);
    head.writeUInt16LE(Math.min(this.count, COUNT_UNKNOWN), 4);
    return Buffer.concat([head, ...this.parts, Buffer.from([EOF_BYTE])], this.bytes);
  }
}

/** The size of an integer's encoding and data (lpEncodeIntegerGetType's enclen). */
function intEncodingSize(v: number | bigint): number {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** The backlen ending at `last` (lpDecodeBacklen), or -1 when it runs over 5 bytes or the start. */
function decodeBacklen(lp: Buffer, last: number, first: number): number {
  let val = 0;
  let shift = 0;
  for (let p = last; p >= first; p--) {
    val += (lp[p] & 127) * 2 ** shift;
    if ((lp[p] & 128) === 0) return val;
    shift += 7;
    if (shift > 28) return -1;
  }
  return -1;
}

/**
 * The elements of a listpack, integers as their decimal text; every check of Redis's deep
 * validation: header size equal to the data's, the end byte, each entry within bounds with a
 * valid encoding and a backlen that matches, the count when the header has one. `container`
 * names what holds the listpack in the error, as Redis's reasons do (`Zset listpack`, `Stream listpack`).
 */
export function listpackElements(lp: Buffer, container = 'Listpack'): Buffer[] {
  const bad = (why: string): never => {
    throw new RdbFormatError(`${container} integrity check failed: ${why}`);
  };
  if (lp.length < HEADER_SIZE + 1) bad('too short');
  if (lp.readUInt32LE(0) !== lp.length) bad('header size');
  if (lp[lp.length - 1] !== EOF_BYTE) bad('no end byte');
  const declared = lp.readUInt16LE(4);
  const out: Buffer[] = [];
  const end = lp.length - 1;
  let p = HEADER_SIZE;
  while (p < end) {
    const b = lp[p];
    let dataStart: number;
    let dataLen = 0;
    let int: number | bigint | null = null;
    const avail = (n: number): void => {
      if (p + n > end) bad('entry out of range');
    };
    if ((b & 0x80) === 0) {
      dataStart = p + 1;
      int = b;
    } else if ((b & 0xc0) === 0x80) {
      dataStart = p + 1;
      dataLen = b & 0x3f;
    } else if ((b & 0xe0) === 0xc0) {
      avail(2);
      dataStart = p + 2;
      int = ((((b & 0x1f) << 8) | lp[p + 1]) << 19) >> 19;
    } else if ((b & 0xf0) === 0xe0) {
      avail(2);
      dataStart = p + 2;
      dataLen = ((b & 0x0f) << 8) | lp[p + 1];
    } else if (b === 0xf0) {
      avail(5);
      dataStart = p + 5;
      dataLen = lp.readUInt32LE(p + 1);
    } else if (b === 0xf1) {
      avail(3);
      dataStart = p + 3;
      int = lp.readInt16LE(p + 1);
    } else if (b === 0xf2) {
      avail(4);
      dataStart = p + 4;
      int = lp.readIntLE(p + 1, 3);
    } else if (b === 0xf3) {
      avail(5);
      dataStart = p + 5;
      int = lp.readInt32LE(p + 1);
    } else if (b === 0xf4) {
      avail(9);
      dataStart = p + 9;
      const big = lp.readBigInt64LE(p + 1);
      int = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    } else return bad('bad encoding');
    if (dataStart + dataLen > end) bad('entry out of range');
    const size = dataStart + dataLen - p;
    const backEnd = dataStart + dataLen + backlenSize(size);
    if (backEnd > end) bad('backlen out of range');
    if (decodeBacklen(lp, backEnd - 1, dataStart + dataLen) !== size) bad('backlen mismatch');
    out.push(int !== null ? Buffer.from(String(int), 'latin1') : Buffer.from(lp.subarray(dataStart, dataStart + dataLen)));
    p = backEnd;
  }
  if (declared !== COUNT_UNKNOWN && declared !== out.length) bad('count mismatch');
  return out;
}

/**
 * Decoders of the compact encodings older Redis versions wrote and Redis 7.0 still loads:
 * ziplists (lists, hashes and sorted sets before 7.0; quicklist nodes of 3.2-6.2) and zipmaps
 * (hashes before 2.6). Each checks what Redis's integrity validation checks (every entry inside
 * the blob, the end byte, the count), so a corrupt blob is an error, never a read out of bounds.
 *
 * @packageDocumentation
 */
import { RdbFormatError } from './reader';

/** zlbytes (4), zltail (4), zllen (2). */
const ZIPLIST_HEADER = 10;
const ZIP_END = 0xff;
/** A prevlen byte announcing a 4-byte length. */
const ZIP_BIG_PREVLEN = 0xfe;
/** The count field's "count them" value. */
const ZIP_COUNT_UNKNOWN = 0xffff;

/** The entries of a ziplist, integers as decimal text; `container` names its holder in errors (`Zset ziplist`). */
export function ziplistEntries(zl: Buffer, container = 'Ziplist'): Buffer[] {
  const bad = (why: string): never => {
    throw new RdbFormatError(`${container} integrity check failed: ${why}`);
  };
  if (zl.length < ZIPLIST_HEADER + 1) bad('too short');
  if (zl.readUInt32LE(0) !== zl.length) bad('header size');
  if (zl[zl.length - 1] !== ZIP_END) bad('no end byte');
  const declared = zl.readUInt16LE(8);
  const tail = zl.readUInt32LE(4);
  const end = zl.length - 1;
  const out: Buffer[] = [];
  let p = ZIPLIST_HEADER;
  let prevSize = 0;
  let lastStart = ZIPLIST_HEADER;
  const need = (n: number): void => {
    if (p + n > end) bad('entry out of range');
  };
  while (p < end) {
    const start = p;
    need(1);
    let prevlen = zl[p++];
    if (prevlen === ZIP_BIG_PREVLEN) {
      need(4);
      prevlen = zl.readUInt32LE(p);
      p += 4;
    } else if (prevlen === ZIP_END) bad('bad prevlen');
    if (prevlen !== prevSize) bad('prevlen mismatch');
    need(1);
    const enc = zl[p++];
    const kind = enc >> 6;
    let value: Buffer;
    if (kind < 3) {
      let len: number;
      if (kind === 0) len = enc & 0x3f;
      else if (kind === 1) {
        need(1);
        len = ((enc & 0x3f) << 8) | zl[p++];
      } else {
        if (enc !== 0x80) bad('bad string encoding');
        need(4);
        len = zl.readUInt32BE(p);
        p += 4;
      }
      need(len);
      value = Buffer.from(zl.subarray(p, p + len));
      p += len;
    } else {
      let v: number | bigint;
      if (enc === 0xc0) {
        need(2);
        v = zl.readInt16LE(p);
        p += 2;
      } else if (enc === 0xd0) {
        need(4);
        v = zl.readInt32LE(p);
        p += 4;
      } else if (enc === 0xe0) {
        need(8);
        v = zl.readBigInt64LE(p);
        p += 8;
      } else if (enc === 0xf0) {
        need(3);
        v = zl.readIntLE(p, 3);
        p += 3;
      } else if (enc === 0xfe) {
        need(1);
        v = zl.readInt8(p);
        p += 1;
      } else if (enc >= 0xf1 && enc <= 0xfd) v = (enc & 0x0f) - 1;
      else return bad('bad integer encoding');
      value = Buffer.from(String(v), 'latin1');
    }
    out.push(value);
    prevSize = p - start;
    lastStart = start;
  }
  if (out.length > 0 && tail !== lastStart) bad('tail offset');
  if (declared !== ZIP_COUNT_UNKNOWN && declared !== out.length) bad('count mismatch');
  return out;
}

/** A zipmap length byte: below 254 itself, 254 announces 4 bytes little endian. */
const ZIPMAP_BIGLEN = 254;

/** The fields and values of a zipmap (hashes of Redis 2.4 and before), alternating. */
export function zipmapEntries(zm: Buffer): Buffer[] {
  const bad = (why: string): never => {
    throw new RdbFormatError(`Zipmap integrity check failed: ${why}`);
  };
  const out: Buffer[] = [];
  if (zm.length < 2) bad('too short');
  let p = 1; // the count byte is only a hint
  const len = (): number => {
    if (p >= zm.length) bad('out of range');
    const b = zm[p++];
    if (b < ZIPMAP_BIGLEN) return b;
    if (b !== ZIPMAP_BIGLEN || p + 4 > zm.length) bad('bad length');
    const v = zm.readUInt32LE(p);
    p += 4;
    return v;
  };
  const bytes = (n: number): Buffer => {
    if (p + n > zm.length) bad('out of range');
    p += n;
    return Buffer.from(zm.subarray(p - n, p));
  };
  while (true) {
    if (p >= zm.length) bad('no end byte');
    if (zm[p] === ZIP_END) break;
    out.push(bytes(len()));
    const valueLen = len();
    if (p >= zm.length) bad('out of range');
    const free = zm[p++];
    out.push(bytes(valueLen));
    bytes(free);
  }
  if (p !== zm.length - 1) bad('bytes after the end');
  // Redis's zipmapValidateIntegrity refuses a zipmap without a field.
  if (out.length === 0) bad('no fields');
  return out;
}

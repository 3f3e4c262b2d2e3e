/**
 * Intsets (intset.c): the encoding of small sets of integers. A 4-byte width (2, 4 or 8), a
 * 4-byte count, then the members sorted ascending, each little endian in that width; all
 * little endian. nevio writes the narrowest width that holds every member (what a set Redis
 * built by adding them has; Redis never narrows after a removal, a difference DUMP shows only
 * for sets that once held a wider member).
 *
 * @packageDocumentation
 */
import { RdbFormatError } from './reader';

const HEADER_SIZE = 8;
const INT16_MAX = 32767n;
const INT32_MAX = 2147483647n;

/** The width an intset needs for `v` (_intsetValueEncoding). */
function widthOf(v: bigint): number {
  if (v < -INT32_MAX - 1n || v > INT32_MAX) return 8;
  if (v < -INT16_MAX - 1n || v > INT16_MAX) return 4;
  return 2;
}

/** The intset of `members` (canonical int64 texts, in any order). */
export function encodeIntset(members: readonly string[]): Buffer {
  const values = members.map((m) => BigInt(m)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of values) width = Math.max(width, widthOf(v));
  const out = Buffer.allocUnsafe(HEADER_SIZE + values.length * width);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(values.length, 4);
  let p = HEADER_SIZE;
  for (const v of values) {
    if (width === 2) out.writeInt16LE(Number(v), p);
    else if (width === 4) out.writeInt32LE(Number(v), p);
    else out.writeBigInt64LE(v, p);
    p += width;
  }
  return out;
}

/**
 * The members of an intset as decimal text, with intsetValidateIntegrity's checks (a known width,
 * a size that matches the count, at least one member, strictly ascending: no duplicates).
 */
export function intsetMembers(blob: Buffer): string[] {
  const bad = (why: string): never => {
    throw new RdbFormatError(`Intset integrity check failed: ${why}`);
  };
  if (blob.length < HEADER_SIZE) bad('too short');
  const width = blob.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) bad('bad width');
  const count = blob.readUInt32LE(4);
  if (count === 0) bad('empty');
  if (HEADER_SIZE + count * width !== blob.length) bad('size mismatch');
  const out: string[] = [];
  let prev: bigint | null = null;
  for (let p = HEADER_SIZE; p < blob.length; p += width) {
    const v = width === 2 ? BigInt(blob.readInt16LE(p)) : width === 4 ? BigInt(blob.readInt32LE(p)) : blob.readBigInt64LE(p);
    if (prev !== null && v <= prev) bad('not ascending');
    prev = v;
    out.push(v.toString());
  }
  return out;
}

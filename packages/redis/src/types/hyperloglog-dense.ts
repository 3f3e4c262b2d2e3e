/**
 * The layout Redis gives a HyperLogLog string (its hyperloglog.c, Redis 7.0) and its dense
 * representation. Every HLL is a plain string value:
 *
 * - a 16-byte header: the magic `HYLL`, one encoding byte ({@link HLL_DENSE} or
 *   {@link HLL_SPARSE}), three unused bytes, and the last computed cardinality as a
 *   little-endian uint64 whose top bit, when set, says it is stale;
 * - then the registers: 16384 of them (p = 14 bits of the hash choose one), each holding the
 *   longest run of zeros + 1 seen in the remaining 50 bits, so 6 bits are enough (at most 51).
 *
 * Dense: 16384 x 6 bits = 12288 bytes, register i in bits 6i..6i+5 counted from the least
 * significant bit of byte 0 (a register may straddle two bytes). Sparse: see
 * `hyperloglog-sparse.ts`.
 *
 * @packageDocumentation
 */
import { murmurHash64A } from '../algo/murmur';

/** The header's size, before the registers. */
export const HLL_HDR_SIZE = 16;
/** Bits of the hash that select the register. */
export const HLL_P = 14;
/** Hash bits left to count zeros in (64 - p). */
export const HLL_Q = 64 - HLL_P;
/** Number of registers (2^p). */
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
/** Bits per dense register. */
const HLL_BITS = 6;
/** The largest value a dense register holds. */
export const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
/** Length of a dense HLL string: header plus 12288 register bytes. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS) / 8;
/** Encoding byte of the dense representation. */
export const HLL_DENSE = 0;
/** Encoding byte of the sparse representation. */
export const HLL_SPARSE = 1;
/** Offset of the encoding byte. */
export const HLL_ENCODING_AT = 4;
/** Offset of the cached cardinality (8 bytes, little-endian). */
export const HLL_CARD_AT = 8;
/** The byte holding the cache's "stale" bit (its most significant one). */
const HLL_CARD_TOP = HLL_CARD_AT + 7;
/** The hash seed Redis uses for HyperLogLog elements. */
const HLL_HASH_SEED = 0xadc83b19;

/** `PFADD`/`PFCOUNT` on a string that is not an HLL. */
export const HLL_WRONGTYPE = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** An HLL whose registers do not decode (a corrupted sparse representation). */
export const HLL_INVALID = 'INVALIDOBJ Corrupted HLL object detected';

/**
 * Redis's isHLLObjectOrReply: at least a header, the magic, a known encoding, and the exact
 * length for a dense one. A sparse HLL's opcodes are only checked when they are decoded.
 */
export function isHll(bytes: Uint8Array): boolean {
  if (bytes.length < HLL_HDR_SIZE) return false;
  // 'H', 'Y', 'L', 'L'
  if (bytes[0] !== 0x48 || bytes[1] !== 0x59 || bytes[2] !== 0x4c || bytes[3] !== 0x4c) return false;
  const enc = bytes[HLL_ENCODING_AT];
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || bytes.length === HLL_DENSE_SIZE;
}

/** Marks the cached cardinality stale (HLL_INVALIDATE_CACHE). */
export function invalidateCache(bytes: Uint8Array): void {
  bytes[HLL_CARD_TOP] |= 0x80;
}

/** True when the cached cardinality can be used (HLL_VALID_CACHE). */
export function cacheIsValid(bytes: Uint8Array): boolean {
  return (bytes[HLL_CARD_TOP] & 0x80) === 0;
}

/** The register an element hashes to, set by {@link patternLength}. */
export let patternIndex = 0;
const hash = new Uint32Array(2);

/**
 * Redis's hllPatLen: hashes `element` (MurmurHash64A, Redis's seed), sets {@link patternIndex}
 * to its register (the low 14 bits) and returns the length of the `000..1` pattern in the other
 * 50 bits, counted from their least significant one: 1 to 51 (bit 50 is forced on so the count
 * stops there).
 */
export function patternLength(element: Uint8Array): number {
  murmurHash64A(element, HLL_HASH_SEED, hash);
  const lo = hash[0];
  const hi = hash[1];
  patternIndex = lo & HLL_P_MASK;
  // The 50 bits above the index, as two 32-bit words; bit 50 of the shifted value set.
  const restLo = (lo >>> HLL_P) | (hi << (32 - HLL_P));
  if (restLo !== 0) return 32 - Math.clz32(restLo & -restLo);
  const restHi = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  return 32 + 32 - Math.clz32(restHi & -restHi);
}

/** Dense register `index` of the registers starting at `base` in `bytes`. */
export function denseGet(bytes: Uint8Array, base: number, index: number): number {
  const bit = index * HLL_BITS;
  const at = base + (bit >>> 3);
  const shift = bit & 7;
  // With the register in bits 0-5 or 2-7 of its first byte the next byte holds none of it, which
  // also keeps the last register (shift 2) from reading past the end of the string.
  if (shift <= 8 - HLL_BITS) return (bytes[at] >>> shift) & HLL_REGISTER_MAX;
  return ((bytes[at] >>> shift) | (bytes[at + 1] << (8 - shift))) & HLL_REGISTER_MAX;
}

/** Sets dense register `index` (of the registers at `base`) to `value` (at most 63). */
export function denseSetRegister(bytes: Uint8Array, base: number, index: number, value: number): void {
  const bit = index * HLL_BITS;
  const at = base + (bit >>> 3);
  const shift = bit & 7;
  bytes[at] = (bytes[at] & ~(HLL_REGISTER_MAX << shift)) | (value << shift);
  if (shift > 8 - HLL_BITS) {
    const spill = 8 - shift;
    bytes[at + 1] = (bytes[at + 1] & ~(HLL_REGISTER_MAX >>> spill)) | (value >>> spill);
  }
}

/** hllDenseSet: raises register `index` to `count`; 1 when it changed, 0 when it was already ≥. */
export function denseSet(bytes: Uint8Array, index: number, count: number): number {
  if (count <= denseGet(bytes, HLL_HDR_SIZE, index)) return 0;
  denseSetRegister(bytes, HLL_HDR_SIZE, index, count);
  return 1;
}

/** hllDenseAdd: adds one element to a dense HLL; 1 when a register changed. */
export function denseAdd(bytes: Uint8Array, element: Uint8Array): number {
  const count = patternLength(element);
  return denseSet(bytes, patternIndex, count);
}

/**
 * Adds the histogram of a dense HLL's register values to `histo` (64 slots: a corrupted HLL may
 * hold any 6-bit value). Registers are read 16 at a time from each 12 bytes.
 */
export function denseHistogram(bytes: Uint8Array, histo: Int32Array): void {
  for (let r = HLL_HDR_SIZE; r < HLL_DENSE_SIZE; r += 3) {
    // Three bytes hold four registers.
    const b0 = bytes[r];
    const b1 = bytes[r + 1];
    const b2 = bytes[r + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

/** Merges a dense HLL into `max` (one byte per register): max[i] = MAX(max[i], register i). */
export function denseMergeInto(bytes: Uint8Array, max: Uint8Array): void {
  for (let r = HLL_HDR_SIZE, i = 0; i < HLL_REGISTERS; r += 3, i += 4) {
    const b0 = bytes[r];
    const b1 = bytes[r + 1];
    const b2 = bytes[r + 2];
    const v0 = b0 & 63;
    const v1 = ((b0 >>> 6) | (b1 << 2)) & 63;
    const v2 = ((b1 >>> 4) | (b2 << 4)) & 63;
    const v3 = b2 >>> 2;
    if (v0 > max[i]) max[i] = v0;
    if (v1 > max[i + 1]) max[i + 1] = v1;
    if (v2 > max[i + 2]) max[i + 2] = v2;
    if (v3 > max[i + 3]) max[i + 3] = v3;
  }
}

/**
 * Geohashes as Redis 7.0 computes them (geohash.c): a longitude/latitude pair becomes two
 * `step`-bit fixed-point offsets into the coordinate ranges, interleaved (latitude in the even
 * bits, longitude in the odd ones). At 26 steps the 52 bits are a geo sorted set member's score,
 * so GEOADD here stores the very scores redis-server stores.
 *
 * Redis works in uint64; JavaScript numbers hold 53 bits, so the per-point paths (encoding for
 * GEOADD, decoding a score for every candidate of a search) split the 64 bits into two 32-bit
 * halves, and the few hashes a search walks (its 9 boxes) are kept as bigints.
 *
 * Redis's quirks are kept because they decide which scores a search covers and what GEOPOS
 * shows: an offset of exactly 2^step (a coordinate at its range's maximum) spills into the next
 * bit, a score that is not a geohash (any ZADD score) is converted to uint64 as x86-64 C does
 * and decodes to clamped coordinates, and `ilato + 1` wraps in 32 bits.
 *
 * @packageDocumentation
 */

/** 26 steps of 2 bits: the 52-bit scores of geo sets. */
export const GEO_STEP_MAX = 26;
/** Latitude limits of the Web Mercator projection (EPSG:900913), where geohashing stops. */
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

/** A coordinate interval. */
export interface GeoRange {
  min: number;
  max: number;
}

/** A geohash of `step` bits per coordinate; bits 0 and step 0 is the "zero" (unused) hash. */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

/** The cell a geohash stands for. */
export interface GeoArea {
  longitude: GeoRange;
  latitude: GeoRange;
}

/** The ranges Redis hashes geo set members in. */
export const WGS84_LONG: GeoRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: GeoRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

const TWO_32 = 2 ** 32;
const U64 = (1n << 64n) - 1n;
const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;

/** Spreads the 16 bits of `x` over the even bits of a 32-bit word. */
function spread16(x: number): number {
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}

/** Gathers the even bits of the 32-bit word `x` into 16 bits. */
function squash16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  return (x | (x >>> 8)) & 0x0000ffff;
}

// Results of interleave() and deinterleave(), as module state so that the hot paths allocate
// nothing: the interleaved 64 bits as halves, and the two 32-bit coordinates. A typed array
// rather than `let`s, which hold tagged values: each half above 2^30 would be a new HeapNumber.
const words = new Uint32Array(4);
const MIXED_LO = 0;
const MIXED_HI = 1;
const LAT = 2;
const LON = 3;

/** interleave64(lat, lon): lat's bits in the even positions, lon's in the odd ones. */
function interleave(lat: number, lon: number): void {
  words[MIXED_LO] = (spread16(lat & 0xffff) | (spread16(lon & 0xffff) << 1)) >>> 0;
  words[MIXED_HI] = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
}

/** deinterleave64: the even bits (latitude) and odd bits (longitude) of hi:lo. */
function deinterleave(hi: number, lo: number): void {
  words[LAT] = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  words[LON] = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
}

/**
 * geohashEncode's offsets, interleaved into words[MIXED_HI]:words[MIXED_LO]; false when the
 * point is outside the Mercator limits or the given ranges (whatever the ranges, latitudes
 * beyond ±85.05112878 are refused, as in Redis).
 */
function encodeInto(longRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): boolean {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return false;
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) return false;
  const scale = 2 ** step;
  const latOffset = ((latitude - latRange.min) / (latRange.max - latRange.min)) * scale;
  const longOffset = ((longitude - longRange.min) / (longRange.max - longRange.min)) * scale;
  // C converts the offsets to uint32_t: truncation toward zero.
  interleave(Math.trunc(latOffset), Math.trunc(longOffset));
  return true;
}

/**
 * geohashEncode: the `step`-bit geohash of a point in the given ranges. Callers pass points
 * already checked to be inside them (Redis leaves the hash unset otherwise; here its bits are 0).
 */
export function geohashEncode(longRange: GeoRange, latRange: GeoRange, longitude: number, latitude: number, step: number): GeoHashBits {
  if (!encodeInto(longRange, latRange, longitude, latitude, step)) words[MIXED_HI] = words[MIXED_LO] = 0;
  return { bits: (BigInt(words[MIXED_HI]) << 32n) | BigInt(words[MIXED_LO]), step };
}

/**
 * The score GEOADD gives a point already checked to be within the WGS84 limits: its 52-bit
 * geohash as a double (uint64 to double, rounded to nearest even past 2^53 as C converts).
 */
export function geoScore(longitude: number, latitude: number): number {
  encodeInto(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX);
  return words[MIXED_HI] * TWO_32 + words[MIXED_LO];
}

/** The cell of the geohash hi:lo of `step` bits, within the given ranges (geohashDecode). */
function decodeInto(area: GeoArea, hi: number, lo: number, step: number, longRange: GeoRange, latRange: GeoRange): void {
  deinterleave(hi, lo);
  const scale = 2 ** step;
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  area.latitude.min = latRange.min + (words[LAT] / scale) * latScale;
  // `ilato + 1` is unsigned int arithmetic in C: it wraps at 2^32.
  area.latitude.max = latRange.min + (((words[LAT] + 1) >>> 0) / scale) * latScale;
  area.longitude.min = longRange.min + (words[LON] / scale) * longScale;
  area.longitude.max = longRange.min + (((words[LON] + 1) >>> 0) / scale) * longScale;
}

/** geohashDecode: the cell of a (non-zero) `hash` in the WGS84 ranges. */
export function geohashDecode(hash: GeoHashBits): GeoArea {
  const area: GeoArea = { longitude: { min: 0, max: 0 }, latitude: { min: 0, max: 0 } };
  decodeInto(area, Number(hash.bits >> 32n), Number(hash.bits & 0xffffffffn), hash.step, WGS84_LONG, WGS84_LAT);
  return area;
}

const scratchArea: GeoArea = { longitude: { min: 0, max: 0 }, latitude: { min: 0, max: 0 } };

/**
 * decodeGeohash: the longitude and latitude (into `xy`) of a geo set score, the centre of its
 * 26-step cell clamped to the WGS84 limits. Any score decodes: it is first converted to uint64
 * the way x86-64 code generated by gcc converts a double.
 */
export function decodeScore(score: number, xy: Float64Array): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO_32);
    lo = t - hi * TWO_32;
  } else {
    const u = doubleToUint64(score);
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  decodeInto(scratchArea, hi, lo, GEO_STEP_MAX, WGS84_LONG, WGS84_LAT);
  xy[0] = clamp((scratchArea.longitude.min + scratchArea.longitude.max) / 2, GEO_LONG_MIN, GEO_LONG_MAX);
  xy[1] = clamp((scratchArea.latitude.min + scratchArea.latitude.max) / 2, GEO_LAT_MIN, GEO_LAT_MAX);
}

function clamp(v: number, min: number, max: number): number {
  if (v > max) v = max;
  if (v < min) v = min;
  return v;
}

/**
 * `(uint64_t)x` on x86-64 (comisd against 2^63, then cvttsd2si): truncation, two's complement
 * for negatives, and 2^63 ("integer indefinite") or 0 for what does not fit.
 */
function doubleToUint64(x: number): bigint {
  const two63 = 2 ** 63;
  if (Number.isNaN(x)) return 1n << 63n;
  if (x >= two63) return x < 2 ** 64 ? BigInt(x) : 0n;
  if (x < -two63) return 1n << 63n;
  return BigInt.asUintN(64, BigInt(Math.trunc(x)));
}

/** geohashAlign52Bits: the hash shifted to the top of 52 bits (a score range's bound). */
export function align52(bits: bigint, step: number): number {
  return Number((bits << BigInt(52 - step * 2)) & U64);
}

/** geohash_move_x / geohash_move_y: the neighbouring cell `dx` east and `dy` north (wrapping). */
function move(hash: GeoHashBits, dx: number, dy: number): GeoHashBits {
  const shift = BigInt(64 - hash.step * 2);
  let x = hash.bits & ODD_BITS;
  let y = hash.bits & EVEN_BITS;
  if (dx !== 0) {
    const zz = EVEN_BITS >> shift;
    x = dx > 0 ? x + (zz + 1n) : (x | zz) - (zz + 1n);
    x &= ODD_BITS >> shift;
  }
  if (dy !== 0) {
    const zz = ODD_BITS >> shift;
    y = dy > 0 ? y + (zz + 1n) : (y | zz) - (zz + 1n);
    y &= EVEN_BITS >> shift;
  }
  return { bits: x | y, step: hash.step };
}

/** The eight neighbours of a cell, by direction. */
export interface GeoNeighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

/** geohashNeighbors. */
export function geohashNeighbors(hash: GeoHashBits): GeoNeighbors {
  return {
    east: move(hash, 1, 0),
    west: move(hash, -1, 0),
    south: move(hash, 0, -1),
    north: move(hash, 0, 1),
    northWest: move(hash, -1, 1),
    northEast: move(hash, 1, 1),
    southEast: move(hash, 1, -1),
    southWest: move(hash, -1, -1),
  };
}

/** The zero hash, for excluded search cells (GZERO). */
export const ZERO_HASH: GeoHashBits = { bits: 0n, step: 0 };

/** True for the zero hash (HASHISZERO). */
export function isZeroHash(hash: GeoHashBits): boolean {
  return hash.bits === 0n && hash.step === 0;
}

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
/** The standard geohash ranges, that GEOHASH re-encodes in. */
const STANDARD_LAT: GeoRange = { min: -90, max: 90 };

/**
 * GEOHASH's 11-character standard geohash of a geo set score: decoded, re-encoded with the
 * standard latitude range (-90..90 rather than Mercator's), 10 characters of 5 bits from the top
 * of the 52 bits and a final `0` (there are no more bits).
 */
export function standardGeohash(score: number): string {
  const xy = new Float64Array(2);
  decodeScore(score, xy);
  // A decoded latitude is within ±85.05112878, inside the standard range.
  const bits = geohashEncode(WGS84_LONG, STANDARD_LAT, xy[0], xy[1], GEO_STEP_MAX).bits;
  let out = '';
  for (let i = 0; i < 10; i++) out += GEOHASH_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return out + GEOHASH_ALPHABET[0];
}

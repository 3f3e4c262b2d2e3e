/**
 * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit variant), endian-neutral as Redis uses it for
 * HyperLogLog: the input is read as little-endian 64-bit words on every platform, so the same
 * bytes hash to the same value as in redis-server.
 *
 * JavaScript has no 64-bit integer arithmetic short of BigInt, which costs about ten times more
 * per multiplication, so the 64-bit state is kept as two 32-bit halves and multiplied
 * through 16-bit limbs (every partial sum stays below 2^32, so it is exact and integer).
 *
 * @packageDocumentation
 */

/** The multiplier `m` = 0xc6a4a7935bd1e995, as two 32-bit halves. */
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO_0 = M_LO & 0xffff;
const M_LO_1 = M_LO >>> 16;
/** The shift `r` = 47: for a 64-bit value split in halves, `x >> 47` is `hi >>> 15`. */
const R_IN_HI = 47 - 32;

// The result of the last mulM(): [low half, high half], as int32 bit patterns. A typed array,
// not two `let`s: a module variable holds a tagged value, so every product above 2^30 stored
// there was a new HeapNumber (two allocations per multiply: 850 ns to hash 20 bytes, now ~100).
// The halves stay int32 throughout (`>>>` reads them unsigned where a shift needs it), so V8
// keeps all of it in integer registers.
const product = new Int32Array(2);

/** (hi:lo) * m mod 2^64, into `product`. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  // The high half of lo * M_LO from 16-bit limbs; every partial sum stays below 2^32.
  const t = a1 * M_LO_0 + ((a0 * M_LO_0) >>> 16);
  const w = (t & 0xffff) + a0 * M_LO_1;
  const high = (a1 * M_LO_1 + (t >>> 16) + (w >>> 16)) | 0;
  product[0] = Math.imul(lo, M_LO);
  // The cross terms only reach the high half, where wrapping 32-bit products suffice.
  product[1] = (high + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
}

/**
 * MurmurHash64A of `data` with a 32-bit `seed`; writes the 64-bit hash into `out` as
 * `[low 32 bits, high 32 bits]`.
 */
export function murmurHash64A(data: Uint8Array, seed: number, out: Uint32Array): void {
  const len = data.length;
  // h = seed ^ (len * m)
  mulM(0, len);
  let hi = product[1];
  let lo = product[0] ^ seed;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    const kLo = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    const kHi = data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    mulM(kHi, kLo); // k *= m
    mulM(product[1], product[0] ^ (product[1] >>> R_IN_HI)); // k ^= k >> r; k *= m
    mulM(hi ^ product[1], lo ^ product[0]); // h ^= k; h *= m
    hi = product[1];
    lo = product[0];
  }
  const rest = len & 7;
  if (rest > 0) {
    // The trailing bytes, little-endian, into the low bytes of h (bytes 4..6 go to the high half).
    if (rest >= 7) hi ^= data[i + 6] << 16;
    if (rest >= 6) hi ^= data[i + 5] << 8;
    if (rest >= 5) hi ^= data[i + 4];
    if (rest >= 4) lo ^= data[i + 3] << 24;
    if (rest >= 3) lo ^= data[i + 2] << 16;
    if (rest >= 2) lo ^= data[i + 1] << 8;
    lo ^= data[i];
    mulM(hi, lo);
    hi = product[1];
    lo = product[0];
  }
  // h ^= h >> r; h *= m; h ^= h >> r
  mulM(hi, lo ^ (hi >>> R_IN_HI));
  out[0] = product[0] ^ (product[1] >>> R_IN_HI);
  out[1] = product[1];
}

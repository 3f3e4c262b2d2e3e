/**
 * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit variant), endian-neutral as Redis uses it for
 * HyperLogLog: the input is read as little-endian 64-bit words on every platform, so the same
 * bytes hash to the same value as in redis-server.
 *
 * JavaScript has no 64-bit integer arithmetic short of BigInt, which costs about ten times more
 * per multiplication, so the 64-bit state is kept as two unsigned 32-bit halves and multiplied
 * through 16-bit limbs (every partial product stays below 2^53, hence exact in a double).
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

// The result of the last mulM(), as two unsigned halves (module state avoids allocating a pair).
let productHi = 0;
let productLo = 0;

/** (hi:lo) * m mod 2^64, into productHi:productLo. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  // lo * M_LO as a full 64-bit product, from four 16x16-bit partial products.
  const mid = a0 * M_LO_1 + a1 * M_LO_0; // < 2^33
  const low = a0 * M_LO_0 + (mid % 0x10000) * 0x10000; // < 2^33
  const carry = Math.floor(low / 0x100000000);
  const high = a1 * M_LO_1 + Math.floor(mid / 0x10000) + carry;
  productLo = low >>> 0;
  // The cross terms only reach the high half, where wrapping 32-bit products suffice.
  productHi = (high + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/**
 * MurmurHash64A of `data` with a 32-bit `seed`; writes the 64-bit hash into `out` as
 * `[low 32 bits, high 32 bits]`.
 */
export function murmurHash64A(data: Uint8Array, seed: number, out: Uint32Array): void {
  const len = data.length;
  // h = seed ^ (len * m)
  mulM(0, len);
  let hi = productHi;
  let lo = (productLo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    const kLo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const kHi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    mulM(kHi, kLo); // k *= m
    mulM(productHi, (productLo ^ (productHi >>> R_IN_HI)) >>> 0); // k ^= k >> r; k *= m
    mulM((hi ^ productHi) >>> 0, (lo ^ productLo) >>> 0); // h ^= k; h *= m
    hi = productHi;
    lo = productLo;
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
    mulM(hi >>> 0, lo >>> 0);
    hi = productHi;
    lo = productLo;
  }
  // h ^= h >> r; h *= m; h ^= h >> r
  mulM(hi, (lo ^ (hi >>> R_IN_HI)) >>> 0);
  out[0] = productLo ^ (productHi >>> R_IN_HI);
  out[1] = productHi;
}

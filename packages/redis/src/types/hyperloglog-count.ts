/**
 * The HyperLogLog estimator Redis 7.0 uses (hllCount): Otmar Ertl's improved raw estimator from
 * "New cardinality estimation algorithms for HyperLogLog sketches" (arXiv:1702.01284), computed
 * from the histogram of register values with the same floating-point operations in the same
 * order, so that estimates equal redis-server's to the last unit.
 *
 * @packageDocumentation
 */
import { HLL_DENSE, HLL_ENCODING_AT, HLL_Q, HLL_REGISTERS, denseHistogram } from './hyperloglog-dense';
import { sparseHistogram } from './hyperloglog-sparse';

/** 0.5 / ln(2): the estimator's constant for an unbounded number of registers. */
const HLL_ALPHA_INF = 0.72134752044448170368;
/** A histogram slot per possible 6-bit value: corrupted registers may hold any of them. */
const HISTOGRAM_SLOTS = 64;
/** 2^63: llroundl's answer (LLONG_MIN, read back as unsigned) for what does not fit an int64. */
const INT64_OVERFLOW = 1n << 63n;

/** Ertl's sigma(x) = x + sum over k ≥ 1 of x^(2^k) 2^(k-1), to convergence. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

/** Ertl's tau(x) = (1 - x - sum over k ≥ 1 of (1 - x^(2^-k))^2 2^-k) / 3, to convergence. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    // pow(1 - x, 2) in C is the correctly rounded square, as this product is.
    z -= (1 - x) * (1 - x) * y;
  } while (previous !== z);
  return z / 3;
}

/**
 * The estimate from a register histogram, as the uint64 Redis computes: `llroundl` of the
 * estimator (rounding halves away from zero), 2^63 when that does not fit an int64 (a corrupted
 * dense HLL whose registers are all 50 or more).
 */
export function estimate(histo: Int32Array): bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = (HLL_ALPHA_INF * m * m) / z;
  // Math.round rounds halves up, which for the (non-negative) estimate is away from zero.
  return e < 2 ** 63 ? BigInt(Math.round(e)) : INT64_OVERFLOW;
}

/** A fresh histogram. */
export function newHistogram(): Int32Array {
  return new Int32Array(HISTOGRAM_SLOTS);
}

/**
 * The cardinality of one HLL string (already validated with `isHll`); null when its sparse
 * opcodes are corrupted.
 */
export function countHll(bytes: Uint8Array): bigint | null {
  const histo = newHistogram();
  if (bytes[HLL_ENCODING_AT] === HLL_DENSE) denseHistogram(bytes, histo);
  else if (!sparseHistogram(bytes, histo)) return null;
  return estimate(histo);
}

/** The cardinality of merged registers (one byte each, PFCOUNT of several keys). */
export function countRegisters(max: Uint8Array): bigint {
  const histo = newHistogram();
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate(histo);
}

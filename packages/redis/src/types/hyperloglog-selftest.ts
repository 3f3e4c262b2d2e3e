/**
 * PFSELFTEST, Redis's self test of the HLL implementation: the dense registers keep what is
 * written to them without touching their neighbours, and for 1 to 10^7 distinct elements the
 * sparse and dense representations agree and the estimate stays within six standard errors.
 *
 * @packageDocumentation
 */
import { CommandError } from '../command';
import type { CommandContext } from '../command';
import { countHll } from './hyperloglog-count';
import { HLL_DENSE, HLL_DENSE_SIZE, HLL_ENCODING_AT, HLL_HDR_SIZE, HLL_REGISTERS, HLL_REGISTER_MAX, denseGet, denseSet, denseSetRegister, patternIndex, patternLength } from './hyperloglog-dense';
import { createEmptyHll } from './hyperloglog-sparse';
import { HllWriter } from './hyperloglog-value';

/** Rounds of random register values in the first test. */
const REGISTER_CYCLES = 1000;
/** Elements added in the second test. */
const ELEMENTS = 10_000_000;
/** The standard error of an HLL with 16384 registers: 1.04 / sqrt(m). */
const RELATIVE_ERROR = 1.04 / Math.sqrt(HLL_REGISTERS);

/** The registers test: random values written to all registers must read back unchanged. */
function registersTest(): void {
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < REGISTER_CYCLES; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(Math.random() * (HLL_REGISTER_MAX + 1));
      expected[i] = r;
      denseSetRegister(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(dense, HLL_HDR_SIZE, i);
      if (v !== expected[i]) throw new CommandError(`TESTFAILED Register ${i} should be ${expected[i]} but is ${v}`);
    }
  }
}

/** The approximation test, over the same elements in a dense and in a sparse HLL. */
function approximationTest(maxSparseBytes: number): void {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  dense[HLL_ENCODING_AT] = HLL_DENSE;
  const sparse = new HllWriter(createEmptyHll(), maxSparseBytes);
  // Elements are the 8 bytes of j ^ seed (a random 64-bit seed, j < 2^32 touching its low half).
  const element = Buffer.alloc(8);
  const seedLo = Math.floor(Math.random() * 2 ** 32);
  element.writeUInt32LE(Math.floor(Math.random() * 2 ** 32), 4);
  let checkpoint = 1;
  for (let j = 1; j <= ELEMENTS; j++) {
    element.writeUInt32LE((j ^ seedLo) >>> 0, 0);
    const count = patternLength(element);
    const index = patternIndex;
    denseSet(dense, index, count);
    sparse.set(index, count);
    if (j !== checkpoint) continue;
    if (j < maxSparseBytes / 2 && !sparse.isSparse) throw new CommandError('TESTFAILED sparse encoding not used');
    const estimate = countHll(dense) ?? 0n;
    if (estimate !== countHll(sparse.bytes)) throw new CommandError('TESTFAILED dense/sparse disagree');
    const absError = Math.abs(checkpoint - Number(estimate));
    // At 10 elements a collision is likely enough that Redis allows an error of 1 only.
    const maxError = j === 10 ? 1 : Math.ceil(RELATIVE_ERROR * 6 * checkpoint);
    if (absError > maxError) throw new CommandError(`TESTFAILED Too big error. card:${checkpoint} abserr:${absError}`);
    checkpoint *= 10;
  }
}

/** PFSELFTEST: `+OK`, or the first failure as a `TESTFAILED` error. */
export function pfselftest(ctx: CommandContext): void {
  registersTest();
  approximationTest(ctx.server.config['hll-sparse-max-bytes']);
  ctx.reply.ok();
}

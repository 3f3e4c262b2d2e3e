/**
 * The sparse HyperLogLog representation, byte for byte as Redis 7.0 writes it: after the 16-byte
 * header, a run-length encoding of the 16384 registers with three opcodes,
 *
 * - ZERO  `00xxxxxx`: 1 to 64 registers set to 0 (`xxxxxx` + 1);
 * - XZERO `01xxxxxx yyyyyyyy`: 1 to 16384 registers set to 0 (the 14-bit `xxxxxxyyyyyyyy` + 1);
 * - VAL   `1vvvvvxx`: 1 to 4 registers (`xx` + 1) set to a value of 1 to 32 (`vvvvv` + 1).
 *
 * An empty HLL is one XZERO:16384. Setting a register splits the opcode that covers it (at
 * most XZERO into XZERO-VAL-XZERO, 3 more bytes) and then merges equal adjacent VALs in the few
 * opcodes around it, exactly as hllSparseSet does, so that the bytes match redis-server's for the
 * same sequence of additions. Values above 32, or growth past `hll-sparse-max-bytes`, call for
 * the dense representation (the caller converts).
 *
 * Opcodes are decoded defensively: a corrupted string must give Redis's answers (an error when
 * the runs do not add up to 16384 registers), never an exception or an endless loop.
 *
 * @packageDocumentation
 */
import { HLL_DENSE, HLL_DENSE_SIZE, HLL_ENCODING_AT, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, denseSetRegister, invalidateCache } from './hyperloglog-dense';

const XZERO_BIT = 0x40;
const VAL_BIT = 0x80;
/** The largest register value a VAL opcode holds. */
export const SPARSE_VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
/** How many opcodes after the changed one hllSparseSet tries to merge. */
const MERGE_SCAN = 5;
/** The most bytes one register update adds (XZERO becoming XZERO VAL XZERO). */
const MAX_GROWTH = 3;

/** {@link SparseEditor.set} asks its caller to convert to the dense representation. */
export const SPARSE_PROMOTE = 2;

const isZero = (op: number): boolean => (op & 0xc0) === 0;
const isXZero = (op: number): boolean => (op & 0xc0) === XZERO_BIT;
const isVal = (op: number): boolean => (op & VAL_BIT) !== 0;
const zeroLen = (op: number): number => (op & 0x3f) + 1;
const xzeroLen = (op: number, next: number): number => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number): number => ((op >>> 2) & 0x1f) + 1;
const valLen = (op: number): number => (op & 0x3) + 1;
const valOp = (value: number, len: number): number => (((value - 1) << 2) | (len - 1)) | VAL_BIT;

/** The string of a new, empty HLL: a header (sparse, cached cardinality 0) and XZERO:16384. */
export function createEmptyHll(): Buffer {
  const b = Buffer.alloc(HLL_HDR_SIZE + 2);
  b.write('HYLL', 0, 'latin1');
  b[HLL_ENCODING_AT] = HLL_SPARSE;
  const l = XZERO_MAX_LEN - 1;
  b[HLL_HDR_SIZE] = (l >>> 8) | XZERO_BIT;
  b[HLL_HDR_SIZE + 1] = l & 0xff;
  return b;
}

/** The byte at `i`, or 0 past the end (an sds string's terminator, which Redis reads there). */
function byteAt(bytes: Uint8Array, len: number, i: number): number {
  return i < len ? bytes[i] : 0;
}

/**
 * Adds the histogram of a sparse HLL's register values to `histo`; false when the runs do not
 * cover exactly 16384 registers (the histogram is then meaningless).
 */
export function sparseHistogram(bytes: Uint8Array, histo: Int32Array): boolean {
  const end = bytes.length;
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < end; ) {
    const op = bytes[p];
    if (isZero(op)) {
      const run = zeroLen(op);
      idx += run;
      histo[0] += run;
      p++;
    } else if (isXZero(op)) {
      const run = xzeroLen(op, byteAt(bytes, end, p + 1));
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = valLen(op);
      idx += run;
      histo[valValue(op)] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/**
 * Merges a sparse HLL into `max` (one byte per register): max[i] = MAX(max[i], register i).
 * False when the opcodes are corrupted (`max` may then be partly updated).
 *
 * Runs must cover exactly the 16384 registers: a run past the last one is corruption. (Redis
 * 7.0.15 stopped at an overflowing VAL and accepted what came before; the fix of CVE-2025-32023,
 * which Debian's 7.0.15 carries, refuses it, and redis-server answers accordingly.)
 */
export function sparseMergeInto(bytes: Uint8Array, max: Uint8Array): boolean {
  const end = bytes.length;
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < end; ) {
    const op = bytes[p];
    if (isZero(op)) {
      i += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      i += xzeroLen(op, byteAt(bytes, end, p + 1));
      p += 2;
    } else {
      let run = valLen(op);
      const value = valValue(op);
      if (run + i > HLL_REGISTERS) return false;
      for (; run > 0; run--, i++) if (value > max[i]) max[i] = value;
      p++;
    }
    if (i > HLL_REGISTERS) return false;
  }
  return i === HLL_REGISTERS;
}

/**
 * hllSparseToDense: the dense string for the sparse HLL in `bytes[0..len)` (header copied,
 * cached cardinality included, encoding set to dense); null when the opcodes are corrupted
 * (their runs must cover exactly the 16384 registers, see {@link sparseMergeInto}).
 */
export function sparseToDense(bytes: Uint8Array, len: number): Buffer | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  dense.set(bytes.subarray(0, HLL_HDR_SIZE));
  dense[HLL_ENCODING_AT] = HLL_DENSE;
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < len; ) {
    const op = bytes[p];
    if (isZero(op)) {
      idx += zeroLen(op);
      p++;
    } else if (isXZero(op)) {
      idx += xzeroLen(op, byteAt(bytes, len, p + 1));
      p += 2;
    } else {
      let run = valLen(op);
      const value = valValue(op);
      if (run + idx > HLL_REGISTERS) return null;
      for (; run > 0; run--, idx++) denseSetRegister(dense, HLL_HDR_SIZE, idx, value);
      p++;
    }
    if (idx > HLL_REGISTERS) return null;
  }
  return idx === HLL_REGISTERS ? dense : null;
}

/** PFDEBUG DECODE's listing of the opcodes: `Z:1000 v:2,1 z:19 …`. */
export function sparseDecode(bytes: Uint8Array): string {
  const parts: string[] = [];
  const end = bytes.length;
  for (let p = HLL_HDR_SIZE; p < end; ) {
    const op = bytes[p];
    if (isZero(op)) {
      parts.push(`z:${zeroLen(op)}`);
      p++;
    } else if (isXZero(op)) {
      parts.push(`Z:${xzeroLen(op, byteAt(bytes, end, p + 1))}`);
      p += 2;
    } else {
      parts.push(`v:${valValue(op)},${valLen(op)}`);
      p++;
    }
  }
  return parts.join(' ');
}

/**
 * A sparse HLL string being updated in place, kept like an sds string: `buf` has spare room past
 * `len`, and the byte at `len` is the terminator (0) that Redis's decoding reads when the last
 * opcode is a truncated XZERO.
 */
export class SparseEditor {
  buf: Uint8Array;
  len: number;

  /** A private copy of the sparse HLL `bytes`. */
  constructor(bytes: Uint8Array) {
    this.len = bytes.length;
    this.buf = new Uint8Array(bytes.length * 2 + MAX_GROWTH + 1);
    this.buf.set(bytes);
  }

  /** The current bytes (a view, valid until the next change). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** sdsIncrLen: moves the end by `delta` and writes the terminator there. */
  private resize(delta: number): void {
    this.len += delta;
    this.buf[this.len] = 0;
  }

  /** sdsMakeRoomFor(MAX_GROWTH): room for the worst-case split and its terminator. */
  private reserve(): void {
    if (this.len + MAX_GROWTH + 1 <= this.buf.length) return;
    const bigger = new Uint8Array((this.len + MAX_GROWTH + 1) * 2);
    bigger.set(this.buf);
    this.buf = bigger;
  }

  /**
   * hllSparseSet: raises register `index` to `count` (1..51). Returns 1 when it changed (the
   * cached cardinality is then invalidated), 0 when the register already held as much, -1 when
   * the opcodes are corrupted, or {@link SPARSE_PROMOTE} when the value does not fit a VAL or
   * the string would grow past `maxBytes`: the caller converts to dense and sets it there.
   */
  set(index: number, count: number, maxBytes: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return SPARSE_PROMOTE;
    this.reserve();
    const b = this.buf;
    let end = this.len;

    // Step 1: find the opcode covering the register, `first` being the first register it covers.
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p];
      let opLen = 1;
      if (isZero(op)) span = zeroLen(op);
      else if (isVal(op)) span = valLen(op);
      else {
        span = xzeroLen(op, b[p + 1]);
        opLen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += opLen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p];
    let next = isXZero(op) ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const zero = isZero(op);
    const xzero = isXZero(op);
    const runLen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]) : valLen(op);

    let simple = false;
    if (!zero && !xzero) {
      // A VAL already at least as high: nothing to do. A VAL of one register: just raise it.
      if (valValue(op) >= count) return 0;
      if (runLen === 1) {
        b[p] = valOp(count, 1);
        simple = true;
      }
    } else if (zero && runLen === 1) {
      b[p] = valOp(count, 1);
      simple = true;
    }

    if (!simple) {
      // Step 2: split the opcode into [before] VAL:count,1 [after].
      let n = 0;
      const last = first + span - 1;
      if (zero || xzero) {
        if (index !== first) n = putZeros(n, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) n = putZeros(n, last - index);
      } else {
        const current = valValue(op);
        if (index !== first) seq[n++] = valOp(current, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) seq[n++] = valOp(current, last - index);
      }
      // Step 3: put the sequence in place of the opcode, moving what follows.
      const oldLen = xzero ? 2 : 1;
      const delta = n - oldLen;
      if (delta > 0 && this.len + delta > maxBytes) return SPARSE_PROMOTE;
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      this.resize(delta);
      for (let i = 0; i < n; i++) b[p + i] = seq[i];
      end += delta;
    }

    // Step 4: merge adjacent VALs of the same value around the change, scanning a few opcodes.
    p = prev !== -1 ? prev : HLL_HDR_SIZE;
    let scan = MERGE_SCAN;
    while (p < end && scan-- !== 0) {
      const cur = b[p];
      if (isXZero(cur)) {
        p += 2;
        continue;
      }
      if (isZero(cur)) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(b[p + 1])) {
        const value = valValue(cur);
        const len = valLen(cur) + valLen(b[p + 1]);
        if (value === valValue(b[p + 1]) && len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(value, len);
          // memmove(p, p + 1, end - p): the terminator moves down with the rest.
          b.copyWithin(p, p + 1, end + 1);
          this.resize(-1);
          end--;
          continue;
        }
      }
      p++;
    }
    invalidateCache(b);
    return 1;
  }
}

/** The opcodes replacing a split one: at most XZERO VAL XZERO, 5 bytes. */
const seq = new Uint8Array(5);

/** Writes at seq[n] the opcode(s) for a run of `len` zero registers (ZERO up to 64, XZERO beyond). */
function putZeros(n: number, len: number): number {
  if (len <= ZERO_MAX_LEN) {
    seq[n] = len - 1;
    return n + 1;
  }
  const l = len - 1;
  seq[n] = (l >>> 8) | XZERO_BIT;
  seq[n + 1] = l & 0xff;
  return n + 2;
}

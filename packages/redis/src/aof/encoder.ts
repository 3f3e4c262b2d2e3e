/**
 * RESP arrays of bulks into a growable buffer: the AOF's record format.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';

type Arg = Buffer | string;

/** Appends RESP arrays to a growable buffer. */
export class Encoder {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Raw text (an annotation line). */
  text(s: string): void {
    this.reserve(s.length);
    this.pos += this.buf.latin1Write(s, this.pos, s.length);
  }

  command(argv: readonly Arg[]): void {
    this.text(`*${argv.length}\r\n`);
    for (const a of argv) {
      const len = a.length;
      this.text(`$${len}\r\n`);
      this.reserve(len + 2);
      if (typeof a === 'string') this.buf.latin1Write(a, this.pos, len);
      else this.buf.set(a, this.pos);
      this.pos += len;
      this.buf[this.pos++] = 13;
      this.buf[this.pos++] = 10;
    }
  }

  /** Writes everything to `fd` and empties the buffer. */
  drain(fd: number): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(fd, this.buf, off, this.pos - off);
    this.pos = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
  }
}

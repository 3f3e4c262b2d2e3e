/**
 * The RDB primitives on the reading side (rdbLoad*): a cursor over a Buffer that never reads
 * past its end and never allocates what a hostile length asks for before the bytes are there.
 * Malformed data throws {@link RdbFormatError}; running out of bytes throws
 * {@link RdbTruncatedError}, which a streaming loader answers by waiting for more.
 *
 * @packageDocumentation
 */
import { ENC_INT16, ENC_INT32, ENC_INT8, ENC_LZF, LEN_14BIT, LEN_32BIT, LEN_64BIT, LEN_6BIT, LEN_ENCVAL, MAX_STRING_LENGTH } from './constants';
import { lzfDecompress } from './lzf';

/** The most LZF can expand: 264 bytes out of a 3-byte back reference. */
const LZF_MAX_RATIO = 88;

/** The data is not valid RDB (RESTORE answers `Bad data format`; a file load stops with the reason). */
export class RdbFormatError extends Error {
  /** Where the reader was, for a file's load report (`[offset 123] reading key 'k' of type 13`), when known. */
  where?: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'RdbFormatError';
  }
}

/** The data ended before what it announced: `needed` is the total length that would be required. */
export class RdbTruncatedError extends RdbFormatError {
  constructor(readonly needed: number) {
    super('unexpected end of data');
    this.name = 'RdbTruncatedError';
  }
}

/** A cursor over RDB bytes. */
export class RdbReader {
  /** The position of the next byte. */
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    /** The end of the readable bytes (a DUMP payload's object stops before its footer). */
    readonly end = buf.length,
    /** False while a stream's bytes are still arriving: running out is then no error in itself. */
    readonly complete = true,
  ) {
    this.pos = start;
  }

  /** Bytes left. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RdbTruncatedError(this.pos + n);
  }

  /** One byte. */
  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** A length or the special string encoding it announces (rdbLoadLenByRef), as a bigint. */
  private lengthOrEncoding(): { n: bigint; encoded: boolean } {
    const first = this.byte();
    const kind = first >> 6;
    if (kind === LEN_ENCVAL) return { n: BigInt(first & 0x3f), encoded: true };
    if (kind === LEN_6BIT) return { n: BigInt(first & 0x3f), encoded: false };
    if (kind === LEN_14BIT) return { n: BigInt(((first & 0x3f) << 8) | this.byte()), encoded: false };
    if (first === LEN_32BIT) {
      this.need(4);
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { n: BigInt(n), encoded: false };
    }
    if (first === LEN_64BIT) {
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return { n, encoded: false };
    }
    throw new RdbFormatError(`Unknown length encoding ${kind} in rdbLoadLen()`);
  }

  /** A length-encoded number, unbounded (IDs, counters, times): any uint64. */
  number(): bigint {
    const { n, encoded } = this.lengthOrEncoding();
    if (encoded) throw new RdbFormatError('unexpected string encoding where a length belongs');
    return n;
  }

  /** A length that counts something (elements, a database index): a safe integer. */
  length(): number {
    const n = this.number();
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbFormatError(`length ${n} out of range`);
    return Number(n);
  }

  /**
   * A count of elements, each taking at least `minBytes` bytes. When all the data is there
   * (`complete`), a count the bytes left cannot hold is an error at once, so a hostile count
   * never makes a loop run for long; elements are added one by one, so nothing is allocated for it.
   */
  count(minBytes = 1): number {
    const n = this.length();
    if (this.complete && n * minBytes > this.end - this.pos) throw new RdbFormatError(`count ${n} exceeds the data`);
    return n;
  }

  /** A string (rdbGenericLoadStringObject): plain, integer-encoded or LZF-compressed. */
  string(): Buffer {
    const { n, encoded } = this.lengthOrEncoding();
    if (!encoded) {
      if (n > BigInt(MAX_STRING_LENGTH)) throw new RdbFormatError(`string of ${n} bytes`);
      return Buffer.from(this.raw(Number(n)));
    }
    const enc = Number(n);
    if (enc === ENC_INT8) return Buffer.from(String(this.signed(1)), 'latin1');
    if (enc === ENC_INT16) return Buffer.from(String(this.signed(2)), 'latin1');
    if (enc === ENC_INT32) return Buffer.from(String(this.signed(4)), 'latin1');
    if (enc !== ENC_LZF) throw new RdbFormatError(`Unknown RDB string encoding type ${enc}`);
    const clen = this.number();
    const len = this.number();
    // A back reference (3 bytes at most) yields at most 264 bytes: a longer claim is a lie, refused
    // before anything is allocated for it.
    if (len > BigInt(MAX_STRING_LENGTH) || len > clen * BigInt(LZF_MAX_RATIO) + 64n) throw new RdbFormatError('Invalid LZF compressed string');
    const packed = this.raw(Number(clen));
    const out = len === 0n ? null : lzfDecompress(packed, Number(len));
    if (out === null) throw new RdbFormatError('Invalid LZF compressed string');
    return out;
  }

  private signed(width: number): number {
    this.need(width);
    const v = this.buf.readIntLE(this.pos, width);
    this.pos += width;
    return v;
  }

  /** `n` raw bytes (a view). */
  raw(n: number): Buffer {
    this.need(n);
    this.pos += n;
    return this.buf.subarray(this.pos - n, this.pos);
  }

  /** An 8-byte little-endian millisecond time (rdbLoadMillisecondTime, RDB 9 and later). */
  millis(): number {
    this.need(8);
    const t = Number(this.buf.readBigInt64LE(this.pos));
    this.pos += 8;
    return t;
  }

  /** A 4-byte time in seconds (RDB_OPCODE_EXPIRETIME). */
  seconds(): number {
    this.need(4);
    const t = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return t;
  }

  /** A binary double (rdbLoadBinaryDoubleValue). */
  double(): number {
    this.need(8);
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return d;
  }

  /** A double as text with its length byte (rdbLoadDoubleValue: 253 nan, 254 inf, 255 -inf). */
  textDouble(): number {
    const len = this.byte();
    if (len === 255) return -Infinity;
    if (len === 254) return Infinity;
    if (len === 253) return NaN;
    const text = this.raw(len).toString('latin1');
    // sscanf("%lg") reads a leading number and ignores what follows.
    const v = Number.parseFloat(text);
    if (Number.isNaN(v) && !/^\s*[+-]?nan/i.test(text)) throw new RdbFormatError('bad double value');
    return v;
  }
}

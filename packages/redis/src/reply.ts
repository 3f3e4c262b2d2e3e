/**
 * The RESP2/RESP3 serializer: one {@link Reply} per client, appending replies into a buffer that
 * is handed to the connection in one piece when the client's batch of commands ends.
 *
 * @packageDocumentation
 */

import { REPLY_CHUNK_BYTES } from './reply-buffer';

/** Where a {@link Reply} hands its bytes; it must copy them before returning (`conn.write` does). */
export type Sink = (chunk: Uint8Array) => void;

const CRLF = 0x0d0a;
/** Output buffers are recycled through this pool so a busy client allocates nothing per batch. */
const POOL_BUFFER_SIZE = 16 * 1024;
const pool: Buffer[] = [];
/** A bulk larger than this skips the copy into the output buffer and goes to the sink as is. */
const DIRECT_BULK = 32 * 1024;

const OK = Buffer.from('+OK\r\n');
const NIL2 = Buffer.from('$-1\r\n');
const NULL_ARRAY2 = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const QUEUED = Buffer.from('+QUEUED\r\n');

/**
 * Formats a double the way Redis 7.0's replies do (`printf("%.17g")`), e.g. `1.1000000000000001`,
 * `1e+20`, `inf`.
 */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16);
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= 17) {
    const mantissa = stripZeros(e.slice(0, at));
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return stripZeros(d.toFixed(16 - exp));
}

function stripZeros(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

/**
 * Builds one client's replies. Every method appends the RESP encoding for the client's protocol
 * version ({@link Reply.proto}); nothing is sent until {@link Reply.flush}, which the server calls
 * once per batch of pipelined commands, so a pipeline's replies leave in one write.
 *
 * Aggregates are written as a header followed by their elements: `array(2); bulk(a); bulk(b)`.
 */
export class Reply {
  /** 2 or 3, as set by HELLO. */
  proto: 2 | 3 = 2;
  private buf: Buffer | null = null;
  private pos = 0;
  /** Bytes handed to the sink since the last {@link Reply.flush} (big bulks, full buffers). */
  private handed = 0;
  /** Every byte ever appended with {@link Reply.relay}. */
  relayed = 0;
  /** The reply buffer Redis would have (`reply-buffer.ts`): CLIENT LIST `rbs`. */
  bufferSize = REPLY_CHUNK_BYTES;
  /** Its peak use since the last reset: CLIENT LIST `rbp`. */
  bufferPeak = 0;
  /** When {@link Reply.bufferPeak} was last reset (ms). */
  peakResetAt = Date.now();

  /**
   * @param sink receives the bytes on flush (and early, when a reply is very large).
   * @param onFirstWrite called when output is appended to an empty reply, so the server can
   *   flush replies written to a client other than the one running (pub/sub, unblocked pops).
   */
  constructor(
    private readonly sink: Sink,
    private readonly onFirstWrite?: () => void,
  ) {}

  /**
   * Bytes produced since the last {@link Reply.flush}: what the running batch of commands added
   * to the connection's output (the server stops reading a pipeline past a bound of it).
   */
  get backlog(): number {
    return this.pos + this.handed;
  }

  /** Bytes waiting in the buffer now (Redis's `bufpos`). */
  get bufferUsed(): number {
    return Math.min(this.pos, this.bufferSize);
  }

  /** True when replies are waiting for {@link Reply.flush}. */
  get pending(): boolean {
    return this.pos > 0;
  }

  /** Hands everything appended so far to the sink and returns the buffer to the pool. */
  flush(): void {
    const buf = this.buf;
    if (buf === null) return;
    if (this.pos > 0) this.sink(buf.subarray(0, this.pos));
    // What this batch would have put in Redis's buffer (the rest goes to its reply list).
    const used = Math.min(this.pos + this.handed, this.bufferSize);
    if (used > this.bufferPeak) this.bufferPeak = used;
    this.pos = 0;
    this.handed = 0;
    this.buf = null;
    if (buf.length === POOL_BUFFER_SIZE && pool.length < 256) pool.push(buf);
  }

  /** Drops everything not yet flushed (used when a client is killed). */
  discard(): void {
    this.pos = 0;
    this.handed = 0;
  }

  private reserve(n: number): Buffer {
    let buf = this.buf;
    if (buf === null) {
      buf = n <= POOL_BUFFER_SIZE ? (pool.pop() ?? Buffer.allocUnsafe(POOL_BUFFER_SIZE)) : Buffer.allocUnsafe(n);
      this.buf = buf;
      if (this.onFirstWrite !== undefined) this.onFirstWrite();
    } else if (this.pos + n > buf.length) {
      if (this.pos > 0 && n <= POOL_BUFFER_SIZE) {
        // The sink copies, so the full buffer can be handed over and reused.
        this.sink(buf.subarray(0, this.pos));
        this.handed += this.pos;
        this.pos = 0;
      } else {
        const bigger = Buffer.allocUnsafe(Math.max(n + this.pos, buf.length * 2));
        buf.copy(bigger, 0, 0, this.pos);
        this.buf = buf = bigger;
      }
    }
    return buf;
  }

  /** Appends bytes that are already RESP. */
  /**
   * Bytes of another stream relayed through this connection (a master's replication stream to
   * its replica): appended as {@link Reply.raw} does, and counted in {@link Reply.relayed} so
   * they can be told from the replies of the command that was running.
   */
  relay(bytes: Uint8Array): void {
    this.relayed += bytes.length;
    this.raw(bytes);
  }

  raw(bytes: Uint8Array): void {
    if (bytes.length > DIRECT_BULK) {
      this.reserve(0);
      if (this.pos > 0) this.sink(this.buf!.subarray(0, this.pos));
      this.handed += this.pos + bytes.length;
      this.pos = 0;
      this.sink(bytes);
      return;
    }
    const n = bytes.length;
    const buf = this.reserve(n);
    let p = this.pos;
    // Short constants (+OK, $-1, :1) are cheaper to copy by hand than through TypedArray.set.
    if (n <= 16) for (let i = 0; i < n; i++) buf[p++] = bytes[i];
    else {
      buf.set(bytes, p);
      p += n;
    }
    this.pos = p;
  }

  private ascii(s: string): void {
    const buf = this.reserve(s.length);
    this.pos += buf.latin1Write(s, this.pos, s.length);
  }

  /** `type` byte, decimal `n`, CRLF. */
  private header(type: number, n: number): void {
    if (n >= 0 && n < 10) {
      const buf = this.reserve(4);
      const p = this.pos;
      buf[p] = type;
      buf[p + 1] = 0x30 + n;
      buf.writeUInt16BE(CRLF, p + 2);
      this.pos = p + 4;
      return;
    }
    const s = String(n);
    const buf = this.reserve(s.length + 3);
    let p = this.pos;
    buf[p++] = type;
    p += buf.latin1Write(s, p, s.length);
    buf.writeUInt16BE(CRLF, p);
    this.pos = p + 2;
  }

  /** `+OK` */
  ok(): void {
    this.raw(OK);
  }

  /** `+QUEUED` */
  queued(): void {
    this.raw(QUEUED);
  }

  /** A simple string; `s` must not contain CR or LF. */
  simple(s: string): void {
    this.ascii(`+${s}\r\n`);
  }

  /**
   * An error reply. `msg` starts with its code: `ERR syntax error`, `WRONGTYPE Operation ...`.
   * It is written as latin1, so user bytes quoted in it (decoded with `keyOf`) come back as
   * sent; CR/LF are replaced by spaces, as Redis does, so it cannot break the stream.
   */
  error(msg: string): void {
    if (/[\r\n]/.test(msg)) msg = msg.replace(/[\r\n]/g, ' ');
    const len = msg.length;
    const buf = this.reserve(len + 3);
    buf[this.pos] = 0x2d;
    this.pos += 1 + buf.latin1Write(msg, this.pos + 1, len);
    buf.writeUInt16BE(CRLF, this.pos);
    this.pos += 2;
  }

  /** `:n` */
  integer(n: number | bigint): void {
    if (typeof n === 'number') this.header(0x3a, n);
    else this.ascii(`:${n}\r\n`);
  }

  /** A bulk string; a JS string is encoded as UTF-8. */
  bulk(value: Uint8Array | string): void {
    if (typeof value === 'string') {
      const len = Buffer.byteLength(value);
      this.header(0x24, len);
      const buf = this.reserve(len + 2);
      this.pos += buf.write(value, this.pos, len, 'utf8');
      buf.writeUInt16BE(CRLF, this.pos);
      this.pos += 2;
      return;
    }
    const len = value.length;
    if (len > DIRECT_BULK) {
      this.header(0x24, len);
      this.raw(value);
      this.raw(CRLF_BYTES);
      return;
    }
    const digits = len < 10 ? 1 : len < 100 ? 2 : len < 1000 ? 3 : len < 10000 ? 4 : 5;
    const buf = this.reserve(digits + 5 + len);
    let p = this.pos;
    buf[p] = 0x24;
    p += digits;
    for (let v = len, q = p; q > p - digits; q--, v = (v / 10) | 0) buf[q] = 0x30 + (v % 10);
    buf[++p] = 13;
    buf[++p] = 10;
    p++;
    if (len <= 16) for (let i = 0; i < len; i++) buf[p++] = value[i];
    else {
      buf.set(value, p);
      p += len;
    }
    buf[p] = 13;
    buf[p + 1] = 10;
    this.pos = p + 2;
  }

  /** A bulk string from a binary-safe key (latin1: one char per byte). */
  bulkKey(key: string): void {
    const len = key.length;
    this.header(0x24, len);
    const buf = this.reserve(len + 2);
    this.pos += buf.latin1Write(key, this.pos, len);
    buf.writeUInt16BE(CRLF, this.pos);
    this.pos += 2;
  }

  /** The null bulk string: `$-1` (RESP2), `_` (RESP3). */
  nil(): void {
    this.raw(this.proto === 3 ? NULL3 : NIL2);
  }

  /** The null array: `*-1` (RESP2), `_` (RESP3). */
  nullArray(): void {
    this.raw(this.proto === 3 ? NULL3 : NULL_ARRAY2);
  }

  /** An array header for `n` elements. */
  array(n: number): void {
    this.header(0x2a, n);
  }

  /** A map header for `n` key/value pairs: `%n` (RESP3) or `*2n` (RESP2). */
  map(n: number): void {
    if (this.proto === 3) this.header(0x25, n);
    else this.header(0x2a, n * 2);
  }

  /** A set header: `~n` (RESP3) or `*n` (RESP2). */
  set(n: number): void {
    this.header(this.proto === 3 ? 0x7e : 0x2a, n);
  }

  /** A push header (RESP3 `>n`; in RESP2 pushes are plain arrays). */
  push(n: number): void {
    this.header(this.proto === 3 ? 0x3e : 0x2a, n);
  }

  /** A double: `,1.5` (RESP3) or a bulk string (RESP2), formatted like {@link formatDouble}. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.proto === 3) this.ascii(`,${s}\r\n`);
    else this.ascii(`$${s.length}\r\n${s}\r\n`);
  }

  /** A boolean: `#t`/`#f` (RESP3) or `:1`/`:0` (RESP2). */
  bool(b: boolean): void {
    if (this.proto === 3) this.ascii(b ? '#t\r\n' : '#f\r\n');
    else this.ascii(b ? ':1\r\n' : ':0\r\n');
  }

  /** A verbatim string (RESP3 `=`, RESP2 bulk), as INFO and CLIENT INFO reply. */
  verbatim(text: string, format = 'txt'): void {
    if (this.proto !== 3) return this.bulk(text);
    const len = Buffer.byteLength(text) + 4;
    this.ascii(`=${len}\r\n${format}:`);
    const buf = this.reserve(len - 4 + 2);
    this.pos += buf.write(text, this.pos, 'utf8');
    buf.writeUInt16BE(CRLF, this.pos);
    this.pos += 2;
  }
}

const CRLF_BYTES = Buffer.from('\r\n');

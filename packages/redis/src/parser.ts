/**
 * The RESP request parser: multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline (`GET k\r\n`)
 * commands, incremental across reads, with Redis's limits and error texts.
 *
 * @packageDocumentation
 */
import { viewOf } from './buffer-view';

/** A malformed request; the message is Redis's text after `Protocol error: `. */
export class ProtocolError extends Error {}

/** Longest inline command / header line without a line end (Redis's PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
/** Bulks at least this long are copied into their own buffer as they arrive instead of being
 * re-presented by the reactor on every read. */
const BIG_BULK = 32 * 1024;
const INT_MAX = 2147483647;
/** Stands in for argv[0] until the caller fills it (see {@link RespParser.nameStart}). */
const NAME_PENDING = Buffer.alloc(0);
/** Before AUTH, Redis only accepts tiny requests, so an unauthenticated peer cannot make the
 * server buffer much. */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;

/**
 * Parses `data[start, end)` as a strict decimal int64 (Redis's string2ll): returns NaN when
 * it is not one.
 */
function parseLineInt(data: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let i = start;
  let neg = false;
  if (data[i] === 0x2d) {
    if (len === 1) return NaN;
    neg = true;
    i++;
  }
  if (data[i] === 0x30) return len === 1 ? 0 : NaN;
  let v = 0;
  for (; i < end; i++) {
    const c = data[i] - 0x30;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/**
 * The CR ending a header line whose text starts at `from`: skips the digits directly (the usual
 * case, a length like `3` or `1024`) before falling back to a search. -1 when there is none yet.
 */
function lineEnd(data: Buffer, from: number): number {
  const len = data.length;
  let i = from;
  if (i < len && data[i] === 0x2d) i++;
  while (i < len) {
    const c = data[i];
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i < len && data[i] === 13) return i;
  return i >= len ? -1 : data.indexOf(13, i);
}

/**
 * One connection's request parser. Call {@link RespParser.parse} repeatedly on the bytes the
 * reactor presents; each success leaves the command in {@link RespParser.argv}.
 */
export class RespParser {
  /** The last parsed command's arguments (empty for the no-op requests `*0` and a blank line). */
  argv: Buffer[] = [];
  /** After {@link RespParser.parse} returned -1: how many bytes of `data` it has taken over. */
  consumed = 0;
  /** Bytes held in the parser's own buffers for a command still incomplete. */
  held = 0;
  /**
   * Where the command name of the last parsed command lies in `data` (`[nameStart, nameEnd)`),
   * when it was parsed in one piece from the data given; -1 otherwise. `argv[0]` is then left
   * for the caller to fill, which saves creating a Buffer per command just to look it up.
   */
  nameStart = -1;
  nameEnd = 0;
  /** `proto-max-bulk-len`. */
  maxBulk = 512 * 1024 * 1024;
  /** Set while the connection still has to AUTH: tighter limits apply, as in Redis. */
  authRequired = false;

  // State of a multibulk split across reads: the arguments still expected (0 = none in progress)
  // and the ones already complete, copied, since the reactor's views do not outlive a call.
  private remaining = 0;
  private partial: Buffer[] = [];
  // A big bulk being filled: its buffer (length + CRLF) and how much of it has arrived.
  private big: Buffer | null = null;
  private bigFilled = 0;

  /**
   * Parses one command starting at `pos`. Returns the offset just after it, with `argv` set, or
   * -1 when the command is not complete yet: then `consumed` tells how many bytes (from the
   * start of `data`) the parser kept, and the caller hands the rest again, followed by new
   * bytes, next time. Throws {@link ProtocolError} on malformed input.
   */
  parse(data: Buffer, pos: number): number {
    if (this.remaining > 0) return this.continueMultibulk(data, pos);
    if (data[pos] === 0x2a) return this.multibulk(data, pos);
    return this.inline(data, pos);
  }

  /** Forgets any partial command (the connection is gone or was reset). */
  reset(): void {
    this.remaining = 0;
    this.partial = [];
    this.big = null;
    this.held = 0;
  }

  private multibulk(data: Buffer, pos: number): number {
    const len = data.length;
    const cr = lineEnd(data, pos + 1);
    if (cr < 0) {
      if (len - pos > INLINE_MAX) throw new ProtocolError('too big mbulk count string');
      return this.incomplete(pos);
    }
    if (cr > len - 2) return this.incomplete(pos);
    const count = parseLineInt(data, pos + 1, cr);
    if (!(count <= INT_MAX)) throw new ProtocolError('invalid multibulk length');
    if (this.authRequired && count > UNAUTH_MAX_ARGS) throw new ProtocolError('unauthenticated multibulk length');
    const argv = this.argv;
    if (count <= 0) {
      argv.length = 0;
      this.nameStart = -1;
      return cr + 2;
    }
    const next = this.bulks(data, cr + 2, count, argv, true);
    if (next >= 0) return next;
    // Incomplete: keep what is complete only when that saves re-parsing (or it is big).
    if (argv.length === 0 && this.big === null) return this.incomplete(pos);
    if (argv.length > 0) argv[0] = data.subarray(this.nameStart, this.nameEnd);
    this.nameStart = -1;
    this.remaining = count - argv.length;
    this.keep(argv);
    return -1;
  }

  private continueMultibulk(data: Buffer, pos: number): number {
    const len = data.length;
    const argv = this.argv;
    argv.length = 0;
    if (this.big !== null) {
      const big = this.big;
      const n = Math.min(big.length - this.bigFilled, len - pos);
      data.copy(big, this.bigFilled, pos, pos + n);
      this.bigFilled += n;
      pos += n;
      if (this.bigFilled < big.length) return this.incomplete(pos);
      this.partial.push(big.subarray(0, big.length - 2));
      this.big = null;
      this.remaining--;
    }
    const next = this.remaining > 0 ? this.bulks(data, pos, this.remaining, argv) : pos;
    if (next >= 0) {
      const done = this.partial;
      for (let i = 0; i < argv.length; i++) done.push(argv[i]);
      this.argv = done;
      this.partial = argv;
      argv.length = 0;
      this.remaining = 0;
      this.held = 0;
      return next;
    }
    this.remaining -= argv.length;
    this.keep(argv);
    return -1;
  }

  /** Copies complete arguments of an incomplete command into the parser's own state. */
  private keep(views: Buffer[]): void {
    for (let i = 0; i < views.length; i++) {
      const copy = Buffer.from(views[i]);
      this.partial.push(copy);
      this.held += copy.length;
    }
    views.length = 0;
  }

  /**
   * Parses up to `count` bulks from `pos` into `out` (which ends up holding exactly the complete
   * ones). Returns the offset after the last one, or -1 when the data ends first (having set
   * `consumed`, and possibly started a big bulk).
   */
  private bulks(data: Buffer, pos: number, count: number, out: Buffer[], fresh = false): number {
    // Assigning by index and trimming once keeps the array's shape: a pipeline of same-sized
    // commands never resizes it.
    const r = this.bulksInto(data, pos, count, out, fresh);
    const n = r < 0 ? this.filled : count;
    if (out.length !== n) out.length = n;
    return r;
  }

  /** How many bulks the last {@link RespParser.bulksInto} completed. */
  private filled = 0;

  private bulksInto(data: Buffer, pos: number, count: number, out: Buffer[], fresh: boolean): number {
    const len = data.length;
    // Read once per command, not per argument: see buffer-view.ts.
    const memory = data.buffer;
    const base = data.byteOffset;
    this.nameStart = -1;
    for (let i = 0; i < count; i++) {
      this.filled = i;
      if (pos >= len) return this.incomplete(pos);
      const cr = lineEnd(data, pos + 1);
      if (cr < 0) {
        if (len - pos > INLINE_MAX) throw new ProtocolError('too big bulk count string');
        return this.incomplete(pos);
      }
      if (cr > len - 2) return this.incomplete(pos);
      if (data[pos] !== 0x24) {
        throw new ProtocolError(`expected '$', got '${String.fromCharCode(data[pos])}'`);
      }
      const blen = parseLineInt(data, pos + 1, cr);
      if (!(blen >= 0) || blen > this.maxBulk) throw new ProtocolError('invalid bulk length');
      if (this.authRequired && blen > UNAUTH_MAX_BULK) throw new ProtocolError('unauthenticated bulk length');
      const start = cr + 2;
      const end = start + blen;
      if (end + 2 > len) {
        if (blen >= BIG_BULK) {
          const big = Buffer.allocUnsafe(blen + 2);
          const n = len - start;
          data.copy(big, 0, start, len);
          this.big = big;
          this.bigFilled = n;
          this.held += blen + 2;
          this.consumed = len;
          return -1;
        }
        return this.incomplete(pos);
      }
      if (i === 0 && fresh) {
        this.nameStart = start;
        this.nameEnd = end;
        out[0] = NAME_PENDING;
      } else out[i] = viewOf(memory, base + start, blen);
      pos = end + 2;
    }
    this.filled = count;
    return pos;
  }

  private incomplete(pos: number): number {
    this.consumed = pos;
    return -1;
  }

  private inline(data: Buffer, pos: number): number {
    const len = data.length;
    const nl = data.indexOf(10, pos);
    if (nl < 0) {
      if (len - pos > INLINE_MAX) throw new ProtocolError('too big inline request');
      return this.incomplete(pos);
    }
    let end = nl;
    if (end > pos && data[end - 1] === 13) end--;
    const args = splitArgs(data, pos, end);
    this.nameStart = -1;
    if (args === null) throw new ProtocolError('unbalanced quotes in request');
    this.argv = args;
    return nl + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Splits an inline command line like Redis's sdssplitargs: blanks separate arguments,
 * "double quotes" understand \n \r \t \b \a \xHH and \", 'single quotes' only \'; a closing
 * quote must be followed by a blank or the end. Returns null on unbalanced quotes. As the line
 * is a C string in Redis, a NUL byte ends it.
 */
export function splitArgs(data: Buffer, start: number, end: number): Buffer[] | null {
  const args: Buffer[] = [];
  let p = start;
  const at = (i: number): number => (i < end ? data[i] : 0);
  for (;;) {
    while (p < end && data[p] !== 0 && isSpace(data[p])) p++;
    if (at(p) === 0) return args;
    const cur: number[] = [];
    // The quote the argument is in: 0 (none), 0x22 (") or 0x27 (').
    let quote = 0;
    let done = false;
    while (!done) {
      const c = at(p);
      if (quote !== 0) {
        if (quote === 0x22 && c === 0x5c && at(p + 1) === 0x78 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          cur.push(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (quote === 0x22 && c === 0x5c && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          cur.push(e === 0x6e ? 10 : e === 0x72 ? 13 : e === 0x74 ? 9 : e === 0x62 ? 8 : e === 0x61 ? 7 : e);
        } else if (quote === 0x27 && c === 0x5c && at(p + 1) === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === quote) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else {
        cur.push(c);
      }
      if (at(p) !== 0) p++;
    }
    args.push(Buffer.from(cur));
  }
}

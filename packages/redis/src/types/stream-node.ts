/**
 * One node of a stream: several consecutive entries packed into one Buffer, like a listpack in
 * Redis's rax. The node remembers the fields of its first entry (the "master" fields); an entry
 * with the same fields stores only its values. Each entry is
 *
 *     flags:u8  msDelta:varint  seqDelta:zigzag-varint  [nfields:varint  (len:varint bytes)*] (len:varint bytes)*
 *
 * with the ID as the difference from the node's master ID (small numbers, one or two bytes
 * each), so an entry costs its field and value bytes plus a few bytes. Deleted entries are
 * flagged and stay in place until the whole node is empty and dropped, as in Redis.
 *
 * The node also computes the size Redis's listpack for the same entries would have
 * ({@link StreamNode.listpackBytes}): `stream-node-max-bytes` is compared against it, so nodes
 * split where redis-server's split, and approximate trimming (`MAXLEN ~`, which drops whole
 * nodes) leaves the same entries.
 *
 * @packageDocumentation
 */
import { makeId, type StreamId } from './stream-id';
import { LP_OVERHEAD, lpIntBytes, lpStringBytes } from './stream-listpack';

/** The entry is deleted (XDEL, partial trim). */
export const FLAG_DELETED = 1;
/** The entry has the master fields: only values are stored. */
export const FLAG_SAMEFIELDS = 2;

/** Reads an unsigned LEB128 varint; numbers up to 2^53 exactly, bigger ones as bigint. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let mul = 128;
    for (;;) {
      b = buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  }

  /** A varint that may exceed 2^53 (ID deltas). */
  bigVarint(): bigint {
    const buf = this.buf;
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  }
}

/**
 * The first bytes a new node's Buffer gets. It grows fourfold (256, 1 KB, 4 KB: a node of the
 * default 4096 bytes reallocates twice) and is shrunk to size when the next node starts.
 */
const INITIAL_CAPACITY = 256;
const GROWTH = 4;

/** Writes entries into a growing Buffer. */
class Writer {
  constructor(
    public buf: Buffer,
    public pos: number,
  ) {}

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * GROWTH, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(v: number): void {
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.pos++] = v;
  }

  bigVarint(v: bigint): void {
    const buf = this.buf;
    while (v >= 0x80n) {
      buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[this.pos++] = Number(v);
  }

  bytes(b: Buffer): void {
    this.varint(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
}

/** Zigzag: signed to unsigned so that small negative sequence deltas stay short. */
function zigzag(v: bigint): bigint {
  return v >= 0n ? v << 1n : ((-v) << 1n) - 1n;
}

function unzigzag(v: bigint): bigint {
  return (v & 1n) === 0n ? v >> 1n : -((v + 1n) >> 1n);
}

/** Buffer.equals without the native call, for the short field names entries repeat. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n > 32) return a.equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A decoded entry position inside a node. */
export interface EntryRef {
  readonly id: StreamId;
  /** Offset of the entry's flags byte. */
  readonly at: number;
}

export class StreamNode {
  /** The ID of the node's first entry (its key in the stream's index). */
  readonly master: StreamId;
  private readonly masterMs: bigint;
  private readonly masterSeq: bigint;
  /** Field names of the first entry. */
  readonly fields: readonly Buffer[];
  private buf: Buffer;
  /** Bytes of `buf` in use. */
  used = 0;
  /** Live entries. */
  live = 0;
  /** Entries flagged deleted. */
  deleted = 0;
  /** The ID of the last entry appended (deleted or not). */
  lastId: StreamId;
  /** Listpack bytes of the master fields and of every entry (the count/deleted header aside). */
  private lpBody: number;

  constructor(master: StreamId, fields: readonly Buffer[]) {
    this.master = master;
    this.masterMs = master >> 64n;
    this.masterSeq = master & 0xffffffffffffffffn;
    this.fields = fields;
    this.lastId = master;
    this.buf = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
    let body = lpIntBytes(fields.length) + lpIntBytes(0);
    for (const f of fields) body += lpStringBytes(f);
    this.lpBody = body;
  }

  /** The size of Redis's listpack holding the same entries. */
  get listpackBytes(): number {
    return LP_OVERHEAD + lpIntBytes(this.live) + lpIntBytes(this.deleted) + this.lpBody;
  }

  /** Entries stored, deleted ones included (what `stream-node-max-entries` counts). */
  get total(): number {
    return this.live + this.deleted;
  }

  /** Bytes held (memory accounting). */
  get capacity(): number {
    return this.buf.length;
  }

  /** Appends an entry; `pairs` alternates field and value. */
  append(id: StreamId, pairs: readonly Buffer[]): void {
    const n = pairs.length >>> 1;
    const fields = this.fields;
    let same = n === fields.length;
    for (let i = 0; same && i < n; i++) same = sameBytes(pairs[2 * i], fields[i]);
    const msDelta = (id >> 64n) - this.masterMs;
    const seqDelta = (id & 0xffffffffffffffffn) - this.masterSeq;
    let size = 1 + 10 + 10 + (same ? 0 : 5);
    for (let i = same ? 1 : 0; i < pairs.length; i += same ? 2 : 1) size += 5 + pairs[i].length;
    const w = new Writer(this.buf, this.used);
    w.reserve(size);
    w.buf[w.pos++] = same ? FLAG_SAMEFIELDS : 0;
    w.bigVarint(msDelta);
    w.bigVarint(zigzag(seqDelta));
    // Redis's listpack stores the deltas as int64 (uint64 differences cast to signed).
    let lp = 2 + lpIntBytes(BigInt.asIntN(64, msDelta)) + lpIntBytes(BigInt.asIntN(64, seqDelta));
    if (same) {
      for (let i = 1; i < pairs.length; i += 2) {
        w.bytes(pairs[i]);
        lp += lpStringBytes(pairs[i]);
      }
      lp += lpIntBytes(n + 3);
    } else {
      w.varint(n);
      lp += lpIntBytes(n);
      for (const p of pairs) {
        w.bytes(p);
        lp += lpStringBytes(p);
      }
      lp += lpIntBytes(2 * n + 4);
    }
    this.buf = w.buf;
    this.used = w.pos;
    this.lpBody += lp;
    this.live++;
    this.lastId = id;
  }

  /** A copy that shares nothing mutable with this node (COPY). */
  clone(): StreamNode {
    const c = new StreamNode(this.master, this.fields);
    c.buf = Buffer.allocUnsafeSlow(Math.max(1, this.used));
    this.buf.copy(c.buf, 0, 0, this.used);
    c.used = this.used;
    c.live = this.live;
    c.deleted = this.deleted;
    c.lastId = this.lastId;
    c.lpBody = this.lpBody;
    return c;
  }

  /** Releases the spare capacity once no more entries will be appended. */
  shrink(): void {
    if (this.buf.length === this.used) return;
    const exact = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(exact, 0, 0, this.used);
    this.buf = exact;
  }

  /** Reads the entry at `at`: its ID, and the offset of the next one. */
  private readHeader(c: Cursor): StreamId {
    c.pos++; // flags
    const ms = this.masterMs + c.bigVarint();
    const seq = this.masterSeq + unzigzag(c.bigVarint());
    return makeId(ms, seq);
  }

  /** Skips the fields and values of the entry whose flags are `flags` (cursor after the ID). */
  private skipBody(c: Cursor, flags: number): void {
    const n = (flags & FLAG_SAMEFIELDS) !== 0 ? this.fields.length : 2 * c.varint();
    for (let i = 0; i < n; i++) {
      const len = c.varint();
      c.pos += len;
    }
  }

  /**
   * Visits the entries (deleted ones too when `withDeleted`) in ID order, or reverse order,
   * until `visit` returns false. An ascending scan may start at an entry's offset `from`
   * ({@link StreamNode.seek}).
   */
  scan(descending: boolean, withDeleted: boolean, visit: (id: StreamId, at: number) => boolean, from = 0): boolean {
    const c = new Cursor(this.buf);
    if (!descending) {
      c.pos = from;
      while (c.pos < this.used) {
        const at = c.pos;
        const flags = this.buf[at];
        const id = this.readHeader(c);
        this.skipBody(c, flags);
        if ((withDeleted || (flags & FLAG_DELETED) === 0) && !visit(id, at)) return false;
      }
      return true;
    }
    // No back links are stored: collect the offsets (at most a node's entries), then walk back.
    const refs: EntryRef[] = [];
    while (c.pos < this.used) {
      const at = c.pos;
      const flags = this.buf[at];
      const id = this.readHeader(c);
      this.skipBody(c, flags);
      if (withDeleted || (flags & FLAG_DELETED) === 0) refs.push({ id, at });
    }
    for (let i = refs.length - 1; i >= 0; i--) if (!visit(refs[i].id, refs[i].at)) return false;
    return true;
  }

  /**
   * The offset of the first entry (deleted or not) whose ID is >= `start`, or {@link used}.
   * Entries before it are skipped by their deltas as plain numbers, without making their IDs:
   * a read of the newest entries of a node (XREADGROUP `>`, XREAD) then costs a few byte reads
   * per entry before them rather than two bigint decodings each.
   */
  seek(start: StreamId): number {
    if (start <= this.master) return 0;
    const msDelta = (start >> 64n) - this.masterMs;
    // A node spans far less than 2^53 ms in practice; otherwise every entry is compared exactly.
    if (msDelta > BigInt(Number.MAX_SAFE_INTEGER)) return this.seekExact(start);
    const wantMs = Number(msDelta);
    const buf = this.buf;
    const c = new Cursor(buf);
    while (c.pos < this.used) {
      const at = c.pos;
      const flags = buf[c.pos++];
      // Exact below 2^53; a larger (inexact) delta is still larger than wantMs.
      const ms = c.varint();
      if (ms > wantMs) return at;
      if (ms === wantMs) {
        c.pos = at;
        if (this.readHeader(c) >= start) return at;
      } else {
        c.varint(); // the sequence delta
      }
      this.skipBody(c, flags);
    }
    return this.used;
  }

  /** {@link seek} by full IDs. */
  private seekExact(start: StreamId): number {
    let found = this.used;
    this.scan(false, true, (id, at) => {
      if (id < start) return true;
      found = at;
      return false;
    });
    return found;
  }

  /** Flags of the entry at `at`. */
  flagsAt(at: number): number {
    return this.buf[at];
  }

  /** Marks the entry at `at` deleted; false when it already was. */
  markDeleted(at: number): boolean {
    const flags = this.buf[at];
    if ((flags & FLAG_DELETED) !== 0) return false;
    this.buf[at] = flags | FLAG_DELETED;
    this.live--;
    this.deleted++;
    return true;
  }

  /** The field/value pairs of the entry at `at` (views into the node: copy to keep them). */
  pairsAt(at: number): Buffer[] {
    const buf = this.buf;
    const c = new Cursor(buf);
    c.pos = at;
    const flags = buf[at];
    this.readHeader(c);
    const out: Buffer[] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      for (const f of this.fields) {
        out.push(f);
        const len = c.varint();
        out.push(buf.subarray(c.pos, c.pos + len));
        c.pos += len;
      }
    } else {
      const n = 2 * c.varint();
      for (let i = 0; i < n; i++) {
        const len = c.varint();
        out.push(buf.subarray(c.pos, c.pos + len));
        c.pos += len;
      }
    }
    return out;
  }
}

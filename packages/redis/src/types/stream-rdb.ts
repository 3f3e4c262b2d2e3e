/**
 * Reading Redis's RDB stream objects (RESTORE of a payload from redis-server): types 15
 * (STREAM_LISTPACKS, Redis 5-6.2) and 19 (STREAM_LISTPACKS_2, 7.0: with first ID, maximal
 * deleted ID, entries added and groups' read counters). The listpacks are decoded entry by entry
 * and appended to a fresh {@link Stream}; counters, groups, PELs and consumers are taken from the
 * payload, the missing 7.0 counters estimated as Redis's rdbLoadObject does.
 *
 * @packageDocumentation
 */
import { CommandError } from '../command';
import { makeId, type StreamId } from './stream-id';
import { FLAG_DELETED, FLAG_SAMEFIELDS } from './stream-node';
import { ConsumerGroup, Nack, estimateEntriesRead } from './stream-groups';
import { Stream, type NodeLimits } from './stream-store';

/** The RDB primitives a stream object is made of. */
export interface RdbReader {
  /** A length-encoded number (rdbLoadLen), unbounded. */
  number(): bigint;
  /** A string object (raw, integer or LZF). */
  string(): Buffer;
  /** `n` raw bytes. */
  raw(n: number): Buffer;
  /** An 8-byte little-endian millisecond time. */
  millis(): number;
}

const BAD_FORMAT = 'ERR Bad data format';

/** Decodes a listpack into its elements (integers as their decimal text). */
function listpackElements(lp: Buffer): Buffer[] {
  if (lp.length < 7) throw new CommandError(BAD_FORMAT);
  const out: Buffer[] = [];
  let p = 6;
  const str = (start: number, len: number): void => {
    if (start + len > lp.length) throw new CommandError(BAD_FORMAT);
    out.push(Buffer.from(lp.subarray(start, start + len)));
    p = start + len;
  };
  const int = (v: bigint | number, next: number): void => {
    out.push(Buffer.from(String(v), 'latin1'));
    p = next;
  };
  while (p < lp.length && lp[p] !== 0xff) {
    const start = p;
    const b = lp[p];
    if ((b & 0x80) === 0) int(b, p + 1);
    else if ((b & 0xc0) === 0x80) str(p + 1, b & 0x3f);
    else if ((b & 0xe0) === 0xc0) int((((b & 0x1f) << 8) | lp[p + 1]) << 19 >> 19, p + 2);
    else if ((b & 0xf0) === 0xe0) str(p + 2, ((b & 0x0f) << 8) | lp[p + 1]);
    else if (b === 0xf0) str(p + 5, lp.readUInt32LE(p + 1));
    else if (b === 0xf1) int(lp.readInt16LE(p + 1), p + 3);
    else if (b === 0xf2) int(lp.readIntLE(p + 1, 3), p + 4);
    else if (b === 0xf3) int(lp.readInt32LE(p + 1), p + 5);
    else if (b === 0xf4) int(lp.readBigInt64LE(p + 1), p + 9);
    else throw new CommandError(BAD_FORMAT);
    // Skip the backlen: 1 to 5 bytes for the element's encoded size.
    const size = p - start;
    p += size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
  }
  return out;
}

/** Appends the live entries of one node's listpack to `s`. */
function loadNode(s: Stream, master: StreamId, lp: Buffer, limits: NodeLimits): void {
  const el = listpackElements(lp);
  let i = 0;
  const next = (): Buffer => {
    if (i >= el.length) throw new CommandError(BAD_FORMAT);
    return el[i++];
  };
  const num = (): bigint => BigInt(next().toString('latin1'));
  num(); // live count
  num(); // deleted count
  const nMaster = Number(num());
  const masterFields: Buffer[] = [];
  for (let f = 0; f < nMaster; f++) masterFields.push(next());
  next(); // the master entry's terminator
  const masterMs = master >> 64n;
  const masterSeq = master & 0xffffffffffffffffn;
  while (i < el.length) {
    const flags = Number(num());
    const ms = BigInt.asUintN(64, masterMs + num());
    const seq = BigInt.asUintN(64, masterSeq + num());
    const pairs: Buffer[] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) for (const f of masterFields) pairs.push(f, next());
    else for (let n = Number(num()); n > 0; n--) pairs.push(next(), next());
    next(); // lp-count
    if ((flags & FLAG_DELETED) === 0) s.append(makeId(ms, seq), pairs, limits);
  }
}

/** An ID written as 16 raw big-endian bytes (PEL keys). */
function rawId(r: RdbReader): StreamId {
  const b = r.raw(16);
  return makeId(b.readBigUInt64BE(0), b.readBigUInt64BE(8));
}

/** Reads a stream object's body (after its type byte); `v2` for type 19. */
export function loadStream(r: RdbReader, v2: boolean, limits: NodeLimits): Stream {
  const s = new Stream();
  for (let n = r.number(); n > 0n; n--) {
    const key = r.string();
    if (key.length !== 16) throw new CommandError(BAD_FORMAT);
    loadNode(s, makeId(key.readBigUInt64BE(0), key.readBigUInt64BE(8)), r.string(), limits);
  }
  const length = r.number();
  if (length !== BigInt(s.length)) throw new CommandError(BAD_FORMAT);
  s.lastId = makeId(r.number(), r.number());
  if (v2) {
    s.firstId = makeId(r.number(), r.number());
    s.maxDeletedId = makeId(r.number(), r.number());
    s.entriesAdded = r.number();
  } else {
    s.entriesAdded = length;
    s.firstId = s.edgeId(true) ?? 0n;
  }
  for (let groups = r.number(); groups > 0n; groups--) {
    const name = r.string().toString('latin1');
    const lastId = makeId(r.number(), r.number());
    const g = new ConsumerGroup(lastId, 0n);
    g.entriesRead = v2 ? BigInt.asIntN(64, r.number()) : estimateEntriesRead(s, lastId);
    for (let pel = r.number(); pel > 0n; pel--) {
      const id = rawId(r);
      const time = r.millis();
      g.pel.set(id, new Nack(null, time, Number(r.number())));
    }
    for (let consumers = r.number(); consumers > 0n; consumers--) {
      const c = g.consumer(r.string().toString('latin1'), 0).consumer;
      c.seenTime = r.millis();
      for (let pel = r.number(); pel > 0n; pel--) {
        const id = rawId(r);
        const nack = g.pel.get(id);
        if (nack === undefined) throw new CommandError(BAD_FORMAT);
        nack.consumer = c;
        c.pel.set(id, nack);
      }
    }
    (s.groups ??= new Map()).set(name, g);
  }
  return s;
}

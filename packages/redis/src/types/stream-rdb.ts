/**
 * Redis's RDB stream objects. Reading (RESTORE of a payload from redis-server, loading an RDB
 * file): types 15 (STREAM_LISTPACKS, Redis 5-6.2) and 19 (STREAM_LISTPACKS_2, 7.0: with first
 * ID, maximal deleted ID, entries added and groups' read counters). The listpacks are decoded
 * entry by entry and appended to a fresh {@link Stream}; counters, groups, PELs and consumers are
 * taken from the payload, the missing 7.0 counters estimated as Redis's rdbLoadObject does.
 *
 * Writing ({@link saveStream}): type 19 as Redis 7.0's rdbSaveObject writes it. Each node becomes
 * the listpack redis-server holds for the same entries (master entry, deleted entries still in
 * place, integers where a field or value is an integer), so with the same string encoding
 * (integer and LZF forms are the {@link RdbWriter}'s choice) the bytes equal redis-server's.
 *
 * @packageDocumentation
 */
import { idMs, idSeq, makeId, type StreamId } from './stream-id';
import { FLAG_DELETED, FLAG_SAMEFIELDS, type StreamNode } from './stream-node';
import { listpackElements } from '../rdb/listpack';
import { RdbFormatError } from '../rdb/reader';
import { ListpackWriter } from './stream-listpack';
import { ConsumerGroup, Nack, estimateEntriesRead } from './stream-groups';
import type { IdMap } from './stream-index';
import { sortedGroups } from './stream-access';
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

/** The RDB primitives a stream object is written with: the counterpart of {@link RdbReader}. */
export interface RdbWriter {
  /** A length-encoded number (rdbSaveLen), 0 to 2^64-1. */
  number(n: bigint | number): void;
  /** A string object (rdbSaveRawString: the writer picks the integer, LZF or raw form). */
  string(s: Buffer): void;
  /** Bytes as they are (rdbWriteRaw). */
  raw(b: Buffer): void;
  /** An 8-byte little-endian millisecond time (rdbSaveMillisecondTime). */
  millis(ms: number): void;
}

/** The object type byte {@link saveStream} writes the body of (rdb.h RDB_TYPE_STREAM_LISTPACKS_2). */
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;

/** Redis's reason for a node that fails streamValidateListpackIntegrity (the client sees `Bad data format`). */
const BAD_NODE = 'Stream listpack integrity check failed.';

function badNode(): never {
  throw new RdbFormatError(BAD_NODE);
}

/** An integer element of a stream listpack (the listpack decoder gives integers as decimal text). */
function intOf(b: Buffer): bigint {
  const text = b.toString('latin1');
  if (!/^-?\d{1,20}$/.test(text)) badNode();
  return BigInt(text);
}

/**
 * Appends the live entries of one node's listpack to `s`, checking what Redis's deep stream
 * validation checks (streamValidateListpackIntegrity): integers where integers belong, the master
 * entry's terminator, IDs above every earlier one, each entry's lp-count, and the node's live and
 * deleted counts.
 */
function loadNode(s: Stream, master: StreamId, lp: Buffer, limits: NodeLimits): void {
  const el = listpackElements(lp, 'Stream listpack');
  let i = 0;
  const next = (): Buffer => {
    if (i >= el.length) badNode();
    return el[i++];
  };
  const num = (): bigint => intOf(next());
  const live = num();
  const deleted = num();
  const nMaster = Number(num());
  if (nMaster < 0 || nMaster > el.length) badNode();
  const masterFields: Buffer[] = [];
  for (let f = 0; f < nMaster; f++) masterFields.push(next());
  if (num() !== 0n) badNode(); // the master entry's terminator
  const masterMs = master >> 64n;
  const masterSeq = master & 0xffffffffffffffffn;
  let seenLive = 0n;
  let seenDeleted = 0n;
  while (i < el.length) {
    const flags = Number(num());
    const ms = BigInt.asUintN(64, masterMs + num());
    const seq = BigInt.asUintN(64, masterSeq + num());
    const id = makeId(ms, seq);
    if (id < master || (s.length > 0 && id <= s.lastId)) badNode();
    const pairs: Buffer[] = [];
    let fields: number;
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      fields = nMaster;
      for (const f of masterFields) pairs.push(f, next());
    } else {
      fields = Number(num());
      if (fields < 0 || fields > el.length) badNode();
      for (let n = fields; n > 0; n--) pairs.push(next(), next());
    }
    // lp-count: the entry's elements after the first, flags ms seq [nfields] (fields) values.
    const lpCount = (flags & FLAG_SAMEFIELDS) !== 0 ? fields + 3 : 2 * fields + 4;
    if (num() !== BigInt(lpCount)) badNode();
    if ((flags & FLAG_DELETED) !== 0) seenDeleted++;
    else {
      seenLive++;
      s.append(id, pairs, limits);
    }
  }
  if (seenLive !== live || seenDeleted !== deleted || seenLive + seenDeleted === 0n) badNode();
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
    if (key.length !== 16) throw new RdbFormatError('Stream node key entry is not the size of a stream ID');
    loadNode(s, makeId(key.readBigUInt64BE(0), key.readBigUInt64BE(8)), r.string(), limits);
  }
  const length = r.number();
  if (length !== BigInt(s.length)) throw new RdbFormatError('Stream length inconsistent with its entries');
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
      const { consumer: c, created } = g.consumer(r.string().toString('latin1'), 0);
      if (!created) throw new RdbFormatError('Duplicate stream consumer detected.');
      c.seenTime = r.millis();
      for (let pel = r.number(); pel > 0n; pel--) {
        const id = rawId(r);
        const nack = g.pel.get(id);
        if (nack === undefined) throw new RdbFormatError('Consumer entry not found in group global PEL');
        nack.consumer = c;
        c.pel.set(id, nack);
      }
    }
    if (s.groups?.has(name) === true) throw new RdbFormatError('Duplicated consumer group name');
    (s.groups ??= new Map()).set(name, g);
  }
  return s;
}

/** An ID as 16 big-endian bytes: the key of a node or of a PEL entry in Redis's rax. */
function idBytes(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(idMs(id), 0);
  b.writeBigUInt64BE(idSeq(id), 8);
  return b;
}

/**
 * The listpack redis-server holds for this node (t_stream.c streamAppendItem's layout): the
 * master entry `live deleted nfields field... 0`, then per entry `flags ms-delta seq-delta`,
 * `nfields field value...` or (same fields as the master) `value...`, and `lp-count`, the
 * number of elements of the entry after the first (to walk back).
 */
export function nodeListpack(node: StreamNode): Buffer {
  const lp = new ListpackWriter();
  lp.integer(node.live);
  lp.integer(node.deleted);
  lp.integer(node.fields.length);
  for (const f of node.fields) lp.string(f);
  lp.integer(0);
  const masterMs = idMs(node.master);
  const masterSeq = idSeq(node.master);
  node.scan(false, true, (id, at) => {
    const flags = node.flagsAt(at);
    const pairs = node.pairsAt(at);
    lp.integer(flags);
    // Differences of uint64s, stored as the int64 they cast to.
    lp.integer(BigInt.asIntN(64, idMs(id) - masterMs));
    lp.integer(BigInt.asIntN(64, idSeq(id) - masterSeq));
    const n = pairs.length >>> 1;
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      for (let i = 1; i < pairs.length; i += 2) lp.string(pairs[i]);
      lp.integer(n + 3);
    } else {
      lp.integer(n);
      for (const p of pairs) lp.string(p);
      lp.integer(2 * n + 4);
    }
    return true;
  });
  return lp.finish();
}

/** A PEL in ID order; with `nacks` each ID's delivery time and count (the group's PEL). */
function savePel(w: RdbWriter, pel: IdMap<Nack>, nacks: boolean): void {
  w.number(pel.size);
  for (const [id, nack] of pel.entries()) {
    w.raw(idBytes(id));
    if (nacks) {
      w.millis(nack.deliveryTime);
      w.number(nack.deliveryCount);
    }
  }
}

/**
 * Writes a stream object's body (what follows its type byte, {@link RDB_TYPE_STREAM_LISTPACKS_2})
 * as Redis 7.0's rdbSaveObject: the nodes (key, listpack), length, last, first and maximal
 * deleted IDs, entries added, then each group in name order with its last ID, read counter, PEL
 * and consumers (name order, seen time, IDs of their PEL).
 */
export function saveStream(w: RdbWriter, s: Stream): void {
  w.number(s.nodes.size);
  for (const [master, node] of s.nodes.entries()) {
    w.string(idBytes(master));
    w.string(nodeListpack(node));
  }
  w.number(s.length);
  for (const id of [s.lastId, s.firstId, s.maxDeletedId]) {
    w.number(idMs(id));
    w.number(idSeq(id));
  }
  w.number(s.entriesAdded);
  const groups = sortedGroups(s);
  w.number(groups.length);
  for (const [name, g] of groups) {
    w.string(Buffer.from(name, 'latin1'));
    w.number(idMs(g.lastId));
    w.number(idSeq(g.lastId));
    // -1 (unknown) is written as the uint64 it casts to, as rdbSaveLen(long long) does.
    w.number(BigInt.asUintN(64, g.entriesRead));
    savePel(w, g.pel, true);
    const consumers = g.sortedConsumers();
    w.number(consumers.length);
    for (const c of consumers) {
      w.string(Buffer.from(c.name, 'latin1'));
      w.millis(c.seenTime);
      savePel(w, c.pel, false);
    }
  }
}

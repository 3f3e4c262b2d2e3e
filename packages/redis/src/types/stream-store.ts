/**
 * A stream value: its entries in {@link StreamNode}s indexed by master ID ({@link IdMap}), its
 * counters (length, last generated ID, entries added, maximal deleted ID, recorded first ID) and
 * its consumer groups. Appending, trimming and deleting follow Redis 7.0's t_stream.c rules
 * (node split thresholds, whole-node approximate trimming, LIMIT), so lengths after `~` trims
 * and the counters XINFO shows are the ones redis-server shows.
 *
 * @packageDocumentation
 */
import { IdMap } from './stream-index';
import { MAX_ID, ZERO_ID, type StreamId } from './stream-id';
import { FLAG_DELETED, StreamNode } from './stream-node';
import type { ConsumerGroup } from './stream-groups';

/** Redis's cap on one listpack (STREAM_LISTPACK_MAX_SIZE): also the cap of one entry's bytes. */
export const LISTPACK_MAX_SIZE = 1 << 30;

/** How a trim is bounded (XADD/XTRIM MAXLEN or MINID). */
export interface TrimSpec {
  readonly strategy: 'maxlen' | 'minid';
  /** MAXLEN's length. */
  readonly maxlen: bigint;
  /** MINID's ID. */
  readonly minid: StreamId;
  /** `~`: only whole nodes are removed. */
  readonly approx: boolean;
  /** At most this many entries are removed (0: no limit). */
  readonly limit: number;
}

/** Node split thresholds (`stream-node-max-bytes` / `stream-node-max-entries`). */
export interface NodeLimits {
  readonly maxBytes: number;
  readonly maxEntries: number;
}

/** A node's bytes: its listpack, its master fields and the index slot. */
const nodeBytes = (node: StreamNode): number => {
  let n = 96 + node.capacity;
  for (const f of node.fields) n += 16 + f.length;
  return n;
};

export class Stream {
  readonly nodes = new IdMap<StreamNode>();
  /** Live entries. */
  length = 0;
  /** The last ID generated or set (XSETID), even if that entry is gone. */
  lastId: StreamId = ZERO_ID;
  /** The first live entry's ID as Redis records it (0-0 when empty). */
  firstId: StreamId = ZERO_ID;
  /** The largest ID XDEL removed. */
  maxDeletedId: StreamId = ZERO_ID;
  /** Entries ever added (XADD count, or XSETID ENTRIESADDED). */
  entriesAdded = 0n;
  /** Consumer groups by name (latin1), created on demand. */
  groups: Map<string, ConsumerGroup> | null = null;

  /**
   * Appends an entry with an ID the caller checked is greater than {@link lastId}. `pairs`
   * alternates fields and values (argv views are fine: bytes are copied).
   */
  append(id: StreamId, pairs: readonly Buffer[], limits: NodeLimits): void {
    let totalLen = 0;
    for (const p of pairs) totalLen += p.length;
    let node = this.nodes.lastValue();
    if (node !== undefined) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : limits.maxBytes;
      if (node.listpackBytes + totalLen >= maxBytes || (limits.maxEntries !== 0 && node.total >= limits.maxEntries)) {
        node.shrink();
        node = undefined;
      }
    }
    if (node === undefined) {
      const fields: Buffer[] = [];
      for (let i = 0; i < pairs.length; i += 2) fields.push(Buffer.from(pairs[i]));
      node = new StreamNode(id, fields);
      this.nodes.set(id, node);
    }
    node.append(id, pairs);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /**
   * Visits live entries with IDs in [start, end] (descending from end when `rev`) until `visit`
   * returns false. The stream must not change during the walk.
   */
  range(start: StreamId, end: StreamId, rev: boolean, visit: (id: StreamId, node: StreamNode, at: number) => boolean): void {
    if (start > end || this.length === 0) return;
    let go = true;
    if (!rev) {
      // The node holding `start` is the last whose master ID is <= start.
      const from = this.nodes.floor(start)?.[0] ?? start;
      this.nodes.walk(from, false, (master, node) => {
        if (master > end) return false;
        if (node.lastId < start) return true;
        node.scan(
          false,
          false,
          (id, at) => {
            if (id > end) return (go = false);
            return (go = visit(id, node, at));
          },
          node.seek(start),
        );
        return go;
      });
    } else {
      this.nodes.walk(end, true, (_master, node) => {
        if (node.lastId < start) return false;
        node.scan(true, false, (id, at) => {
          if (id > end) return true;
          if (id < start) return (go = false);
          return (go = visit(id, node, at));
        });
        return go;
      });
    }
  }

  /** The live entry with this ID: its node and offset, or null. */
  find(id: StreamId): { node: StreamNode; at: number } | null {
    let found: { node: StreamNode; at: number } | null = null;
    this.range(id, id, false, (_id, node, at) => {
      found = { node, at };
      return false;
    });
    return found;
  }

  /** The first (or last) live entry's ID, or null when empty. */
  edgeId(first: boolean): StreamId | null {
    // The newest entry of a node without deletions is its last one (XREAD/XREADGROUP ask this).
    const tail = first ? undefined : this.nodes.lastValue();
    if (tail !== undefined && tail.deleted === 0) return tail.lastId;
    let edge: StreamId | null = null;
    this.range(ZERO_ID, MAX_ID, !first, (id) => {
      edge = id;
      return false;
    });
    return edge;
  }

  /** Marks an entry deleted, dropping its node once no live entry is left. */
  private removeAt(node: StreamNode, at: number): void {
    if (!node.markDeleted(at)) return;
    this.length--;
    if (node.live === 0) this.nodes.delete(node.master);
  }

  /**
   * XDEL of one ID: true when a live entry was removed. Keeps the recorded first ID and the
   * maximal deleted ID as Redis does.
   */
  deleteEntry(id: StreamId): boolean {
    const hit = this.find(id);
    if (hit === null) return false;
    this.removeAt(hit.node, hit.at);
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (id === this.firstId) this.firstId = this.edgeId(true) ?? MAX_ID;
    return true;
  }

  /**
   * Redis's `streamTrim`: removes whole nodes from the head while the bound allows, then (unless
   * approximate) flags entries inside the next node. Returns how many entries were removed.
   */
  trim(spec: TrimSpec): number {
    let deleted = 0;
    for (;;) {
      const head = this.nodes.first();
      if (head === undefined) break;
      if (spec.strategy === 'maxlen' && BigInt(this.length) <= spec.maxlen) break;
      const node = head[1];
      const entries = node.live;
      if (spec.limit !== 0 && deleted + entries > spec.limit) break;
      const removeNode = spec.strategy === 'maxlen' ? BigInt(this.length - entries) >= spec.maxlen : node.lastId < spec.minid;
      if (removeNode) {
        this.nodes.delete(node.master);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      // Flag entries of this node from its start until the bound is met.
      const doomed: number[] = [];
      let length = this.length;
      node.scan(false, true, (id, at) => {
        if (spec.strategy === 'maxlen' ? BigInt(length) <= spec.maxlen : id >= spec.minid) return false;
        if ((node.flagsAt(at) & FLAG_DELETED) === 0) {
          doomed.push(at);
          length--;
        }
        return true;
      });
      for (const at of doomed) node.markDeleted(at);
      this.length -= doomed.length;
      deleted += doomed.length;
      // A node is never left without live entries here: the bound stops inside it.
      break;
    }
    if (this.length === 0) this.firstId = ZERO_ID;
    else if (deleted !== 0) this.firstId = this.edgeId(true) ?? MAX_ID;
    return deleted;
  }

  /** Approximate bytes held (INFO memory, eviction), from the first `samples` nodes (0: all). */
  memory(samples: number): number {
    let n = 128 + this.nodes.sampledValueBytes(samples, nodeBytes);
    if (this.groups !== null) for (const g of this.groups.values()) n += g.memory();
    return n;
  }
}

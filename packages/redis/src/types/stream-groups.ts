/**
 * Consumer groups of a stream: the group's last delivered ID and read counter, its pending
 * entries list (PEL: delivered, not acknowledged), and its consumers, each with its own PEL
 * sharing the same {@link Nack} records. Also Redis 7.0's arithmetic of `entries-read` and
 * `lag` (t_stream.c `streamEstimateDistanceFromFirstEverEntry`, `streamReplyWithCGLag`).
 *
 * @packageDocumentation
 */
import { IdMap } from './stream-index';
import { MAX_ID, ZERO_ID, type StreamId } from './stream-id';
import type { Stream } from './stream-store';

/** A read counter that cannot be known (Redis's SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1n;

/** One pending entry: who has it, since when, how many deliveries. */
export class Nack {
  constructor(
    public consumer: Consumer | null,
    /** Last delivery time, ms since the epoch. */
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

export class Consumer {
  /** Its pending entries (shared with the group's PEL). */
  readonly pel = new IdMap<Nack>();

  constructor(
    /** The name, one char per byte. */
    readonly name: string,
    /** Last time it read or claimed, ms since the epoch (XINFO CONSUMERS idle). */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new IdMap<Nack>();
  /** Consumers by name. */
  readonly consumers = new Map<string, Consumer>();

  constructor(
    /** The last ID delivered to the group. */
    public lastId: StreamId,
    /** Entries the group read so far, or {@link INVALID_ENTRIES_READ}. */
    public entriesRead: bigint,
  ) {}

  /** The consumer of this name, created when absent (`created` says whether it was). */
  consumer(name: string, now: number): { consumer: Consumer; created: boolean } {
    let c = this.consumers.get(name);
    if (c !== undefined) {
      c.seenTime = now;
      return { consumer: c, created: false };
    }
    c = new Consumer(name, now);
    this.consumers.set(name, c);
    return { consumer: c, created: true };
  }

  /** Consumers in name order (Redis keeps them in a rax, sorted by their bytes). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const [id] of c.pel.entries()) this.pel.delete(id);
    this.consumers.delete(c.name);
    return n;
  }

  /** Acknowledges one ID; true when it was pending. */
  ack(id: StreamId): boolean {
    const nack = this.pel.delete(id);
    if (nack === undefined) return false;
    nack.consumer?.pel.delete(id);
    return true;
  }

  /**
   * Records a delivery of `id` to `consumer` (XREADGROUP `>`): a new pending entry, or, when the
   * entry was pending already (after XGROUP SETID went back), a move to this consumer with its
   * count reset to 1.
   */
  deliver(id: StreamId, consumer: Consumer, now: number): Nack {
    const nack = this.pel.get(id);
    if (nack === undefined) {
      const fresh = new Nack(consumer, now, 1);
      this.pel.set(id, fresh);
      consumer.pel.set(id, fresh);
      return fresh;
    }
    nack.consumer?.pel.delete(id);
    nack.consumer = consumer;
    nack.deliveryTime = now;
    nack.deliveryCount = 1;
    consumer.pel.set(id, nack);
    return nack;
  }

  /** Gives a pending entry to `consumer` (XCLAIM, XAUTOCLAIM). */
  transfer(id: StreamId, nack: Nack, consumer: Consumer): void {
    if (nack.consumer === consumer) return;
    nack.consumer?.pel.delete(id);
    consumer.pel.set(id, nack);
    nack.consumer = consumer;
  }

  /** Drops a pending entry whose stream entry is gone. */
  forget(id: StreamId, nack: Nack): void {
    this.pel.delete(id);
    nack.consumer?.pel.delete(id);
  }

  memory(): number {
    let n = 96 + this.pel.size * 48;
    for (const c of this.consumers.values()) n += 64 + c.name.length + c.pel.size * 16;
    return n;
  }
}

/** Redis's `streamRangeHasTombstones`: a deleted ID could lie in [start, MAX_ID]. */
function hasTombstonesFrom(s: Stream, start: StreamId): boolean {
  if (s.length === 0 || s.maxDeletedId === ZERO_ID) return false;
  if (s.firstId > s.maxDeletedId) return false;
  return start <= s.maxDeletedId && s.maxDeletedId <= MAX_ID;
}

/**
 * Redis's `streamEstimateDistanceFromFirstEverEntry`: the read counter of `id` (how many
 * entries up to it were ever added), or {@link INVALID_ENTRIES_READ} when it cannot be known.
 */
export function estimateEntriesRead(s: Stream, id: StreamId): bigint {
  if (s.entriesAdded === 0n) return 0n;
  if (s.length === 0 && id <= s.lastId) return s.entriesAdded;
  if (id === s.lastId) return s.entriesAdded;
  if (id > s.lastId) return INVALID_ENTRIES_READ;
  if (s.maxDeletedId === ZERO_ID || s.maxDeletedId < s.firstId) {
    if (id < s.firstId) return s.entriesAdded - BigInt(s.length);
    if (id === s.firstId) return s.entriesAdded - BigInt(s.length) + 1n;
  }
  return INVALID_ENTRIES_READ;
}

/** A group's lag (entries not delivered yet), or null when it cannot be known. */
export function groupLag(s: Stream, g: ConsumerGroup): bigint | null {
  if (s.entriesAdded === 0n) return 0n;
  if (g.entriesRead !== INVALID_ENTRIES_READ && !hasTombstonesFrom(s, g.lastId)) return s.entriesAdded - g.entriesRead;
  const read = estimateEntriesRead(s, g.lastId);
  return read === INVALID_ENTRIES_READ ? null : s.entriesAdded - read;
}

/**
 * Advances the group past a delivered `id` (greater than its last ID), updating the read
 * counter as `streamReplyWithRange` does.
 */
export function advanceGroup(s: Stream, g: ConsumerGroup, id: StreamId): void {
  if (g.entriesRead !== INVALID_ENTRIES_READ && !hasTombstonesFrom(s, id)) g.entriesRead++;
  else if (s.entriesAdded !== 0n) g.entriesRead = estimateEntriesRead(s, id);
  g.lastId = id;
}

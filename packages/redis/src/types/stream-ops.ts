/**
 * The keyspace hooks of stream values: AOF rewrite as Redis's `rewriteStreamObject` writes it
 * (XADD per entry, or `XADD MAXLEN 0` for an empty stream, then XSETID, XGROUP CREATE per group,
 * XCLAIM per pending entry and XGROUP CREATECONSUMER for consumers without any), so a rewritten
 * AOF restores groups and PELs; COPY; OBJECT ENCODING; memory; DEBUG DIGEST's stream digest.
 *
 * @packageDocumentation
 */
import type { TypeOps } from '../command';
import { MAX_ID, ZERO_ID, formatId } from './stream-id';
import { ConsumerGroup, Nack } from './stream-groups';
import { Stream } from './stream-store';
import { sortedGroups } from './stream-access';

type Words = readonly (Buffer | string)[];

function* rewriteStream(key: string, s: Stream): IterableIterator<Words> {
  if (s.length > 0) {
    // One node at a time, so a large stream is never rebuilt in memory at once.
    for (const [, node] of s.nodes.entries()) {
      const batch: Words[] = [];
      node.scan(false, false, (id, at) => {
        batch.push(['XADD', key, formatId(id), ...node.pairsAt(at)]);
        return true;
      });
      yield* batch;
    }
  } else {
    yield ['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y'];
  }
  yield ['XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)];
  for (const [name, g] of sortedGroups(s)) {
    yield ['XGROUP', 'CREATE', key, name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)];
    for (const c of g.sortedConsumers()) {
      if (c.pel.size === 0) {
        yield ['XGROUP', 'CREATECONSUMER', key, name, c.name];
        continue;
      }
      for (const [id, nack] of c.pel.entries()) {
        yield ['XCLAIM', key, name, c.name, '0', formatId(id), 'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'JUSTID', 'FORCE'];
      }
    }
  }
}

/** A deep copy: nodes, counters, groups, consumers and pending entries. */
function cloneStream(s: Stream): Stream {
  const out = new Stream();
  for (const [id, node] of s.nodes.entries()) out.nodes.set(id, node.clone());
  out.length = s.length;
  out.lastId = s.lastId;
  out.firstId = s.firstId;
  out.maxDeletedId = s.maxDeletedId;
  out.entriesAdded = s.entriesAdded;
  if (s.groups !== null) {
    out.groups = new Map();
    for (const [name, g] of s.groups) {
      const copy = new ConsumerGroup(g.lastId, g.entriesRead);
      for (const c of g.consumers.values()) copy.consumer(c.name, c.seenTime);
      for (const [id, nack] of g.pel.entries()) {
        const owner = nack.consumer === null ? null : (copy.consumers.get(nack.consumer.name) ?? null);
        const n = new Nack(owner, nack.deliveryTime, nack.deliveryCount);
        copy.pel.set(id, n);
        owner?.pel.set(id, n);
      }
      out.groups.set(name, copy);
    }
  }
  return out;
}

/** Keyspace hooks for stream values. */
export const streamOps: TypeOps = {
  rewrite: (key, value) => rewriteStream(key, value as Stream),
  copy: (value) => cloneStream(value as Stream),
  encoding: () => 'stream',
  memory: (value, samples) => (value as Stream).memory(samples),
  // Redis: the rax's nodes, plus every group times (1 + the first group's PEL).
  freeEffort: (value) => {
    const s = value as Stream;
    const first = s.groups?.values().next().value;
    return s.nodes.size + (s.groups === null || first === undefined ? 0 : s.groups.size * (1 + first.pel.size));
  },
  // debug.c: each entry mixes in "<ms>.<seq>", then its fields and values in order.
  digest(value, mix) {
    (value as Stream).range(ZERO_ID, MAX_ID, false, (id, node, at) => {
      mix(formatId(id).replace('-', '.'));
      for (const p of node.pairsAt(at)) mix(p);
      return true;
    });
  },
};

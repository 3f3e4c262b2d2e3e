/**
 * What every stream command file shares: looking streams up, writing entries and IDs in
 * replies, collecting a range before replying (Redis writes a deferred length; a reply here
 * needs the count first), and the node limits from the configuration.
 *
 * @packageDocumentation
 */
import { CommandError, type CommandContext, type Db, type Reply } from '../command';
import { formatId, type StreamId } from './stream-id';
import type { StreamNode } from './stream-node';
import type { NodeLimits, Stream } from './stream-store';
import type { ConsumerGroup } from './stream-groups';

/** A stream for a read: undefined when absent, WRONGTYPE when the key holds something else. */
export function readStream(db: Db, key: string): Stream | undefined {
  return db.get<Stream>(key, 'stream');
}

/** A stream about to be changed (no hit/miss counting). */
export function writeStream(db: Db, key: string): Stream | undefined {
  return db.getForWrite<Stream>(key, 'stream');
}

/** An entry found by a range walk. */
export interface EntryAt {
  readonly id: StreamId;
  readonly node: StreamNode;
  readonly at: number;
}

/** The live entries in [start, end] (reversed when `rev`), at most `count` (0: all). */
export function collect(s: Stream, start: StreamId, end: StreamId, rev: boolean, count: number): EntryAt[] {
  const out: EntryAt[] = [];
  s.range(start, end, rev, (id, node, at) => {
    out.push({ id, node, at });
    return count === 0 || out.length < count;
  });
  return out;
}

/** An ID as a bulk string. */
export function replyId(r: Reply, id: StreamId): void {
  r.bulk(formatId(id));
}

/** One entry: `[id, [field, value, …]]`. */
export function replyEntry(r: Reply, e: EntryAt): void {
  const pairs = e.node.pairsAt(e.at);
  r.array(2);
  r.bulk(formatId(e.id));
  r.array(pairs.length);
  for (const p of pairs) r.bulk(p);
}

/** An array of entries. */
export function replyEntries(r: Reply, entries: readonly EntryAt[]): void {
  r.array(entries.length);
  for (const e of entries) replyEntry(r, e);
}

/** `stream-node-max-bytes` and `stream-node-max-entries` as the stream's append needs them. */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const cfg = ctx.server.config;
  return { maxBytes: cfg['stream-node-max-bytes'], maxEntries: cfg['stream-node-max-entries'] };
}

/** The group of this name, or null. */
export function findGroup(s: Stream, name: string): ConsumerGroup | null {
  return s.groups?.get(name) ?? null;
}

/** Group names in Redis's order (a rax: by their bytes). */
export function sortedGroups(s: Stream): [string, ConsumerGroup][] {
  if (s.groups === null) return [];
  return [...s.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** `NOGROUP No such key 'k' or consumer group 'g'` plus the command's own tail. */
export function noGroup(key: string, group: string, tail = ''): CommandError {
  return new CommandError(`NOGROUP No such key '${key}' or consumer group '${group}'${tail}`);
}

/**
 * XINFO STREAM (and FULL), XINFO GROUPS, XINFO CONSUMERS, XINFO HELP, as Redis 7.0 replies
 * them. `radix-tree-nodes` is the node count of the rax Redis would hold for the same node
 * keys (a compressed radix tree over 16-byte big-endian IDs), computed from the keys.
 *
 * @packageDocumentation
 */
import { CMD_READONLY, def, type CommandDef } from '../command';
import { CommandError, NO_SUCH_KEY, argIs, int64Arg, unknownSubcommand } from '../command';
import type { CommandContext, Reply } from '../command';
import { helpReply } from '../commands/sub';
import { str } from './common';
import { collect, readStream, replyEntries, replyEntry, replyId, sortedGroups } from './stream-access';
import { MAX_ID, ZERO_ID, type StreamId } from './stream-id';
import { INVALID_ENTRIES_READ, groupLag, type ConsumerGroup } from './stream-groups';
import type { Stream } from './stream-store';

/** Entries and PEL items XINFO STREAM FULL shows by default. */
const FULL_DEFAULT_COUNT = 10;

/** The 16 bytes a rax stores for an ID. */
function raxKey(id: StreamId): string {
  return id.toString(16).padStart(32, '0');
}

/**
 * Nodes of the compressed radix tree over these sorted, distinct, equal-length keys: the head,
 * every branching prefix, each child of a branching prefix, and each leaf, counted once. Keys
 * are hex, so a byte is two characters.
 */
function raxNodes(keys: readonly string[]): number {
  const n = keys.length;
  if (n === 0) return 1;
  const branching = new Set<string>();
  for (let i = 0; i + 1 < n; i++) {
    const a = keys[i];
    const b = keys[i + 1];
    let bytes = 0;
    while (bytes < 16 && a.slice(2 * bytes, 2 * bytes + 2) === b.slice(2 * bytes, 2 * bytes + 2)) bytes++;
    branching.add(a.slice(0, 2 * bytes));
  }
  // Each adjacent pair adds one child to the branching prefix it splits at.
  const children = n - 1 + branching.size;
  let overlap = 0;
  for (const p of branching) if (p.length > 0 && branching.has(p.slice(0, -2))) overlap++;
  for (const k of keys) if (branching.has(k.slice(0, 30))) overlap++;
  const nonRootBranching = branching.size - (branching.has('') ? 1 : 0);
  return 1 + nonRootBranching + n + children - overlap;
}

function replyGroupCounters(r: Reply, s: Stream, g: ConsumerGroup): void {
  r.bulk('entries-read');
  if (g.entriesRead === INVALID_ENTRIES_READ) r.nil();
  else r.integer(g.entriesRead);
  r.bulk('lag');
  const lag = groupLag(s, g);
  if (lag === null) r.nil();
  else r.integer(lag);
}

function replyStreamHeader(r: Reply, s: Stream, full: boolean): void {
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.integer(s.length);
  r.bulk('radix-tree-keys');
  r.integer(s.nodes.size);
  r.bulk('radix-tree-nodes');
  r.integer(raxNodes([...s.nodes.entries()].map(([id]) => raxKey(id))));
  r.bulk('last-generated-id');
  replyId(r, s.lastId);
  r.bulk('max-deleted-entry-id');
  replyId(r, s.maxDeletedId);
  r.bulk('entries-added');
  r.integer(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  replyId(r, s.firstId);
}

function replyFullGroups(r: Reply, s: Stream, count: number): void {
  const groups = sortedGroups(s);
  r.array(groups.length);
  for (const [name, g] of groups) {
    r.map(7);
    r.bulk('name');
    r.bulkKey(name);
    r.bulk('last-delivered-id');
    replyId(r, g.lastId);
    replyGroupCounters(r, s, g);
    r.bulk('pel-count');
    r.integer(g.pel.size);
    r.bulk('pending');
    const pel = [...g.pel.entries()].slice(0, count === 0 ? undefined : count);
    r.array(pel.length);
    for (const [id, nack] of pel) {
      r.array(4);
      replyId(r, id);
      r.bulkKey(nack.consumer?.name ?? '');
      r.integer(nack.deliveryTime);
      r.integer(nack.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.array(consumers.length);
    for (const c of consumers) {
      r.map(4);
      r.bulk('name');
      r.bulkKey(c.name);
      r.bulk('seen-time');
      r.integer(c.seenTime);
      r.bulk('pel-count');
      r.integer(c.pel.size);
      r.bulk('pending');
      const own = [...c.pel.entries()].slice(0, count === 0 ? undefined : count);
      r.array(own.length);
      for (const [id, nack] of own) {
        r.array(3);
        replyId(r, id);
        r.integer(nack.deliveryTime);
        r.integer(nack.deliveryCount);
      }
    }
  }
}

function infoStream(ctx: CommandContext, argv: Buffer[], s: Stream): void {
  const opts = argv.length - 3;
  let full = false;
  let count = FULL_DEFAULT_COUNT;
  if (opts !== 0) {
    if ((opts !== 1 && opts !== 3) || !argIs(argv[3], 'full') || (opts === 3 && !argIs(argv[4], 'count'))) throw subcommandSyntax(argv[1]);
    full = true;
    if (opts === 3) {
      const c = int64Arg(argv[5]);
      count = c < 0n ? FULL_DEFAULT_COUNT : c > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(c);
    }
  }
  const r = ctx.reply;
  replyStreamHeader(r, s, full);
  if (!full) {
    r.bulk('groups');
    r.integer(s.groups?.size ?? 0);
    const first = collect(s, ZERO_ID, MAX_ID, false, 1);
    const last = collect(s, ZERO_ID, MAX_ID, true, 1);
    r.bulk('first-entry');
    if (first.length === 0) r.nil();
    else replyEntry(r, first[0]);
    r.bulk('last-entry');
    if (last.length === 0) r.nil();
    else replyEntry(r, last[0]);
    return;
  }
  r.bulk('entries');
  replyEntries(r, collect(s, ZERO_ID, MAX_ID, false, count));
  r.bulk('groups');
  replyFullGroups(r, s, count);
}

function infoGroups(ctx: CommandContext, s: Stream): void {
  const r = ctx.reply;
  const groups = sortedGroups(s);
  r.array(groups.length);
  for (const [name, g] of groups) {
    r.map(6);
    r.bulk('name');
    r.bulkKey(name);
    r.bulk('consumers');
    r.integer(g.consumers.size);
    r.bulk('pending');
    r.integer(g.pel.size);
    r.bulk('last-delivered-id');
    replyId(r, g.lastId);
    replyGroupCounters(r, s, g);
  }
}

function infoConsumers(ctx: CommandContext, key: string, groupName: string, s: Stream): void {
  const g = s.groups?.get(groupName);
  if (g === undefined) throw new CommandError(`NOGROUP No such consumer group '${groupName}' for key name '${key}'`);
  const r = ctx.reply;
  const now = ctx.server.now();
  const consumers = g.sortedConsumers();
  r.array(consumers.length);
  for (const c of consumers) {
    r.map(3);
    r.bulk('name');
    r.bulkKey(c.name);
    r.bulk('pending');
    r.integer(c.pel.size);
    r.bulk('idle');
    r.integer(Math.max(0, now - c.seenTime));
  }
}

function subcommandSyntax(sub: Buffer): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${sub.latin1Slice(0, Math.min(128, sub.length))}'. Try XINFO HELP.`);
}

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

/** Subcommand arities, as in Redis 7's table (`xinfo|stream` is -3, …). */
const XINFO_ARITY: Record<string, number> = { consumers: 4, groups: 3, stream: -3, help: 2 };

function xinfo(ctx: CommandContext, argv: Buffer[]): void {
  const sub = str(argv[1]).toLowerCase();
  const arity = Object.prototype.hasOwnProperty.call(XINFO_ARITY, sub) ? XINFO_ARITY[sub] : undefined;
  if (arity === undefined) throw new CommandError(unknownSubcommand(argv[1], 'XINFO'));
  if (arity > 0 ? argv.length !== arity : argv.length < -arity) throw new CommandError(`ERR wrong number of arguments for 'xinfo|${sub}' command`);
  if (sub === 'help') return helpReply(ctx, XINFO_HELP);
  const key = str(argv[2]);
  const s = readStream(ctx.db, key);
  if (s === undefined) throw new CommandError(NO_SUCH_KEY);
  if (sub === 'consumers') return infoConsumers(ctx, key, str(argv[3]), s);
  if (sub === 'groups') return infoGroups(ctx, s);
  infoStream(ctx, argv, s);
}

/** XINFO. */
export const streamInfoCommands: CommandDef[] = [def('xinfo', -2, CMD_READONLY, [2, 2, 1], 'stream', xinfo, 'A container for stream introspection commands')];

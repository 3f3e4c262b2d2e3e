/**
 * Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the shard channel family
 * SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH (a namespace of their own; their channels are keys, for
 * cluster routing), and PUBSUB. Confirmations and messages are pushes (RESP3 `>`, RESP2
 * arrays), delivered even under CLIENT REPLY OFF, as Redis does.
 *
 * @packageDocumentation
 */
import {
  ALLKEYS,
  CMD_FAST,
  CMD_LOADING,
  CMD_MAY_REPLICATE,
  CMD_NOSCRIPT,
  CMD_PUBSUB,
  CMD_STALE,
  CommandError,
  KEY1,
  NOKEYS,
  def,
  globMatch,
  keyOf,
  type CommandContext,
  type CommandDef,
} from '../command';
import { dispatchSub, helpReply } from './sub';

const SUBSCRIPTION = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE;
/** PUBLISH and SPUBLISH propagate (so CLIENT PAUSE WRITE holds them). */
const PUBLISHING = CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_MAY_REPLICATE;

/**
 * A master's publish reaches its replicas (not the AOF); a replica passes on only its master's
 * stream, so what it publishes itself stays local, as in Redis.
 */
function replicatePublish(ctx: CommandContext, argv: Buffer[]): void {
  if (!ctx.server.replication.isReplica) ctx.server.replication.replicate(ctx.client.db.index, argv);
}

/** The three kinds of subscription, as their confirmations name them and count. */
type Kind = 'channel' | 'pattern' | 'shard';

/** Subscriptions a confirmation counts: channels and patterns together, shard channels apart. */
function subscriptionCount(ctx: CommandContext, kind: Kind): number {
  const c = ctx.client;
  return kind === 'shard' ? c.shardChannels.size : c.channels.size + c.patterns.size;
}

function confirm(ctx: CommandContext, kind: Kind, verb: string, name: string | null): void {
  const r = ctx.client.pushReply;
  r.push(3);
  r.bulk(verb);
  if (name === null) r.nil();
  else r.bulkKey(name);
  r.integer(subscriptionCount(ctx, kind));
}

const VERBS: Record<Kind, readonly [subscribe: string, unsubscribe: string]> = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
};

function subscribe(ctx: CommandContext, argv: Buffer[], kind: Kind): void {
  const c = ctx.client;
  // Inside EXEC (Redis's DENY_BLOCKING) a shard subscription is refused; SUBSCRIBE and
  // PSUBSCRIBE stay allowed there, for backward compatibility, as in Redis.
  if (kind === 'shard' && !c.canBlock) throw new CommandError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  for (let i = 1; i < argv.length; i++) {
    const name = keyOf(argv[i]);
    if (kind === 'shard') c.subscribeShard(name);
    else c.subscribe(name, kind === 'pattern');
    confirm(ctx, kind, VERBS[kind][0], name);
  }
}

function unsubscribe(ctx: CommandContext, argv: Buffer[], kind: Kind): void {
  const c = ctx.client;
  const verb = VERBS[kind][1];
  const own = kind === 'shard' ? c.shardChannels : kind === 'pattern' ? c.patterns : c.channels;
  const names = argv.length > 1 ? argv.slice(1).map(keyOf) : [...own];
  if (names.length === 0) {
    confirm(ctx, kind, verb, null);
    return;
  }
  for (const name of names) {
    if (kind === 'shard') c.unsubscribeShard(name);
    else c.unsubscribe(name, kind === 'pattern');
    confirm(ctx, kind, verb, name);
  }
}

/** PUBSUB CHANNELS / SHARDCHANNELS: the active names matching the optional pattern. */
function channelList(ctx: CommandContext, argv: Buffer[], names: IterableIterator<string>): void {
  if (argv.length > 3) {
    throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${keyOf(argv[1]).slice(0, 128)}'. Try PUBSUB HELP.`);
  }
  const pattern = argv.length > 2 ? keyOf(argv[2]) : null;
  const out = [...names].filter((ch) => pattern === null || globMatch(pattern, ch));
  ctx.reply.array(out.length);
  for (const ch of out) ctx.reply.bulkKey(ch);
}

/** PUBSUB NUMSUB / SHARDNUMSUB: a flat array even in RESP3, as Redis 7.0 replies. */
function countList(ctx: CommandContext, argv: Buffer[], count: (channel: string) => number): void {
  ctx.reply.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    ctx.reply.bulk(argv[i]);
    ctx.reply.integer(count(keyOf(argv[i])));
  }
}

const pubsub = dispatchSub('pubsub', {
  channels: { arity: -2, run: (ctx, argv) => channelList(ctx, argv, ctx.server.pubsub.channelNames()) },
  numsub: { arity: -2, run: (ctx, argv) => countList(ctx, argv, (ch) => ctx.server.pubsub.subscribers(ch)) },
  numpat: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.server.pubsub.patternCount) },
  shardchannels: { arity: -2, run: (ctx, argv) => channelList(ctx, argv, ctx.server.pubsub.shardChannelNames()) },
  shardnumsub: { arity: -2, run: (ctx, argv) => countList(ctx, argv, (ch) => ctx.server.pubsub.shardSubscribers(ch)) },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'CHANNELS [<pattern>]', 'NUMPAT', 'NUMSUB [<channel> ...]', 'SHARDCHANNELS [<pattern>]', 'SHARDNUMSUB [<shardchannel> ...]', 'HELP',
      ]),
  },
});

export const pubsubCommands: CommandDef[] = [
  def('subscribe', -2, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => subscribe(ctx, argv, 'channel')),
  def('psubscribe', -2, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => subscribe(ctx, argv, 'pattern')),
  def('ssubscribe', -2, SUBSCRIPTION, ALLKEYS, 'pubsub', (ctx, argv) => subscribe(ctx, argv, 'shard')),
  def('unsubscribe', -1, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => unsubscribe(ctx, argv, 'channel')),
  def('punsubscribe', -1, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => unsubscribe(ctx, argv, 'pattern')),
  def('sunsubscribe', -1, SUBSCRIPTION, ALLKEYS, 'pubsub', (ctx, argv) => unsubscribe(ctx, argv, 'shard')),
  def('publish', 3, PUBLISHING, NOKEYS, 'pubsub', (ctx, argv) => {
    ctx.reply.integer(ctx.server.pubsub.publish(keyOf(argv[1]), argv[2]));
    replicatePublish(ctx, argv);
  }),
  def('spublish', 3, PUBLISHING, KEY1, 'pubsub', (ctx, argv) => {
    ctx.reply.integer(ctx.server.pubsub.publishShard(keyOf(argv[1]), argv[2]));
    replicatePublish(ctx, argv);
  }),
  def('pubsub', -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, NOKEYS, 'pubsub', pubsub),
];

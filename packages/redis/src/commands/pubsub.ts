/**
 * Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB. Confirmations and
 * messages are pushes (RESP3 `>`, RESP2 arrays).
 *
 * @packageDocumentation
 */
import { CMD_FAST, CMD_LOADING, CMD_NOSCRIPT, CMD_PUBSUB, CMD_STALE, NOKEYS, def, globMatch, keyOf, type CommandContext, type CommandDef } from '../command';
import { dispatchSub, helpReply } from './sub';

const SUBSCRIPTION = CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE;

function confirm(ctx: CommandContext, kind: string, name: string | null): void {
  const c = ctx.client;
  const r = ctx.reply;
  r.push(3);
  r.bulk(kind);
  if (name === null) r.nil();
  else r.bulkKey(name);
  r.integer(c.channels.size + c.patterns.size);
}

function subscribe(ctx: CommandContext, argv: Buffer[], pattern: boolean): void {
  for (let i = 1; i < argv.length; i++) {
    const name = keyOf(argv[i]);
    ctx.client.subscribe(name, pattern);
    confirm(ctx, pattern ? 'psubscribe' : 'subscribe', name);
  }
}

function unsubscribe(ctx: CommandContext, argv: Buffer[], pattern: boolean): void {
  const c = ctx.client;
  const kind = pattern ? 'punsubscribe' : 'unsubscribe';
  const names = argv.length > 1 ? argv.slice(1).map(keyOf) : [...(pattern ? c.patterns : c.channels)];
  if (names.length === 0) {
    confirm(ctx, kind, null);
    return;
  }
  for (const name of names) {
    c.unsubscribe(name, pattern);
    confirm(ctx, kind, name);
  }
}

const pubsub = dispatchSub('pubsub', {
  channels: {
    arity: -2,
    run: (ctx, argv) => {
      const pattern = argv.length > 2 ? keyOf(argv[2]) : null;
      const out = [...ctx.server.pubsub.channelNames()].filter((ch) => pattern === null || globMatch(pattern, ch));
      ctx.reply.array(out.length);
      for (const ch of out) ctx.reply.bulkKey(ch);
    },
  },
  numsub: {
    arity: -2,
    run: (ctx, argv) => {
      const pubsub = ctx.server.pubsub;
      // A flat array even in RESP3, as Redis 7.0 replies.
      ctx.reply.array((argv.length - 2) * 2);
      for (let i = 2; i < argv.length; i++) {
        ctx.reply.bulk(argv[i]);
        ctx.reply.integer(pubsub.subscribers(keyOf(argv[i])));
      }
    },
  },
  numpat: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.server.pubsub.patternCount) },
  shardchannels: { arity: -2, run: (ctx) => ctx.reply.array(0) },
  shardnumsub: {
    arity: -2,
    run: (ctx, argv) => {
      ctx.reply.array((argv.length - 2) * 2);
      for (let i = 2; i < argv.length; i++) {
        ctx.reply.bulk(argv[i]);
        ctx.reply.integer(0);
      }
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'CHANNELS [<pattern>]', 'NUMPAT', 'NUMSUB [<channel> ...]', 'HELP',
      ]),
  },
});

export const pubsubCommands: CommandDef[] = [
  def('subscribe', -2, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => subscribe(ctx, argv, false)),
  def('psubscribe', -2, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => subscribe(ctx, argv, true)),
  def('unsubscribe', -1, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => unsubscribe(ctx, argv, false)),
  def('punsubscribe', -1, SUBSCRIPTION, NOKEYS, 'pubsub', (ctx, argv) => unsubscribe(ctx, argv, true)),
  def('publish', 3, CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'pubsub', (ctx, argv) => {
    ctx.reply.integer(ctx.server.pubsub.publish(keyOf(argv[1]), argv[2]));
  }),
  def('pubsub', -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, NOKEYS, 'pubsub', pubsub),
];

/**
 * Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, PUBSUB. Confirmations and
 * messages are pushes (RESP3 `>`, RESP2 arrays).
 *
 * @packageDocumentation
 */
import type { CommandContext, CommandDef } from '../command';
import { globMatch } from '../glob';
import { keyOf } from '../keyspace';
import { NOKEYS, cli, def, srv } from './def';
import { dispatchSub, helpReply } from './sub';

function confirm(ctx: CommandContext, kind: string, name: string | null): void {
  const c = cli(ctx);
  const r = ctx.reply;
  r.push(3);
  r.bulk(kind);
  if (name === null) r.nil();
  else r.bulkKey(name);
  r.integer(c.channels.size + c.patterns.size);
}

function subscribe(ctx: CommandContext, argv: Buffer[], pattern: boolean): void {
  const server = srv(ctx);
  for (let i = 1; i < argv.length; i++) {
    const name = keyOf(argv[i]);
    server.subscribe(cli(ctx), name, pattern);
    confirm(ctx, pattern ? 'psubscribe' : 'subscribe', name);
  }
}

function unsubscribe(ctx: CommandContext, argv: Buffer[], pattern: boolean): void {
  const server = srv(ctx);
  const c = cli(ctx);
  const kind = pattern ? 'punsubscribe' : 'unsubscribe';
  const names = argv.length > 1 ? argv.slice(1).map(keyOf) : [...(pattern ? c.patterns : c.channels)];
  if (names.length === 0) {
    confirm(ctx, kind, null);
    return;
  }
  for (const name of names) {
    server.unsubscribe(c, name, pattern);
    confirm(ctx, kind, name);
  }
}

const pubsub = dispatchSub('pubsub', {
  channels: {
    arity: -2,
    run: (ctx, argv) => {
      const pattern = argv.length > 2 ? keyOf(argv[2]) : null;
      const out = [...srv(ctx).channels.keys()].filter((ch) => pattern === null || globMatch(pattern, ch));
      ctx.reply.array(out.length);
      for (const ch of out) ctx.reply.bulkKey(ch);
    },
  },
  numsub: {
    arity: -2,
    run: (ctx, argv) => {
      const server = srv(ctx);
      // A flat array even in RESP3, as Redis 7.0 replies.
      ctx.reply.array((argv.length - 2) * 2);
      for (let i = 2; i < argv.length; i++) {
        ctx.reply.bulk(argv[i]);
        ctx.reply.integer(server.channels.get(keyOf(argv[i]))?.size ?? 0);
      }
    },
  },
  numpat: { arity: 2, run: (ctx) => ctx.reply.integer(srv(ctx).patterns.size) },
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
  def('subscribe', -2, 'pubsub noscript loading stale', NOKEYS, (ctx, argv) => subscribe(ctx, argv, false), 'pubsub'),
  def('psubscribe', -2, 'pubsub noscript loading stale', NOKEYS, (ctx, argv) => subscribe(ctx, argv, true), 'pubsub'),
  def('unsubscribe', -1, 'pubsub noscript loading stale', NOKEYS, (ctx, argv) => unsubscribe(ctx, argv, false), 'pubsub'),
  def('punsubscribe', -1, 'pubsub noscript loading stale', NOKEYS, (ctx, argv) => unsubscribe(ctx, argv, true), 'pubsub'),
  def('publish', 3, 'pubsub loading stale fast', NOKEYS, (ctx, argv) => {
    ctx.reply.integer(srv(ctx).publish(keyOf(argv[1]), argv[2]));
  }, 'pubsub'),
  def('pubsub', -2, 'pubsub loading stale', NOKEYS, pubsub, 'pubsub'),
];

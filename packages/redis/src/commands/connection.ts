/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT (`client.ts`),
 * MONITOR.
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_ALLOW_BUSY, CMD_FAST, CMD_LOADING, CMD_NOSCRIPT, CMD_NO_AUTH, CMD_STALE, NOKEYS, def, type CommandDef } from '../command';
import { CLIENT_MONITOR, CommandError, SYNTAX, argInt, argIs, parseInt64 } from '../command';
import type { CommandContext } from '../command';
import { BAD_NAME, clientCommand, validName } from './client';

export const REDIS_VERSION = '7.0.15';

/** QUIT, HELLO, AUTH, RESET: before authentication, while loading, while a script is busy (Redis's flags). */
const SESSION = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY;

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function hello(ctx: CommandContext, argv: Buffer[]): void {
  const c = ctx.client;
  let ver = 0;
  if (argv.length >= 2) {
    const v = parseInt64(argv[1]);
    if (v === undefined) throw new CommandError('ERR Protocol version is not an integer or out of range');
    if (v < 2 || v > 3) throw new CommandError('NOPROTO unsupported protocol version');
    ver = v;
  }
  let auth: [Buffer, Buffer] | null = null;
  let name: Buffer | null = null;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (argIs(argv[j], 'auth') && more >= 2) {
      auth = [argv[j + 1], argv[j + 2]];
      j += 2;
    } else if (argIs(argv[j], 'setname') && more >= 1) {
      name = argv[++j];
      if (!validName(name)) throw new CommandError(BAD_NAME);
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${argv[j].latin1Slice(0, argv[j].length)}'`);
    }
  }
  if (auth !== null && !c.login(auth[0].latin1Slice(0, auth[0].length), auth[1])) throw new CommandError(WRONGPASS);
  if (!c.authenticated) {
    throw new CommandError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) c.setName(name.toString());
  if (ver !== 0) c.setProtocol(ver as 2 | 3);
  const r = ctx.reply;
  r.map(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(r.proto);
  r.bulk('id');
  r.integer(c.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk(ctx.server.replication.isReplica ? 'replica' : 'master');
  r.bulk('modules');
  r.array(0);
}

export const connectionCommands: CommandDef[] = [
  def('ping', -1, CMD_FAST, NOKEYS, 'connection', (ctx, argv) => {
    if (argv.length > 2) throw new CommandError("ERR wrong number of arguments for 'ping' command");
    const r = ctx.reply;
    if (r.proto === 2 && ctx.client.subscribed) {
      r.array(2);
      r.bulk('pong');
      r.bulk(argv.length === 2 ? argv[1] : '');
    } else if (argv.length === 2) r.bulk(argv[1]);
    else r.simple('PONG');
  }),
  def('echo', 2, CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'connection', (ctx, argv) => ctx.reply.bulk(argv[1])),
  def('quit', -1, SESSION, NOKEYS, 'connection', (ctx) => {
    ctx.reply.ok();
    ctx.client.closeAfterReply();
  }),
  def('select', 2, CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'connection', (ctx, argv) => {
    const id = argInt(argv[1]);
    if (id < 0 || id >= ctx.server.dbs.length) throw new CommandError('ERR DB index is out of range');
    ctx.client.select(id);
    ctx.reply.ok();
  }),
  def('hello', -1, SESSION, NOKEYS, 'connection', hello),
  def('auth', -2, SESSION, NOKEYS, 'connection', (ctx, argv) => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    if (argv.length === 2 && ctx.server.acl.defaultNoPass) {
      throw new CommandError(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    const user = argv.length === 3 ? argv[1].latin1Slice(0, argv[1].length) : 'default';
    if (!ctx.client.login(user, argv[argv.length - 1])) throw new CommandError(WRONGPASS);
    ctx.reply.ok();
  }),
  def('reset', 1, SESSION, NOKEYS, 'connection', (ctx) => {
    const c = ctx.client;
    c.stopMonitor();
    c.disableTracking();
    c.setReplyMode('on');
    c.discardMulti();
    for (const ch of [...c.channels]) c.unsubscribe(ch, false);
    for (const p of [...c.patterns]) c.unsubscribe(p, true);
    for (const ch of [...c.shardChannels]) c.unsubscribeShard(ch);
    c.select(0);
    c.setName('');
    c.setProtocol(2);
    c.deauthenticate();
    ctx.reply.simple('RESET');
  }),
  def('client', -2, CMD_LOADING | CMD_STALE, NOKEYS, 'connection', clientCommand),
  def('monitor', 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, NOKEYS, 'server', (ctx) => {
    const c = ctx.client;
    // Inside EXEC a reply per command is expected: MONITOR cannot take the connection over.
    if (!c.canBlock) throw new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client");
    if ((c.flags & CLIENT_MONITOR) !== 0) return;
    c.startMonitor();
    ctx.reply.ok();
  }),
];

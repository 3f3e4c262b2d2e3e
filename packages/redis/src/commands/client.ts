/**
 * CLIENT: the connection's own settings (ID, NAME, REPLY, NO-EVICT, client-side caching), the
 * view of every client (LIST, INFO, KILL, UNBLOCK) and CLIENT PAUSE, with Redis 7.0's replies
 * and error texts. TRACKING's option parsing lives in `client-tracking.ts`.
 *
 * @packageDocumentation
 */
import {
  CLIENT_BLOCKED,
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_DIRTY_CAS,
  CLIENT_MASTER,
  CLIENT_MONITOR,
  CLIENT_MULTI,
  CLIENT_NO_EVICT,
  CLIENT_PUBSUB,
  CLIENT_SLAVE,
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_BROKEN_REDIR,
  CLIENT_UNIX_SOCKET,
  CommandError,
  INT64_MAX_NUMBER,
  NOT_INTEGER,
  SYNTAX,
  addressString,
  argInt,
  argIs,
  keyOf,
  parseInt64,
  type ClientView,
  type CommandContext,
  type PauseKind,
} from '../command';
import { caching, getRedirect, tracking, trackingInfo } from './client-tracking';
import { dispatchSub, helpReply } from './sub';

/** `CLIENT SETNAME`'s rule: printable ASCII without spaces (the empty name removes it). */
export function validName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

/** Redis's text for a name that breaks the rule. */
export const BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

/** CLIENT LIST's `flags=` letters, in Redis's order (`N` when none). */
const CLIENT_FLAG_LETTERS: readonly (readonly [bit: number, letter: string])[] = [
  [CLIENT_MONITOR, 'O'],
  [CLIENT_SLAVE, 'S'],
  [CLIENT_MASTER, 'M'],
  [CLIENT_PUBSUB, 'P'],
  [CLIENT_MULTI, 'x'],
  [CLIENT_BLOCKED, 'b'],
  [CLIENT_TRACKING, 't'],
  [CLIENT_TRACKING_BROKEN_REDIR, 'R'],
  [CLIENT_TRACKING_BCAST, 'B'],
  [CLIENT_DIRTY_CAS, 'd'],
  [CLIENT_CLOSE_AFTER_REPLY, 'c'],
  [CLIENT_UNIX_SOCKET, 'U'],
  [CLIENT_NO_EVICT, 'e'],
];

function clientFlags(c: ClientView, extra: number): string {
  const flags = c.flags | extra;
  let f = '';
  for (const [bit, letter] of CLIENT_FLAG_LETTERS) if ((flags & bit) !== 0) f += letter;
  return f === '' ? 'N' : f;
}

/** Redis's client types (CLIENT LIST/KILL TYPE); monitors count as normal clients, as in Redis. */
type ClientType = 'normal' | 'pubsub' | 'master' | 'slave';

function clientType(c: ClientView): ClientType {
  if ((c.flags & CLIENT_MASTER) !== 0) return 'master';
  if ((c.flags & CLIENT_SLAVE) !== 0) return 'slave';
  return c.subscribed ? 'pubsub' : 'normal';
}

/** A TYPE argument; `replica` is `slave`. */
function parseClientType(arg: Buffer): ClientType {
  const t = keyOf(arg).toLowerCase();
  if (t === 'normal' || t === 'pubsub' || t === 'master' || t === 'slave') return t;
  if (t === 'replica') return 'slave';
  throw new CommandError(`ERR Unknown client type '${keyOf(arg)}'`);
}

function clientAddr(c: ClientView, local: boolean): string {
  if (c.conn === null) return c.linkAddr === null ? '' : local ? c.linkAddr.local : c.linkAddr.remote;
  return addressString(local ? c.conn.localAddr : c.conn.remoteAddr);
}

/**
 * One CLIENT LIST line, with Redis 7.0's fields in its order (ACL LOG's client-info too).
 * `execQueued` >= 0: the client runs EXEC of that many commands, and shows as still in MULTI
 * (Redis leaves the MULTI state after the queue).
 */
export function clientInfoLine(c: ClientView, now: number, execQueued = -1): string {
  const qbuf = c.conn === null ? 0 : c.conn.inboundBuffered;
  const obl = c.conn === null ? 0 : c.conn.outboundBuffered;
  const redirect = (c.flags & CLIENT_TRACKING) !== 0 ? c.trackingRedirect : -1;
  return (
    `id=${c.id} addr=${clientAddr(c, false)} laddr=${clientAddr(c, true)} fd=${c.conn === null ? -1 : c.conn.fd} name=${c.name} ` +
    `age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} ` +
    `flags=${clientFlags(c, execQueued >= 0 ? CLIENT_MULTI : 0)} db=${c.db.index} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} ` +
    `multi=${execQueued >= 0 ? execQueued : c.queued} qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=${c.replyBufferSize} rbp=${c.replyBufferPeak} obl=${obl} oll=0 omem=${obl} tot-mem=0 ` +
    `events=r cmd=${c.lastCommand} user=${c.user.name} redir=${redirect} resp=${c.protocol}`
  );
}

/** Redis's reply to a subcommand called with arguments its handler does not take. */
function subcommandSyntax(argv: Buffer[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${keyOf(argv[1]).slice(0, 128)}'. Try CLIENT HELP.`);
}

function list(ctx: CommandContext, argv: Buffer[]): void {
  const now = ctx.server.now();
  let lines = '';
  if (argv.length === 4 && argIs(argv[2], 'type')) {
    const type = parseClientType(argv[3]);
    for (const c of ctx.server.clients.values()) if (clientType(c) === type) lines += `${clientInfoLine(c, now)}\n`;
  } else if (argv.length > 3 && argIs(argv[2], 'id')) {
    // In the order asked (a repeated id is listed again), as Redis does.
    for (let i = 3; i < argv.length; i++) {
      const id = argInt(argv[i], 'ERR Invalid client ID');
      const c = ctx.server.clients.get(id);
      if (c !== undefined) lines += `${clientInfoLine(c, now)}\n`;
    }
  } else if (argv.length !== 2) {
    throw new CommandError(SYNTAX);
  } else {
    for (const c of ctx.server.clients.values()) lines += `${clientInfoLine(c, now)}\n`;
  }
  ctx.reply.verbatim(lines);
}

/** What CLIENT KILL's filters ask for; an absent filter matches every client. */
interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  type?: ClientType;
  user?: string;
  skipMe: boolean;
}

function parseKillFilter(ctx: CommandContext, argv: Buffer[]): KillFilter {
  const f: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) throw new CommandError(SYNTAX);
    const opt = argv[i];
    const v = argv[i + 1];
    if (argIs(opt, 'id')) {
      const id = parseInt64(v);
      if (id === undefined || id < 1 || id > INT64_MAX_NUMBER) throw new CommandError('ERR client-id should be greater than 0');
      f.id = id;
    } else if (argIs(opt, 'type')) f.type = parseClientType(v);
    else if (argIs(opt, 'addr')) f.addr = keyOf(v);
    else if (argIs(opt, 'laddr')) f.laddr = keyOf(v);
    else if (argIs(opt, 'user')) {
      const name = keyOf(v);
      if (ctx.server.acl.userInfo(name) === undefined) throw new CommandError(`ERR No such user '${name}'`);
      f.user = name;
    } else if (argIs(opt, 'skipme')) {
      if (argIs(v, 'yes')) f.skipMe = true;
      else if (argIs(v, 'no')) f.skipMe = false;
      else throw new CommandError(SYNTAX);
    } else throw new CommandError(SYNTAX);
  }
  return f;
}

function kill(ctx: CommandContext, argv: Buffer[]): void {
  // The old form, CLIENT KILL addr, may kill the caller itself and answers OK or an error.
  const oldForm = argv.length === 3;
  const f: KillFilter = oldForm ? { addr: keyOf(argv[2]), skipMe: false } : parseKillFilter(ctx, argv);
  const me = ctx.client;
  let killed = 0;
  let killMe = false;
  for (const c of [...ctx.server.clients.values()]) {
    if (f.addr !== undefined && clientAddr(c, false) !== f.addr) continue;
    if (f.laddr !== undefined && clientAddr(c, true) !== f.laddr) continue;
    if (f.type !== undefined && clientType(c) !== f.type) continue;
    if (f.user !== undefined && c.user.name !== f.user) continue;
    if (f.id !== undefined && c.id !== f.id) continue;
    if (c === me && f.skipMe) continue;
    if (c === me) killMe = true;
    else c.kill();
    killed++;
  }
  if (oldForm) {
    if (killed === 0) throw new CommandError('ERR No such client');
    ctx.reply.ok();
  } else ctx.reply.integer(killed);
  // Only once the reply is queued, as Redis's CLIENT_CLOSE_AFTER_REPLY.
  if (killMe) me.closeAfterReply();
}

function pause(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 4) throw subcommandSyntax(argv);
  let kind: PauseKind = 'all';
  if (argv.length === 4) {
    if (argIs(argv[3], 'write')) kind = 'write';
    else if (!argIs(argv[3], 'all')) throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const ms = argInt(argv[2], 'ERR timeout is not an integer or out of range');
  if (ms < 0) throw new CommandError('ERR timeout is negative');
  const now = ctx.server.now();
  // Redis 7.0 adds the time without an overflow check: a huge timeout wraps into the past, so
  // the pause is over at once.
  ctx.server.pauseClients(ms > INT64_MAX_NUMBER - now ? now - 1 : now + ms, kind);
  ctx.reply.ok();
}

function unblock(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 4) throw subcommandSyntax(argv);
  let withError = false;
  if (argv.length === 4) {
    if (argIs(argv[3], 'error')) withError = true;
    else if (!argIs(argv[3], 'timeout')) throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = argInt(argv[2], NOT_INTEGER);
  ctx.reply.integer(ctx.server.unblockClient(id, withError) ? 1 : 0);
}

function onOff(arg: Buffer): boolean {
  if (argIs(arg, 'on')) return true;
  if (argIs(arg, 'off')) return false;
  throw new CommandError(SYNTAX);
}

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Print this help.',
];

/** The CLIENT container command. */
export const clientCommand = dispatchSub('client', {
  id: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.client.id) },
  getname: {
    arity: 2,
    run: (ctx) => (ctx.client.name === '' ? ctx.reply.nil() : ctx.reply.bulk(ctx.client.name)),
  },
  setname: {
    arity: 3,
    run: (ctx, argv) => {
      if (!validName(argv[2])) throw new CommandError(BAD_NAME);
      ctx.client.setName(argv[2].toString());
      ctx.reply.ok();
    },
  },
  setinfo: {
    arity: 4,
    run: (ctx, argv) => {
      if (!argIs(argv[2], 'lib-name') && !argIs(argv[2], 'lib-ver')) {
        throw new CommandError(`ERR Unrecognized option '${argv[2].toString()}'`);
      }
      ctx.reply.ok();
    },
  },
  info: { arity: 2, run: (ctx) => ctx.reply.verbatim(`${clientInfoLine(ctx.client, ctx.server.now())}\n`) },
  list: { arity: -2, run: list },
  kill: { arity: -3, run: kill },
  reply: {
    arity: 3,
    run: (ctx, argv) => {
      const v = argv[2];
      if (argIs(v, 'on')) {
        ctx.client.setReplyMode('on');
        ctx.reply.ok();
      } else if (argIs(v, 'off')) ctx.client.setReplyMode('off');
      else if (argIs(v, 'skip')) ctx.client.setReplyMode('skip');
      else throw new CommandError(SYNTAX);
    },
  },
  'no-evict': {
    arity: 3,
    run: (ctx, argv) => {
      ctx.client.setNoEvict(onOff(argv[2]));
      ctx.reply.ok();
    },
  },
  'no-touch': {
    arity: 3,
    run: (ctx, argv) => {
      onOff(argv[2]);
      ctx.reply.ok();
    },
  },
  pause: { arity: -3, run: pause },
  unpause: {
    arity: 2,
    run: (ctx) => {
      ctx.server.unpauseClients();
      ctx.reply.ok();
    },
  },
  unblock: { arity: -3, run: unblock },
  tracking: { arity: -3, run: tracking },
  caching: { arity: 3, run: caching },
  getredir: { arity: 2, run: getRedirect },
  trackinginfo: { arity: 2, run: trackingInfo },
  help: { arity: 2, run: (ctx) => helpReply(ctx, HELP) },
});

/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT.
 *
 * @packageDocumentation
 */
import { CMD_FAST, CMD_LOADING, CMD_NO_AUTH, CMD_STALE, NOKEYS, def, type CommandDef } from '../command';
import { CLIENT_BLOCKED, CLIENT_DIRTY_CAS, CLIENT_MULTI, CLIENT_PUBSUB, CommandError, SYNTAX, argInt, argIs, parseInt64 } from '../command';
import type { ClientView, CommandContext } from '../command';
import { dispatchSub, helpReply } from './sub';

export const REDIS_VERSION = '7.0.15';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function checkPassword(ctx: CommandContext, user: Buffer, pass: Buffer): boolean {
  if (!argIs(user, 'default')) return false;
  const required = ctx.server.config.requirepass;
  return required === '' || pass.toString() === required;
}

/** `CLIENT SETNAME`'s rule: printable ASCII without spaces. */
function validName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

/** CLIENT LIST's `flags=` letters, in Redis's order. */
const CLIENT_FLAG_LETTERS: readonly (readonly [bit: number, letter: string])[] = [
  [CLIENT_PUBSUB, 'P'],
  [CLIENT_MULTI, 'x'],
  [CLIENT_BLOCKED, 'b'],
  [CLIENT_DIRTY_CAS, 'd'],
];

function clientFlags(c: ClientView): string {
  const flags = c.flags;
  let f = '';
  for (const [bit, letter] of CLIENT_FLAG_LETTERS) if ((flags & bit) !== 0) f += letter;
  return f === '' ? 'N' : f;
}

/** One CLIENT LIST line, with Redis 7.0's fields. */
function clientInfoLine(c: ClientView, now: number): string {
  const addr = c.conn === null ? '' : `${c.conn.remoteAddr.address}:${c.conn.remoteAddr.port}`;
  const laddr = c.conn === null ? '' : `${c.conn.localAddr.address}:${c.conn.localAddr.port}`;
  const qbuf = c.conn === null ? 0 : c.conn.inboundBuffered;
  const obl = c.conn === null ? 0 : c.conn.outboundBuffered;
  return (
    `id=${c.id} addr=${addr} laddr=${laddr} fd=-1 name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${clientFlags(c)} db=${c.db.index} ` +
    `sub=${c.channels.size} psub=${c.patterns.size} ssub=0 multi=${c.queued} ` +
    `qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=${obl} oll=0 omem=${obl} tot-mem=0 ` +
    `events=r cmd=${c.lastCommand} user=default redir=-1 resp=${c.protocol}`
  );
}

function clientAddr(c: ClientView, local: boolean): string {
  if (c.conn === null) return '';
  const a = local ? c.conn.localAddr : c.conn.remoteAddr;
  return a.network === 'unix' ? `${a.address}:0` : `${a.address}:${a.port}`;
}

function kill(ctx: CommandContext, target: ClientView): void {
  if (target === ctx.client) ctx.client.closeAfterReply();
  else target.kill();
}

const client = dispatchSub('client', {
  id: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.client.id) },
  getname: {
    arity: 2,
    run: (ctx) => (ctx.client.name === '' ? ctx.reply.nil() : ctx.reply.bulk(ctx.client.name)),
  },
  setname: {
    arity: 3,
    run: (ctx, argv) => {
      if (!validName(argv[2])) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
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
  list: {
    arity: -2,
    run: (ctx, argv) => {
      let clients = [...ctx.server.clients.values()];
      for (let i = 2; i < argv.length; i++) {
        if (argIs(argv[i], 'type') && i + 1 < argv.length) {
          const t = argv[++i].toString().toLowerCase();
          if (t === 'pubsub') clients = clients.filter((c) => c.subscribed);
          else if (t === 'normal') clients = clients.filter((c) => !c.subscribed);
          else if (t === 'master' || t === 'replica' || t === 'slave') clients = [];
          else throw new CommandError(`ERR Unknown client type '${t}'`);
        } else if (argIs(argv[i], 'id') && i + 1 < argv.length) {
          const ids = new Set<number>();
          for (i++; i < argv.length; i++) {
            const id = parseInt64(argv[i]);
            if (id === undefined || id <= 0) throw new CommandError('ERR Invalid client ID');
            ids.add(id);
          }
          clients = clients.filter((c) => ids.has(c.id));
        } else {
          throw new CommandError(SYNTAX);
        }
      }
      const now = ctx.server.now();
      ctx.reply.verbatim(clients.map((c) => `${clientInfoLine(c, now)}\n`).join(''));
    },
  },
  kill: {
    arity: -3,
    run: (ctx, argv) => {
      const clients = ctx.server.clients;
      if (argv.length === 3) {
        const addr = argv[2].toString();
        const target = [...clients.values()].find((c) => clientAddr(c, false) === addr);
        if (target === undefined) throw new CommandError('ERR No such client');
        kill(ctx, target);
        ctx.reply.ok();
        return;
      }
      if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
      let id: number | undefined;
      let addr: string | undefined;
      let laddr: string | undefined;
      let type: string | undefined;
      let skipme = true;
      for (let i = 2; i < argv.length; i += 2) {
        const v = argv[i + 1];
        if (argIs(argv[i], 'id')) {
          id = parseInt64(v);
          if (id === undefined || id <= 0) throw new CommandError('ERR client-id should be greater than 0');
        } else if (argIs(argv[i], 'addr')) addr = v.toString();
        else if (argIs(argv[i], 'laddr')) laddr = v.toString();
        else if (argIs(argv[i], 'type')) type = v.toString().toLowerCase();
        else if (argIs(argv[i], 'user')) {
          if (!argIs(v, 'default')) throw new CommandError(`ERR No such user '${v.toString()}'`);
        } else if (argIs(argv[i], 'skipme')) {
          if (argIs(v, 'yes')) skipme = true;
          else if (argIs(v, 'no')) skipme = false;
          else throw new CommandError(SYNTAX);
        } else throw new CommandError(SYNTAX);
      }
      let n = 0;
      for (const c of [...clients.values()]) {
        if (id !== undefined && c.id !== id) continue;
        if (addr !== undefined && clientAddr(c, false) !== addr) continue;
        if (laddr !== undefined && clientAddr(c, true) !== laddr) continue;
        if (type === 'pubsub' && !c.subscribed) continue;
        if (type === 'normal' && c.subscribed) continue;
        if (skipme && c === ctx.client) continue;
        kill(ctx, c);
        n++;
      }
      ctx.reply.integer(n);
    },
  },
  'no-evict': { arity: 3, run: (ctx) => ctx.reply.ok() },
  'no-touch': { arity: 3, run: (ctx) => ctx.reply.ok() },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'ID', 'GETNAME', 'SETNAME <name>', 'SETINFO <option> <value>', 'INFO',
        'LIST [TYPE (NORMAL|PUBSUB)] [ID <id> [<id> ...]]',
        'KILL <ip:port> | KILL <option> <value> [<option> <value> [...]]',
        'HELP',
      ]),
  },
});

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
      if (!validName(name)) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${argv[j].latin1Slice(0, argv[j].length)}'`);
    }
  }
  if (auth !== null) {
    if (!checkPassword(ctx, auth[0], auth[1])) throw new CommandError(WRONGPASS);
    c.authenticate();
  }
  if (!c.authenticated) {
    throw new CommandError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
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
  r.bulk('master');
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
  def('echo', 2, CMD_FAST, NOKEYS, 'connection', (ctx, argv) => ctx.reply.bulk(argv[1])),
  def('quit', -1, CMD_NO_AUTH | CMD_FAST, NOKEYS, 'connection', (ctx) => {
    ctx.reply.ok();
    ctx.client.closeAfterReply();
  }),
  def('select', 2, CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'connection', (ctx, argv) => {
    const id = argInt(argv[1]);
    if (id < 0 || id >= ctx.server.dbs.length) throw new CommandError('ERR DB index is out of range');
    ctx.client.select(id);
    ctx.reply.ok();
  }),
  def('hello', -1, CMD_NO_AUTH | CMD_FAST, NOKEYS, 'connection', hello),
  def('auth', -2, CMD_NO_AUTH | CMD_FAST, NOKEYS, 'connection', (ctx, argv) => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    if (argv.length === 2 && ctx.server.config.requirepass === '') {
      throw new CommandError(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    const user = argv.length === 3 ? argv[1] : Buffer.from('default');
    if (!checkPassword(ctx, user, argv[argv.length - 1])) throw new CommandError(WRONGPASS);
    ctx.client.authenticate();
    ctx.reply.ok();
  }),
  def('reset', 1, CMD_NO_AUTH | CMD_FAST, NOKEYS, 'connection', (ctx) => {
    const c = ctx.client;
    c.discardMulti();
    for (const ch of [...c.channels]) c.unsubscribe(ch, false);
    for (const p of [...c.patterns]) c.unsubscribe(p, true);
    c.select(0);
    c.setName('');
    c.setProtocol(2);
    c.deauthenticate();
    ctx.reply.simple('RESET');
  }),
  def('client', -2, CMD_LOADING | CMD_STALE, NOKEYS, 'connection', client),
];

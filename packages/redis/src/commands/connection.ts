/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT.
 *
 * @packageDocumentation
 */
import type { CommandContext, CommandDef } from '../command';
import { argInt, argIs, parseInt64 } from '../command';
import type { Client } from '../client';
import { CommandError, SYNTAX } from '../errors';
import { NOKEYS, cli, def, srv } from './def';
import { dispatchSub, helpReply } from './sub';

export const REDIS_VERSION = '7.0.15';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function checkPassword(ctx: CommandContext, user: Buffer, pass: Buffer): boolean {
  const server = srv(ctx);
  if (!argIs(user, 'default')) return false;
  const required = server.config.requirepass;
  return required === '' || pass.toString() === required;
}

function authenticate(c: Client): void {
  c.authenticated = true;
  c.parser.authRequired = false;
}

/** `CLIENT SETNAME`'s rule: printable ASCII without spaces. */
function validName(name: Buffer): boolean {
  for (const b of name) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

function clientFlags(c: Client): string {
  let f = '';
  if (c.subscribed) f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.blocked !== null) f += 'b';
  if (c.dirtyCas) f += 'd';
  return f === '' ? 'N' : f;
}

/** One CLIENT LIST line, with Redis 7.0's fields. */
export function clientInfoLine(c: Client): string {
  const server = c.server;
  const now = server.now();
  const addr = c.conn === null ? '' : `${c.conn.remoteAddr.address}:${c.conn.remoteAddr.port}`;
  const laddr = c.conn === null ? '' : `${c.conn.localAddr.address}:${c.conn.localAddr.port}`;
  const qbuf = c.conn === null ? 0 : c.conn.inboundBuffered;
  const obl = c.conn === null ? 0 : c.conn.outboundBuffered;
  return (
    `id=${c.id} addr=${addr} laddr=${laddr} fd=-1 name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${clientFlags(c)} db=${c.db.index} ` +
    `sub=${c.channels.size} psub=${c.patterns.size} ssub=0 multi=${c.multi === null ? -1 : c.multi.length} ` +
    `qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=${obl} oll=0 omem=${obl} tot-mem=0 ` +
    `events=r cmd=${c.lastCommand} user=default redir=-1 resp=${c.reply.proto}`
  );
}

function clientAddr(c: Client, local: boolean): string {
  if (c.conn === null) return '';
  const a = local ? c.conn.localAddr : c.conn.remoteAddr;
  return a.network === 'unix' ? `${a.address}:0` : `${a.address}:${a.port}`;
}

function kill(ctx: CommandContext, target: Client): void {
  const server = srv(ctx);
  if (target === cli(ctx)) {
    target.closing = true;
    return;
  }
  server.freeClient(target);
  target.closing = true;
  target.conn?.close();
}

const client = dispatchSub('client', {
  id: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.client.id) },
  getname: {
    arity: 2,
    run: (ctx) => (cli(ctx).name === '' ? ctx.reply.nil() : ctx.reply.bulk(cli(ctx).name)),
  },
  setname: {
    arity: 3,
    run: (ctx, argv) => {
      if (!validName(argv[2])) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
      cli(ctx).name = argv[2].toString();
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
  info: { arity: 2, run: (ctx) => ctx.reply.verbatim(`${clientInfoLine(cli(ctx))}\n`) },
  list: {
    arity: -2,
    run: (ctx, argv) => {
      const server = srv(ctx);
      let clients = [...server.clients.values()];
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
      ctx.reply.verbatim(clients.map((c) => `${clientInfoLine(c)}\n`).join(''));
    },
  },
  kill: {
    arity: -3,
    run: (ctx, argv) => {
      const server = srv(ctx);
      if (argv.length === 3) {
        const addr = argv[2].toString();
        const target = [...server.clients.values()].find((c) => clientAddr(c, false) === addr);
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
      for (const c of [...server.clients.values()]) {
        if (id !== undefined && c.id !== id) continue;
        if (addr !== undefined && clientAddr(c, false) !== addr) continue;
        if (laddr !== undefined && clientAddr(c, true) !== laddr) continue;
        if (type === 'pubsub' && !c.subscribed) continue;
        if (type === 'normal' && c.subscribed) continue;
        if (skipme && c === cli(ctx)) continue;
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
  const c = cli(ctx);
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
    authenticate(c);
  }
  if (!c.authenticated) {
    throw new CommandError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) c.name = name.toString();
  if (ver !== 0) c.reply.proto = ver as 2 | 3;
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
  def('ping', -1, 'fast', NOKEYS, (ctx, argv) => {
    if (argv.length > 2) throw new CommandError("ERR wrong number of arguments for 'ping' command");
    const r = ctx.reply;
    if (r.proto === 2 && cli(ctx).subscribed) {
      r.array(2);
      r.bulk('pong');
      r.bulk(argv.length === 2 ? argv[1] : '');
    } else if (argv.length === 2) r.bulk(argv[1]);
    else r.simple('PONG');
  }, 'connection'),
  def('echo', 2, 'fast', NOKEYS, (ctx, argv) => ctx.reply.bulk(argv[1]), 'connection'),
  def('quit', -1, 'no_auth fast', NOKEYS, (ctx) => {
    ctx.reply.ok();
    cli(ctx).closing = true;
  }, 'connection'),
  def('select', 2, 'loading stale fast', NOKEYS, (ctx, argv) => {
    const id = argInt(argv[1]);
    const server = srv(ctx);
    if (id < 0 || id >= server.dbs.length) throw new CommandError('ERR DB index is out of range');
    cli(ctx).db = server.dbs[id];
    ctx.reply.ok();
  }, 'connection'),
  def('hello', -1, 'no_auth fast', NOKEYS, hello, 'connection'),
  def('auth', -2, 'no_auth fast', NOKEYS, (ctx, argv) => {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    const server = srv(ctx);
    if (argv.length === 2 && server.config.requirepass === '') {
      throw new CommandError(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    const user = argv.length === 3 ? argv[1] : Buffer.from('default');
    if (!checkPassword(ctx, user, argv[argv.length - 1])) throw new CommandError(WRONGPASS);
    authenticate(cli(ctx));
    ctx.reply.ok();
  }, 'connection'),
  def('reset', 1, 'no_auth fast', NOKEYS, (ctx) => {
    const c = cli(ctx);
    const server = srv(ctx);
    c.multi = null;
    c.multiError = false;
    server.unwatchAll(c);
    for (const ch of [...c.channels]) server.unsubscribe(c, ch, false);
    for (const p of [...c.patterns]) server.unsubscribe(c, p, true);
    c.db = server.dbs[0];
    c.name = '';
    c.reply.proto = 2;
    if (server.config.requirepass !== '') {
      c.authenticated = false;
      c.parser.authRequired = true;
    }
    ctx.reply.simple('RESET');
  }, 'connection'),
  def('client', -2, 'loading stale', NOKEYS, client, 'connection'),
];

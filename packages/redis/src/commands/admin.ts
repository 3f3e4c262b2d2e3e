/**
 * Server commands (INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, TIME, SWAPDB, SHUTDOWN, BGREWRITEAOF,
 * COMMAND) and transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH).
 *
 * @packageDocumentation
 */
import { Aof } from '../aof';
import type { CommandContext, CommandDef } from '../command';
import { argIs, parseInt64 } from '../command';
import { applySetting, showSetting, type Config } from '../config';
import { CommandError, SYNTAX } from '../errors';
import { globMatch } from '../glob';
import { keyOf } from '../keyspace';
import type { RedisServer } from '../server';
import { REDIS_VERSION } from './connection';
import { NOKEYS, cli, def, srv } from './def';
import { dispatchSub, helpReply } from './sub';

function info(server: RedisServer, sections: Set<string>): string {
  const all = sections.has('all') || sections.has('everything');
  const dflt = sections.size === 0 || sections.has('default') || all;
  const want = (s: string): boolean => dflt || sections.has(s);
  const out: string[] = [];
  const now = Date.now();
  const section = (name: string, fields: [string, string | number][]): void => {
    out.push(`# ${name}\r\n${fields.map(([k, v]) => `${k}:${v}\r\n`).join('')}`);
  };
  if (want('server')) {
    const uptime = Math.floor((now - server.startedAt) / 1000);
    section('Server', [
      ['redis_version', REDIS_VERSION],
      ['redis_mode', 'standalone'],
      ['os', `${process.platform} ${process.arch}`],
      ['arch_bits', 64],
      ['multiplexing_api', 'nevio'],
      ['nevio_node_version', process.version],
      ['process_id', process.pid],
      ['tcp_port', server.tcpPort],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', server.config.hz],
      ['executable', process.argv[1] ?? ''],
    ]);
  }
  if (want('clients')) {
    section('Clients', [
      ['connected_clients', server.clients.size],
      ['maxclients', server.config.maxclients],
      ['blocked_clients', server.blockedCount()],
      ['pubsub_clients', [...server.clients.values()].filter((x) => x.subscribed).length],
    ]);
  }
  if (want('memory')) {
    server.measureMemory();
    const m = process.memoryUsage();
    section('Memory', [
      ['used_memory', server.usedMemory],
      ['used_memory_human', `${(server.usedMemory / 1024 / 1024).toFixed(2)}M`],
      ['used_memory_rss', m.rss],
      ['used_memory_peak', server.usedMemory],
      ['maxmemory', server.config.maxmemory],
      ['maxmemory_policy', server.config['maxmemory-policy']],
    ]);
  }
  if (want('persistence')) {
    const aof = server.aof;
    section('Persistence', [
      ['loading', 0],
      ['async_loading', 0],
      ['rdb_changes_since_last_save', server.dirty],
      ['rdb_bgsave_in_progress', 0],
      ['aof_enabled', aof === null ? 0 : 1],
      ['aof_rewrite_in_progress', aof?.rewriteInProgress ? 1 : 0],
      ['aof_rewrites', aof?.rewrites ?? 0],
      ['aof_last_bgrewrite_status', aof?.lastRewriteStatus ?? 'ok'],
      ['aof_current_size', aof?.size ?? 0],
    ]);
  }
  if (want('stats')) {
    let hits = 0;
    let misses = 0;
    for (const db of server.dbs) {
      hits += db.hits;
      misses += db.misses;
    }
    section('Stats', [
      ['total_connections_received', server.stats.totalConnections],
      ['total_commands_processed', server.stats.totalCommands],
      ['rejected_connections', server.stats.rejectedConnections],
      ['expired_keys', server.stats.expiredKeys],
      ['evicted_keys', server.stats.evictedKeys],
      ['keyspace_hits', hits],
      ['keyspace_misses', misses],
      ['pubsub_channels', server.channels.size],
      ['pubsub_patterns', server.patterns.size],
    ]);
  }
  if (want('replication')) section('Replication', [['role', 'master'], ['connected_slaves', 0]]);
  if (want('keyspace')) {
    const fields: [string, string][] = [];
    for (const db of server.dbs) {
      if (db.size > 0) fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=0`]);
    }
    section('Keyspace', fields);
  }
  return out.join('\r\n');
}

const CONFIG_NAMES: (keyof Config)[] = [
  'port', 'bind', 'unixsocket', 'requirepass', 'appendonly', 'appendfsync', 'appendfilename', 'dir', 'databases',
  'maxmemory', 'maxmemory-policy', 'proto-max-bulk-len', 'client-query-buffer-limit', 'hz', 'maxclients', 'timeout',
  'save', 'aof-load-truncated',
];

/** Applies a changed setting to the running server. */
function applyLive(server: RedisServer, name: string): void {
  const cfg = server.config;
  if (name === 'proto-max-bulk-len') for (const c of server.clients.values()) c.parser.maxBulk = cfg['proto-max-bulk-len'];
  if (name === 'appendonly') {
    if (cfg.appendonly && server.aof === null) {
      // Enabling at run time: the new file starts as a rewrite of the whole dataset.
      const aof = new Aof(server);
      server.aof = aof;
      void aof.startRewrite();
    } else if (!cfg.appendonly && server.aof !== null) {
      server.aof.close();
      server.aof = null;
    }
  }
}

const config = dispatchSub('config', {
  get: {
    arity: -3,
    run: (ctx, argv) => {
      const cfg = srv(ctx).config;
      const found = new Map<string, string>();
      for (let i = 2; i < argv.length; i++) {
        const pat = argv[i].toString().toLowerCase();
        for (const name of CONFIG_NAMES) if (globMatch(pat, name)) found.set(name, showSetting(cfg, name));
      }
      ctx.reply.map(found.size);
      for (const [k, v] of found) {
        ctx.reply.bulk(k);
        ctx.reply.bulk(v);
      }
    },
  },
  set: {
    arity: -4,
    run: (ctx, argv) => {
      if (argv.length % 2 !== 0) throw new CommandError("ERR wrong number of arguments for 'config|set' command");
      const server = srv(ctx);
      const trial = { ...server.config, bind: [...server.config.bind] };
      const changed: string[] = [];
      for (let i = 2; i < argv.length; i += 2) {
        const name = argv[i].toString();
        const err = applySetting(trial, name, [argv[i + 1].toString()], false);
        if (err !== undefined) throw new CommandError(`ERR ${err}`);
        changed.push(name.toLowerCase());
      }
      Object.assign(server.config, trial);
      for (const name of changed) applyLive(server, name);
      ctx.reply.ok();
    },
  },
  resetstat: {
    arity: 2,
    run: (ctx) => {
      const s = srv(ctx).stats;
      s.totalCommands = s.expiredKeys = s.evictedKeys = s.rejectedConnections = s.pubsubMessages = 0;
      for (const db of srv(ctx).dbs) db.hits = db.misses = 0;
      ctx.reply.ok();
    },
  },
  rewrite: {
    arity: 2,
    run: () => {
      throw new CommandError('ERR The server is running without a config file');
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'GET <pattern>', 'SET <directive> <value>', 'RESETSTAT', 'REWRITE', 'HELP',
      ]),
  },
});

function flushFlag(argv: Buffer[]): void {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 2 && !argIs(argv[1], 'async') && !argIs(argv[1], 'sync')) throw new CommandError(SYNTAX);
}

/** COMMAND INFO's 10-element entry for one command. */
function commandInfo(ctx: CommandContext, d: CommandDef): void {
  const r = ctx.reply;
  r.array(10);
  r.bulk(d.name);
  r.integer(d.arity);
  r.set(d.flags.length);
  for (const f of d.flags) r.simple(f);
  r.integer(d.firstKey);
  r.integer(d.lastKey);
  r.integer(d.step);
  r.set(1);
  r.simple(`@${d.group ?? 'generic'}`);
  r.set(0);
  r.array(0);
  r.array(0);
}

function commandDocs(ctx: CommandContext, d: CommandDef): void {
  const r = ctx.reply;
  r.bulk(d.name);
  r.map(3);
  r.bulk('summary');
  r.bulk(d.summary ?? `The ${d.name.toUpperCase()} command.`);
  r.bulk('since');
  r.bulk('1.0.0');
  r.bulk('group');
  r.bulk(d.group ?? 'generic');
}

const command = (ctx: CommandContext, argv: Buffer[]): void => {
  const table = srv(ctx).commands;
  if (argv.length === 1) {
    ctx.reply.array(table.size);
    for (const d of table.values()) commandInfo(ctx, d);
    return;
  }
  const sub = argv[1].toString().toLowerCase();
  const lookup = (b: Buffer): CommandDef | undefined => table.get(b.toString().toLowerCase());
  switch (sub) {
    case 'count':
      if (argv.length !== 2) throw new CommandError("ERR wrong number of arguments for 'command|count' command");
      return ctx.reply.integer(table.size);
    case 'list':
      ctx.reply.array(table.size);
      for (const name of table.keys()) ctx.reply.bulk(name);
      return;
    case 'info':
      if (argv.length === 2) {
        ctx.reply.array(table.size);
        for (const d of table.values()) commandInfo(ctx, d);
        return;
      }
      ctx.reply.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) {
        const d = lookup(argv[i]);
        if (d === undefined) ctx.reply.nil();
        else commandInfo(ctx, d);
      }
      return;
    case 'docs': {
      const defs = argv.length === 2 ? [...table.values()] : argv.slice(2).map(lookup).filter((d) => d !== undefined);
      ctx.reply.map(defs.length);
      for (const d of defs) commandDocs(ctx, d as CommandDef);
      return;
    }
    case 'getkeys': {
      if (argv.length < 3) throw new CommandError("ERR wrong number of arguments for 'command|getkeys' command");
      const d = lookup(argv[2]);
      if (d === undefined) throw new CommandError('ERR Invalid command specified');
      const args = argv.slice(2);
      if (d.arity > 0 ? args.length !== d.arity : args.length < -d.arity) throw new CommandError('ERR Invalid number of arguments specified for command');
      if (d.firstKey === 0) throw new CommandError('ERR The command has no key arguments');
      const last = d.lastKey < 0 ? args.length + d.lastKey : d.lastKey;
      const keys: Buffer[] = [];
      for (let i = d.firstKey; i <= last && i < args.length; i += d.step) keys.push(args[i]);
      ctx.reply.array(keys.length);
      for (const k of keys) ctx.reply.bulk(k);
      return;
    }
    case 'help':
      return helpReply(ctx, [
        'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        '(no subcommand)', 'COUNT', 'DOCS [<command-name> ...]', 'GETKEYS <full-command>', 'INFO [<command-name> ...]', 'LIST', 'HELP',
      ]);
    default:
      throw new CommandError(`ERR unknown subcommand '${argv[1].latin1Slice(0, Math.min(128, argv[1].length))}'. Try COMMAND HELP.`);
  }
};

function exec(ctx: CommandContext): void {
  const c = cli(ctx);
  const server = srv(ctx);
  if (c.multi === null) throw new CommandError('ERR EXEC without MULTI');
  if (server.watchedKeyExpired(c)) c.dirtyCas = true;
  const queued = c.multi;
  const aborted = c.multiError;
  const dirty = c.dirtyCas;
  c.multi = null;
  c.multiError = false;
  server.unwatchAll(c);
  if (aborted) throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
  if (dirty) return ctx.reply.nullArray();
  ctx.reply.array(queued.length);
  c.inExec = true;
  server.aof?.beginTransaction();
  try {
    for (const q of queued) server.call(c, q.def, q.argv);
  } finally {
    c.inExec = false;
    server.aof?.endTransaction();
  }
}

export const adminCommands: CommandDef[] = [
  def('info', -1, 'loading stale', NOKEYS, (ctx, argv) => {
    const sections = new Set(argv.slice(1).map((a) => a.toString().toLowerCase()));
    ctx.reply.verbatim(info(srv(ctx), sections));
  }, 'server'),
  def('config', -2, 'admin loading stale', NOKEYS, config, 'server'),
  def('dbsize', 1, 'readonly fast', NOKEYS, (ctx) => ctx.reply.integer(ctx.db.size), 'server'),
  def('flushdb', -1, 'write', NOKEYS, (ctx, argv) => {
    flushFlag(argv);
    const server = srv(ctx);
    server.touchAllWatched(ctx.db);
    server.dirty += ctx.db.clear() + 1;
    server.aof?.datasetReplaced();
    ctx.propagate(['FLUSHDB']);
    ctx.reply.ok();
  }, 'server'),
  def('flushall', -1, 'write', NOKEYS, (ctx, argv) => {
    flushFlag(argv);
    const server = srv(ctx);
    for (const db of server.dbs) {
      server.touchAllWatched(db);
      server.dirty += db.clear();
    }
    server.dirty++;
    server.aof?.datasetReplaced();
    ctx.propagate(['FLUSHALL']);
    ctx.reply.ok();
  }, 'server'),
  def('swapdb', 3, 'write fast', NOKEYS, (ctx, argv) => {
    const server = srv(ctx);
    const a = parseInt64(argv[1]);
    if (a === undefined) throw new CommandError('ERR invalid first DB index');
    const b = parseInt64(argv[2]);
    if (b === undefined) throw new CommandError('ERR invalid second DB index');
    if (a < 0 || a >= server.dbs.length || b < 0 || b >= server.dbs.length) throw new CommandError('ERR DB index is out of range');
    if (a !== b) {
      const da = server.dbs[a];
      const db = server.dbs[b];
      server.touchAllWatched(da, db);
      server.touchAllWatched(db, da);
      da.swapWith(db);
      server.dirty++;
      server.aof?.datasetReplaced();
      for (const d of [da, db]) for (const [key, e] of d.dict) if (e.type === 'list' || e.type === 'zset') d.signalReady(key);
    }
    ctx.propagate(['SWAPDB', String(a), String(b)]);
    ctx.reply.ok();
  }, 'server'),
  def('time', 1, 'loading stale fast', NOKEYS, (ctx) => {
    const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() * 1000) % 1000));
    ctx.reply.array(2);
    ctx.reply.bulk(String(us / 1000000n));
    ctx.reply.bulk(String(us % 1000000n));
  }, 'server'),
  def('lastsave', 1, 'loading stale fast', NOKEYS, (ctx) => ctx.reply.integer(Math.floor(srv(ctx).startedAt / 1000)), 'server'),
  def('shutdown', -1, 'admin noscript loading stale no_multi', NOKEYS, (ctx, argv) => {
    for (let i = 1; i < argv.length; i++) {
      if (!['nosave', 'save', 'now', 'force', 'abort'].some((w) => argIs(argv[i], w))) throw new CommandError(SYNTAX);
      if (argIs(argv[i], 'abort')) throw new CommandError('ERR No shutdown in progress.');
    }
    cli(ctx).closing = true;
    srv(ctx).requestShutdown();
  }, 'server'),
  def('bgrewriteaof', 1, 'admin noscript', NOKEYS, (ctx) => {
    const server = srv(ctx);
    if (server.aof === null) {
      // Like Redis, a rewrite without AOF enabled writes the file once; the AOF is attached
      // meanwhile so that the keys changed during the rewrite are tracked.
      const aof = new Aof(server);
      server.aof = aof;
      void aof.startRewrite().then(() => {
        if (server.aof === aof && !server.config.appendonly) {
          aof.close();
          server.aof = null;
        }
      });
    } else if (server.aof.rewriteInProgress) {
      throw new CommandError('ERR Background append only file rewriting already in progress');
    } else void server.aof.startRewrite();
    ctx.reply.simple('Background append only file rewriting started');
  }, 'server'),
  def('command', -1, 'loading stale', NOKEYS, command, 'server'),
  def('multi', 1, 'noscript loading stale fast', NOKEYS, (ctx) => {
    const c = cli(ctx);
    if (c.multi !== null) throw new CommandError('ERR MULTI calls can not be nested');
    c.multi = [];
    ctx.reply.ok();
  }, 'transactions'),
  def('exec', 1, 'noscript loading stale', NOKEYS, exec, 'transactions'),
  def('discard', 1, 'noscript loading stale fast', NOKEYS, (ctx) => {
    const c = cli(ctx);
    if (c.multi === null) throw new CommandError('ERR DISCARD without MULTI');
    c.multi = null;
    c.multiError = false;
    srv(ctx).unwatchAll(c);
    ctx.reply.ok();
  }, 'transactions'),
  def('watch', -2, 'noscript loading stale fast', [1, -1, 1], (ctx, argv) => {
    const c = cli(ctx);
    if (c.multi !== null) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    for (let i = 1; i < argv.length; i++) srv(ctx).watch(c, keyOf(argv[i]));
    ctx.reply.ok();
  }, 'transactions'),
  def('unwatch', 1, 'noscript loading stale fast', NOKEYS, (ctx) => {
    srv(ctx).unwatchAll(cli(ctx));
    ctx.reply.ok();
  }, 'transactions'),
];

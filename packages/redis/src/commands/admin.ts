/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, SWAPDB, SHUTDOWN, BGREWRITEAOF,
 * COMMAND.
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_FAST, CMD_LOADING, CMD_NOSCRIPT, CMD_NO_MULTI, CMD_READONLY, CMD_STALE, CMD_WRITE, NOKEYS, def } from '../command';
import { CommandError, SYNTAX, argIs, flagNames, parseInt64 } from '../command';
import type { CommandContext, CommandDef } from '../command';
import { helpReply } from './sub';

const ADMIN = CMD_ADMIN | CMD_NOSCRIPT;
const INFO_FLAGS = CMD_LOADING | CMD_STALE;

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
  const flags = flagNames(d.flags);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.integer(d.firstKey);
  r.integer(d.lastKey);
  r.integer(d.step);
  r.set(1);
  r.simple(`@${d.group}`);
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
  r.bulk(d.group);
}

const command = (ctx: CommandContext, argv: Buffer[]): void => {
  const table = ctx.server.commands;
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

export const adminCommands: CommandDef[] = [
  def('dbsize', 1, CMD_READONLY | CMD_FAST, NOKEYS, 'server', (ctx) => ctx.reply.integer(ctx.db.size)),
  def('flushdb', -1, CMD_WRITE, NOKEYS, 'server', (ctx, argv) => {
    flushFlag(argv);
    const server = ctx.server;
    server.touchAllWatched(ctx.db);
    server.persistence.addDirty(ctx.db.clear() + 1);
    server.persistence.datasetReplaced();
    ctx.propagate(['FLUSHDB']);
    ctx.reply.ok();
  }),
  def('flushall', -1, CMD_WRITE, NOKEYS, 'server', (ctx, argv) => {
    flushFlag(argv);
    const server = ctx.server;
    for (const db of server.dbs) {
      server.touchAllWatched(db);
      server.persistence.addDirty(db.clear());
    }
    server.persistence.addDirty(1);
    server.persistence.datasetReplaced();
    ctx.propagate(['FLUSHALL']);
    ctx.reply.ok();
  }),
  def('swapdb', 3, CMD_WRITE | CMD_FAST, NOKEYS, 'server', (ctx, argv) => {
    const server = ctx.server;
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
      server.persistence.addDirty(1);
      server.persistence.datasetReplaced();
      for (const d of [da, db]) for (const [key, e] of d.dict) if (e.type === 'list' || e.type === 'zset') d.signalReady(key);
    }
    ctx.propagate(['SWAPDB', String(a), String(b)]);
    ctx.reply.ok();
  }),
  def('time', 1, INFO_FLAGS | CMD_FAST, NOKEYS, 'server', (ctx) => {
    const us = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() * 1000) % 1000));
    ctx.reply.array(2);
    ctx.reply.bulk(String(us / 1000000n));
    ctx.reply.bulk(String(us % 1000000n));
  }),
  def('lastsave', 1, INFO_FLAGS | CMD_FAST, NOKEYS, 'server', (ctx) => ctx.reply.integer(Math.floor(ctx.server.info.startedAt / 1000))),
  def('shutdown', -1, ADMIN | INFO_FLAGS | CMD_NO_MULTI, NOKEYS, 'server', (ctx, argv) => {
    for (let i = 1; i < argv.length; i++) {
      if (!['nosave', 'save', 'now', 'force', 'abort'].some((w) => argIs(argv[i], w))) throw new CommandError(SYNTAX);
      if (argIs(argv[i], 'abort')) throw new CommandError('ERR No shutdown in progress.');
    }
    ctx.client.closeAfterReply();
    ctx.server.shutdown();
  }),
  def('bgrewriteaof', 1, ADMIN, NOKEYS, 'server', (ctx) => {
    ctx.server.persistence.rewriteAof();
    ctx.reply.simple('Background append only file rewriting started');
  }),
  def('command', -1, INFO_FLAGS, NOKEYS, 'server', command),
];

/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, SWAPDB, BGREWRITEAOF (COMMAND is
 * `command-cmd.ts`; SHUTDOWN, BGSAVE, LASTSAVE are `persistence.ts`).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_FAST, CMD_NO_ASYNC_LOADING, CMD_LOADING, CMD_NOSCRIPT, CMD_READONLY, CMD_STALE, CMD_WRITE, NOKEYS, def } from '../command';
import { CommandError, SYNTAX, argIs, parseInt64 } from '../command';
import { showSetting, type CommandContext, type CommandDef, type Db } from '../command';

const ADMIN = CMD_ADMIN | CMD_NOSCRIPT;
const INFO_FLAGS = CMD_LOADING | CMD_STALE;

/** FLUSHDB/FLUSHALL's mode: true for ASYNC (or no flag under lazyfree-lazy-user-flush yes). */
function flushIsAsync(ctx: CommandContext, argv: Buffer[]): boolean {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 2 && !argIs(argv[1], 'async') && !argIs(argv[1], 'sync')) throw new CommandError(SYNTAX);
  if (argv.length === 2) return argIs(argv[1], 'async');
  return showSetting(ctx.server.config, 'lazyfree-lazy-user-flush') === 'yes';
}

/**
 * The values of `db` are about to go: big ones stop counting in the memory estimate; an ASYNC
 * flush counts every key as lazily freed, as Redis's emptyDbAsync does.
 */
function released(ctx: CommandContext, db: Db, lazily: boolean): void {
  for (const e of db.dict.values()) ctx.server.valueDeleted(e, false);
  if (lazily) ctx.server.stats.lazyfreedObjects += db.size;
}

export const adminCommands: CommandDef[] = [
  def('dbsize', 1, CMD_READONLY | CMD_FAST, NOKEYS, 'server', (ctx) => ctx.reply.integer(ctx.db.size)),
  def('flushdb', -1, CMD_WRITE, NOKEYS, 'server', (ctx, argv) => {
    const lazily = flushIsAsync(ctx, argv);
    const server = ctx.server;
    released(ctx, ctx.db, lazily);
    server.touchAllWatched(ctx.db);
    server.persistence.addDirty(ctx.db.clear() + 1);
    server.persistence.datasetReplaced();
    ctx.propagate(['FLUSHDB']);
    ctx.reply.ok();
  }),
  def('flushall', -1, CMD_WRITE, NOKEYS, 'server', (ctx, argv) => {
    const lazily = flushIsAsync(ctx, argv);
    const server = ctx.server;
    for (const db of server.dbs) {
      released(ctx, db, lazily);
      server.touchAllWatched(db);
      server.persistence.addDirty(db.clear());
    }
    server.persistence.addDirty(1);
    server.persistence.datasetReplaced();
    server.persistence.rdb.flushedAll();
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
      server.signalWaitedKeys(da);
      server.signalWaitedKeys(db);
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
  def('bgrewriteaof', 1, ADMIN | CMD_NO_ASYNC_LOADING, NOKEYS, 'server', (ctx) => {
    ctx.reply.simple(`Background append only file rewriting ${ctx.server.persistence.rewriteAof()}`);
  }),
];

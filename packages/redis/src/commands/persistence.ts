/**
 * BGSAVE, LASTSAVE and SHUTDOWN: the RDB saves as Redis 7.0 exposes them (`persist/`). SAVE and
 * DEBUG RELOAD are the RDB module's (`rdb/`).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_ALLOW_BUSY, CMD_FAST, CMD_LOADING, CMD_NOSCRIPT, CMD_NO_ASYNC_LOADING, CMD_NO_MULTI, CMD_STALE, NOKEYS, def } from '../command';
import { CommandError, SYNTAX, argIs } from '../command';
import type { CommandDef } from '../command';

const ADMIN = CMD_ADMIN | CMD_NOSCRIPT;
const INFO_FLAGS = CMD_LOADING | CMD_STALE;

/** SHUTDOWN's words, checked as Redis's shutdownCommand checks them. */
function shutdownFlags(argv: Buffer[]): { save: 'default' | 'save' | 'nosave'; force: boolean; abort: boolean } {
  let save: 'default' | 'save' | 'nosave' = 'default';
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    if (argIs(argv[i], 'nosave') && save !== 'save') save = 'nosave';
    else if (argIs(argv[i], 'save') && save !== 'nosave') save = 'save';
    else if (argIs(argv[i], 'now')) continue;
    else if (argIs(argv[i], 'force')) force = true;
    else if (argIs(argv[i], 'abort')) abort = true;
    else throw new CommandError(SYNTAX);
  }
  if (abort && argv.length > 2) throw new CommandError(SYNTAX);
  return { save, force, abort };
}

export const persistenceCommands: CommandDef[] = [
  def('bgsave', -1, ADMIN | CMD_NO_ASYNC_LOADING, NOKEYS, 'server', (ctx, argv) => {
    let schedule = false;
    if (argv.length === 2 && argIs(argv[1], 'schedule')) schedule = true;
    else if (argv.length > 1) throw new CommandError(SYNTAX);
    // Inside a transaction (or an AOF replay) the save is scheduled for after it (Redis's in_exec).
    const deferred = !ctx.client.canBlock;
    ctx.reply.simple(ctx.server.persistence.rdb.bgsave(schedule, deferred));
  }),
  def('lastsave', 1, INFO_FLAGS | CMD_FAST, NOKEYS, 'server', (ctx) => ctx.reply.integer(ctx.server.persistence.rdb.lastSaveTime)),
  def('shutdown', -1, ADMIN | INFO_FLAGS | CMD_NO_MULTI | CMD_ALLOW_BUSY, NOKEYS, 'server', (ctx, argv) => {
    const flags = shutdownFlags(argv);
    if (flags.abort) {
      if (!ctx.server.persistence.rdb.abortShutdown()) throw new CommandError('ERR No shutdown in progress.');
      ctx.reply.ok();
      return;
    }
    if (!ctx.server.persistence.rdb.prepareShutdown(flags.save, flags.force)) throw new CommandError('ERR Errors trying to SHUTDOWN. Check logs.');
    ctx.client.closeAfterReply();
    ctx.server.shutdown();
  }),
];

/**
 * SAVE: the dataset written to `dir`/`dbfilename` as an RDB file, synchronously (rdbSave: a
 * temporary file, fsync, rename). BGSAVE, save points and LASTSAVE are the background saver's.
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_NOSCRIPT, CMD_NO_ASYNC_LOADING, CMD_NO_MULTI, CommandError, NOKEYS, def } from '../command';
import type { CommandContext, CommandDef } from '../command';
function save(ctx: CommandContext): void {
  const saves = ctx.server.persistence.rdb;
  if (saves.inProgress) throw new CommandError('ERR Background save already in progress');
  try {
    // The change count, LASTSAVE and rdb_saves follow (persist/bgsave.ts).
    saves.saveNow();
  } catch (e) {
    if (e instanceof CommandError) throw e;
    // Redis answers a bare -ERR when the file cannot be written (and logs why).
    throw new CommandError('ERR');
  }
  ctx.reply.ok();
}

/** SAVE. */
export const saveCommands: CommandDef[] = [def('save', 1, CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, NOKEYS, 'server', save, 'Synchronously saves the database(s) to disk.')];

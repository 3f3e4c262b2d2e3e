/**
 * DEBUG RELOAD without an RDB file: what Redis's save, flush and load leave behind, rebuilt in
 * memory. Loading a dump chooses every value's encoding afresh from its contents and the current
 * thresholds (a hash table of 3 small fields comes back a listpack, an appended string comes
 * back `embstr` or `int`), drops the keys whose TTL has passed and keeps the other TTLs, so each
 * type's {@link TypeOps.reload} rebuilds its values; a type without the hook keeps them as they
 * are. Lua functions live outside the keyspace and so survive, as they do in Redis's RDB.
 *
 * Options as Redis takes them: NOSAVE (load the last dump: here the data as it is), NOFLUSH
 * (load on top of the data: every key would be a duplicate, so Redis fails unless MERGE, or the
 * dataset is empty), MERGE (duplicates replace).
 *
 * @packageDocumentation
 */
import { CommandError, argIs } from '../command';
import type { CommandContext } from '../command';

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (argv[2..]). */
export function debugReload(ctx: CommandContext, argv: Buffer[]): void {
  let merge = false;
  let flush = true;
  for (let j = 2; j < argv.length; j++) {
    if (argIs(argv[j], 'merge')) merge = true;
    else if (argIs(argv[j], 'noflush')) flush = false;
    else if (argIs(argv[j], 'nosave')) continue;
    else throw new CommandError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const server = ctx.server;
  if (!flush && !merge && server.dbs.some((db) => db.size > 0)) throw new CommandError('ERR Error trying to load the RDB dump');
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    // The flush: WATCHers of the database see their keys change, as after Redis's emptyData.
    if (flush) server.touchAllWatched(db);
    for (const key of [...db.dict.keys()]) {
      // A key past its TTL is not loaded (lookupWrite reclaims it, with the usual expiry events).
      const e = db.lookupWrite(key);
      const reload = e === undefined ? undefined : server.typeOps[e.type]?.reload;
      if (e !== undefined && reload !== undefined) e.value = reload(e.value, server.config);
    }
  }
  ctx.reply.ok();
}

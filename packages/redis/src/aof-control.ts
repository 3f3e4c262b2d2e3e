/**
 * BGREWRITEAOF and DEBUG LOADAOF: starting a rewrite (with or without the AOF on) and reloading
 * the dataset from the file.
 *
 * @packageDocumentation
 */
import { Aof } from './aof';
import { CommandError } from './errors';
import type { RedisServer } from './server';

/** Starts a rewrite; without the AOF on, the file is written once, as Redis does. */
export function rewriteAof(server: RedisServer): void {
  if (server.aof === null) {
    // The AOF is attached meanwhile, so that keys changed during the rewrite are tracked.
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
}

/** DEBUG LOADAOF: flushes what is buffered, empties every database and loads the file again. */
export function reloadAof(server: RedisServer): void {
  const aof = server.aof;
  if (aof === null) throw new CommandError('ERR DEBUG LOADAOF needs the AOF on (appendonly yes)');
  aof.endBatch();
  for (const db of server.dbs) {
    server.touchAllWatched(db);
    db.clear();
  }
  aof.datasetReplaced();
  aof.load();
}

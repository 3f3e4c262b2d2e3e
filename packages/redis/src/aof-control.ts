/**
 * BGREWRITEAOF and DEBUG LOADAOF: starting a rewrite (with or without the AOF on) and reloading
 * the dataset from the file.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
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

/**
 * DEBUG LOADAOF: flushes what is buffered, empties every database and loads the file again. With
 * the AOF off it loads the file a BGREWRITEAOF left in `dir`, as Redis 7 loads its manifest's
 * files whatever `appendonly` says; without any file it refuses (where Redis exits).
 */
export function reloadAof(server: RedisServer): void {
  const attached = server.aof;
  if (attached === null && !fs.existsSync(path.join(server.config.dir, server.config.appendfilename))) {
    throw new CommandError('ERR DEBUG LOADAOF: no append only file to load (appendonly is no and no BGREWRITEAOF wrote one)');
  }
  const aof = attached ?? new Aof(server);
  if (attached !== null) attached.endBatch();
  for (const db of server.dbs) {
    server.touchAllWatched(db);
    db.clear();
  }
  aof.datasetReplaced();
  // Attached while it loads, so that replayed commands are not logged again (Aof.loading).
  server.aof = aof;
  try {
    aof.load();
  } finally {
    if (attached === null) {
      aof.close();
      server.aof = null;
    }
  }
}

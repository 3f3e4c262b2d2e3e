/**
 * BGREWRITEAOF and DEBUG LOADAOF: starting a rewrite (with or without the AOF on) and reloading
 * the dataset from the AOF directory.
 *
 * @packageDocumentation
 */
import { Aof } from './aof';
import { CommandError } from './errors';
import type { RedisServer } from './server';

/** Starts a rewrite ('scheduled' while a BGSAVE runs); without the AOF on, the files are written once, as Redis does. */
export function rewriteAof(server: RedisServer): 'started' | 'scheduled' {
  const attached = server.aof;
  if (attached?.rewriteInProgress === true) throw new CommandError('ERR Background append only file rewriting already in progress');
  if (attached !== null) return attached.requestRewrite();
  // Attached while it runs, so that the keyspace's copy-on-write reaches it; detached when done.
  const aof = Aof.rewriteOnly(server);
  server.aof = aof;
  const outcome = aof.requestRewrite();
  void aof.whenIdle().then(() => {
    if (server.aof !== aof) return;
    aof.close();
    server.aof = null;
  });
  return outcome;
}

/**
 * DEBUG LOADAOF: flushes what is buffered, empties every database and loads the AOF directory's
 * files again. With the AOF off it loads the files a BGREWRITEAOF left, as Redis 7 loads its
 * manifest's files whatever `appendonly` says; without any file it refuses (where Redis exits).
 */
export function reloadAof(server: RedisServer): void {
  const attached = server.aof;
  const aof = attached ?? Aof.rewriteOnly(server);
  aof.endBatch();
  aof.readManifest();
  if (!aof.hasFiles && attached === null) {
    aof.close();
    throw new CommandError('ERR DEBUG LOADAOF: no append only file to load (appendonly is no and no BGREWRITEAOF wrote one)');
  }
  for (const db of server.dbs) {
    server.touchAllWatched(db);
    db.clear();
  }
  // Attached while it loads, so that replayed commands are not logged again (Aof.loading).
  server.aof = aof;
  try {
    aof.reload();
  } finally {
    if (attached === null) {
      aof.close();
      server.aof = null;
    }
  }
}

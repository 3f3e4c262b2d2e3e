/**
 * DEBUG RELOAD as Redis does it: SAVE to `dir`/`dbfilename`, empty the databases (and the
 * libraries), load the file. Loading chooses every value's encoding afresh from its contents
 * and the current thresholds, drops the keys whose TTL has passed and keeps the other TTLs.
 *
 * Options as Redis takes them: NOSAVE (load the file as it is on disk), NOFLUSH (load on top of
 * the data: every key would be a duplicate, so it fails unless MERGE, or the dataset is empty;
 * Redis aborts on a duplicate, nevio answers the error), MERGE (duplicates replace).
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { CommandError, argIs } from '../command';
import type { CommandContext } from '../command';
import { loadDataset, rdbPath, serializeDataset, writeFileAtomically } from '../rdb/dataset';
import { RdbFormatError } from '../rdb/reader';

const LOAD_FAILED = 'ERR Error trying to load the RDB dump, check server logs.';

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] (argv[2..]). */
export function debugReload(ctx: CommandContext, argv: Buffer[]): void {
  let merge = false;
  let flush = true;
  let save = true;
  for (let j = 2; j < argv.length; j++) {
    if (argIs(argv[j], 'merge')) merge = true;
    else if (argIs(argv[j], 'noflush')) flush = false;
    else if (argIs(argv[j], 'nosave')) save = false;
    else throw new CommandError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const server = ctx.server;
  const file = rdbPath(server.config);
  let data: Buffer;
  if (save) {
    const chunks = serializeDataset(server);
    try {
      writeFileAtomically(file, chunks);
    } catch {
      throw new CommandError('ERR');
    }
    data = Buffer.concat(chunks);
  } else if (fs.existsSync(file)) data = fs.readFileSync(file);
  else throw new CommandError(LOAD_FAILED);
  if (flush) {
    for (const db of server.dbs) {
      if (db.size === 0) continue;
      // WATCHers of the database see their keys change, as after Redis's emptyData.
      server.touchAllWatched(db);
      db.clear();
    }
    server.persistence.datasetReplaced();
  }
  try {
    loadDataset(server, data, { merge, functions: flush ? 'flush' : merge ? 'replace' : 'append' });
  } catch (e) {
    // A library that is already there fails the load too (FUNCTION RESTORE's CommandError).
    if (e instanceof RdbFormatError || e instanceof CommandError) throw new CommandError(LOAD_FAILED);
    throw e;
  }
  ctx.reply.ok();
}

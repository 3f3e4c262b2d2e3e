/**
 * The start-up load of `dir`/`dbfilename` (Redis's loadDataFromDisk without an AOF): a file that
 * is not there is an empty dataset; one that cannot be read stops the start, as Redis exits
 * with "Fatal error loading the DB".
 *
 * @packageDocumentation
 */
import type { RedisServer } from '../server';
import { loadRdbFile, rdbPath } from './dataset';
import { RdbFormatError } from './reader';

/** Loads the RDB file into a server that has just been made; throws when the file is bad. */
export function loadRdbAtStart(server: RedisServer): void {
  const started = Date.now();
  let summary;
  try {
    summary = loadRdbFile(server);
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
    // Redis's two lines: the reason (rdbReportCorruptRDB), then why the server stops.
    server.log.warn(`Internal error in RDB reading ${rdbPath(server.config)}: ${e.message}`);
    server.log.warn(`Terminating server after rdb file reading failure. (${e.message})`);
    throw new Error(`Fatal error loading the DB: ${e.message}. Exiting.`);
  }
  if (summary === null) return;
  const seconds = ((Date.now() - started) / 1000).toFixed(3);
  server.log.warn(`DB loaded from disk: ${seconds} seconds (${summary.keys} keys, ${summary.expiredSkipped} expired keys skipped)`);
}

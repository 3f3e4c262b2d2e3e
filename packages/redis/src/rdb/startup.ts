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

/** The start failed on the RDB file: `code` makes the command line print the message alone (no stack). */
class RdbStartError extends Error {
  readonly code = 'ERDBLOAD';
}

/** Loads the RDB file into a server that has just been made; throws when the file is bad. */
export function loadRdbAtStart(server: RedisServer): void {
  const started = Date.now();
  let summary;
  try {
    summary = loadRdbFile(server);
  } catch (e) {
    if (e instanceof RdbFormatError) {
      // Redis's lines: the reason (rdbReportCorruptRDB), then why the server stops.
      server.log.warn(`Internal error in RDB reading ${rdbPath(server.config)}: ${e.message}`);
      // The place in the file, as the check redis-server runs on a bad file reports it.
      if (e.where !== undefined) server.log.warn(`--- RDB ERROR DETECTED --- ${e.where}: ${e.message}`);
      server.log.warn('Terminating server after rdb file reading failure.');
      throw new RdbStartError(`Fatal error loading the DB: ${e.message}. Exiting.`);
    }
    // The file is there but cannot be read (permissions, a directory): Redis's last line.
    const message = `Fatal error loading the DB: ${e instanceof Error ? e.message : String(e)}. Exiting.`;
    server.log.warn(message);
    throw new RdbStartError(message);
  }
  if (summary === null) return;
  server.replication.restoreFromRdb(summary.aux, summary.expiredKeys);
  server.log.notice?.(`Done loading RDB, keys loaded: ${summary.keys - summary.expiredSkipped}, keys expired: ${summary.expiredSkipped}, empty keys skipped: ${summary.emptySkipped}.`);
  const seconds = ((Date.now() - started) / 1000).toFixed(3);
  server.log.notice?.(`DB loaded from disk: ${seconds} seconds (${summary.keys} keys, ${summary.expiredSkipped} expired keys skipped)`);
}

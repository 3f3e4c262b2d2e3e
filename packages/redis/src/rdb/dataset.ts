/**
 * The whole dataset as an RDB file and back: what SAVE, DEBUG RELOAD, the start-up load, a
 * master's full sync and a replica's load share. {@link writeFileHead} and
 * {@link writeDatabaseEntry} are the pieces an incremental saver (BGSAVE) drives itself;
 * {@link serializeDataset} runs them all at once; {@link saveRdbFile} writes `dir`/`dbfilename`
 * safely (a temporary file, fsync, rename, as rdbSave). {@link loadDataset} is the sink that
 * puts a file's keys and functions into the server.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REDIS_VERSION } from '../commands/connection';
import type { Config } from '../config';
import type { ServerContext } from '../context';
import { LFU_INIT_VAL, lfuDecayed, snapshotState, type Db, type Entry } from '../keyspace';
import { RdbFileWriter, type AuxFields, type EntryMeta, type RdbFileOptions } from './file-write';
import { RdbStreamLoader, loadRdb, type LoadedMeta, type RdbLoadOptions, type RdbLoadSummary, type RdbSink } from './file-read';
import type { LoadedValue } from './object-read';
import { RdbFormatError } from './reader';

/** The writing options the server's config gives (`rdbcompression`, `rdbchecksum`, `list-max-listpack-size`). */
export function fileOptions(config: Readonly<Config>): RdbFileOptions {
  return { compress: config.rdbcompression, checksum: config.rdbchecksum, listFill: config['list-max-listpack-size'] };
}

/** The reading options the server's config gives. */
export function loadOptions(config: Readonly<Config>): RdbLoadOptions {
  return { limits: config, verifyChecksum: config.rdbchecksum, maxDb: config.databases - 1 };
}

/** The code of every library (rdbSaveFunctions writes one FUNCTION2 record each). */
export function libraryCodes(server: ServerContext): Buffer[] {
  return server.scripting.libraries(null).map((lib) => lib.code);
}

/** The aux fields of a file written now. */
export function auxFields(server: ServerContext, replication: AuxFields['replication'] = server.replication.saveInfo()): AuxFields {
  return { redisVersion: REDIS_VERSION, ctime: Math.floor(Date.now() / 1000), usedMemory: server.info.usedMemory, replication, aofBase: false };
}

/** The file's start: magic, aux fields and the libraries. */
export function writeFileHead(server: ServerContext, w: RdbFileWriter, aux: AuxFields): void {
  w.begin(aux);
  w.functions(libraryCodes(server));
}

/** The LRU/LFU data Redis saves with a key under the current `maxmemory-policy`. */
export function accessMeta(server: ServerContext, e: Entry): Pick<EntryMeta, 'idleSeconds' | 'freq'> {
  const policy = server.config['maxmemory-policy'];
  if (policy.endsWith('-lru')) return { idleSeconds: Math.max(0, Math.floor(server.now() / 1000) - e.lru) };
  if (policy.endsWith('-lfu')) return { freq: lfuDecayed(e) };
  return {};
}

/** One key of `db`, with its expiry and access data. */
export function writeDatabaseEntry(server: ServerContext, w: RdbFileWriter, db: Db, key: string, e: Entry): void {
  w.entry(key, e.type, e.value, { expireAt: db.expires.get(key), ...accessMeta(server, e) });
}

/** The whole dataset as one RDB file, in pieces of about `sliceBytes`. */
export function serializeDataset(server: ServerContext, aux: AuxFields = auxFields(server), sliceBytes = 1 << 20): Buffer[] {
  const w = new RdbFileWriter(fileOptions(server.config));
  const out: Buffer[] = [];
  writeFileHead(server, w, aux);
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    w.database(db.index, db.size, db.expires.size);
    for (const [key, e] of db.dict) {
      writeDatabaseEntry(server, w, db, key, e);
      if (w.pending >= sliceBytes) out.push(w.take());
    }
  }
  w.end();
  out.push(w.take());
  return out;
}

/** `dir`/`dbfilename`. */
export function rdbPath(config: Readonly<Config>): string {
  return path.resolve(config.dir, config.dbfilename);
}

/**
 * Writes `chunks` as the file `target`, safely: a temporary file in the same directory, fsync,
 * rename over the target, fsync of the directory (rdbSave). Returns the bytes written.
 */
export function writeFileAtomically(target: string, chunks: Iterable<Buffer>): number {
  const temp = path.join(path.dirname(target), `temp-${process.pid}.rdb`);
  const fd = fs.openSync(temp, 'w');
  let bytes = 0;
  try {
    for (const c of chunks) {
      fs.writeSync(fd, c);
      bytes += c.length;
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, target);
  try {
    const dir = fs.openSync(path.dirname(target), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened anyway.
  }
  return bytes;
}

/** SAVE: the dataset to `dir`/`dbfilename`. Returns the bytes written. */
export function saveRdbFile(server: ServerContext, target = rdbPath(server.config)): number {
  return writeFileAtomically(target, serializeDataset(server));
}

/** How a load treats what is there. */
export interface LoadMode {
  /** Keys already present are replaced (DEBUG RELOAD MERGE); otherwise a duplicate is an error. */
  readonly merge: boolean;
  /**
   * The file's libraries: `flush` replaces all libraries with them (start-up, DEBUG RELOAD),
   * `append` adds them and fails on a name already there (NOFLUSH), `replace` adds them and
   * replaces a library of the same name (NOFLUSH MERGE).
   */
  readonly functions: 'flush' | 'append' | 'replace';
}

/** A load's outcome. */
export interface DatasetLoadSummary extends RdbLoadSummary {
  /** Keys whose expiry had passed, so not loaded. */
  readonly expiredSkipped: number;
  /** Those keys, with their databases (a master restarting with its history propagates their DELs). */
  readonly expiredKeys: readonly (readonly [number, string])[];
  /** The file's aux fields. */
  readonly aux: ReadonlyMap<string, Buffer>;
}

/** A sink that puts a file's keys into `dbs` (the server's, or a diskless load's own), and what it collected. */
function datasetSink(server: ServerContext, dbs: readonly Db[], mode: LoadMode) {
  const aux = new Map<string, Buffer>();
  const codes: Buffer[] = [];
  const expiredKeys: [number, string][] = [];
  const now = server.now();
  const nowSeconds = Math.floor(now / 1000);
  const sink: RdbSink = {
    aux: (k, v) => aux.set(k, v),
    func: (code) => codes.push(code),
    emptyKey: (_db, key) => server.log.warn(`rdbLoadObject skipping empty key: ${key}`),
    entry(dbIndex: number, key: string, loaded: LoadedValue, meta: LoadedMeta) {
      // A master does not load keys that have expired (rdbLoadRio); they would only be deleted.
      if (meta.expireAt !== undefined && meta.expireAt < now) {
        expiredKeys.push([dbIndex, key]);
        return;
      }
      const db = dbs[dbIndex];
      if (!mode.merge && db.dict.has(key)) throw new RdbFormatError(`Duplicated key '${key}' found in RDB file`);
      const e: Entry = { type: loaded.type, value: loaded.value, lru: nowSeconds, freq: LFU_INIT_VAL, saved: snapshotState.epoch, bytes: 0 };
      if (meta.idleSeconds !== undefined) e.lru = nowSeconds - meta.idleSeconds;
      if (meta.freq !== undefined) e.freq = meta.freq;
      db.adopt(key, e);
      if (meta.expireAt !== undefined) db.expires.set(key, meta.expireAt);
      else db.expires.delete(key);
    },
  };
  /** The libraries loaded and the counters set once the file is read. */
  const finish = (summary: RdbLoadSummary): DatasetLoadSummary => {
    server.scripting.loadLibraries(codes, mode.functions);
    const expiredSkipped = expiredKeys.length;
    server.persistence.rdb.lastLoad = { keysLoaded: summary.keys - expiredSkipped, keysExpired: expiredSkipped };
    return { ...summary, expiredSkipped, expiredKeys, aux };
  };
  return { sink, finish };
}

/** Loads an RDB file's contents into the server's databases (which the caller emptied if it had to). */
export function loadDataset(server: ServerContext, file: Buffer, mode: LoadMode): DatasetLoadSummary {
  const { sink, finish } = datasetSink(server, server.dbs, mode);
  return finish(loadRdb(file, sink, loadOptions(server.config)));
}

/**
 * Loads an RDB file into `dbs` as its bytes arrive (a replica's diskless load): `push` each
 * chunk, then `end`, which installs the file's libraries and returns what was loaded.
 * `shouldYield`, asked after each key, stops a push early (`key-load-delay`); `resume` goes on.
 */
export function streamDataset(server: ServerContext, dbs: readonly Db[], shouldYield?: () => boolean) {
  const { sink, finish } = datasetSink(server, dbs, { merge: false, functions: 'flush' });
  const loader = new RdbStreamLoader(sink, loadOptions(server.config), shouldYield);
  return {
    loader,
    end: (): DatasetLoadSummary => finish(loader.end()),
  };
}

/** Loads `dir`/`dbfilename` when it exists (start-up); null when there is no file. */
export function loadRdbFile(server: ServerContext, file = rdbPath(server.config)): DatasetLoadSummary | null {
  if (!fs.existsSync(file)) return null;
  return loadDataset(server, fs.readFileSync(file), { merge: false, functions: 'flush' });
}

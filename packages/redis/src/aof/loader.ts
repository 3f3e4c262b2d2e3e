/**
 * Loading a multi-part AOF at start and on DEBUG LOADAOF, as Redis 7.0 does
 * (loadAppendOnlyFiles, loadSingleAppendOnlyFile): the base file, then each incr file in the
 * manifest's order. A file that starts with `REDIS` is an RDB (a `.base.rdb`, or an old
 * single-file AOF with an RDB preamble) followed, for the old kind, by commands.
 *
 * The commands are read as Redis reads them, a line at a time with fgets and a 1024-byte buffer
 * and the bulk payloads with fread, so that a file Redis refuses is refused here in the same place
 * and a file Redis loads is loaded the same: `$7\rX...` (a header whose LF was replaced) swallows
 * what follows into the header line, and the next header read is then where the format breaks.
 * `#...` lines are annotations (`aof-timestamp-enabled`'s `#TS:`) and are skipped.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../rdb/dataset';
import { loadRdb } from '../rdb/file-read';
import { RdbFormatError } from '../rdb/reader';
import type { RedisServer } from '../server';
import { AofManifest, type AofFileInfo } from './manifest';

/** The start (or DEBUG LOADAOF) fails: these were logged; `code` makes the command line print the message alone. */
export class AofLoadError extends Error {
  readonly code = 'EAOFLOAD';
}

/** How one file's load ended (AOF_OK, AOF_TRUNCATED, AOF_EMPTY). */
type FileResult = 'ok' | 'truncated' | 'empty';

/** fgets' buffer in Redis's loader (AOF_ANNOTATION_LINE_MAX_LEN): a line longer than 1023 bytes is read in pieces. */
const LINE_MAX = 1024;

/** A read position over a file's bytes with fgets/fread semantics. */
class FileCursor {
  pos = 0;
  constructor(readonly data: Buffer) {}

  /** fgets: up to and including LF, at most LINE_MAX - 1 bytes; null at the end. */
  gets(): Buffer | null {
    if (this.pos >= this.data.length) return null;
    const limit = Math.min(this.data.length, this.pos + LINE_MAX - 1);
    const nl = this.data.indexOf(10, this.pos);
    const end = nl >= 0 && nl < limit ? nl + 1 : limit;
    const line = this.data.subarray(this.pos, end);
    this.pos = end;
    return line;
  }

  /** fread of `n` bytes: null when fewer are left (the position then is the end). */
  read(n: number): Buffer | null {
    if (this.pos + n > this.data.length) {
      this.pos = this.data.length;
      return null;
    }
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** strerror's text for a file error (Node's messages carry the code and path instead). */
function strerror(e: unknown): string {
  const texts: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory' };
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? texts[code] : undefined) ?? (e as Error).message;
}

/** atoi/strtol over the bytes after the type byte: leading blanks, a sign, digits; 0 when none. */
function leadingInt(line: Buffer): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(line.latin1Slice(1, line.length));
  return m === null ? 0 : Number(m[1]);
}

/** Where an RDB at the start of `data` ends: the first EOF opcode + CRC64 after which the file loads. */
function rdbEnd(server: RedisServer, data: Buffer): number {
  const options = { limits: server.config, verifyChecksum: server.config.rdbchecksum, maxDb: server.config.databases - 1 };
  // The RDB is followed by nothing or by a command (`*`), after its EOF byte (0xff) and 8 bytes of CRC.
  for (let end = data.indexOf(0xff, 9) + 9; end > 9 && end <= data.length; end = data.indexOf(0xff, end - 8) + 9) {
    if (end < data.length && data[end] !== 0x2a) continue;
    try {
      loadRdb(data.subarray(0, end), { entry: () => undefined }, options);
      return end;
    } catch (e) {
      if (!(e instanceof RdbFormatError)) throw e;
    }
  }
  return data.length;
}

/** Loads one file of the AOF directory into the server; throws {@link AofLoadError} (after logging why) when it cannot. */
function loadFile(server: RedisServer, dir: string, name: string, oldStyle: boolean): FileResult {
  const log = server.log;
  const file = path.join(dir, name);
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    const message = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `The append log file ${name} doesn't exist: ${strerror(e)}` : `Fatal error: can't open the append log file ${name} for reading: ${strerror(e)}`;
    log.warn(message);
    throw new AofLoadError(message);
  }
  if (data.length === 0) return 'empty';
  const cursor = new FileCursor(data);
  if (data.latin1Slice(0, 5) === 'REDIS') {
    log.notice?.(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      const end = rdbEnd(server, data);
      loadDataset(server, data.subarray(0, end), { merge: true, functions: 'replace' });
      cursor.pos = end;
    } catch (e) {
      if (!(e instanceof RdbFormatError)) throw e;
      const message = oldStyle ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted` : `Error reading the RDB base file ${name}, AOF loading aborted`;
      log.warn(`${e.message}`);
      log.warn(message);
      throw new AofLoadError(message);
    }
    if (oldStyle) log.notice?.('Reading the remaining AOF tail...');
  }
  const client = server.newClient(null);
  client.authenticate();
  let validUpTo = cursor.pos;
  let validBeforeMulti = cursor.pos;
  const truncated = (): FileResult => {
    if (server.config['aof-load-truncated']) {
      log.warn(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      log.warn(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
      fs.truncateSync(file, validUpTo);
      log.warn(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
      return 'truncated';
    }
    const message =
      `Unexpected end of file reading the append only file ${name}. You can: ` +
      '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
      "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.";
    log.warn(message);
    throw new AofLoadError(message);
  };
  const badFormat = (): never => {
    const message = `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`;
    log.warn(message);
    throw new AofLoadError(message);
  };
  try {
    for (;;) {
      const head = cursor.gets();
      if (head === null) break;
      if (head[0] === 0x23) continue;
      if (head[0] !== 0x2a) badFormat();
      if (head.length === 1) return truncated();
      const argc = leadingInt(head);
      if (argc < 1) badFormat();
      const argv: Buffer[] = [];
      for (let j = 0; j < argc; j++) {
        const line = cursor.gets();
        if (line === null) return truncated();
        if (line[0] !== 0x24) badFormat();
        const len = leadingInt(line);
        if (len < 0) badFormat();
        const arg = cursor.read(len);
        // The CRLF after the payload is skipped unread, as Redis's fread of 2 bytes does.
        if (arg === null || cursor.read(2) === null) return truncated();
        argv.push(arg);
      }
      const def = server.lookup(argv[0]);
      if (def === undefined) {
        const message = `Unknown command '${argv[0].latin1Slice(0, argv[0].length)}' reading the append only file ${name}`;
        log.warn(message);
        throw new AofLoadError(message);
      }
      if (def.name === 'multi') validBeforeMulti = validUpTo;
      server.updateTime();
      server.execute(client, argv);
      server.flush();
      validUpTo = cursor.pos;
    }
    if (client.multi !== null) {
      log.warn(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      validUpTo = validBeforeMulti;
      return truncated();
    }
    return 'ok';
  } finally {
    server.freeClient(client);
  }
}

/** What {@link loadAofFiles} found. */
export interface AofLoadSummary {
  /** Bytes of the base and incr files (aof_current_size). */
  readonly totalSize: number;
  /** Bytes of the base file (aof_rewrite_base_size). */
  readonly baseSize: number;
}

/** The files of `dir` the manifest lists, in loading order. */
function filesToLoad(m: AofManifest): AofFileInfo[] {
  return [...(m.base === null ? [] : [m.base]), ...m.incr];
}

/**
 * Loads the base and incr files of `manifest` (null when there is nothing to load: no files, or
 * all empty), in `aof.dir`. Every error is logged before {@link AofLoadError} is thrown.
 */
export function loadAofFiles(server: RedisServer, dir: string, manifest: AofManifest): AofLoadSummary | null {
  const files = filesToLoad(manifest);
  if (files.length === 0) return null;
  let totalSize = 0;
  let baseSize = 0;
  for (const f of files) {
    let size: number;
    try {
      size = fs.statSync(path.join(dir, f.name)).size;
    } catch (e) {
      const message = `Unable to obtain the AOF file ${f.name} length. stat: ${strerror(e)}`;
      server.log.warn(message);
      throw new AofLoadError(message);
    }
    totalSize += size;
    if (f === manifest.base) baseSize = size;
  }
  if (totalSize === 0) return null;
  const oldStyle = manifest.base?.name === manifest.appendFilename;
  files.forEach((f, i) => {
    const started = Date.now();
    const result = loadFile(server, dir, f.name, oldStyle && f === manifest.base);
    const last = i === files.length - 1;
    if (result === 'truncated' && !last) {
      const message = 'Fatal error: the truncated file is not the last file';
      server.log.warn(message);
      throw new AofLoadError(message);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(3);
    server.log.notice?.(`DB loaded from ${f === manifest.base ? 'base' : 'incr'} file ${f.name}: ${seconds} seconds`);
  });
  return { totalSize, baseSize };
}

/**
 * The start from an old single-file AOF (`dir`/`appendfilename`), as aofUpgradePrepare: when the
 * AOF directory or its manifest is missing, or the manifest names only that file as its base
 * and the directory does not hold it, the file becomes the base of a new manifest and moves
 * into the directory. A crash midway is picked up at the next start.
 */
export function upgradeOldAof(server: RedisServer, serverDir: string, aofDir: string, manifest: AofManifest | null): AofManifest | null {
  const name = server.config.appendfilename;
  if (!fs.existsSync(path.join(serverDir, name))) return manifest;
  const upgrade =
    manifest === null ||
    (manifest.base === null && manifest.incr.length === 0) ||
    (manifest.base !== null && manifest.incr.length === 0 && manifest.base.name === name && !fs.existsSync(path.join(aofDir, name)));
  if (!upgrade) return manifest;
  fs.mkdirSync(aofDir, { recursive: true });
  const m = manifest ?? new AofManifest(name);
  m.base = { name, seq: 1, type: 'b' };
  m.baseSeq = 1;
  m.persist(aofDir);
  fs.renameSync(path.join(serverDir, name), path.join(aofDir, name));
  server.log.notice?.(`Successfully migrated an old-style AOF file (${name}) into the AOF directory (${path.basename(aofDir)}).`);
  return m;
}

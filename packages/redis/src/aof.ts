/**
 * Append-only file persistence: write commands are encoded as RESP and appended at the end of
 * each batch, before that batch's replies leave (fsynced first under `appendfsync always`);
 * replay on start; BGREWRITEAOF writes a compacted file incrementally between batches.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RedisServer } from './server';
import type { Db, Entry } from './keyspace';

type Arg = Buffer | string;

/** Appends RESP arrays to a growable buffer. */
class Encoder {
  buf = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private text(s: string): void {
    this.reserve(s.length);
    this.pos += this.buf.latin1Write(s, this.pos, s.length);
  }

  command(argv: readonly Arg[]): void {
    this.text(`*${argv.length}\r\n`);
    for (const a of argv) {
      const len = typeof a === 'string' ? a.length : a.length;
      this.text(`$${len}\r\n`);
      this.reserve(len + 2);
      if (typeof a === 'string') this.buf.latin1Write(a, this.pos, len);
      else this.buf.set(a, this.pos);
      this.pos += len;
      this.buf[this.pos++] = 13;
      this.buf[this.pos++] = 10;
    }
  }

  /** Writes everything to `fd` and empties the buffer. */
  drain(fd: number): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(fd, this.buf, off, this.pos - off);
    this.pos = 0;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
  }
}

/** An AOF that cannot be loaded: `offset` is where the bad record starts. */
export class AofFormatError extends Error {
  constructor(
    file: string,
    readonly offset: number,
    what: string,
  ) {
    super(`Bad file format reading the append only file ${file} at offset ${offset}: ${what}`);
  }
}

interface Rewrite {
  tmp: string;
  fd: number;
  out: Encoder;
  /** The keys of each database when the rewrite started. */
  snapshot: string[][];
  dbIndex: number;
  keyIndex: number;
  lastDb: number;
  /** `db\0key` of keys changed since the rewrite started: written last, in their final state. */
  touched: Set<string>;
  /** FLUSHALL/SWAPDB happened: the snapshot means nothing any more, start over. */
  restart: boolean;
  done: Promise<void>;
  resolve: () => void;
}

/** Keys written per slice of a rewrite before yielding to the event loop. */
const REWRITE_SLICE_KEYS = 2000;
const REWRITE_SLICE_MS = 4;

export class Aof {
  readonly file: string;
  private fd: number;
  private readonly out = new Encoder();
  private lastDb = -1;
  /** True while replaying: replayed commands are not logged again. */
  loading = false;
  private unsynced = false;
  private lastFsync = 0;
  private fsyncing = false;
  private rewriting: Rewrite | null = null;
  private tx: 'none' | 'pending' | 'open' = 'none';
  /** Size after the last rewrite (for the automatic rewrite when the file doubles). */
  private baseSize = 0;
  size = 0;
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  rewrites = 0;

  constructor(private readonly server: RedisServer) {
    const cfg = server.config;
    fs.mkdirSync(cfg.dir, { recursive: true });
    this.file = path.join(cfg.dir, cfg.appendfilename);
    this.fd = fs.openSync(this.file, 'a+');
    this.size = this.baseSize = fs.fstatSync(this.fd).size;
  }

  get rewriteInProgress(): boolean {
    return this.rewriting !== null;
  }

  /** EXEC: the transaction's writes are wrapped in MULTI/EXEC, so replay is all or nothing. */
  beginTransaction(): void {
    this.tx = 'pending';
  }

  endTransaction(): void {
    if (this.tx === 'open') this.out.command(['EXEC']);
    this.tx = 'none';
  }

  /** Queues a command for the log, in database `dbIndex`. */
  feed(dbIndex: number, argv: readonly Arg[]): void {
    if (this.loading) return;
    if (this.tx === 'pending') {
      this.out.command(['MULTI']);
      this.tx = 'open';
    }
    if (dbIndex !== this.lastDb) {
      this.out.command(['SELECT', String(dbIndex)]);
      this.lastDb = dbIndex;
    }
    this.out.command(argv);
  }

  /** Writes what the batch logged; under `always` also fsyncs, before any reply is sent. */
  endBatch(): void {
    if (this.out.pos === 0) return;
    this.size += this.out.pos;
    this.out.drain(this.fd);
    if (this.server.config.appendfsync === 'always') fs.fsyncSync(this.fd);
    else this.unsynced = true;
  }

  /** Called every tick: the `everysec` fsync, off the event loop (libuv's thread pool). */
  tick(): void {
    const now = this.server.now();
    if (this.server.config.appendfsync === 'everysec' && this.unsynced && !this.fsyncing && now - this.lastFsync >= 1000) {
      this.lastFsync = now;
      this.unsynced = false;
      this.fsyncing = true;
      fs.fsync(this.fd, () => {
        this.fsyncing = false;
      });
    }
    if (this.rewriting === null && this.size > 64 * 1024 * 1024 && this.size > this.baseSize * 2) this.startRewrite();
  }

  /** Flushes, fsyncs and closes (SHUTDOWN, SIGTERM). */
  close(): void {
    this.endBatch();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    if (this.rewriting !== null) {
      fs.closeSync(this.rewriting.fd);
      fs.rmSync(this.rewriting.tmp, { force: true });
      this.rewriting.resolve();
      this.rewriting = null;
    }
  }

  keyTouched(dbIndex: number, key: string): void {
    if (this.rewriting !== null) this.rewriting.touched.add(`${dbIndex}\0${key}`);
  }

  /** FLUSHDB/FLUSHALL/SWAPDB: a running rewrite's snapshot is void. */
  datasetReplaced(): void {
    if (this.rewriting !== null) this.rewriting.restart = true;
  }

  /**
   * Replays the file into the server. A record cut short at the end (a crash mid-write) is
   * removed with a warning; anything else malformed throws {@link AofFormatError}.
   */
  load(): void {
    const data = fs.readFileSync(this.file);
    const server = this.server;
    const client = server.newClient(null);
    client.authenticate();
    this.loading = true;
    let pos = 0;
    let multiStart = -1;
    let truncatedAt = -1;
    try {
      while (pos < data.length) {
        const start = pos;
        const r = readRecord(data, pos);
        if (r === 'short') {
          truncatedAt = start;
          break;
        }
        if (typeof r === 'string') throw new AofFormatError(this.file, start, r);
        const [argv, end] = r;
        const def = server.lookup(argv[0]);
        if (def === undefined) throw new AofFormatError(this.file, start, `unknown command '${argv[0].latin1Slice(0, argv[0].length)}'`);
        if (def.name === 'multi') multiStart = start;
        server.updateTime();
        server.execute(client, argv);
        if (def.name === 'exec') multiStart = -1;
        server.flush();
        pos = end;
      }
      if (client.multi !== null && truncatedAt < 0) truncatedAt = multiStart;
      else if (client.multi !== null) truncatedAt = Math.min(truncatedAt, multiStart);
      if (truncatedAt >= 0) {
        if (!server.config['aof-load-truncated']) {
          throw new AofFormatError(this.file, truncatedAt, 'unexpected end of file (aof-load-truncated is off)');
        }
        server.log.warn(
          `!!! Warning: short read while loading the AOF file ${this.file} !!! ` +
            `AOF loaded anyway: the incomplete last record at offset ${truncatedAt} was removed.`,
        );
        fs.ftruncateSync(this.fd, truncatedAt);
        this.size = truncatedAt;
      }
    } finally {
      this.loading = false;
      server.freeClient(client);
    }
  }

  /** BGREWRITEAOF: starts an incremental rewrite unless one is running; resolves when done. */
  startRewrite(): Promise<void> {
    if (this.rewriting !== null) return this.rewriting.done;
    const tmp = `${this.file}.rewrite-${process.pid}.tmp`;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.rewriting = {
      tmp,
      fd: fs.openSync(tmp, 'w'),
      out: new Encoder(),
      snapshot: this.server.dbs.map((db) => Array.from(db.dict.keys())),
      dbIndex: 0,
      keyIndex: 0,
      lastDb: -1,
      touched: new Set(),
      restart: false,
      done,
      resolve,
    };
    setImmediate(() => this.rewriteSlice());
    return done;
  }

  private rewriteSlice(): void {
    const rw = this.rewriting;
    if (rw === null) return;
    try {
      if (rw.restart) {
        rw.snapshot = this.server.dbs.map((db) => Array.from(db.dict.keys()));
        rw.dbIndex = rw.keyIndex = 0;
        rw.lastDb = -1;
        rw.touched.clear();
        rw.restart = false;
        fs.ftruncateSync(rw.fd, 0);
        rw.out.pos = 0;
      }
      const deadline = performance.now() + REWRITE_SLICE_MS;
      let n = 0;
      while (rw.dbIndex < rw.snapshot.length) {
        const keys = rw.snapshot[rw.dbIndex];
        const db = this.server.dbs[rw.dbIndex];
        while (rw.keyIndex < keys.length) {
          const key = keys[rw.keyIndex++];
          if (rw.touched.has(`${db.index}\0${key}`)) continue;
          const e = db.dict.get(key);
          if (e !== undefined) this.rewriteEntry(rw, db, key, e);
          if (++n >= REWRITE_SLICE_KEYS || (n % 64 === 0 && performance.now() > deadline)) {
            rw.out.drain(rw.fd);
            setImmediate(() => this.rewriteSlice());
            return;
          }
        }
        rw.dbIndex++;
        rw.keyIndex = 0;
      }
      this.finishRewrite(rw);
    } catch (err) {
      this.server.log.error(`Background AOF rewrite failed: ${(err as Error).message}`);
      this.lastRewriteStatus = 'err';
      fs.closeSync(rw.fd);
      fs.rmSync(rw.tmp, { force: true });
      this.rewriting = null;
      rw.resolve();
    }
  }

  private rewriteEntry(rw: Rewrite, db: Db, key: string, e: Entry): void {
    if (rw.lastDb !== db.index) {
      rw.out.command(['SELECT', String(db.index)]);
      rw.lastDb = db.index;
    }
    const ops = this.server.typeOps[e.type];
    if (ops === undefined) throw new Error(`no AOF rewrite for type ${e.type}`);
    for (const argv of ops.rewrite(key, e.value)) rw.out.command(argv);
    const at = db.getExpireExact(key);
    if (at !== undefined) rw.out.command(['PEXPIREAT', key, String(at)]);
  }

  /** The last slice: keys changed meanwhile and the libraries, in their current state, then the switch-over. */
  private finishRewrite(rw: Rewrite): void {
    // The libraries as they are now (Redis's rewriteFunctions): FUNCTION commands run during the
    // rewrite went to the old file only. Written last, as the keys changed meanwhile are.
    for (const library of this.server.scripting.libraries(null)) rw.out.command(['FUNCTION', 'LOAD', library.code]);
    for (const id of rw.touched) {
      const sep = id.indexOf('\0');
      const db = this.server.dbs[Number(id.slice(0, sep))];
      const key = id.slice(sep + 1);
      if (rw.lastDb !== db.index) {
        rw.out.command(['SELECT', String(db.index)]);
        rw.lastDb = db.index;
      }
      rw.out.command(['DEL', key]);
      const e = db.dict.get(key);
      if (e !== undefined) this.rewriteEntry(rw, db, key, e);
    }
    rw.out.drain(rw.fd);
    fs.fsyncSync(rw.fd);
    // The current batch's log goes to the old file first, so nothing is lost if rename fails.
    this.endBatch();
    fs.renameSync(rw.tmp, this.file);
    const old = this.fd;
    this.fd = rw.fd;
    this.lastDb = -1;
    this.size = this.baseSize = fs.fstatSync(this.fd).size;
    fs.closeSync(old);
    this.rewriting = null;
    this.rewrites++;
    this.lastRewriteStatus = 'ok';
    rw.resolve();
  }
}

/**
 * Reads one RESP array of bulks at `pos`: `[argv, end]`, `'short'` when the data ends inside
 * it, or a description of what is wrong.
 */
function readRecord(data: Buffer, pos: number): [Buffer[], number] | 'short' | string {
  if (data[pos] !== 0x2a) return `expected '*', got byte ${data[pos]}`;
  const line = readLine(data, pos + 1);
  if (line === 'short') return line;
  const [count, after] = line;
  if (!(count >= 1)) return 'invalid array length';
  const argv: Buffer[] = [];
  pos = after;
  for (let i = 0; i < count; i++) {
    if (pos >= data.length) return 'short';
    if (data[pos] !== 0x24) return `expected '$', got byte ${data[pos]}`;
    const l = readLine(data, pos + 1);
    if (l === 'short') return l;
    const [len, start] = l;
    if (!(len >= 0)) return 'invalid bulk length';
    if (start + len + 2 > data.length) return 'short';
    if (data[start + len] !== 13 || data[start + len + 1] !== 10) return 'bulk not terminated by CRLF';
    argv.push(data.subarray(start, start + len));
    pos = start + len + 2;
  }
  return [argv, pos];
}

function readLine(data: Buffer, pos: number): [number, number] | 'short' {
  const cr = data.indexOf(13, pos);
  // A header line is at most 21 bytes: a longer one without a line end is corruption, not a cut.
  if (cr < 0 || cr + 1 >= data.length) return data.length - pos > 24 ? [NaN, 0] : 'short';
  // The CR must be followed by LF, checked to the byte as Redis does: `$7\rX` is corruption.
  if (data[cr + 1] !== 10) return [NaN, 0];
  const s = data.latin1Slice(pos, cr);
  return [/^\d{1,12}$/.test(s) ? Number(s) : NaN, cr + 2];
}

/**
 * Append-only file persistence in Redis 7's multi-part layout: `dir`/`appenddirname` holds the
 * manifest (`aof/manifest.ts`), one base file (the dataset at the last rewrite: an RDB with
 * `aof-use-rdb-preamble yes`, else commands) and the incr files written since. Write commands
 * are encoded as RESP and appended to the last incr file at the end of each batch, before that
 * batch's replies leave (fsynced first under `appendfsync always`).
 *
 * BGREWRITEAOF (aofrw) opens a new incr file at once (new writes go there), then writes the new
 * base as a point-in-time snapshot of the dataset of that moment, incrementally between batches
 * (copy-on-write per key: `persist/snapshot.ts` for an RDB base, `aof/base-snapshot.ts` for an
 * AOF one), and at the end renames it into place and swaps the manifest atomically: the old base
 * and the incr files it covers become history and are deleted. Loading is `aof/loader.ts`.
 *
 * Modes: `on` (appendonly yes), `wait` (just enabled at run time: writes go to a temporary incr
 * file until the first rewrite ends, as Redis's AOF_WAIT_REWRITE), `off` (a BGREWRITEAOF with
 * appendonly no: only the rewrite, nothing logged).
 *
 * @packageDocumentation
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { showSetting } from './config';
import { holdStandInProcess, scheduleSlice, SLICE_MS } from './persist/background';
import { Snapshot } from './persist/snapshot';
import { serializeDataset, writeFileAtomically } from './rdb/dataset';
import type { RedisServer } from './server';
import { AofBaseSnapshot } from './aof/base-snapshot';
import { Encoder } from './aof/encoder';
import { AofLoadError, loadAofFiles, upgradeOldAof } from './aof/loader';
import { AofManifest, AofManifestError, syncDirectory } from './aof/manifest';

export { AofLoadError } from './aof/loader';

type Arg = Buffer | string;
type Mode = 'on' | 'wait' | 'off';

/** A base being written: either snapshot kind. */
type BaseSnapshot = Snapshot | AofBaseSnapshot;

interface Rewrite {
  readonly snapshot: BaseSnapshot;
  readonly startedAt: number;
  cancel: (() => void) | null;
  /** The rewrite's process handle (see {@link holdStandInProcess}). */
  readonly process: ChildProcess;
}

/** Failed rewrites in a row after which automatic ones wait (AOF_REWRITE_LIMITE_THRESHOLD). */
const LIMIT_THRESHOLD = 3;
/** The longest wait between automatic rewrites that keep failing, in minutes. */
const LIMIT_MAX_MINUTES = 60;

/** The AOF's directory: `dir`/`appenddirname`. */
export function aofDirectory(server: RedisServer): string {
  return path.join(server.config.dir, showSetting(server.config, 'appenddirname'));
}

export class Aof {
  readonly dir: string;
  manifest: AofManifest;
  /** The incr file written to (null in mode `off`). */
  private fd: number | null = null;
  private readonly out = new Encoder();
  private lastDb = -1;
  /** True while replaying: replayed commands are not logged again. */
  loading = false;
  private unsynced = false;
  private lastFsync = 0;
  private fsyncing = false;
  private rewriting: Rewrite | null = null;
  private tx: 'none' | 'pending' | 'open' = 'none';
  /** `aof-timestamp-enabled`, read at the first write of each batch; the last `#TS:` second written. */
  private timestamps = false;
  private settingsRead = false;
  private lastTimestamp = 0;
  /** Base size after the last rewrite (aof_rewrite_base_size), for the automatic rewrite. */
  baseSize = 0;
  /** Bytes of the base and incr files (aof_current_size). */
  size = 0;
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  lastRewriteSeconds = -1;
  rewrites = 0;
  /** Rewrites that failed since the last success (aof_rewrites_consecutive_failures). */
  consecutiveFailures = 0;
  /** While automatic rewrites are limited: the next allowed time (ms) and the current wait in minutes. */
  private limitedUntil = 0;
  private limitMinutes = 0;
  /** A rewrite waits for the running BGSAVE to end (aof_rewrite_scheduled). */
  scheduled = false;
  /** {@link Aof.whenIdle}'s callers. */
  private idleWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: RedisServer,
    private mode: Mode,
  ) {
    this.dir = aofDirectory(server);
    this.manifest = AofManifest.load(this.dir, server.config.appendfilename) ?? new AofManifest(server.config.appendfilename);
  }

  /** Start-up with appendonly yes: loads the files, then opens the last incr file (loadDataFromDisk, aofOpenIfNeededOnServerStart). */
  static openAtStart(server: RedisServer): Aof {
    let aof: Aof;
    try {
      aof = new Aof(server, 'on');
    } catch (e) {
      if (!(e instanceof AofManifestError)) throw e;
      for (const line of e.logLines()) server.log.warn(line);
      throw new AofLoadError(e.reason);
    }
    const upgraded = upgradeOldAof(server, server.config.dir, aof.dir, fs.existsSync(path.join(aof.dir, aof.manifest.fileName)) ? aof.manifest : null);
    if (upgraded !== null) aof.manifest = upgraded;
    aof.loading = true;
    server.aof = aof;
    const started = Date.now();
    try {
      const summary = loadAofFiles(server, aof.dir, aof.manifest);
      if (summary !== null) {
        aof.size = summary.totalSize;
        aof.baseSize = summary.baseSize;
        server.log.notice?.(`DB loaded from append only file: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
      }
    } finally {
      aof.loading = false;
    }
    aof.openIncrAtStart();
    return aof;
  }

  /** CONFIG SET appendonly yes: logs to a temporary incr file until the first rewrite ends (startAppendOnly). */
  static enable(server: RedisServer): Aof {
    const aof = new Aof(server, 'wait');
    server.aof = aof;
    aof.requestRewrite();
    return aof;
  }

  /** BGREWRITEAOF with appendonly no: the rewrite alone. */
  static rewriteOnly(server: RedisServer): Aof {
    return new Aof(server, 'off');
  }

  get enabled(): boolean {
    return this.mode !== 'off';
  }

  get rewriteInProgress(): boolean {
    return this.rewriting !== null;
  }

  private openIncrAtStart(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const m = this.manifest;
    if (m.base === null && m.incr.length === 0) {
      const base = m.newBase(showSetting(this.server.config, 'aof-use-rdb-preamble') === 'yes');
      this.writeBaseNow(path.join(this.dir, base.name));
      this.server.log.notice?.(`Creating AOF base file ${base.name} on server start`);
    }
    const existing = m.incr.length > 0;
    const incr = existing ? m.incr[m.incr.length - 1] : m.newIncr();
    this.fd = fs.openSync(path.join(this.dir, incr.name), 'a');
    m.persist(this.dir);
    this.server.log.notice?.(`${existing ? 'Opening' : 'Creating'} AOF incr file ${incr.name} on server start`);
    this.collectHistory();
  }

  /**
   * The base written at once, at a start with no AOF files: nothing was loaded, so the dataset is
   * empty and the base holds the libraries alone (FUNCTION LOAD lines, or FUNCTION2 records).
   */
  private writeBaseNow(target: string): void {
    if (target.endsWith('.rdb')) {
      writeFileAtomically(target, serializeDataset(this.server));
      return;
    }
    const out = new Encoder();
    for (const library of this.server.scripting.libraries(null)) out.command(['FUNCTION', 'LOAD', library.code]);
    writeFileAtomically(target, [out.buf.subarray(0, out.pos)]);
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
    if (this.loading || this.fd === null) return;
    if (!this.settingsRead) {
      this.timestamps = showSetting(this.server.config, 'aof-timestamp-enabled') === 'yes';
      this.settingsRead = true;
    }
    if (this.timestamps) {
      const now = Math.floor(this.server.now() / 1000);
      if (now > this.lastTimestamp) {
        this.lastTimestamp = now;
        this.out.text(`#TS:${now}\r\n`);
      }
    }
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
    this.settingsRead = false;
    if (this.out.pos === 0 || this.fd === null) return;
    const sleepUs = this.server.aofFlushSleepUs;
    if (sleepUs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, sleepUs / 1000);
    this.size += this.out.pos;
    this.out.drain(this.fd);
    if (this.server.config.appendfsync === 'always') fs.fsyncSync(this.fd);
    else this.unsynced = true;
  }

  /** Every cron tick: the `everysec` fsync off the loop, a scheduled or automatic rewrite, history clean-up. */
  tick(): void {
    const cfg = this.server.config;
    const now = this.server.now();
    const fd = this.fd;
    if (fd !== null && cfg.appendfsync === 'everysec' && this.unsynced && !this.fsyncing && now - this.lastFsync >= 1000) {
      this.lastFsync = now;
      this.unsynced = false;
      this.fsyncing = true;
      fs.fsync(fd, () => {
        this.fsyncing = false;
      });
    }
    if (this.rewriting !== null) return;
    if (this.scheduled && !this.server.rdb.inProgress) {
      this.requestRewrite();
      return;
    }
    if (this.manifest.history.length > 0 && showSetting(cfg, 'aof-disable-auto-gc') !== 'yes') this.collectHistory();
    const percentage = Number(showSetting(cfg, 'auto-aof-rewrite-percentage'));
    const minSize = Number(showSetting(cfg, 'auto-aof-rewrite-min-size'));
    if (this.mode === 'on' && percentage > 0 && this.size > minSize && !this.server.rdb.inProgress) {
      const growth = (this.size * 100) / (this.baseSize === 0 ? 1 : this.baseSize) - 100;
      if (growth >= percentage && !this.rewriteLimited(now)) {
        this.server.log.notice?.(`Starting automatic rewriting of AOF on ${Math.floor(growth)}% growth`);
        this.requestRewrite();
      }
    }
  }

  /**
   * aofRewriteLimited: after {@link LIMIT_THRESHOLD} failures in a row, automatic rewrites wait
   * 1, 2, 4… minutes (at most {@link LIMIT_MAX_MINUTES}) between tries; BGREWRITEAOF still runs.
   */
  private rewriteLimited(now: number): boolean {
    if (this.consecutiveFailures < LIMIT_THRESHOLD) {
      this.limitedUntil = this.limitMinutes = 0;
      return false;
    }
    if (this.limitedUntil !== 0) {
      if (now < this.limitedUntil) return true;
      this.limitedUntil = 0;
      return false;
    }
    this.limitMinutes = Math.min(LIMIT_MAX_MINUTES, this.limitMinutes === 0 ? 1 : this.limitMinutes * 2);
    this.limitedUntil = now + this.limitMinutes * 60_000;
    this.server.log.warn(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.limitMinutes} minutes`);
    return true;
  }

  /** Flushes, fsyncs and closes (SHUTDOWN, SIGTERM, appendonly no); a running rewrite stops. */
  close(): void {
    this.endBatch();
    if (this.fd !== null) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = null;
    }
    // In mode `wait` the temporary incr file exists only while a rewrite runs, and goes with it.
    if (this.rewriting !== null) this.abortRewrite('AOF closed');
  }

  /** The manifest as the disk has it (DEBUG LOADAOF reads it again, as Redis does). */
  readManifest(): void {
    this.manifest = AofManifest.load(this.dir, this.server.config.appendfilename) ?? new AofManifest(this.server.config.appendfilename);
  }

  /** DEBUG LOADAOF, after {@link Aof.readManifest}: history removed, every file replayed into the (emptied) dataset. */
  reload(): void {
    this.endBatch();
    this.collectHistory();
    this.loading = true;
    try {
      loadAofFiles(this.server, this.dir, this.manifest);
    } finally {
      this.loading = false;
    }
  }

  /** True when there are files to load. */
  get hasFiles(): boolean {
    return this.manifest.base !== null || this.manifest.incr.length > 0;
  }

  /**
   * BGREWRITEAOF: 'started', or 'scheduled' while a BGSAVE runs (it starts when that ends).
   * Throws when a rewrite runs already (the caller's error).
   */
  requestRewrite(): 'started' | 'scheduled' {
    if (this.server.rdb.inProgress) {
      this.scheduled = true;
      return 'scheduled';
    }
    this.scheduled = false;
    this.startRewrite();
    return 'started';
  }

  private get tempIncrPath(): string {
    return path.join(this.dir, `temp-${this.server.config.appendfilename}.incr`);
  }

  private startRewrite(): void {
    const server = this.server;
    fs.mkdirSync(this.dir, { recursive: true });
    this.endBatch();
    this.lastDb = -1;
    if (this.mode === 'on') {
      // The new writes go to a new incr file from now on; the manifest names it first.
      const next = this.manifest.copy();
      const incr = next.newIncr();
      const fd = fs.openSync(path.join(this.dir, incr.name), 'w');
      next.persist(this.dir);
      server.log.notice?.(`Creating AOF incr file ${incr.name} on background rewrite`);
      if (this.fd !== null) {
        fs.fsyncSync(this.fd);
        fs.closeSync(this.fd);
      }
      this.fd = fd;
      this.manifest = next;
    } else if (this.mode === 'wait' && this.fd === null) {
      this.fd = fs.openSync(this.tempIncrPath, 'w');
      server.log.notice?.(`Creating AOF incr file temp-${server.config.appendfilename}.incr on background rewrite`);
    }
    const temp = path.join(server.config.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    const rdb = showSetting(server.config, 'aof-use-rdb-preamble') === 'yes';
    const timestamp = showSetting(server.config, 'aof-timestamp-enabled') === 'yes' ? Math.floor(Date.now() / 1000) : null;
    const snapshot = rdb ? Snapshot.open(server, temp) : AofBaseSnapshot.open(server, temp, timestamp);
    const rw: Rewrite = {
      snapshot,
      startedAt: Date.now(),
      cancel: null,
      process: holdStandInProcess((signal) => {
        if (this.rewriting !== rw) return;
        server.log.warn(`Background AOF rewrite terminated by signal ${signal}`);
        this.failRewrite(rw, new Error(`its process was killed (${signal})`));
      }),
    };
    this.rewriting = rw;
    this.rewrites++;
    server.stats.forks++;
    server.log.notice?.('Background append only file rewriting started (fork-less snapshot, nevio)');
    this.scheduleSlice(this.rewriting);
  }

  private scheduleSlice(rw: Rewrite): void {
    rw.cancel = scheduleSlice(this.server.config, (maxKeys) => this.slice(rw, maxKeys));
  }

  private slice(rw: Rewrite, maxKeys: number): void {
    rw.cancel = null;
    if (this.rewriting !== rw) return;
    let done: boolean;
    try {
      done = rw.snapshot.step(performance.now() + SLICE_MS, maxKeys);
    } catch (e) {
      this.failRewrite(rw, e);
      return;
    }
    if (!done) {
      this.scheduleSlice(rw);
      return;
    }
    rw.cancel = () => undefined;
    rw.snapshot.sync().then(
      () => {
        if (this.rewriting !== rw) return;
        try {
          this.finishRewrite(rw);
        } catch (e) {
          this.failRewrite(rw, e);
        }
      },
      (e: unknown) => this.failRewrite(rw, e),
    );
  }

  /** backgroundRewriteDoneHandler: the new base and manifest take over, the covered files become history. */
  private finishRewrite(rw: Rewrite): void {
    const server = this.server;
    const next = this.manifest.copy();
    const base = next.newBase(rw.snapshot instanceof Snapshot);
    const basePath = path.join(this.dir, base.name);
    const bytes = rw.snapshot.commit(basePath);
    server.log.notice?.(`Successfully renamed the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof into ${base.name}`);
    if (this.mode === 'wait') {
      this.endBatch();
      const incr = next.newIncr();
      fs.renameSync(this.tempIncrPath, path.join(this.dir, incr.name));
      server.log.notice?.(`Successfully renamed the temporary AOF incr file temp-${server.config.appendfilename}.incr into ${incr.name}`);
    }
    next.markIncrAsHistory(this.fd !== null);
    next.persist(this.dir);
    this.manifest = next;
    this.rewriting = null;
    if (this.mode === 'wait') this.mode = 'on';
    this.baseSize = bytes;
    this.size = bytes + this.incrSize();
    this.lastRewriteStatus = 'ok';
    this.consecutiveFailures = 0;
    rw.process.stdin?.end();
    this.lastRewriteSeconds = Math.floor((Date.now() - rw.startedAt) / 1000);
    server.log.notice?.('Background AOF rewrite terminated with success');
    this.collectHistory();
    server.log.notice?.('Background AOF rewrite finished successfully');
    this.notifyIdle();
  }

  private incrSize(): number {
    let n = 0;
    for (const f of this.manifest.incr) {
      try {
        n += fs.statSync(path.join(this.dir, f.name)).size;
      } catch {
        // A missing incr file counts nothing; the next start refuses it.
      }
    }
    return n;
  }

  private failRewrite(rw: Rewrite, e: unknown): void {
    this.server.log.warn(`Background AOF rewrite failed: ${(e as Error).message}`);
    this.lastRewriteStatus = 'err';
    this.consecutiveFailures++;
    this.lastRewriteSeconds = Math.floor((Date.now() - rw.startedAt) / 1000);
    // A failed first rewrite after enabling is tried again (Redis schedules it).
    if (this.mode === 'wait') this.scheduled = true;
    this.abortRewrite('error');
  }

  /** Resolves once no rewrite runs or waits (a BGREWRITEAOF with the AOF off then detaches it). */
  whenIdle(): Promise<void> {
    if (this.rewriting === null && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.rewriting !== null || this.scheduled) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private abortRewrite(why: string): void {
    const rw = this.rewriting;
    if (rw === null) return;
    this.rewriting = null;
    rw.cancel?.();
    rw.snapshot.abort();
    rw.process.stdin?.end();
    this.server.log.notice?.(`Background AOF rewrite stopped: ${why}`);
    if (this.mode === 'wait') this.removeTempIncr();
    this.notifyIdle();
  }

  private removeTempIncr(): void {
    if (this.mode !== 'wait') return;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    this.server.log.notice?.(`Removing the temp incr aof file temp-${this.server.config.appendfilename}.incr in the background`);
    fs.rmSync(this.tempIncrPath, { force: true });
  }

  /** aofDelHistoryFiles: history files go, unless `aof-disable-auto-gc`. */
  collectHistory(): void {
    const m = this.manifest;
    if (m.history.length === 0 || showSetting(this.server.config, 'aof-disable-auto-gc') === 'yes') return;
    for (const f of m.history) {
      this.server.log.notice?.(`Removing the history file ${f.name} in the background`);
      fs.rmSync(path.join(this.dir, f.name), { force: true });
    }
    m.history = [];
    m.persist(this.dir);
    syncDirectory(this.dir);
  }
}

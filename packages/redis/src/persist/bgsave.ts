/**
 * BGSAVE, save points and the RDB side of SHUTDOWN, FLUSHALL and LASTSAVE, as Redis 7.0 has them
 * (rdb.c rdbSaveBackground, server.c serverCron, bgsaveCommand), over the fork-less
 * {@link Snapshot}: a background save runs as slices of about {@link SLICE_MS} on the event loop
 * (each a `setImmediate`, so the clients' I/O runs between two), and the file it writes is the
 * dataset of the moment BGSAVE began.
 *
 * What Redis's child process reports is kept as Redis shows it in INFO persistence: the status and
 * duration of the last background save, the number of saves, the changes since the last save
 * (the changes made while a save runs count after it, as Redis's dirty_before_bgsave does).
 * `rdb-key-save-delay` (microseconds per key, the suite's way to make a save slow) is honoured.
 *
 * @packageDocumentation
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { ServerContext } from '../context';
import { CommandError } from '../errors';
import { showSetting } from '../config';
import { rdbPath, saveRdbFile } from '../rdb/dataset';
import type { AuxFields } from '../rdb/file-write';
import type { SnapshotOutput } from './output';
import { Snapshot } from './snapshot';
import { holdStandInProcess, scheduleSlice, SLICE_MS } from './background';

/** How often a signal's pending shutdown looks whether the cron runs again. */
const CRON_WAIT_MS = 10;
/** How often a save whose output is behind (a slow replica's socket) looks again. */
const CONGESTED_RETRY_MS = 10;
/** After a failed background save, the save points wait this long before the next try (CONFIG_BGSAVE_RETRY_DELAY). */
const RETRY_DELAY_MS = 5000;

/** What the saver needs of the server besides what commands see. */
export interface SaveHost extends ServerContext {
  /** Changes since start (Redis's server.dirty, never reset here: the saver keeps its own base). */
  readonly dirty: number;
  readonly log: { notice?(msg: string): void; warn(msg: string): void };
  /** An AOF rewrite runs (Redis: another child is active). */
  readonly aofRewriting: boolean;
}

/** The running background save. */
interface Running {
  readonly snapshot: Snapshot;
  /** A diskless full sync's (Redis's RDB_CHILD_TYPE_SOCKET): no file, and the save history stays as it was. */
  readonly toReplicas: boolean;
  readonly startedAt: number;
  /** {@link SaveHost.dirty} when it began: what the file holds. */
  readonly dirtyAtStart: number;
  /** Cancels the next slice (null while one runs). */
  cancel: (() => void) | null;
  /** A synchronous save happened while this one was being synced: its older file must not replace that one. */
  superseded: boolean;
  /** The process that stands for the save (see {@link holdStandInProcess}). */
  readonly process: ChildProcess;
}

/** The background save and its history (one per server). */
export class RdbSaves {
  /** Seconds since the epoch of the last successful save (LASTSAVE; the start time until then). */
  lastSaveTime: number;
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  /** Duration of the last background save in seconds, -1 before the first. */
  lastBgsaveSeconds = -1;
  /** Successful saves since start (rdb_saves). */
  saves = 0;
  /** The copy-on-write bytes of the last background save (rdb_last_cow_size). */
  lastCowBytes = 0;
  /** The last load of an RDB (start, DEBUG RELOAD, a replica's full sync): rdb_last_load_keys_loaded and _expired. */
  lastLoad = { keysLoaded: 0, keysExpired: 0 };
  /** BGSAVE SCHEDULE (or one inside a transaction) waits for the AOF rewrite to end. */
  scheduled = false;
  private running: Running | null = null;
  /** {@link SaveHost.dirty} at the last successful save: the changes since are the difference. */
  private dirtyAtSave = 0;
  private lastAttempt = 0;
  /** The save whose file is being synced (after its walk), null otherwise. */
  private finishing: Running | null = null;
  /** Who waits for the running save's outcome ({@link RdbSaves.whenDone}). */
  private waiters: ((ok: boolean) => void)[] = [];
  /** Removes the temporary file if the process exits mid-save (a second SIGINT), as Redis's signal handler does. */
  private readonly onExit = (): void => this.abort('the process exits');

  constructor(private readonly host: SaveHost) {
    this.lastSaveTime = Math.floor(Date.now() / 1000);
  }

  /** The last save's outcome; writes may be refused after an error (MISCONF, `replication/index.ts`'s guard). */
  private setStatus(status: 'ok' | 'err'): void {
    this.lastBgsaveStatus = status;
    this.host.replication.updateGuard();
  }

  /**
   * Writes are refused (Redis's writeCommandsDeniedByDiskError): the last background save failed,
   * there are save points and `stop-writes-on-bgsave-error` is yes.
   */
  get deniesWrites(): boolean {
    return this.lastBgsaveStatus === 'err' && showSetting(this.host.config, 'stop-writes-on-bgsave-error') === 'yes' && this.savePoints().length !== 0;
  }

  get inProgress(): boolean {
    return this.running !== null || this.finishing !== null;
  }

  /** rdb_changes_since_last_save. */
  get changesSinceSave(): number {
    return this.host.dirty - this.dirtyAtSave;
  }

  /** Seconds the running save has taken so far, -1 when none runs. */
  get currentSeconds(): number {
    return this.running === null ? -1 : Math.floor((Date.now() - this.running.startedAt) / 1000);
  }

  /**
   * BGSAVE [SCHEDULE]: the reply's text, or a {@link CommandError} as Redis's bgsaveCommand.
   * `deferred`: inside MULTI/EXEC or a script a save is scheduled, not started (as in Redis).
   */
  bgsave(schedule: boolean, deferred: boolean): string {
    if (this.inProgress) throw new CommandError('ERR Background save already in progress');
    if (this.host.aofRewriting || deferred) {
      if (!schedule && !deferred) {
        throw new CommandError(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
      }
      this.scheduled = true;
      return 'Background saving scheduled';
    }
    this.start();
    return 'Background saving started';
  }

  /**
   * A background save for replicas' disk syncs (Redis's rdbSaveBackground for SYNC): false when
   * one cannot start now (a save or an AOF rewrite runs, or the file cannot be opened).
   */
  startForReplication(): boolean {
    if (!this.free) return false;
    this.start();
    return this.running !== null;
  }

  /** Neither a save nor an AOF rewrite runs: a background save may start. */
  get free(): boolean {
    return !this.inProgress && !this.host.aofRewriting;
  }

  /**
   * A background save for a diskless full sync (Redis's rdbSaveToSlavesSockets): the file's
   * bytes go to `output` as the slices write them, stamped with the replication `aux` fields.
   * False when one cannot start now ({@link RdbSaves.free}).
   */
  startToReplicas(output: SnapshotOutput, aux: AuxFields): boolean {
    if (!this.free) return false;
    this.lastAttempt = Date.now();
    this.begin(new Snapshot(this.host, output, aux), true);
    return true;
  }

  /** Begins a background save into `dbfilename` now (nothing else running). */
  private start(): void {
    this.scheduled = false;
    this.lastAttempt = Date.now();
    const target = rdbPath(this.host.config);
    const temp = path.join(path.dirname(target), `temp-${process.pid}.rdb`);
    let snapshot: Snapshot;
    try {
      snapshot = Snapshot.open(this.host, temp);
    } catch (e) {
      // Redis's child logs this and exits with an error: the save fails, BGSAVE was "started".
      this.host.log.warn(`Failed opening the temp RDB file ${path.basename(temp)} (in server root dir ${path.dirname(temp)}) for saving: ${(e as Error).message}`);
      this.setStatus('err');
      return;
    }
    this.begin(snapshot, false);
  }

  private begin(snapshot: Snapshot, toReplicas: boolean): void {
    const run: Running = {
      snapshot,
      toReplicas,
      startedAt: Date.now(),
      dirtyAtStart: this.host.dirty,
      cancel: null,
      superseded: false,
      process: holdStandInProcess((signal) => {
        if (this.running !== run) return;
        this.host.log.warn(`${toReplicas ? 'Background transfer' : 'Background saving'} terminated by signal ${signal}`);
        this.fail(run, new Error(`its process was killed (${signal})`));
      }),
    };
    this.running = run;
    process.on('exit', this.onExit);
    this.host.log.notice?.(toReplicas ? 'Background RDB transfer started (fork-less snapshot, nevio)' : 'Background saving started (fork-less snapshot, nevio)');
    this.schedule(this.running);
  }

  private schedule(run: Running): void {
    if (run.snapshot.congested) {
      const timer = setTimeout(() => this.schedule(run), CONGESTED_RETRY_MS);
      run.cancel = () => clearTimeout(timer);
      return;
    }
    run.cancel = scheduleSlice(this.host.config, (maxKeys) => this.slice(run, maxKeys));
  }

  private slice(run: Running, maxKeys: number): void {
    run.cancel = null;
    if (this.running !== run) return;
    let done: boolean;
    try {
      done = run.snapshot.step(performance.now() + SLICE_MS, maxKeys);
    } catch (e) {
      this.fail(run, e);
      return;
    }
    if (!done) {
      this.schedule(run);
      return;
    }
    this.running = null;
    this.finishing = run;
    run.snapshot.sync().then(
      () => {
        this.finishing = null;
        if (run.superseded) run.snapshot.abort();
        else this.succeeded(run);
      },
      (e: unknown) => {
        this.finishing = null;
        this.fail(run, e);
      },
    );
  }

  /** Tells the waiters how the save ended. */
  private settle(ok: boolean): void {
    process.removeListener('exit', this.onExit);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(ok);
  }

  /** Resolves with true when the running save (if any) succeeds, false when it fails or stops. */
  whenDone(): Promise<boolean> {
    if (!this.inProgress) return Promise.resolve(this.lastBgsaveStatus === 'ok');
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private succeeded(run: Running): void {
    run.process.stdin?.end();
    if (run.toReplicas) {
      // backgroundSaveDoneHandlerSocket: the replicas have it; nothing on disk changed.
      this.host.log.notice?.('Background RDB transfer terminated with success');
      this.settle(true);
      return;
    }
    try {
      run.snapshot.commit(rdbPath(this.host.config));
    } catch (e) {
      this.fail(run, e);
      return;
    }
    this.dirtyAtSave = run.dirtyAtStart;
    this.lastSaveTime = Math.floor(Date.now() / 1000);
    this.setStatus('ok');
    this.lastBgsaveSeconds = Math.floor((Date.now() - run.startedAt) / 1000);
    this.saves++;
    const s = run.snapshot;
    this.lastCowBytes = s.copiedBytes;
    this.host.log.notice?.(`DB saved on disk (${s.keysWritten + s.keysCopied} keys, ${s.keysCopied} copied on write, ${s.bytes} bytes)`);
    this.host.log.notice?.('Background saving terminated with success');
    this.settle(true);
  }

  private fail(run: Running, e: unknown): void {
    run.process.stdin?.end();
    if (this.running === run) this.running = null;
    run.snapshot.abort();
    if (run.toReplicas) {
      this.host.log.warn(`Background transfer error: ${(e as Error).message}`);
      this.settle(false);
      return;
    }
    this.setStatus('err');
    this.lastBgsaveSeconds = Math.floor((Date.now() - run.startedAt) / 1000);
    this.host.log.warn(`Write error saving DB on disk: ${(e as Error).message}`);
    this.host.log.warn('Background saving error');
    this.settle(false);
  }

  /**
   * Stops a running background save without marking it failed, as Redis's killRDBChild
   * (FLUSHALL, SHUTDOWN, DEBUG RELOAD); the changes it would have covered stay counted.
   */
  abort(why: string): void {
    if (this.finishing !== null) this.finishing.superseded = true;
    const run = this.running;
    if (run === null) return;
    this.running = null;
    run.cancel?.();
    run.process.stdin?.end();
    run.snapshot.abort();
    this.host.log.notice?.(`Background saving stopped: ${why}`);
    this.settle(false);
  }

  /** FLUSHALL: a running save stops, and with save points the empty dataset is saved at once (flushAllDataAndResetRDB). */
  flushedAll(): void {
    this.abort('FLUSHALL');
    if (this.savePoints().length === 0) return;
    try {
      this.saveNow();
    } catch {
      // saveNow logged it; FLUSHALL itself succeeded, as in Redis.
    }
  }

  /**
   * The RDB part of Redis's prepareForShutdown for SHUTDOWN: a running save stops; the dataset
   * is saved with SAVE, or by default when there are save points. False when that save failed
   * (and not `force`): the server must keep running.
   */
  prepareShutdown(save: 'default' | 'save' | 'nosave', force: boolean): boolean {
    if (this.inProgress) {
      this.host.log.warn('There is a child saving an .rdb. Killing it!');
      this.abort('shutdown');
    }
    if (!this.savesOnShutdown(save)) return true;
    this.host.log.notice?.('Saving the final RDB snapshot before exiting.');
    try {
      this.saveNow();
      return true;
    } catch {
      if (force) return true;
      this.host.log.warn("Error trying to save the DB, can't exit.");
      return false;
    }
  }

  private savesOnShutdown(save: 'default' | 'save' | 'nosave'): boolean {
    return save === 'save' || (save === 'default' && this.savePoints().length > 0);
  }

  /** A signal asked for a shutdown that has not happened yet (SHUTDOWN ABORT can cancel it). */
  shutdownPending = false;

  /** SHUTDOWN ABORT: cancels a pending shutdown; false when there is none. */
  abortShutdown(): boolean {
    if (!this.shutdownPending) return false;
    this.shutdownPending = false;
    this.host.log.warn('Shutdown manually aborted.');
    return true;
  }

  /**
   * A signal's shutdown waits for the cron, as Redis's shutdown_asap is handled in serverCron:
   * not while DEBUG PAUSE-CRON holds it, and SHUTDOWN ABORT meanwhile cancels it. True when the
   * shutdown is still wanted.
   */
  async shutdownRequested(cronPaused: () => boolean): Promise<boolean> {
    this.shutdownPending = true;
    do await new Promise((resolve) => setTimeout(resolve, CRON_WAIT_MS));
    while (cronPaused() && this.shutdownPending);
    const wanted = this.shutdownPending;
    this.shutdownPending = false;
    return wanted;
  }

  /**
   * The same on a signal, without blocking the loop: the final save runs as a background one, so
   * that a second signal is still taken (it exits at once, and the temporary file is removed).
   */
  async shutdownOnSignal(): Promise<boolean> {
    if (this.inProgress) {
      this.host.log.warn('There is a child saving an .rdb. Killing it!');
      this.abort('shutdown');
    }
    if (!this.savesOnShutdown('default')) return true;
    this.host.log.notice?.('Saving the final RDB snapshot before exiting.');
    this.start();
    if (await this.whenDone()) return true;
    this.host.log.warn("Error trying to save the DB, can't exit.");
    return false;
  }

  /**
   * A synchronous save (SAVE, SHUTDOWN, FLUSHALL with save points): stops a background one,
   * writes the whole file, resets the change count. Throws what the write threw.
   */
  saveNow(): void {
    this.abort('a synchronous save replaces it');
    const dirty = this.host.dirty;
    try {
      saveRdbFile(this.host);
    } catch (e) {
      this.host.log.warn(`Failed saving the DB: ${(e as Error).message}`);
      throw e;
    }
    this.dirtyAtSave = dirty;
    this.lastSaveTime = Math.floor(Date.now() / 1000);
    // rdbSave counts and reports a synchronous save as a background one finishing would.
    this.setStatus('ok');
    this.saves++;
    this.host.log.notice?.('DB saved on disk');
  }

  /** The `save` points, as [seconds, changes] pairs ('' is none). */
  savePoints(): [number, number][] {
    const words = this.host.config.save.split(' ').filter((w) => w !== '');
    const points: [number, number][] = [];
    for (let i = 0; i + 1 < words.length; i += 2) points.push([Number(words[i]), Number(words[i + 1])]);
    return points;
  }

  /**
   * The per-tick part (serverCron): a scheduled BGSAVE once nothing else runs; a save point
   * reached (enough changes, long enough since the last save, and after a failure not before
   * {@link RETRY_DELAY_MS}) starts one.
   */
  cron(): void {
    if (this.inProgress || this.host.aofRewriting) return;
    if (this.scheduled) {
      this.start();
      return;
    }
    const now = Date.now();
    const changes = this.changesSinceSave;
    if (changes === 0) return;
    const sinceSave = now / 1000 - this.lastSaveTime;
    const mayRetry = this.lastBgsaveStatus === 'ok' || now - this.lastAttempt > RETRY_DELAY_MS;
    for (const [seconds, needed] of this.savePoints()) {
      if (changes >= needed && sinceSave > seconds && mayRetry) {
        this.host.log.notice?.(`${needed} changes in ${seconds} seconds. Saving...`);
        this.start();
        return;
      }
    }
  }

  /** The INFO persistence fields about RDB saves, in Redis's order. */
  info(): [string, number | string][] {
    const run = this.running;
    const processed = run === null ? 0 : run.snapshot.keysWritten + run.snapshot.keysCopied;
    const total = run === null ? 0 : this.host.dbs.reduce((n, db) => n + db.size, 0);
    const cow = run === null ? 0 : run.snapshot.copiedBytes;
    return [
      // Copy-on-write is per key here (the snapshot's early records): it only grows during a save.
      ['current_cow_peak', cow],
      ['current_cow_size', cow],
      ['current_cow_size_age', 0],
      ['current_fork_perc', total === 0 ? '0.00' : ((100 * processed) / total).toFixed(2)],
      ['current_save_keys_processed', processed],
      ['current_save_keys_total', total],
      ['rdb_changes_since_last_save', this.changesSinceSave],
      ['rdb_bgsave_in_progress', this.inProgress ? 1 : 0],
      ['rdb_last_save_time', this.lastSaveTime],
      ['rdb_last_bgsave_status', this.lastBgsaveStatus],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', this.currentSeconds],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', this.lastCowBytes],
      ['rdb_last_load_keys_expired', this.lastLoad.keysExpired],
      ['rdb_last_load_keys_loaded', this.lastLoad.keysLoaded],
    ];
  }

}

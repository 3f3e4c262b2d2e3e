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
import * as path from 'node:path';
import type { ServerContext } from '../context';
import { CommandError } from '../errors';
import { showSetting } from '../config';
import { rdbPath, saveRdbFile } from '../rdb/dataset';
import { Snapshot } from './snapshot';

/** How long one slice of a background save may run before the loop serves clients again. */
export const SLICE_MS = 2;
/** How often a signal's pending shutdown looks whether the cron runs again. */
const CRON_WAIT_MS = 10;
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
  readonly startedAt: number;
  /** {@link SaveHost.dirty} when it began: what the file holds. */
  readonly dirtyAtStart: number;
  /** Cancels the next slice (null while one runs). */
  cancel: (() => void) | null;
  /** A synchronous save happened while this one was being synced: its older file must not replace that one. */
  superseded: boolean;
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

  /** Begins a background save now (nothing else running). */
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
      this.lastBgsaveStatus = 'err';
      return;
    }
    this.running = { snapshot, startedAt: Date.now(), dirtyAtStart: this.host.dirty, cancel: null, superseded: false };
    process.on('exit', this.onExit);
    this.host.log.notice?.('Background saving started (fork-less snapshot, nevio)');
    this.schedule(this.running);
  }

  private schedule(run: Running): void {
    const delayUs = Number(showSetting(this.host.config, 'rdb-key-save-delay'));
    if (delayUs > 0) {
      // As many keys as fit a slice at the delay each, then the delay's worth of waiting.
      const keys = Math.max(1, Math.floor((SLICE_MS * 1000) / delayUs));
      const timer = setTimeout(() => this.slice(run, keys), Math.ceil((keys * delayUs) / 1000));
      run.cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.slice(run, Infinity));
      run.cancel = () => clearImmediate(immediate);
    }
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
    try {
      run.snapshot.commit(rdbPath(this.host.config));
    } catch (e) {
      this.fail(run, e);
      return;
    }
    this.dirtyAtSave = run.dirtyAtStart;
    this.lastSaveTime = Math.floor(Date.now() / 1000);
    this.lastBgsaveStatus = 'ok';
    this.lastBgsaveSeconds = Math.floor((Date.now() - run.startedAt) / 1000);
    this.saves++;
    const s = run.snapshot;
    this.host.log.notice?.(`DB saved on disk (${s.keysWritten + s.keysCopied} keys, ${s.keysCopied} copied on write, ${s.bytes} bytes)`);
    this.host.log.notice?.('Background saving terminated with success');
    this.settle(true);
  }

  private fail(run: Running, e: unknown): void {
    if (this.running === run) this.running = null;
    run.snapshot.abort();
    this.lastBgsaveStatus = 'err';
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
    this.lastBgsaveStatus = 'ok';
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
    return [
      ['current_save_keys_processed', run === null ? 0 : run.snapshot.keysWritten + run.snapshot.keysCopied],
      ['current_save_keys_total', run === null ? 0 : this.host.dbs.reduce((n, db) => n + db.size, 0)],
      ['rdb_changes_since_last_save', this.changesSinceSave],
      ['rdb_bgsave_in_progress', this.inProgress ? 1 : 0],
      ['rdb_last_save_time', this.lastSaveTime],
      ['rdb_last_bgsave_status', this.lastBgsaveStatus],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', this.currentSeconds],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', 0],
    ];
  }

}

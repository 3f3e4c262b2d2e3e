/**
 * Blocking commands (Redis's blocked.c): clients waiting on keys (BLPOP, BZPOPMIN, …), their
 * timeouts, and serving them, in the order they blocked, once a command signalled a key ready.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import { CommandError, type BlockSpec, type Db } from './command';
import type { ServerLog } from './server';
import type { CommandStats } from './cmdstats';

/** The longest delay Node's setTimeout honours (2^31-1 ms): longer waits re-arm. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A client waiting in BLPOP & co. */
export interface BlockedState {
  readonly spec: BlockSpec;
  readonly db: Db;
  timer: NodeJS.Timeout | null;
  /** The command as sent, copied: SLOWLOG logs it once it is served or times out, as Redis does. */
  argv?: readonly Buffer[];
}

/** What blocking needs from the server. */
export interface BlockingHost {
  readonly log: ServerLog;
  /** INFO errorstats: an error a served client got counts as Redis counts it. */
  readonly commandStats: CommandStats;
  /** Refreshes the cached clock (a timeout fires outside a batch of events). */
  updateTime(): void;
  /** Hands the replies written so far to the connections. */
  flush(): void;
  /** Logs what a served client propagated (its non-blocking equivalent). */
  feed(dbIndex: number, argv: readonly (Buffer | string)[]): void;
  /** Serving `c` runs as its command would (client-side caching); returns what to restore. */
  enterCommand(c: Client): Client | null;
  /** The end of {@link BlockingHost.enterCommand}. */
  leaveCommand(c: Client, outer: Client | null): void;
  /** A blocked command ended (served, timed out, unblocked): SLOWLOG takes it, `usec` the time its reply took. */
  blockedDone(c: Client, argv: readonly Buffer[], usec: number): void;
}

export class Blocking {
  /** Per database: key → clients blocked on it, in blocking order. */
  private readonly waiting: Map<string, Client[]>[] = [];
  private readyKeys: [Db, string][] = [];
  private readonly readySeen = new Set<string>();
  /** How many clients are blocked (INFO blocked_clients). */
  count = 0;

  constructor(
    databases: number,
    private readonly host: BlockingHost,
  ) {
    for (let i = 0; i < databases; i++) this.waiting.push(new Map());
  }

  /** True when some command signalled a key that clients wait on. */
  get pending(): boolean {
    return this.readyKeys.length !== 0;
  }

  block(c: Client, spec: BlockSpec): void {
    const db = c.db;
    const state: BlockedState = { spec, db, timer: null };
    c.blocked = state;
    this.count++;
    const map = this.waiting[db.index];
    for (const key of spec.keys) {
      let list = map.get(key);
      if (list === undefined) map.set(key, (list = []));
      if (list.indexOf(c) < 0) list.push(c);
    }
    if (spec.timeoutMs > 0) this.armTimeout(c, state, Date.now() + spec.timeoutMs);
  }

  /**
   * Times `c` out at `deadline` (ms since the epoch). Node fires a timer longer than
   * {@link MAX_TIMER_MS} (24.8 days) after 1 ms instead, so a longer wait (BLPOP k 3000000 is
   * legal) re-arms in steps.
   */
  private armTimeout(c: Client, state: BlockedState, deadline: number): void {
    const left = deadline - Date.now();
    state.timer = setTimeout(
      () => {
        if (c.blocked !== state) return;
        if (left > MAX_TIMER_MS) return this.armTimeout(c, state, deadline);
        this.host.updateTime();
        this.end(c, null);
        this.host.flush();
      },
      Math.min(Math.max(left, 0), MAX_TIMER_MS),
    );
  }

  /**
   * CLIENT UNBLOCK: ends `c`'s wait now, with its timeout reply (`error` null) or with `error`
   * (Redis's `UNBLOCKED client unblocked via CLIENT UNBLOCK`). False when `c` is not blocked.
   */
  end(c: Client, error: string | null): boolean {
    const state = c.blocked;
    if (state === null) return false;
    this.unblock(c);
    if (error !== null) {
      // Counted as any error a blocked command ends with: errorstats and its failed_calls.
      this.host.commandStats.error(error);
      this.host.commandStats.failedLater(c.lastCommand);
      c.reply.error(error);
    } else if (state.spec.timedOut !== undefined) state.spec.timedOut(c.reply);
    else c.reply.nullArray();
    if (state.argv !== undefined) this.host.blockedDone(c, state.argv, 0);
    resume(c);
    return true;
  }

  /** Takes a client out of the blocked state (served, timed out, killed or gone). */
  unblock(c: Client): void {
    const state = c.blocked;
    if (state === null) return;
    c.blocked = null;
    this.count--;
    if (state.timer !== null) clearTimeout(state.timer);
    const map = this.waiting[state.db.index];
    for (const key of state.spec.keys) {
      const list = map.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(key);
    }
  }

  /** A key changed: clients waiting with `wakeOnChange` are tried after the current command. */
  changed(db: Db, key: string): void {
    const list = this.waiting[db.index].get(key);
    if (list === undefined) return;
    for (const c of list) {
      if (c.blocked?.spec.wakeOnChange === true) return this.ready(db, key);
    }
  }

  /** Every key of `db` changed (FLUSHDB, FLUSHALL, SWAPDB). */
  changedAll(db: Db): void {
    for (const key of this.waiting[db.index].keys()) this.changed(db, key);
  }

  /** A key received data: its blocked clients are tried after the current command. */
  ready(db: Db, key: string): void {
    if (!this.waiting[db.index].has(key)) return;
    const id = `${db.index}\0${key}`;
    if (this.readySeen.has(id)) return;
    this.readySeen.add(id);
    this.readyKeys.push([db, key]);
  }

  /**
   * Signals ready every key of `db` that clients wait on and that has an entry there (SWAPDB
   * brought new values in). An expired entry is left to the serving lookup, which deletes it.
   */
  readyAll(db: Db): void {
    for (const key of this.waiting[db.index].keys()) if (db.dict.has(key)) this.ready(db, key);
  }

  /** Serves clients blocked on keys that commands signalled ready, in blocking order. */
  serve(): void {
    // The command that signalled may have taken a while (EXEC with DEBUG SLEEP): as in Redis,
    // whose handleClientsBlockedOnKeys sees the real time, a key that expired meanwhile is gone.
    this.host.updateTime();
    while (this.readyKeys.length !== 0) {
      const batch = this.readyKeys;
      this.readyKeys = [];
      this.readySeen.clear();
      for (const [db, key] of batch) {
        const list = this.waiting[db.index].get(key);
        if (list === undefined) continue;
        const exists = db.exists(key);
        for (const c of list.slice()) {
          const state = c.blocked;
          if (state === null || state.db !== db) continue;
          if (!exists && state.spec.wakeOnChange !== true) continue;
          const started = performance.now();
          if (!this.serveOne(c, state, key)) continue;
          if (state.argv !== undefined) this.host.blockedDone(c, state.argv, Math.round((performance.now() - started) * 1000));
          this.unblock(c);
          resume(c);
        }
      }
    }
  }

  private serveOne(c: Client, state: BlockedState, key: string): boolean {
    c.propagated = null;
    let served: boolean;
    const outer = this.host.enterCommand(c);
    try {
      served = state.spec.serve(c, key);
    } catch (err) {
      // The blocked client gets the error as its reply; a bug must not leave it stuck.
      if (err instanceof CommandError) {
        this.host.commandStats.error(err.message);
        // The client still runs the command that blocked: its name is the one counted.
        this.host.commandStats.failedLater(c.lastCommand);
        c.reply.error(err.message);
      } else {
        this.host.log.error(`serving a blocked client failed: ${(err as Error)?.stack ?? String(err)}`);
        c.reply.error('ERR internal error serving a blocked command');
      }
      served = true;
    } finally {
      this.host.leaveCommand(c, outer);
    }
    if (served) {
      // `serve` may have called propagate(), which TypeScript cannot see.
      const propagated = c.propagated as (Buffer | string)[][] | null;
      if (propagated !== null) for (const p of propagated) this.host.feed(state.db.index, p);
    }
    c.propagated = null;
    return served;
  }
}

/** Lets an unblocked client's pipelined commands run (the reactor calls `react` again). */
function resume(c: Client): void {
  if (c.conn !== null && !c.conn.closed) c.conn.wake();
}

/**
 * Suspended clients (ClientState.suspend): a command that waits for something outside the
 * server, MIGRATE waiting for its target's answer, parks its client instead of blocking the loop
 * as Redis's synchronous socket calls do. The client reads no more input meanwhile (it is in the
 * blocked state, with a spec no key serves and CLIENT UNBLOCK does not end); the rest of the
 * command runs later, as its own command, through {@link Suspension.resume}.
 *
 * The keys the command read are watched, with WATCH's machinery, through an internal client: a
 * change by another client while it waits shows in {@link Suspension.keysChanged}, so MIGRATE
 * does not delete a key that was written after it was sent.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import { CommandError, type BlockSpec, type CommandContext, type Suspension } from './command';
import type { ServerLog } from './server';
import type { Transactions } from './multi';
import type { Sink } from './reply';

/** The blocking spec of suspended clients: no keys, never served by them, no timeout. */
export const SUSPENDED: BlockSpec = { keys: [], timeoutMs: 0, serve: () => false };

/** What suspending needs from the server. */
export interface SuspendHost {
  readonly log: ServerLog;
  readonly multi: Transactions;
  /** A client with no connection (its replies go to `sink`), used to watch the keys. */
  newScriptClient(sink: Sink): Client;
  /** True while `c` is connected (not freed). */
  isConnected(c: Client): boolean;
  updateTime(): void;
  flush(): void;
  feed(dbIndex: number, argv: readonly (Buffer | string)[]): void;
  enterCommand(c: Client): Client | null;
  leaveCommand(c: Client, outer: Client | null): void;
}

/** Suspends `c` (see {@link ClientState.suspend}); its `keys` are of its current database. */
export function suspendClient(host: SuspendHost, c: Client, keys: readonly string[]): Suspension {
  const watcher = host.newScriptClient(() => {});
  watcher.db = c.db;
  for (const key of keys) host.multi.watch(watcher, key);
  c.blocked = { spec: SUSPENDED, db: c.db, timer: null };
  let resumed = false;
  let changed = false;
  return {
    get keysChanged(): boolean {
      return resumed ? changed : watcher.dirtyCas;
    },
    resume(finish: (ctx: CommandContext) => void): void {
      if (resumed) return;
      changed = watcher.dirtyCas;
      resumed = true;
      // (unwatchAll clears dirtyCas: what it was is kept above.)
      host.multi.unwatchAll(watcher);
      const connected = host.isConnected(c);
      if (c.blocked?.spec === SUSPENDED) c.blocked = null;
      host.updateTime();
      runAsCommand(host, c, finish);
      if (!connected) c.out.discard();
      else if (c.conn !== null && !c.conn.closed) c.conn.wake();
      host.flush();
    },
  };
}

/** Runs `finish` as `c`'s command: errors become its reply, what it propagates is logged. */
function runAsCommand(host: SuspendHost, c: Client, finish: (ctx: CommandContext) => void): void {
  const dbIndex = c.db.index;
  c.propagated = null;
  const outer = host.enterCommand(c);
  try {
    finish(c);
  } catch (err) {
    if (err instanceof CommandError) c.reply.error(err.message);
    else {
      host.log.error(`finishing a suspended command failed: ${(err as Error)?.stack ?? String(err)}`);
      c.reply.error('ERR internal error finishing a suspended command');
    }
  } finally {
    host.leaveCommand(c, outer);
  }
  // `finish` may have called propagate(), which TypeScript cannot see.
  const propagated = c.propagated as (Buffer | string)[][] | null;
  if (propagated !== null) for (const p of propagated) host.feed(dbIndex, p);
  c.propagated = null;
}

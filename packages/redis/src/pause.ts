/**
 * CLIENT PAUSE (Redis's pauseClients in networking.c): for a while, commands that may change
 * the dataset or be propagated (WRITE), or every command (ALL), wait instead of running; their
 * clients count as blocked. While paused, keys do not expire (lazily or actively), so that the
 * dataset stays exactly as it was.
 *
 * @packageDocumentation
 */
import type { BlockSpec, CommandDef, PauseKind } from './command';
import { MAX_TIMER_MS } from './blocked';
import type { Client } from './client';
import { CMD_MAY_REPLICATE, CMD_WRITE, callFlags } from './command';

/** Flags that make a command wait under a WRITE pause. */
const WRITE_FLAGS = CMD_WRITE | CMD_MAY_REPLICATE;

/** The blocking spec of postponed clients: no keys, never served, no timeout. */
export const POSTPONED: BlockSpec = { keys: [], timeoutMs: 0, serve: () => false };

/** A command that arrived during a pause, with its arguments copied out of the read buffer. */
interface Postponed {
  readonly client: Client;
  readonly def: CommandDef;
  readonly argv: Buffer[];
}

/** What pausing needs from the server. */
export interface PauseHost {
  /** The cached time in ms. */
  now(): number;
  /** Refreshes the cached clock (outside a batch of events). */
  updateTime(): void;
  /** Runs a postponed command again, with every check of a new one (it may be postponed again). */
  resume(c: Client, def: CommandDef, argv: Buffer[]): void;
  /** Hands the replies written so far to the connections. */
  flush(): void;
}

export class ClientPause {
  /** What is paused now: null when nothing is. */
  kind: PauseKind | null = null;
  /** When the pause ends (ms since the epoch). */
  private until = 0;
  private timer: NodeJS.Timeout | null = null;
  private postponed: Postponed[] = [];

  constructor(private readonly host: PauseHost) {}

  /** Clients waiting for the pause to end (INFO counts them as blocked). */
  get count(): number {
    return this.postponed.length;
  }

  /**
   * True when `def`, sent by `c`, must wait: everything under ALL; under WRITE, commands that
   * write or may propagate (PUBLISH, …), and EXEC of a transaction holding one.
   */
  mustWait(c: Client, def: CommandDef, argv: readonly Buffer[]): boolean {
    if (this.kind === 'all') return true;
    if ((callFlags(def, c, argv) & WRITE_FLAGS) !== 0) return true;
    if (def.name !== 'exec' || c.multi === null) return false;
    for (const q of c.multi) if ((callFlags(q.def, c, q.argv) & WRITE_FLAGS) !== 0) return true;
    return false;
  }

  /** Makes `c` wait with its command; the server stops reading its input meanwhile. */
  postpone(c: Client, def: CommandDef, argv: Buffer[]): void {
    const copy: Buffer[] = new Array(argv.length);
    for (let i = 0; i < argv.length; i++) copy[i] = Buffer.from(argv[i]);
    this.postponed.push({ client: c, def, argv: copy });
    c.blocked = { spec: POSTPONED, db: c.db, timer: null };
  }

  /** A postponed client disconnected (or was unblocked): it no longer waits. */
  forget(c: Client): void {
    const i = this.postponed.findIndex((p) => p.client === c);
    if (i >= 0) this.postponed.splice(i, 1);
    c.blocked = null;
  }

  /** CLIENT PAUSE: the later end and the stricter kind win when a pause is in force. */
  pause(untilMs: number, kind: PauseKind): void {
    if (this.kind === null) {
      this.kind = kind;
      this.until = untilMs;
    } else {
      if (kind === 'all') this.kind = 'all';
      this.until = Math.max(this.until, untilMs);
    }
    this.arm();
  }

  /** CLIENT UNPAUSE, or the end time passed: the postponed commands run again. */
  unpause(): void {
    if (this.kind === null) return;
    this.kind = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // After the running command (CLIENT UNPAUSE replies first), as Redis reprocesses them in
    // beforeSleep.
    setImmediate(() => this.resumeAll());
  }

  /** True when the pause is over (its end time passed); ends it then. */
  expired(): boolean {
    if (this.kind !== null && this.until <= this.host.now()) this.unpause();
    return this.kind === null;
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    const wait = Math.min(Math.max(0, this.until - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.host.updateTime();
      if (!this.expired()) this.arm();
    }, wait);
  }

  private resumeAll(): void {
    const waiting = this.postponed;
    this.postponed = [];
    if (waiting.length === 0) return;
    this.host.updateTime();
    for (const p of waiting) {
      const c = p.client;
      c.blocked = null;
      if (c.closing || (c.conn !== null && c.conn.closed)) continue;
      this.host.resume(c, p.def, p.argv);
    }
    this.host.flush();
  }
}

/**
 * INFO commandstats and errorstats (Redis's per-command `calls`, `usec`, `rejected_calls`,
 * `failed_calls`, and the count of every error reply by its first word).
 *
 * @packageDocumentation
 */

/** One command's counters. */
export interface CommandStat {
  calls: number;
  /**
   * INFO latencystats: calls per power-of-two microsecond bucket (index i: up to 2^i µs), of
   * the calls made while `latency-tracking` was on.
   */
  readonly histogram: number[];
  /** Calls in {@link CommandStat.histogram}. */
  tracked: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Commands whose subcommands Redis counts apart (`config|set`), as its command table does. */
const CONTAINERS = new Set(['acl', 'client', 'cluster', 'command', 'config', 'function', 'latency', 'memory', 'module', 'object', 'pubsub', 'script', 'slowlog', 'xinfo', 'xgroup']);

/** The name a call is counted under: `config|set` for a container's subcommand. */
export function statName(name: string, argv: readonly Buffer[]): string {
  return CONTAINERS.has(name) && argv.length > 1 ? `${name}|${argv[1].toString().toLowerCase()}` : name;
}

/** Redis stops tracking new error codes past this many (ERRORSTATS_LIMIT). */
const ERRORSTATS_LIMIT = 128;

export class CommandStats {
  readonly commands = new Map<string, CommandStat>();
  readonly errors = new Map<string, number>();
  /** Error replies in total (INFO stats `total_error_replies`). */
  totalErrors = 0;
  /** The last error reply's text (a replica logs the one it sends to its master). */
  lastError = '';
  /** Error replies to our master (INFO stats `unexpected_error_replies`). */
  unexpectedErrors = 0;

  private stat(name: string): CommandStat {
    let s = this.commands.get(name);
    if (s === undefined) {
      s = { calls: 0, histogram: [], tracked: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(name, s);
    }
    return s;
  }

  /** A command ran for `usec` microseconds; `failed`: it replied an error; `track`: latency-tracking is on. */
  called(name: string, usec: number, failed: boolean, track: boolean): void {
    const s = this.stat(name);
    s.calls++;
    s.usec += usec;
    if (track) {
      // ceil(log2(usec)) without floating point; 2^31 µs (36 minutes) is the last bucket.
      const bucket = usec <= 1 ? 0 : 32 - Math.clz32(Math.min(usec, 0x80000000) - 1);
      s.histogram[bucket] = (s.histogram[bucket] ?? 0) + 1;
      s.tracked++;
    }
    if (failed) s.failedCalls++;
  }

  /** A blocked command (counted when it blocked) ended with an error when it was served. */
  failedLater(name: string): void {
    this.stat(name).failedCalls++;
  }

  /** A command was refused before running (arity, auth, OOM, …). */
  rejected(name: string): void {
    this.stat(name).rejectedCalls++;
  }

  /** An error reply went out: counted by its code (`ERR`, `WRONGTYPE`, …). */
  error(message: string): void {
    this.totalErrors++;
    this.lastError = message;
    const sp = message.indexOf(' ');
    const code = sp < 0 ? message : message.slice(0, sp);
    const n = this.errors.get(code);
    if (n !== undefined) this.errors.set(code, n + 1);
    else if (this.errors.size < ERRORSTATS_LIMIT) this.errors.set(code, 1);
  }

  reset(): void {
    this.commands.clear();
    this.errors.clear();
    this.totalErrors = 0;
    this.unexpectedErrors = 0;
  }
}

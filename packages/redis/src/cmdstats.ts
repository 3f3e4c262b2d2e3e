/**
 * INFO commandstats and errorstats (Redis's per-command `calls`, `usec`, `rejected_calls`,
 * `failed_calls`, and the count of every error reply by its first word).
 *
 * @packageDocumentation
 */

/** One command's counters. */
export interface CommandStat {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Redis stops tracking new error codes past this many (ERRORSTATS_LIMIT). */
const ERRORSTATS_LIMIT = 128;

export class CommandStats {
  readonly commands = new Map<string, CommandStat>();
  readonly errors = new Map<string, number>();
  /** Error replies in total (INFO stats `total_error_replies`). */
  totalErrors = 0;

  private stat(name: string): CommandStat {
    let s = this.commands.get(name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.commands.set(name, s);
    }
    return s;
  }

  /** A command ran for `usec` microseconds; `failed`: it replied an error. */
  called(name: string, usec: number, failed: boolean): void {
    const s = this.stat(name);
    s.calls++;
    s.usec += usec;
    if (failed) s.failedCalls++;
  }

  /** A command was refused before running (arity, auth, OOM, …). */
  rejected(name: string): void {
    this.stat(name).rejectedCalls++;
  }

  /** An error reply went out: counted by its code (`ERR`, `WRONGTYPE`, …). */
  error(message: string): void {
    this.totalErrors++;
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
  }
}

/**
 * Accept errors logged at most once a second. Out of descriptors (EMFILE, ENFILE), every accept
 * attempt fails the same way, and each round of the reactor tries again: a line per failure
 * printed 117 lines in 10 s. The first failure of a second is logged, the others counted and
 * named in the next line.
 *
 * @packageDocumentation
 */

/** The shortest time between two logged accept errors. */
export const ACCEPT_LOG_INTERVAL_MS = 1000;

export class AcceptErrorLog {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Reports one failed accept (`message` as Redis words it). */
  failed(message: string): void {
    const now = this.clock();
    if (now - this.lastAt < ACCEPT_LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (and ${this.suppressed} more since the last report)` : '';
    this.suppressed = 0;
    this.lastAt = now;
    this.log(`Accepting client connection: ${message}${more}`);
  }
}

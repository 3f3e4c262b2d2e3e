/**
 * The latency monitor (Redis's latency.c): events (`command`, `fast-command`, `expire-cycle`)
 * that took at least `latency-monitor-threshold` ms, one sample per second per event (the
 * highest), the last 160 kept.
 *
 * @packageDocumentation
 */

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
const HISTORY_LEN = 160;

/** One second's worst latency of an event. */
export interface LatencySample {
  /** Unix time in seconds. */
  readonly time: number;
  /** Milliseconds. */
  latency: number;
}

/** An event's samples and its all-time maximum. */
export interface LatencySeries {
  readonly samples: LatencySample[];
  max: number;
}

export class LatencyMonitor {
  readonly events = new Map<string, LatencySeries>();

  /** Records `ms` for `event` at `time` (seconds); the same second keeps the higher value. */
  add(event: string, time: number, ms: number): void {
    let s = this.events.get(event);
    if (s === undefined) {
      s = { samples: [], max: 0 };
      this.events.set(event, s);
    }
    s.max = Math.max(s.max, ms);
    const last = s.samples[s.samples.length - 1];
    if (last !== undefined && last.time === time) {
      last.latency = Math.max(last.latency, ms);
      return;
    }
    s.samples.push({ time, latency: ms });
    if (s.samples.length > HISTORY_LEN) s.samples.shift();
  }

  /** LATENCY RESET: the named events (all when none); returns how many were reset. */
  reset(names: readonly string[]): number {
    if (names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }
}

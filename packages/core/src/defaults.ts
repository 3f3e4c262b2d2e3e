import { constants } from '@nevio/native';

/**
 * The values {@link serve} uses for every {@link Options} field left out. Protocols built on
 * nevio (`@nevio/http`, `@nevio/redis`) reuse these instead of restating the numbers.
 *
 * ```ts
 * import { defaults } from '@nevio/core';
 * const high = options.writeHighWatermark ?? defaults.writeHighWatermark;
 * ```
 */
export interface Defaults {
  /** listen(2) backlog: 511, Redis's and nginx's default (Linux caps it at `net.core.somaxconn`). */
  readonly backlog: number;
  /** Largest single read per connection per round, the starvation budget: 64 KiB. */
  readonly readChunk: number;
  /** Pending output above which a connection is no longer read: 1 MiB. */
  readonly writeHighWatermark: number;
  /** Pending output at or below which a paused connection is read again: 256 KiB. */
  readonly writeLowWatermark: number;
  /** Unconsumed input beyond which a connection is closed with `ENOBUFS`: 256 MiB. */
  readonly maxInbound: number;
  /** Milliseconds a closed connection waits for the peer's FIN after sending its own: 5 s. */
  readonly lingerTimeout: number;
  /** Milliseconds `server.stop()` waits for output to drain before closing anyway: 10 s. */
  readonly stopTimeout: number;
  /** Milliseconds a {@link dial} waits for the connection before failing with `ETIMEDOUT`: 30 s. */
  readonly dialTimeout: number;
}

/** See {@link Defaults}. Frozen: assigning to a field throws in strict mode. */
export const defaults: Defaults = Object.freeze({
  // The reactor's own defaults (packages/native/src/protocol.h), so both halves agree.
  ...constants.defaults,
  stopTimeout: 10_000,
  // Node's net.connect has no timeout of its own and Linux gives up on an unanswered SYN only
  // after ~127 s (6 retries); 30 s is the order of Go's and curl's connect defaults.
  dialTimeout: 30_000,
});

import { backend as osPoller, uringUnavailable } from '@nevio/native';
import { NevioError } from './errors';
import type { Logger } from './types';

// The native side names its poller 'epoll' or 'kqueue'.
const poller = osPoller as 'epoll' | 'kqueue';

/** The I/O mechanism a loop's reactor runs on. */
export type BackendName = 'epoll' | 'kqueue' | 'io_uring';
/** What {@link Options.backend} and `NEVIO_BACKEND` accept: a mechanism, or `auto`. */
export type BackendChoice = BackendName | 'auto';

/**
 * `backend: 'io_uring'` (or `NEVIO_BACKEND=io_uring`) where io_uring cannot run: `reason` names
 * the failing call and its likely cause, e.g. `io_uring_setup: EPERM (refused by a seccomp filter
 * or a container's security profile)`, or an addon built without liburing.
 */
export class BackendError extends NevioError {
  constructor(
    /** Why io_uring is unavailable here. */
    readonly reason: string,
  ) {
    super(`io_uring is unavailable: ${reason}`, 'ERR_NEVIO_BACKEND');
  }
}

/**
 * Why io_uring cannot run in this process, or `''` when it can: what `backend: 'auto'` would
 * fall back for and `backend: 'io_uring'` would throw {@link BackendError} with.
 *
 * @example
 * ```ts
 * const reason = ioUringUnavailable();
 * console.log(reason === '' ? 'io_uring available' : `epoll only: ${reason}`);
 * ```
 */
export function ioUringUnavailable(): string {
  return uringUnavailable();
}

// `auto` says once per thread why it fell back, not once per loop or dial.
let fallbackLogged = false;

/**
 * The backend a new loop uses: `requested` (the option), else `NEVIO_BACKEND`, else this OS's
 * readiness poller. `auto` takes io_uring where it works and otherwise falls back to the poller
 * with one warning saying why; a forced `io_uring` that cannot work throws {@link BackendError}.
 */
export function chooseBackend(requested: unknown, logger: Logger): BackendName {
  const fromEnv = requested === undefined && process.env.NEVIO_BACKEND !== undefined && process.env.NEVIO_BACKEND !== '';
  const choice = requested ?? (fromEnv ? process.env.NEVIO_BACKEND : poller);
  if (choice !== 'auto' && choice !== 'io_uring' && choice !== poller) {
    const where = fromEnv ? 'NEVIO_BACKEND' : 'backend';
    throw new NevioError(`${where} must be one of auto, ${poller}, io_uring, not ${String(choice)}`, 'ERR_NEVIO_OPTIONS');
  }
  if (choice === poller) return poller;
  const reason = ioUringUnavailable();
  if (reason === '') return 'io_uring';
  if (choice === 'io_uring') throw new BackendError(reason);
  if (!fallbackLogged) {
    fallbackLogged = true;
    logger.warn(`nevio: io_uring is unavailable (${reason}); using ${poller}`);
  }
  return poller;
}

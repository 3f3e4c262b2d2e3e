/**
 * `maxclients` against the descriptor limit (Redis's adjustOpenFilesLimit): a client is a
 * descriptor, so a limit of clients the process cannot open is lowered at startup to what the
 * limit leaves, with Redis's warning, and CONFIG SET refuses a value above it. Node raises its
 * soft RLIMIT_NOFILE to the hard limit when it starts (and offers no setrlimit), so the soft
 * limit read from `/proc/self/limits` is all there is. What the process holds already when the
 * server starts (Node's own descriptors, about 20) is kept aside besides Redis's 32.
 *
 * @packageDocumentation
 */
import fs from 'node:fs';

/** Descriptors kept for everything but clients (Redis's CONFIG_MIN_RESERVED_FDS). */
export const RESERVED_FDS = 32;

/** The soft limit of open files, or null where it cannot be read (not Linux, no /proc). */
export function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
    if (m === null) return null;
    return m[1] === 'unlimited' ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** Descriptors open in this process now, or 0 where that cannot be read. */
function openDescriptors(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** Descriptors held when this module loaded: Node's own, before any client. */
const baseline = openDescriptors();

/** The most clients the descriptor limit allows, or null when it sets no bound. */
export function clientRoom(): number | null {
  const limit = openFilesLimit();
  return limit === null ? null : limit - RESERVED_FDS - baseline;
}

/**
 * `maxclients` lowered to {@link clientRoom} (Redis's startup adjustment); `warn` gets Redis's
 * messages then. Throws, as Redis exits, when the limit leaves no room for a client.
 */
export function fitMaxclients(maxclients: number, warn: (msg: string) => void): number {
  const room = clientRoom();
  if (room === null || maxclients <= room) return maxclients;
  const limit = openFilesLimit() ?? 0;
  const needed = maxclients + RESERVED_FDS + baseline;
  if (room < 1) {
    throw new Error(`Your current 'ulimit -n' of ${limit} is not enough for the server to start. Please increase your open file limit to at least ${needed}. Exiting.`);
  }
  warn(`You requested maxclients of ${maxclients} requiring at least ${needed} max file descriptors.`);
  warn(`Server can't set maximum open files to ${needed} because of OS error: Operation not permitted.`);
  warn(`Current maximum open files is ${limit}. maxclients has been reduced to ${room} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.`);
  return room;
}

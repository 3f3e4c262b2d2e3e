/**
 * What the fork-less background jobs share (BGSAVE in bgsave.ts, BGREWRITEAOF in aof.ts): the
 * slices they run in, slowed by `rdb-key-save-delay` as Redis's child is, and the process that
 * stands for Redis's child while one runs.
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { showSetting, type Config } from '../config';

/** How long one slice of a background job may run before the loop serves clients again. */
export const SLICE_MS = 2;

/**
 * Runs `slice` next and returns what cancels it. With `rdb-key-save-delay` (the suite's way to
 * slow a save down), a slice may take as many keys as fit {@link SLICE_MS} at that delay each,
 * after that many delays' worth of waiting; without it, every key it can on the next turn.
 */
export function scheduleSlice(config: Readonly<Config>, slice: (maxKeys: number) => void): () => void {
  const delayUs = Number(showSetting(config, 'rdb-key-save-delay'));
  if (delayUs > 0) {
    const keys = Math.max(1, Math.floor((SLICE_MS * 1000) / delayUs));
    const timer = setTimeout(() => slice(keys), Math.ceil((keys * delayUs) / 1000));
    return () => clearTimeout(timer);
  }
  const immediate = setImmediate(() => slice(Infinity));
  return () => clearImmediate(immediate);
}

/**
 * A process that stands for the running job, as Redis's child does: the server's child while
 * the job runs (`sh` waiting on its stdin, so it goes when the server goes); killing it fails
 * the job, which is how operators and Redis's test suite stop one. The job itself runs in the
 * server, fork-less.
 */
export function holdStandInProcess(onKilled: (signal: string) => void): ChildProcess {
  const child = spawn('sh', ['-c', 'read -r _'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.on('exit', (_code, signal) => {
    if (signal !== null) onKilled(signal);
  });
  child.unref();
  return child;
}

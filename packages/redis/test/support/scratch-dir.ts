// A temporary directory for an in-process nevio-redis that saves (DEBUG RELOAD and SAVE write
// `dir`/dump.rdb, and a server started on a directory loads the dump.rdb it finds there): one
// per test file, removed when the process exits, so that no dump.rdb lands in the checkout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | null = null;

/** This test file's directory (made on first use). */
export function scratchDir(): string {
  if (dir === null) {
    const made = mkdtempSync(join(tmpdir(), 'nevio-redis-scratch-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  return dir;
}

/**
 * Where a background snapshot's bytes go: a temporary file that becomes `dump.rdb` or an AOF
 * base once synced and renamed (BGSAVE, BGREWRITEAOF, a disk-target full sync), or the sockets
 * of replicas in a diskless full sync (Redis's RDB_CHILD_TYPE_SOCKET), which have nothing to
 * sync or rename.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';

/** The bytes of one snapshot, in order, from its first to its last or to {@link SnapshotOutput.remove}. */
export interface SnapshotOutput {
  /** Takes the next bytes; throws when they cannot be written (the save fails). */
  write(chunk: Buffer): void;
  /** Makes what was written durable (off the event loop). */
  sync(): Promise<void>;
  /** The written output becomes `target` (after {@link SnapshotOutput.sync}). */
  commit(target: string): void;
  /** The snapshot stopped: nothing of it is kept. */
  remove(): void;
  /** True while the consumer is behind: the save waits (a slow replica paces a diskless sync, as Redis's pipe to its child does). */
  congested(): boolean;
}

/** A temporary file, renamed over the target once complete. */
export class FileOutput implements SnapshotOutput {
  private closed = false;

  private constructor(
    private readonly fd: number,
    /** The temporary file (renamed over the target by {@link FileOutput.commit}). */
    readonly temp: string,
  ) {}

  /** Creates (or truncates) `temp`. */
  static open(temp: string): FileOutput {
    return new FileOutput(fs.openSync(temp, 'w'), temp);
  }

  write(chunk: Buffer): void {
    fs.writeSync(this.fd, chunk);
  }

  /** fsync in libuv's thread pool, then close. */
  async sync(): Promise<void> {
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (err) => (err === null ? resolve() : reject(err))));
    this.close();
  }

  commit(target: string): void {
    fs.renameSync(this.temp, target);
  }

  remove(): void {
    this.close();
    fs.rmSync(this.temp, { force: true });
  }

  congested(): boolean {
    // Writes are synchronous: the file is never behind.
    return false;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Bytes handed to a consumer as they come (a diskless sync's replicas): nothing to sync or keep. */
export class StreamOutput implements SnapshotOutput {
  constructor(
    private readonly consume: (chunk: Buffer) => void,
    readonly congested: () => boolean,
  ) {}

  write(chunk: Buffer): void {
    this.consume(chunk);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  commit(): void {
    // Nothing was kept: the consumer has every byte.
  }

  remove(): void {
    // Nothing was kept.
  }
}

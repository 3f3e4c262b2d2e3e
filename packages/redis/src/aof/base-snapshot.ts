/**
 * A base file in AOF format (`aof-use-rdb-preamble no`), point in time and written while the
 * server serves: the commands that rebuild the dataset of the moment the rewrite began
 * (rewriteAppendOnlyFileRio: the libraries' FUNCTION LOAD, then per database a SELECT and per key
 * its type's commands and a PEXPIREAT). Consistency is kept as the RDB {@link Snapshot} keeps
 * it, copy-on-write per key through the keyspace's {@link SnapshotObserver} hook: a key about to
 * change that is not written yet is written first, with its value and expiry of now.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { snapshotState, type Entry, type SnapshotObserver } from '../keyspace';
import type { RedisServer } from '../server';
import { Encoder } from './encoder';

/** Output goes to the file once this much is buffered (and at the end of each slice). */
const WRITE_BYTES = 1 << 20;
/** Keys between two looks at the clock. */
const CLOCK_EVERY = 32;

interface DbView {
  readonly index: number;
  readonly dict: Map<string, Entry>;
  readonly expires: Map<string, number>;
  iterator: Iterator<[string, Entry]> | null;
}

/** One running AOF-format base, from {@link AofBaseSnapshot.open} to commit or abort. */
export class AofBaseSnapshot implements SnapshotObserver {
  readonly epoch: number;
  keysWritten = 0;
  keysCopied = 0;
  bytes = 0;
  private readonly views: DbView[] = [];
  private readonly byDict = new Map<Map<string, Entry>, DbView>();
  private readonly out = new Encoder();
  private lastDb = -1;
  private cursor = 0;
  private closed = false;

  private constructor(
    private readonly server: RedisServer,
    private readonly fd: number,
    readonly temp: string,
    timestamp: number | null,
  ) {
    this.epoch = ++snapshotState.epoch;
    // With `aof-timestamp-enabled`, the base starts with the time of the rewrite (`#TS:`).
    if (timestamp !== null) this.out.text(`#TS:${timestamp}\r\n`);
    for (const db of server.dbs) {
      if (db.size === 0) continue;
      const view: DbView = { index: db.index, dict: db.dict, expires: db.expires, iterator: null };
      this.views.push(view);
      this.byDict.set(db.dict, view);
    }
    for (const library of server.scripting.libraries(null)) this.out.command(['FUNCTION', 'LOAD', library.code]);
    snapshotState.observer = this;
  }

  static open(server: RedisServer, temp: string, timestamp: number | null): AofBaseSnapshot {
    return new AofBaseSnapshot(server, fs.openSync(temp, 'w'), temp, timestamp);
  }

  reads(dict: Map<string, Entry>): boolean {
    return this.byDict.has(dict);
  }

  preserve(dict: Map<string, Entry>, key: string, e: Entry): void {
    const view = this.byDict.get(dict);
    if (view === undefined) e.saved = this.epoch;
    else {
      this.write(view, key, e);
      this.keysCopied++;
    }
  }

  private write(view: DbView, key: string, e: Entry): void {
    if (this.lastDb !== view.index) {
      this.out.command(['SELECT', String(view.index)]);
      this.lastDb = view.index;
    }
    const ops = this.server.typeOps[e.type];
    if (ops === undefined) throw new Error(`no AOF rewrite for type ${e.type}`);
    for (const argv of ops.rewrite(key, e.value)) this.out.command(argv);
    const at = view.expires.get(key);
    if (at !== undefined) this.out.command(['PEXPIREAT', key, String(at)]);
    e.saved = this.epoch;
    if (this.out.pos >= WRITE_BYTES) this.output();
  }

  private output(): void {
    this.bytes += this.out.pos;
    this.out.drain(this.fd);
  }

  /** Writes keys until `deadline` (performance.now()) or `maxKeys`; true when all are written. */
  step(deadline: number, maxKeys = Infinity): boolean {
    let written = 0;
    while (this.cursor < this.views.length) {
      const view = this.views[this.cursor];
      const it = (view.iterator ??= view.dict.entries());
      for (;;) {
        const r = it.next();
        if (r.done === true) break;
        const [key, e] = r.value;
        if (e.saved === this.epoch) continue;
        this.write(view, key, e);
        this.keysWritten++;
        written++;
        if (written >= maxKeys || (written % CLOCK_EVERY === 0 && performance.now() >= deadline)) {
          this.output();
          return false;
        }
      }
      view.iterator = null;
      this.cursor++;
    }
    this.detach();
    this.output();
    return true;
  }

  private detach(): void {
    if (snapshotState.observer === this) snapshotState.observer = null;
  }

  /** fsync off the event loop, then close. */
  async sync(): Promise<void> {
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, (err) => (err === null ? resolve() : reject(err))));
    this.close();
  }

  commit(target: string): number {
    fs.renameSync(this.temp, target);
    return this.bytes;
  }

  abort(): void {
    this.detach();
    this.close();
    fs.rmSync(this.temp, { force: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

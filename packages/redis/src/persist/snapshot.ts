/**
 * A point-in-time RDB snapshot written while the server goes on serving: BGSAVE without fork.
 *
 * Redis forks, and the kernel's copy-on-write keeps the child's view of memory as it was. Node
 * cannot fork, so the snapshot is written by the event loop itself, a slice of keys at a time
 * ({@link Snapshot.step}), with copy-on-write done per key: the keyspace calls
 * {@link Snapshot.preserve} before it changes or removes a key the snapshot has not written yet
 * (`keyspace.ts` `beforeChange`), and the key's current value is written out there and then. So
 * the file holds every key as it was when the snapshot began, whatever happens meanwhile
 * (Dragonfly's snapshotting works the same way, per bucket).
 *
 * Which keys are written already is one field of each entry (`saved`, the epoch of the last
 * snapshot that has it), so nothing is allocated per key; keys created after the start are
 * stamped with the running epoch and skipped. Each database's maps are the snapshot's from the
 * start: SWAPDB moves them with their entries, and FLUSHDB replaces them (`Db.clear`) instead of
 * emptying them while a snapshot reads them. A copy is one RDB record appended to the output,
 * under a SELECTDB of the database the key was in at the start.
 *
 * Costs: writing a key costs what SAVE costs for it; a key changed before it was written costs
 * one early write. A single huge key (a list of millions of elements) is written in one slice:
 * the pause then is its serialization time, as a DUMP of it would be.
 *
 * @packageDocumentation
 */
import type { ServerContext } from '../context';
import { snapshotState, type Entry, type SnapshotObserver } from '../keyspace';
import { accessMeta, auxFields, fileOptions, writeFileHead } from '../rdb/dataset';
import { RdbFileWriter, type AuxFields } from '../rdb/file-write';
import { FileOutput, type SnapshotOutput } from './output';

/** Output is handed on once this much is pending (and at the end of each slice). */
const WRITE_BYTES = 1 << 20;
/** How many keys run between two looks at the clock (a read costs ~45 ns on this VM). */
const CLOCK_EVERY = 32;

/** One database as the snapshot sees it: its maps and sizes at the start. */
interface DbView {
  readonly index: number;
  readonly dict: Map<string, Entry>;
  readonly expires: Map<string, number>;
  readonly keys: number;
  readonly volatile: number;
  iterator: Iterator<[string, Entry]> | null;
}

/** One running snapshot, from {@link Snapshot.open} to {@link Snapshot.commit} or {@link Snapshot.abort}. */
export class Snapshot implements SnapshotObserver {
  readonly epoch: number;
  /** Keys written by the walk. */
  keysWritten = 0;
  /** Keys written early because they were about to change. */
  keysCopied = 0;
  /** Bytes handed to the output. */
  bytes = 0;
  /**
   * Bytes of the records written early (copy-on-write): what Redis's child reports as its
   * copy-on-write size (current_cow_size, rdb_last_cow_size), the memory a change during the
   * save costs the save.
   */
  copiedBytes = 0;
  private readonly views: DbView[] = [];
  private readonly byDict = new Map<Map<string, Entry>, DbView>();
  private readonly w: RdbFileWriter;
  /** The database of the open SELECTDB section, -1 before the first. */
  private section = -1;
  private cursor = 0;

  /** Begins a snapshot of the dataset as it is now, its bytes going to `output`, stamped with `aux`. */
  constructor(
    private readonly server: ServerContext,
    private readonly output: SnapshotOutput,
    aux: AuxFields = auxFields(server),
  ) {
    this.w = new RdbFileWriter(fileOptions(server.config));
    this.epoch = ++snapshotState.epoch;
    for (const db of server.dbs) {
      if (db.size === 0) continue;
      const view: DbView = { index: db.index, dict: db.dict, expires: db.expires, keys: db.size, volatile: db.expires.size, iterator: null };
      this.views.push(view);
      this.byDict.set(db.dict, view);
    }
    writeFileHead(server, this.w, aux);
    snapshotState.observer = this;
  }

  /** A snapshot into the file `temp` (created or truncated), renamed by {@link Snapshot.commit}. */
  static open(server: ServerContext, temp: string): Snapshot {
    const file = FileOutput.open(temp);
    try {
      return new Snapshot(server, file);
    } catch (e) {
      file.remove();
      throw e;
    }
  }

  /** True once every key is written (then only {@link Snapshot.sync} and {@link Snapshot.commit} are left). */
  get walked(): boolean {
    return this.cursor >= this.views.length;
  }

  reads(dict: Map<string, Entry>): boolean {
    return this.byDict.has(dict);
  }

  preserve(dict: Map<string, Entry>, key: string, e: Entry): void {
    const view = this.byDict.get(dict);
    // A map the snapshot does not read held no key at the start: nothing to keep.
    if (view === undefined) e.saved = this.epoch;
    else {
      const before = this.bytes + this.w.pending;
      this.write(view, key, e);
      this.copiedBytes += this.bytes + this.w.pending - before;
      this.keysCopied++;
    }
  }

  private write(view: DbView, key: string, e: Entry): void {
    if (this.section !== view.index) {
      this.w.database(view.index, view.keys, view.volatile);
      this.section = view.index;
    }
    this.w.entry(key, e.type, e.value, { expireAt: view.expires.get(key), ...accessMeta(this.server, e) });
    e.saved = this.epoch;
    if (this.w.pending >= WRITE_BYTES) this.handOn();
  }

  private handOn(): void {
    const chunk = this.w.take();
    if (chunk.length === 0) return;
    this.output.write(chunk);
    this.bytes += chunk.length;
  }

  /**
   * Writes keys until `deadline` (a `performance.now()` time) or `maxKeys` keys; true when
   * every key is written. The copy-on-write hook is removed as soon as that is so.
   */
  step(deadline: number, maxKeys = Infinity): boolean {
    let written = 0;
    let looked = 0;
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
        if (written >= maxKeys || (++looked % CLOCK_EVERY === 0 && performance.now() >= deadline)) {
          this.handOn();
          return false;
        }
      }
      view.iterator = null;
      this.cursor++;
    }
    this.detach();
    this.w.end();
    this.handOn();
    return true;
  }

  private detach(): void {
    if (snapshotState.observer === this) snapshotState.observer = null;
  }

  /** The output's consumer is behind: the next slice should wait. */
  get congested(): boolean {
    return this.output.congested();
  }

  /** Makes the written output durable (a file: fsync off the event loop, then close). */
  sync(): Promise<void> {
    return this.output.sync();
  }

  /** The synced output becomes `target`: the save is done. Returns its size. */
  commit(target: string): number {
    this.output.commit(target);
    return this.bytes;
  }

  /** Stops writing and drops what was written (FLUSHALL, SHUTDOWN, a failed write). */
  abort(): void {
    this.detach();
    this.output.remove();
  }
}

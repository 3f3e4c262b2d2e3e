/**
 * A replica's diskless load (`repl-diskless-load on-empty-db|swapdb`, Redis's
 * useDisklessLoad): the master's `$EOF:` payload is parsed as it arrives, into databases of the
 * load's own, and swapped in for ours only once the whole file is in, so a sync that breaks
 * halfway leaves the old data (Redis's swapdb backup) and the replica never holds the file
 * besides the data.
 *
 * Meanwhile the replica is `loading` (clients get -LOADING but for the commands flagged
 * `loading`), unless the master's history is the one we follow: then it is `async_loading`, as
 * in Redis 7.0, and serves reads from the old data (commands flagged `no-async-loading` are
 * refused). `key-load-delay` (microseconds per key, the suite's way to slow a load down) holds
 * the link's input between slices of keys instead of the event loop.
 *
 * @packageDocumentation
 */
import { showSetting } from '../config';
import type { Db } from '../keyspace';
import { streamDataset, type DatasetLoadSummary } from '../rdb/dataset';
import type { ReplicationHost } from './host';

/** Keys are loaded in slices of about this much `key-load-delay` (µs) before the delay is taken. */
const DELAY_SLICE_US = 2000;

/** What a running diskless load shows: INFO loading or async_loading. */
export type LoadingState = 'loading' | 'async_loading';

export class DisklessLoad {
  /** The databases being filled (swapped in by {@link DisklessLoad.finish}). */
  private readonly dbs: Db[];
  private readonly stream: ReturnType<typeof streamDataset>;
  /** `key-load-delay` owed by the keys of the current slice (µs). */
  private owedUs = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param state what clients see meanwhile
   * @param holdInput pauses (true) or resumes (false) the link's input while a delay is taken
   */
  constructor(
    private readonly host: ReplicationHost,
    readonly state: LoadingState,
    private readonly holdInput: (hold: boolean) => void,
  ) {
    this.dbs = host.dbs.map((db) => host.detachedDb(db.index));
    this.stream = streamDataset(host, this.dbs, () => this.keyLoaded());
  }

  private keyLoaded(): boolean {
    const delayUs = Number(showSetting(this.host.config, 'key-load-delay'));
    if (delayUs <= 0) return false;
    this.owedUs += delayUs;
    return this.owedUs >= DELAY_SLICE_US;
  }

  /** The next bytes of the file; throws when they are malformed. */
  feed(chunk: Buffer): void {
    this.stream.loader.push(chunk);
    this.afterParse();
  }

  private afterParse(): void {
    if (!this.stream.loader.yielded) return;
    this.holdInput(true);
    const ms = Math.ceil(this.owedUs / 1000);
    this.owedUs = 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.stream.loader.resume();
      } catch (err) {
        // A malformed record found after the delay: the next bytes fail the load the same way.
        this.host.log.warn(`MASTER <-> REPLICA sync: ${(err as Error).message}`);
        this.holdInput(false);
        return;
      }
      if (this.stream.loader.yielded) this.afterParse();
      else this.holdInput(false);
    }, ms);
  }

  /**
   * The mark came: the rest is parsed, `emptyOurs` empties our databases, and the loaded ones
   * take their place. Throws (ours untouched) when the file is incomplete or malformed.
   */
  finish(emptyOurs: () => void): DatasetLoadSummary {
    this.stop();
    const summary = this.stream.end();
    emptyOurs();
    for (let i = 0; i < this.dbs.length; i++) this.host.dbs[i].swapWith(this.dbs[i]);
    return summary;
  }

  /** The sync broke: what was loaded is dropped; our databases were never touched. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

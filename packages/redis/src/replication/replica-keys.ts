/**
 * Keys a writable replica gave a TTL itself (Redis's slaveKeysWithExpire, expireSlaveKeys): a
 * replica never expires its master's keys (the master's DELs do), so the keys its own clients
 * wrote with a TTL would otherwise stay forever. Their names are remembered per database when a
 * local client's write is propagated, and once a tick the expired ones are deleted.
 *
 * @packageDocumentation
 */
import { keyPositions } from '../command';
import { keyOf } from '../keyspace';
import type { ReplicationHost } from './host';
import type { Arg } from './stream';

/** The keys, per database index, that a local client wrote on this replica with a TTL. */
export class ReplicaKeysWithExpire {
  private readonly byDb = new Map<number, Set<string>>();
  /** True while {@link ReplicaKeysWithExpire.expire} deletes (its DELs are not propagated). */
  expiring = false;

  constructor(private readonly host: ReplicationHost) {}

  get size(): number {
    let n = 0;
    for (const keys of this.byDb.values()) n += keys.size;
    return n;
  }

  /** A local client's write on the replica: the keys it left with a TTL are remembered. */
  written(dbIndex: number, argv: readonly Arg[]): void {
    const db = this.host.dbs[dbIndex];
    if (db === undefined || db.expires.size === 0) return;
    const args = argv.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
    const def = this.host.lookup(args[0]);
    if (def === undefined) return;
    for (const pos of keyPositions(def, args)) {
      const key = keyOf(args[pos]);
      if (db.getExpire(key) === undefined) continue;
      let keys = this.byDb.get(dbIndex);
      if (keys === undefined) this.byDb.set(dbIndex, (keys = new Set()));
      keys.add(key);
    }
  }

  /**
   * Deletes the remembered keys whose time has come, and forgets those without a TTL now;
   * `unpaused` makes the dataset's lookups expire keys for the duration of the call.
   */
  expire(unpaused: (run: () => void) => void): void {
    if (this.byDb.size === 0) return;
    const now = this.host.now();
    this.expiring = true;
    try {
      unpaused(() => {
        for (const [index, keys] of this.byDb) {
          const db = this.host.dbs[index];
          for (const key of keys) {
            const at = db?.getExpire(key);
            if (at === undefined) keys.delete(key);
            else if (at <= now) {
              db?.lookupWrite(key);
              keys.delete(key);
            }
          }
          if (keys.size === 0) this.byDb.delete(index);
        }
      });
    } finally {
      this.expiring = false;
    }
  }

  /** A full sync replaced the dataset, or the server became a master: nothing to track. */
  clear(): void {
    this.byDb.clear();
  }
}

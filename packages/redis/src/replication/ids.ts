/**
 * Replication ids (PSYNC2): the id of the history the dataset follows, and the previous one, valid
 * up to `secondOffset`, so that replicas of a replica promoted to master can continue with it
 * (Redis's replid, replid2 and second_replid_offset).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';

/** The id meaning "none": 40 zeros (replid2 before any promotion). */
export const NO_REPLID = '0'.repeat(40);

/** A fresh replication id: 40 hex digits. */
export function newReplId(): string {
  return randomBytes(20).toString('hex');
}

/** The two ids of a server. */
export class ReplIds {
  replid = newReplId();
  replid2 = NO_REPLID;
  /** second_replid_offset: replid2 is valid for offsets up to this one (-1: no replid2). */
  secondOffset = -1;

  /** A new history (DEBUG CHANGE-REPL-ID, the first replica of a master, a full sync's id set elsewhere). */
  change(): void {
    this.replid = newReplId();
  }

  clearSecond(): void {
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
  }

  /**
   * A replica becomes a master (or follows a promoted master): the current id stays valid up to
   * `offset` as replid2, and the history continues under `next` (a new id by default).
   */
  shift(offset: number, next = newReplId()): void {
    this.replid2 = this.replid;
    this.secondOffset = offset + 1;
    this.replid = next;
  }

  /**
   * Whether a PSYNC for (`id`, `from`) continues our history: `id` is ours, or our previous one
   * and `from` is not past where it stopped being valid.
   */
  continues(id: string, from: number): boolean {
    const lower = id.toLowerCase();
    if (lower === this.replid) return true;
    return lower === this.replid2 && from <= this.secondOffset;
  }
}

/**
 * The snapshot of a full sync, through the RDB codec (`../rdb/dataset.ts`): the dataset as an
 * RDB file with the replication aux fields (master side), and loading one in place of the
 * dataset (replica side).
 *
 * @packageDocumentation
 */
import { auxFields, loadDataset, serializeDataset } from '../rdb/dataset';
import type { ReplicationHost } from './host';

/** The dataset as an RDB file, in pieces, stamped with the history it starts at. */
export function writeSnapshot(host: ReplicationHost, replId: string, offset: number, streamDb: number): Buffer[] {
  return serializeDataset(host, auxFields(host, { streamDb: Math.max(0, streamDb), replId, offset }));
}

/**
 * Loads an RDB file into the (emptied) databases, its functions replacing ours; throws the
 * codec's error when the file is malformed.
 */
export function loadSnapshot(host: ReplicationHost, payload: Buffer): void {
  loadDataset(host, payload, { merge: false, functions: 'flush' });
}

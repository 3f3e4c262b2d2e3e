/**
 * The snapshot of a full sync: the dataset as an RDB file (master side) and loading one (replica
 * side), through the RDB codec of `../rdb`.
 *
 * @packageDocumentation
 */
import type { ReplicationHost } from './host';

/** RDB opcodes read here (Redis's rdb.h). */
const OP_AUX = 0xfa;
const OP_RESIZEDB = 0xfb;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;

/** An empty RDB file of version 10 (Redis 7.0): magic, version, EOF opcode, zero checksum (= unchecked). */
const EMPTY_RDB = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([OP_EOF, 0, 0, 0, 0, 0, 0, 0, 0])]);

/** The dataset as an RDB file. */
export function writeSnapshot(host: ReplicationHost): Buffer {
  for (const db of host.dbs) if (db.size !== 0) throw new Error('the RDB writer is not available yet');
  return EMPTY_RDB;
}

/** Replaces the dataset with an RDB file's contents; throws when it cannot be loaded. */
export function loadSnapshot(payload: Buffer): void {
  if (payload.length < 9 || payload.latin1Slice(0, 5) !== 'REDIS') throw new Error('not an RDB file');
  let pos = 9;
  const length = (): number => {
    const b = payload[pos++];
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | payload[pos++];
    if (b === 0x80) return payload.readUInt32BE((pos += 4) - 4);
    if (b === 0x81) return Number(payload.readBigUInt64BE((pos += 8) - 8));
    // A special string encoding: an int of 1, 2 or 4 bytes (LZF strings are not aux values).
    const size = [1, 2, 4][b & 0x3f];
    if (size === undefined) throw new Error('unsupported string encoding in an aux field');
    return -size;
  };
  const skipString = (): void => {
    const n = length();
    pos += n < 0 ? -n : n;
  };
  while (pos < payload.length) {
    const op = payload[pos++];
    if (op === OP_EOF) return;
    if (op === OP_AUX) {
      skipString();
      skipString();
    } else if (op === OP_SELECTDB) length();
    else if (op === OP_RESIZEDB) {
      length();
      length();
    } else throw new Error('the RDB loader is not available yet: only an empty dataset can be loaded');
  }
  throw new Error('truncated RDB file');
}

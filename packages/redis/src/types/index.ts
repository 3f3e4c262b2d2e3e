/**
 * The data types beyond strings: lists, hashes, sets, sorted sets and streams, the HyperLogLog
 * commands (over string values) and the geo commands (over sorted sets). The command table picks up
 * {@link typeCommands}; the keyspace uses {@link typeOps} for values it does not understand
 * (AOF rewrite, COPY, OBJECT ENCODING, memory accounting).
 *
 * @packageDocumentation
 */
import type { CommandDef, TypeOpsTable } from '../command';
import { geoCommands } from './geo';
import { hashCommands, hashOps } from './hash';
import { hyperloglogCommands } from './hyperloglog';
import { listCommands, listOps } from './list';
import { listPopCommands } from './list-pop';
import { setCommands, setOps } from './set';
import { streamCommands } from './stream-commands';
import { streamGroupCommands } from './stream-group-commands';
import { streamInfoCommands } from './stream-info';
import { streamOps } from './stream-ops';
import { streamReadCommands } from './stream-read';
import { zsetCommands, zsetOps } from './zset-commands';
import { zsetRandomCommands } from './zset-random';

export { Deque } from './deque';
export { SkipList, SortedSet } from './zset';
export { RedisHash } from './hash';
export { RedisSet } from './set';
export { RedisZSet } from './zset-commands';
export { LongDouble, parseStrictDouble, parseRangeDouble } from './numbers';

/** Every list, hash, set, sorted-set, HyperLogLog, geo and stream command. */
export const typeCommands: readonly CommandDef[] = [
  ...listCommands,
  ...listPopCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...zsetRandomCommands,
  ...hyperloglogCommands,
  ...geoCommands,
  ...streamCommands,
  ...streamReadCommands,
  ...streamGroupCommands,
  ...streamInfoCommands,
];

/** Per-type keyspace hooks. */
export const typeOps: TypeOpsTable = { list: listOps, hash: hashOps, set: setOps, zset: zsetOps, stream: streamOps };

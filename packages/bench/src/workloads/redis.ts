import { nevioRedis, redisServer } from '../peers';
import { loadgenLoad, redisBenchmarkLoad } from '../tools';
import type { Load, Workload } from '../types';

const CONNS = 50;

/** SET/GET of 64 B values from the project's load generator, `depth` requests in flight per connection. */
export function setGetLoad(depth: number): Load {
  return loadgenLoad(`setget-d${depth}`, `SET/GET 64 B, ${depth === 1 ? '1 in flight' : `${depth} pipelined`}`, { mode: 'resp', conns: CONNS, depth, size: 64 });
}

export const redis: Workload = {
  name: 'redis',
  title: 'RESP, 50 connections',
  kind: 'throughput',
  subject: nevioRedis.name,
  peers: [nevioRedis, redisServer],
  loads: (o) => {
    const d1 = setGetLoad(1);
    const d16 = setGetLoad(16);
    const p1 = redisBenchmarkLoad('rb-P1', 'redis-benchmark -P 1 (16 tests)', 1, CONNS);
    const p16 = redisBenchmarkLoad('rb-P16', 'redis-benchmark -P 16 (16 tests)', 16, CONNS);
    return o.quick ? [d16, p16] : [d1, d16, p1, p16];
  },
};

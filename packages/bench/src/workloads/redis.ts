import { nevioRedis, redisServer } from '../peers';
import { loadgenLoad, redisBenchmarkLoad } from '../tools';
import type { Workload } from '../types';

const CONNS = 50;

export const redis: Workload = {
  name: 'redis',
  title: 'RESP, 50 connections',
  kind: 'throughput',
  subject: nevioRedis.name,
  peers: [nevioRedis, redisServer],
  loads: (o) => {
    const d1 = loadgenLoad('setget-d1', 'SET/GET 64 B, 1 in flight', { mode: 'resp', conns: CONNS, depth: 1, size: 64 });
    const d16 = loadgenLoad('setget-d16', 'SET/GET 64 B, 16 pipelined', { mode: 'resp', conns: CONNS, depth: 16, size: 64 });
    const p1 = redisBenchmarkLoad('rb-P1', 'redis-benchmark -P 1 (16 tests)', 1, CONNS);
    const p16 = redisBenchmarkLoad('rb-P16', 'redis-benchmark -P 16 (16 tests)', 16, CONNS);
    return o.quick ? [d16, p16] : [d1, d16, p1, p16];
  },
};

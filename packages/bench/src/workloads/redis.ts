import { nevioRedis, redisServer } from '../peers';
import { loadgenLoad, redisBenchmarkLoad } from '../tools';
import type { Workload } from '../types';

const CONNS = 50;

export const redis: Workload = {
  name: 'redis',
  title: 'RESP, 50 connections',
  subject: nevioRedis.name,
  peers: [nevioRedis, redisServer],
  loads: () => [
    loadgenLoad('setget-d1', 'SET/GET 64 B, 1 in flight', { mode: 'resp', conns: CONNS, depth: 1, size: 64 }),
    loadgenLoad('setget-d16', 'SET/GET 64 B, 16 pipelined', { mode: 'resp', conns: CONNS, depth: 16, size: 64 }),
    redisBenchmarkLoad('rb-P1', 'redis-benchmark -P 1 (16 tests)', 1, CONNS),
    redisBenchmarkLoad('rb-P16', 'redis-benchmark -P 16 (16 tests)', 16, CONNS),
  ],
};

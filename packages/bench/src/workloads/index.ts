import type { Workload } from '../types';
import { echo } from './echo';
import { handshake } from './handshake';
import { http } from './http';
import { https } from './https';
import { ioUringEcho, ioUringHttp, ioUringRedis } from './io-uring';
import { memory } from './memory';
import { proxy } from './proxy';
import { redis } from './redis';
import { redisEval } from './redis-eval';
import { redisTypes } from './redis-types';
import { tlsEcho } from './tls-echo';
import { ws } from './ws';

/** Every workload, in the order `all` runs them (those marked onlyByName excepted). */
export const workloads: Workload[] = [echo, http, redis, memory, redisTypes, redisEval, tlsEcho, https, handshake, proxy, ws, ioUringEcho, ioUringHttp, ioUringRedis];

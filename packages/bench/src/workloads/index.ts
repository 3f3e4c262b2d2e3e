import type { Workload } from '../types';
import { echo } from './echo';
import { http } from './http';
import { memory } from './memory';
import { redis } from './redis';
import { redisEval } from './redis-eval';
import { redisTypes } from './redis-types';

/** Every workload, in the order `all` runs them (those marked onlyByName excepted). */
export const workloads: Workload[] = [echo, http, redis, memory, redisTypes, redisEval];

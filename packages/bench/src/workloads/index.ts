import type { Workload } from '../types';
import { echo } from './echo';
import { http } from './http';
import { memory } from './memory';
import { redis } from './redis';

/** Every workload, in the order `all` runs them. */
export const workloads: Workload[] = [echo, http, redis, memory];

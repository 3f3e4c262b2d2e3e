import { NevioError } from './errors';
import type { LoadBalancing, Options } from './types';

const BALANCERS: readonly LoadBalancing[] = ['round-robin', 'least-connections', 'source-addr-hash', 'random'];

/**
 * The event-loop flags every nevio command line shares, as `node:util` `parseArgs` options:
 * `--multicore`, `--loops N`, `--lb ALGO`.
 */
export const loopFlags = {
  multicore: { type: 'boolean' },
  loops: { type: 'string' },
  lb: { type: 'string' },
} as const;

/** Help text for {@link loopFlags}, aligned for a usage message. */
export const loopFlagsHelp = `  --multicore    one event loop per CPU core
  --loops N      N event loops (loop 0 accepts, the others run in worker threads)
  --lb ALGO      how connections are spread over loops: round-robin (default),
                 least-connections, source-addr-hash, random
`;

/**
 * Turns parsed {@link loopFlags} into `serve` options.
 *
 * @throws {@link NevioError} (`ERR_NEVIO_OPTIONS`) naming the flag when a value is not valid.
 */
export function loopOptions(values: { multicore?: boolean; loops?: string; lb?: string }): Pick<Options, 'multicore' | 'numEventLoop' | 'lb'> {
  const loops = values.loops === undefined ? undefined : Number(values.loops);
  if (loops !== undefined && !(Number.isInteger(loops) && loops >= 1)) {
    throw new NevioError(`--loops takes a positive integer, not '${values.loops}'`, 'ERR_NEVIO_OPTIONS');
  }
  if (values.lb !== undefined && !BALANCERS.includes(values.lb as LoadBalancing)) {
    throw new NevioError(`--lb takes one of ${BALANCERS.join(', ')}, not '${values.lb}'`, 'ERR_NEVIO_OPTIONS');
  }
  return { multicore: values.multicore ?? false, numEventLoop: loops, lb: values.lb as LoadBalancing | undefined };
}

import { cEpollEcho, nevioEcho, nevioEcho2, nodeNet } from '../peers';
import { loadgenLoad } from '../tools';
import type { Load, Workload } from '../types';

/** [conns, bytes, in flight]; a quick run keeps the first and the last. */
export const ECHO_CASES: [number, number, number][] = [
  [50, 64, 1],
  [50, 64, 16],
  [50, 4096, 1],
  [50, 4096, 16],
  [1000, 64, 1],
  [1000, 64, 16],
  [1000, 4096, 1],
  [1000, 4096, 16],
];

export function echoLoad([conns, size, depth]: [number, number, number]): Load {
  const bytes = size >= 1024 ? `${size / 1024}KiB` : `${size}B`;
  // The 50-connection ids predate the 1000-connection cases; kept so older results still line up.
  const id = `${conns === 50 ? '' : `c${conns}-`}${bytes}-d${depth}`;
  const label = `${conns} conns, ${bytes.replace(/(\d)([KB])/, '$1 $2')}, ${depth} in flight`;
  return loadgenLoad(id, label, { mode: 'echo', conns, depth, size });
}

export const echo: Workload = {
  name: 'echo',
  title: 'TCP echo, every echoed byte verified',
  kind: 'throughput',
  subject: nevioEcho.name,
  peers: [nevioEcho, nevioEcho2, nodeNet, cEpollEcho],
  loads: (o) => (o.quick ? [ECHO_CASES[0], ECHO_CASES[5]] : ECHO_CASES).map(echoLoad),
};

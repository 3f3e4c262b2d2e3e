import { nevioWs, nodeWs } from '../peers';
import { loadgenLoad } from '../tools';
import type { Load, Workload } from '../types';

/** [conns, bytes, in flight]; a quick run keeps the first. */
const CASES: [number, number, number][] = [
  [50, 64, 1],
  [50, 64, 16],
  [50, 4096, 16],
];

function load([conns, size, depth]: [number, number, number]): Load {
  const bytes = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
  return loadgenLoad(`c${conns}-${bytes.replace(' ', '')}-d${depth}`, `${conns} conns, ${bytes}, ${depth} in flight`, { mode: 'ws', conns, depth, size });
}

export const ws: Workload = {
  name: 'ws',
  title: 'WebSocket echo, binary messages, every payload verified',
  kind: 'throughput',
  subject: nevioWs.name,
  // Named runs only, as the data-type workloads: the quick run CI does has its time budget.
  onlyByName: true,
  peers: [nevioWs, nodeWs],
  loads: (o) => (o.quick ? [CASES[0]] : CASES).map(load),
};

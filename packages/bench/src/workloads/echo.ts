import { cEpollEcho, nevioEcho, nevioEcho2, nodeNet } from '../peers';
import { loadgenLoad } from '../tools';
import type { Workload } from '../types';

const CONNS = 50;

export const echo: Workload = {
  name: 'echo',
  title: 'TCP echo, 50 connections, every echoed byte verified',
  subject: nevioEcho.name,
  peers: [nevioEcho, nevioEcho2, nodeNet, cEpollEcho],
  loads: () => [
    loadgenLoad('64B-d1', '64 B, 1 in flight', { mode: 'echo', conns: CONNS, depth: 1, size: 64 }),
    loadgenLoad('64B-d16', '64 B, 16 in flight', { mode: 'echo', conns: CONNS, depth: 16, size: 64 }),
    loadgenLoad('4KiB-d1', '4 KiB, 1 in flight', { mode: 'echo', conns: CONNS, depth: 1, size: 4096 }),
  ],
};

import { cEpollEcho } from '../peers';
import { haproxyTcp, nevioProxy } from '../tls-peers';
import { loadgenLoad } from '../tools';
import type { Workload } from '../types';

/**
 * Echo through an L4 proxy to the C epoll echo server, proxy and backend pinned together on the
 * server CPU. c-epoll is the backend alone: a proxy's own CPU per forwarded message is its
 * peer's CPU µs/msg minus c-epoll's.
 */
export const proxy: Workload = {
  name: 'proxy',
  title: 'L4 proxy (TCP) to an echo backend, every echoed byte verified',
  kind: 'throughput',
  subject: nevioProxy.name,
  onlyByName: true,
  peers: [nevioProxy, haproxyTcp, cEpollEcho],
  loads: (o) =>
    [1, 16].slice(o.quick ? 1 : 0).map((depth) =>
      loadgenLoad(`proxy-64B-d${depth}`, `50 conns, 64 B, ${depth} in flight, through the proxy`, { mode: 'echo', conns: 50, depth, size: 64 }),
    ),
};

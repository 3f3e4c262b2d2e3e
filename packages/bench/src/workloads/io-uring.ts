// nevio's servers on the io_uring backend against themselves on epoll and against the C epoll
// servers (redis-server for RESP): the same program, arguments and load; only the reactor's
// mechanism differs. Run together by the group name: `node dist/cli.js io_uring`.
import { cEpollEcho, cEpollHttp, nevioEcho, nevioHttp, nevioRedis, onIoUring, redisServer } from '../peers';
import type { Peer, Workload } from '../types';
import { ECHO_CASES, echoLoad } from './echo';
import { httpLoad } from './http';
import { setGetLoad } from './redis';

const GROUP = 'io_uring';

/**
 * A workload with `nevio` on io_uring as its subject, compared with itself on epoll and with
 * `limit`, the C server of the same protocol.
 */
function onBothBackends(name: string, title: string, nevio: Peer, limit: Peer, loads: Workload['loads']): Workload {
  const uring = onIoUring(nevio);
  return {
    name,
    title,
    kind: 'throughput',
    subject: uring.name,
    onlyByName: true,
    group: GROUP,
    comparisons: [
      [uring.name, nevio.name],
      [uring.name, limit.name],
      [nevio.name, limit.name],
    ],
    peers: [uring, nevio, limit],
    loads,
  };
}

export const ioUringEcho = onBothBackends(
  'io_uring-echo', 'TCP echo on io_uring and on epoll, every echoed byte verified', nevioEcho, cEpollEcho,
  (o) => (o.quick ? [ECHO_CASES[0], ECHO_CASES[5]] : ECHO_CASES).map(echoLoad),
);

export const ioUringHttp = onBothBackends(
  'io_uring-http', 'HTTP/1.1 GET / keep-alive on io_uring and on epoll', nevioHttp, cEpollHttp,
  () => [httpLoad(50, 1), httpLoad(50, 16)],
);

export const ioUringRedis = onBothBackends(
  'io_uring-redis', 'RESP SET/GET on io_uring and on epoll, 50 connections', nevioRedis, redisServer,
  () => [setGetLoad(1), setGetLoad(16)],
);

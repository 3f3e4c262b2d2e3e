// nevio's servers on the io_uring backend against themselves on epoll and against the C epoll
// servers (redis-server for RESP): the same program, arguments and load; only the reactor's
// mechanism differs. Run together by the group name: `node dist/cli.js io_uring`.
import { cEpollEcho, cEpollHttp, nevioEcho, nevioHttp, nevioRedis, onIoUring, redisServer } from '../peers';
import type { Peer, Workload } from '../types';
import { ECHO_CASES, echoLoad } from './echo';
import { httpLoad } from './http';
import { setGetLoad } from './redis';

const GROUP = 'io_uring';

/** The three-way comparison of one nevio peer: io_uring against epoll and against the C limit. */
function comparisons(nevio: Peer, limit: Peer): [string, string][] {
  const uring = onIoUring(nevio).name;
  return [
    [uring, nevio.name],
    [uring, limit.name],
    [nevio.name, limit.name],
  ];
}

export const ioUringEcho: Workload = {
  name: 'io_uring-echo',
  title: 'TCP echo on io_uring and on epoll, every echoed byte verified',
  kind: 'throughput',
  subject: onIoUring(nevioEcho).name,
  onlyByName: true,
  group: GROUP,
  comparisons: comparisons(nevioEcho, cEpollEcho),
  peers: [onIoUring(nevioEcho), nevioEcho, cEpollEcho],
  loads: (o) => (o.quick ? [ECHO_CASES[0], ECHO_CASES[5]] : ECHO_CASES).map(echoLoad),
};

export const ioUringHttp: Workload = {
  name: 'io_uring-http',
  title: 'HTTP/1.1 GET / keep-alive on io_uring and on epoll',
  kind: 'throughput',
  subject: onIoUring(nevioHttp).name,
  onlyByName: true,
  group: GROUP,
  comparisons: comparisons(nevioHttp, cEpollHttp),
  peers: [onIoUring(nevioHttp), nevioHttp, cEpollHttp],
  loads: () => [httpLoad(50, 1), httpLoad(50, 16)],
};

export const ioUringRedis: Workload = {
  name: 'io_uring-redis',
  title: 'RESP SET/GET on io_uring and on epoll, 50 connections',
  kind: 'throughput',
  subject: onIoUring(nevioRedis).name,
  onlyByName: true,
  group: GROUP,
  comparisons: comparisons(nevioRedis, redisServer),
  peers: [onIoUring(nevioRedis), nevioRedis, redisServer],
  loads: () => [setGetLoad(1), setGetLoad(16)],
};

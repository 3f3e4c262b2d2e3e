import { BASELINE_SUFFIX, cEpollEcho, cEpollHttp, nevioEcho, nevioHttp, nevioRedis, nodeHttp, nodeNet, redisServer } from '../peers';
import { idleConnsLoad } from '../tools';
import type { Peer, Workload } from '../types';

function probed(peer: Peer, probe: Peer['probe'], name = peer.name, extra: string[] = []): Peer {
  const from = peer.from;
  return {
    ...peer,
    name,
    probe,
    command: (port) => [...peer.command(port), ...extra],
    ...(from ? { from: (checkout: string) => probed(from(checkout), probe, `${name}${BASELINE_SUFFIX}`, extra) } : {}),
  };
}

// Both Redis servers refuse clients past maxclients (10,000 by default), which leaves no room
// for a connection the runner's readiness check has not finished closing.
const maxclients = ['--maxclients', '10100'];
// redis-server's protected mode counts only 127.0.0.1 as local and answers -DENIED to the
// connections idleconns opens from 127.0.0.2 and up; it still listens on 127.0.0.1 only.
const unprotected = ['--protected-mode', 'no'];

export const memory: Workload = {
  name: 'memory',
  title: 'Resident memory per idle connection',
  kind: 'memory',
  subject: nevioEcho.name,
  peers: [
    probed(nevioEcho, 'echo', 'nevio-echo'),
    probed(nodeNet, 'echo'),
    probed(cEpollEcho, 'echo'),
    probed(nevioHttp, 'http'),
    probed(nodeHttp, 'http'),
    probed(cEpollHttp, 'http'),
    probed(nevioRedis, 'resp', undefined, maxclients),
    probed(redisServer, 'resp', undefined, [...maxclients, ...unprotected]),
  ],
  comparisons: [
    ['nevio-echo', 'node-net'],
    ['nevio-echo', 'c-epoll'],
    ['nevio-http', 'node-http'],
    ['nevio-redis', 'redis-server'],
  ],
  loads: (o) => [idleConnsLoad('idle', `${o.idleConns.toLocaleString('en-US')} idle connections, each after one request`)],
};

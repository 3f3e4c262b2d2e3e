import { cEpollHttp, nevioHttp, nodeHttp } from '../peers';
import { loadgenLoad, wrkLoad } from '../tools';
import type { Load, Workload } from '../types';

export function httpLoad(conns: number, depth: number): Load {
  const label = `${conns} conns, ${depth === 1 ? '1 in flight' : `${depth} pipelined`}`;
  return loadgenLoad(`c${conns}-d${depth}`, label, { mode: 'http', conns, depth, path: '/' });
}

export const http: Workload = {
  name: 'http',
  title: 'HTTP/1.1 GET / keep-alive, Hello, World!',
  kind: 'throughput',
  subject: nevioHttp.name,
  peers: [nevioHttp, nodeHttp, cEpollHttp],
  loads: (o) => {
    const wrk = wrkLoad('wrk-c50', 'wrk -t1 -c50', 50);
    if (o.quick) return [httpLoad(50, 1), httpLoad(256, 16), wrk];
    return [httpLoad(50, 1), httpLoad(50, 16), httpLoad(256, 1), httpLoad(256, 16), wrk];
  },
};

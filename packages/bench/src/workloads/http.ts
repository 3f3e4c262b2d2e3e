import { cEpollHttp, nevioHttp, nodeHttp } from '../peers';
import { loadgenLoad, wrkLoad } from '../tools';
import type { Load, Workload } from '../types';

export const http: Workload = {
  name: 'http',
  title: 'HTTP/1.1 GET / keep-alive, Hello, World!',
  subject: nevioHttp.name,
  peers: [nevioHttp, nodeHttp, cEpollHttp],
  loads: () => {
    const loads: Load[] = [];
    for (const conns of [50, 256]) {
      for (const depth of [1, 16]) {
        const label = `${conns} conns, ${depth === 1 ? '1 in flight' : `${depth} pipelined`}`;
        loads.push(loadgenLoad(`c${conns}-d${depth}`, label, { mode: 'http', conns, depth, path: '/' }));
      }
    }
    loads.push(wrkLoad('wrk-c50', 'wrk -t1 -c50', 50));
    return loads;
  },
};

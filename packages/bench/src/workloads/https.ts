import { nevioHttps, nodeHttps } from '../tls-peers';
import { loadgenLoad } from '../tools';
import type { Workload } from '../types';

/** Keep-alive GET / over TLS 1.3 (TLS_AES_128_GCM_SHA256, ALPN http/1.1), 1 and 16 pipelined. */
export const https: Workload = {
  name: 'https',
  title: 'HTTPS GET / keep-alive, TLS 1.3 (TLS_AES_128_GCM_SHA256)',
  kind: 'throughput',
  subject: nevioHttps.name,
  onlyByName: true,
  peers: [nevioHttps, nodeHttps],
  loads: (o) =>
    [1, 16].slice(o.quick ? 1 : 0).map((depth) =>
      loadgenLoad(`https-c50-d${depth}`, `50 conns, GET /, ${depth} pipelined, TLS 1.3`, { mode: 'http', conns: 50, depth, path: '/', tls: true }),
    ),
};

import { nevioTlsEcho, nodeTlsEcho } from '../tls-peers';
import { loadgenLoad } from '../tools';
import type { Workload } from '../types';

/** 64 B messages over TLS 1.3 (TLS_AES_128_GCM_SHA256), 1 and 16 in flight, on 50 connections. */
export const tlsEcho: Workload = {
  name: 'tls-echo',
  title: 'TLS 1.3 echo (TLS_AES_128_GCM_SHA256), every echoed byte verified',
  kind: 'throughput',
  subject: nevioTlsEcho.name,
  onlyByName: true,
  peers: [nevioTlsEcho, nodeTlsEcho],
  loads: (o) =>
    [1, 16].slice(o.quick ? 1 : 0).map((depth) =>
      loadgenLoad(`tls-64B-d${depth}`, `50 conns, 64 B, ${depth} in flight, TLS 1.3`, { mode: 'echo', conns: 50, depth, size: 64, tls: true }),
    ),
};

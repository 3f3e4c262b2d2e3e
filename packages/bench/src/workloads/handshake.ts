import { nevioTlsEcho, nodeTlsEcho } from '../tls-peers';
import { loadgenLoad } from '../tools';
import type { Workload } from '../types';

/**
 * Full TLS 1.3 handshakes (no resumption, ECDSA P-256 certificate, X25519): each of 16
 * connections connects, handshakes, has 64 B echoed so the server's side is done too, and
 * closes. msg/s = handshakes per second; CPU µs/msg = server CPU per handshake.
 */
export const handshake: Workload = {
  name: 'handshake',
  title: 'TLS 1.3 full handshakes (new connection, one 64 B echo, close)',
  kind: 'throughput',
  subject: nevioTlsEcho.name,
  onlyByName: true,
  peers: [nevioTlsEcho, nodeTlsEcho],
  loads: () => [loadgenLoad('handshake-c16', '16 conns, a new TLS connection per 64 B echo', { mode: 'handshake', conns: 16, depth: 1, size: 64, tls: true })],
};

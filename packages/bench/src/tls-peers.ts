// The servers of the TLS and proxy workloads: nevio's echo and HTTP servers over TLS against
// Node's tls and https modules, and examples/tcp-proxy.js against HAProxy in TCP mode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDir, peersDir, repoRoot } from './paths';
import { onPath } from './proc';
import { benchCert, tlsUnavailable } from './tls-cert';
import type { Peer } from './types';

function tlsPeer(name: string, description: string, script: string, args: (port: number, cert: string, key: string) => string[]): Peer {
  return {
    name,
    description,
    command: (port) => {
      const { cert, key } = benchCert();
      return [process.execPath, script, ...args(port, cert, key)];
    },
    unavailable: () => tlsUnavailable() ?? (fs.existsSync(script) ? null : `${path.relative(repoRoot, script)} does not exist (run pnpm build)`),
  };
}

const nodePeerArgs = (port: number, cert: string, key: string): string[] => ['--port', String(port), '--cert', cert, '--key', key];

export const nevioTlsEcho = tlsPeer(
  'nevio-tls', 'nevio echo on tls:// (packages/echo --tls-cert/--tls-key)', path.join(repoRoot, 'packages/echo/dist/cli.js'),
  (port, cert, key) => ['--addr', `tls://127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', key],
);
export const nodeTlsEcho = tlsPeer(
  'node-tls', "Node's tls module: tls.createServer, socket.on('data', d => socket.write(d))", path.join(peersDir, 'tls-echo.js'), nodePeerArgs,
);
export const nevioHttps = tlsPeer(
  'nevio-https', 'nevio HTTP with --tls-cert/--tls-key (packages/http)', path.join(repoRoot, 'packages/http/dist/cli.js'),
  (port, cert, key) => ['--addr', `tcp://127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', key],
);
export const nodeHttps = tlsPeer(
  'node-https', "Node's https module answering Hello, World!", path.join(peersDir, 'node-https.js'), nodePeerArgs,
);

const backend = path.join(buildDir, 'echo_server');
function proxyPeer(name: string, description: string, kind: 'nevio' | 'haproxy', needs: () => string | null): Peer {
  return {
    name,
    description,
    command: (port) => [process.execPath, path.join(peersDir, 'proxy-pair.js'), '--port', String(port), '--proxy', kind, '--backend', backend],
    unavailable: () => needs() ?? (fs.existsSync(backend) ? null : `${path.relative(repoRoot, backend)} is not built (run pnpm build)`),
  };
}

export const nevioProxy = proxyPeer(
  'nevio-proxy', 'examples/tcp-proxy.js (serve + dial on one loop) in front of the C epoll echo server', 'nevio',
  () => (fs.existsSync(path.join(repoRoot, 'packages/core/dist/index.js')) ? null : 'packages/core is not built (run pnpm build)'),
);
export const haproxyTcp = proxyPeer(
  'haproxy', 'HAProxy in TCP mode (nbthread 1) in front of the C epoll echo server', 'haproxy',
  () => (onPath('haproxy') ? null : 'haproxy is not installed (apt-get install haproxy)'),
);

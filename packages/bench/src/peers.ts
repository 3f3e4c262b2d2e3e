// The servers under test. nevio's own servers are written in other packages of this
// workspace; when one is not built yet its peer is skipped with a note, not an error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ioUringUnavailable } from '@nevio/core';
import { buildDir, peersDir, repoRoot } from './paths';
import { onPath } from './proc';
import type { Peer } from './types';

function nodeScript(name: string, description: string, script: string, args: (port: number) => string[], missing: string): Peer {
  const peer: Peer = {
    name,
    description,
    command: (port) => [process.execPath, script, ...args(port)],
    unavailable: () => (fs.existsSync(script) ? null : `${script} does not exist (${missing})`),
  };
  // Only the workspace's own servers have a twin in another checkout; the Node peers of this
  // package are the same program wherever they are run from.
  if (script.startsWith(repoRoot + path.sep) && !script.startsWith(peersDir + path.sep)) {
    peer.from = (checkout) =>
      nodeScript(`${name}${BASELINE_SUFFIX}`, `${description}, from ${checkout}`, path.join(checkout, path.relative(repoRoot, script)), args, `build ${checkout} first`);
  }
  return peer;
}

/** The name of a peer's twin from the `--baseline` checkout: `nevio-redis@base`. */
export const BASELINE_SUFFIX = '@base';

/** The name of a nevio peer run on the io_uring backend: `nevio-http@io_uring`. */
export const IO_URING_SUFFIX = '@io_uring';

/**
 * `peer` (one of nevio's servers) on the io_uring backend, through `NEVIO_BACKEND=io_uring`: the
 * same program and arguments, so the two differ only in the reactor's mechanism. Unavailable
 * where io_uring cannot run (the reason is @nevio/core's probe: kernel, seccomp, no liburing).
 */
export function onIoUring(peer: Peer): Peer {
  return {
    name: `${peer.name}${IO_URING_SUFFIX}`,
    description: `${peer.description}, on io_uring`,
    // env execs the server: the pid the runner measures is the server's.
    command: (port) => ['env', 'NEVIO_BACKEND=io_uring', ...peer.command(port)],
    unavailable: () => {
      const reason = peer.unavailable() ?? ioUringUnavailable();
      return reason === '' ? null : reason;
    },
  };
}

function binary(name: string, description: string, file: string): Peer {
  return {
    name,
    description,
    command: (port) => [file, '--port', String(port)],
    unavailable: () => (fs.existsSync(file) ? null : `${path.relative(repoRoot, file)} is not built (run pnpm build)`),
  };
}

const notBuilt = 'not written or not built yet; run pnpm build';

export const nevioEcho = nodeScript(
  'nevio', 'nevio echo (packages/echo)', path.join(repoRoot, 'packages/echo/dist/cli.js'),
  (port) => ['--addr', `tcp://127.0.0.1:${port}`], notBuilt,
);
// The same echo server with two event loops (loop 0 accepts and hands every other connection to a
// worker-thread loop): with the server pinned to one CPU this shows what the extra loop costs per
// message.
export const nevioEcho2 = nodeScript(
  'nevio-2loops', 'nevio echo with 2 event loops (--loops 2)', path.join(repoRoot, 'packages/echo/dist/cli.js'),
  (port) => ['--addr', `tcp://127.0.0.1:${port}`, '--loops', '2'], notBuilt,
);
export const nodeNet = nodeScript(
  'node-net', "Node's net module: socket.on('data', d => socket.write(d))", path.join(peersDir, 'net-echo.js'),
  (port) => ['--port', String(port)], 'part of this package',
);
export const cEpollEcho = binary('c-epoll', 'single-threaded level-triggered epoll echo in C', path.join(buildDir, 'echo_server'));

export const nevioHttp = nodeScript(
  'nevio-http', 'nevio HTTP (packages/http)', path.join(repoRoot, 'packages/http/dist/cli.js'),
  (port) => ['--addr', `tcp://127.0.0.1:${port}`], notBuilt,
);
export const nodeHttp = nodeScript(
  'node-http', "Node's http module answering Hello, World!", path.join(peersDir, 'node-http.js'),
  (port) => ['--port', String(port)], 'part of this package',
);
export const cEpollHttp = binary('c-epoll-http', 'epoll in C; a canned response per \\r\\n\\r\\n, no parsing', path.join(buildDir, 'http_server'));

export const nevioWs = nodeScript(
  'nevio-ws', "nevio-http's WebSocketServer echoing every message", path.join(peersDir, 'nevio-ws-echo.js'),
  (port) => ['--port', String(port)], 'part of this package',
);
export const nodeWs = nodeScript(
  'ws', "the ws package on Node's http, echoing every message", path.join(peersDir, 'ws-echo.js'),
  (port) => ['--port', String(port)], 'part of this package',
);

export const nevioRedis = nodeScript(
  'nevio-redis', 'nevio Redis (packages/redis), no persistence', path.join(repoRoot, 'packages/redis/dist/cli.js'),
  // As the redis-server peer: without `--save ''` the default save points start background saves
  // in the middle of a run, whose CPU then counts against the commands.
  (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], notBuilt,
);
export const redisServer: Peer = {
  name: 'redis-server',
  description: 'redis-server, no persistence',
  command: (port) => ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  unavailable: () => (onPath('redis-server') ? null : 'redis-server is not installed (apt-get install redis-server)'),
};

#!/usr/bin/env node
import { statSync } from 'node:fs';
import path from 'node:path';
import { flag, loopFlags, loopOptions, optionGrammar, reloadTlsOnSighup, runCommand, text, tlsFlags, tlsFromFlags, UsageError, withTls } from '@nevio/core';
import type { Handler } from './connection';
import { createServer } from './server';
import { serveStatic } from './static';

const HELLO = 'Hello, World!';
const NOT_FOUND = 'Not Found\n';

/** The demo routes; written for the hot path: no allocation beyond what the request needs. */
const hello: Handler = (req, res) => {
  const url = req.url;
  if (url === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.end(HELLO);
  } else if (url === '/echo' && req.method === 'POST') {
    return req.body().then((body) => res.end(body));
  } else {
    res.status(404).end(NOT_FOUND);
  }
};

/** `tag()` is read per request because the loop's index is only known once it has joined. */
function withLog(handler: Handler, tag: () => string): Handler {
  return (req, res) => {
    process.stdout.write(`${new Date().toISOString()}${tag()} ${req.method} ${req.url}\n`);
    return handler(req, res);
  };
}

const options = {
  addr: text(
    'ADDR',
    'where to listen: tcp://host:port[?reuseport=true], tcp6://[::1]:port,\nunix:///path.sock, or a bare port (on 127.0.0.1); an empty host\n(tcp://:8080) is every interface; port 0 picks a free port',
    'tcp://127.0.0.1:8080',
  ),
  root: text('DIR', 'serve static files from DIR'),
  ...loopFlags,
  log: flag("print one line per request (with the loop's index when there are several)"),
  ...tlsFlags,
};

/** HTTPS negotiates HTTP/1.1 by ALPN: the one version this server speaks. */
const ALPN = ['http/1.1'];

void runCommand({
  name: 'nevio-http',
  summary:
    'An HTTP/1.1 server on nevio. Without --root it answers GET / with "Hello, World!" and\n' +
    'POST /echo with the request body; with --root it serves the files under DIR.',
  packageDir: path.join(__dirname, '..'),
  grammar: optionGrammar(options),
  async start(values) {
    let handler = hello;
    const root = values.root === undefined ? undefined : path.resolve(values.root);
    if (root !== undefined) {
      if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--root ${values.root} is not a directory`);
      handler = serveStatic(root);
    }
    let loopTag = '';
    if (values.log) handler = withLog(handler, () => loopTag);
    // --tls-cert/--tls-key: HTTPS on the address (tcp:// turns into TLS).
    const tls = tlsFromFlags(values, ALPN);
    const server = await createServer(handler, { ...loopOptions(values), tls }).listen(tls !== undefined ? withTls(values.addr) : values.addr);
    reloadTlsOnSighup('nevio-http', values, (settings) => server.reloadTls(settings), ALPN);
    if (server.loops > 1) loopTag = ` [loop ${server.loopIndex}]`;
    return {
      banner: `nevio-http listening on ${server.addrs.join(', ')}${root === undefined ? '' : ` serving ${root}`} with ${server.loops} loop(s) (pid ${process.pid})`,
      stop: () => server.stop(),
      done: server.done,
    };
  },
});

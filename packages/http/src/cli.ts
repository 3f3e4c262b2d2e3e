#!/usr/bin/env node
import { statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PROXY_TRUSTED, flag, integer, logFlags, logFromFlags, loopFlags, loopOptions, reloadTlsOnSighup, runCommand, text, texts, tlsFlags, tlsFromFlags, UsageError, withTls } from '@nevio/core';
import { withAccessLog } from './access-log';
import { grammarWithPositional } from './cli-grammar';
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

const options = {
  addr: {
    ...text(
      'ADDR',
      'where to listen: tcp://host:port[?reuseport=true], tcp6://[::1]:port,\nunix:///path.sock, or a bare port (on 127.0.0.1); an empty host\n(tcp://:8080) is every interface; port 0 picks a free port',
      'tcp://127.0.0.1:8080',
    ),
    alternativeTo: 'port',
  },
  port: { ...integer('PORT', 'listen on 127.0.0.1:PORT (the same as --addr PORT)', 0), short: 'p' },
  root: text('DIR', 'serve static files from DIR (or give DIR as the argument)'),
  autoindex: flag('with a root: list directories that have no index.html (otherwise 403)'),
  ...loopFlags,
  log: flag(
    "an access log on stdout: one line per response in the combined log format,\nthen the seconds it took (and the loop's index when there are several)",
  ),
  'proxy-protocol': flag(
    'every connection from loopback (a local load balancer) starts with a PROXY protocol\nheader (v1 or v2), and the client it names is the remote address served and logged',
  ),
  'proxy-trusted': texts(
    'NET',
    'with --proxy-protocol: whose headers are believed instead of loopback\'s: an IP\naddress, a CIDR network (10.0.0.0/8) or unix; repeat for several',
    DEFAULT_PROXY_TRUSTED,
  ),
  ...tlsFlags,
  ...logFlags,
};

/** HTTPS negotiates HTTP/1.1 by ALPN: the one version this server speaks. */
const ALPN = ['http/1.1'];

void runCommand({
  name: 'nevio-http',
  summary:
    'An HTTP/1.1 server on nevio. Without a root it answers GET / with "Hello, World!" and\n' +
    'POST /echo with the request body; with one (DIR or --root DIR) it serves the files under\n' +
    'it as a static server: nginx-like paths, index.html, brotli/gzip, ETag and ranges.',
  packageDir: path.join(__dirname, '..'),
  grammar: grammarWithPositional(options, { arg: 'DIR', help: 'serve the files under DIR (the same as --root DIR)' }),
  async start(values) {
    let handler = hello;
    if (values.positional !== undefined && values.root !== undefined) throw new UsageError('give the root once: as DIR or as --root DIR');
    const given = values.positional ?? values.root;
    const root = given === undefined ? undefined : path.resolve(given);
    if (root !== undefined) {
      if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${given} is not a directory`);
      handler = serveStatic(root, { autoindex: values.autoindex });
    } else if (values.autoindex) {
      throw new UsageError('--autoindex needs a root to list (DIR or --root DIR)');
    }
    if (values.port !== undefined && values.port > 65535) throw new UsageError(`--port takes a port from 0 to 65535, not '${values.port}'`);
    const addr = values.port !== undefined ? String(values.port) : values.addr;
    let loopTag = '';
    // `loopTag` is read per line because the loop's index is only known once it has joined.
    if (values.log) handler = withAccessLog(handler, (line) => process.stdout.write(line), () => loopTag);
    // --tls-cert/--tls-key: HTTPS on the address (tcp:// turns into TLS).
    const tls = tlsFromFlags(values, ALPN);
    const log = logFromFlags(values);
    // texts() hands back the default array itself when the flag is absent.
    const proxyTrusted = values['proxy-trusted'];
    if (proxyTrusted !== DEFAULT_PROXY_TRUSTED && !values['proxy-protocol']) throw new UsageError('--proxy-trusted needs --proxy-protocol');
    const proxy = { proxyProtocol: values['proxy-protocol'], proxyTrusted };
    const server = await createServer(handler, { ...loopOptions(values), tls, ...proxy, logger: log }).listen(
      tls !== undefined ? withTls(addr) : addr,
    );
    reloadTlsOnSighup('nevio-http', values, (settings) => server.reloadTls(settings), ALPN);
    if (server.loops > 1) loopTag = ` [loop ${server.loopIndex}]`;
    return {
      banner: log.banner(`nevio-http listening on ${server.addrs.join(', ')}${root === undefined ? '' : ` serving ${root}`} with ${server.loops} loop(s) (pid ${process.pid})`),
      stop: () => server.stop(),
      done: server.done,
      log,
    };
  },
});

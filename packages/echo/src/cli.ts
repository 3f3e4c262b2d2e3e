#!/usr/bin/env node
import path from 'node:path';
import { flag, logFlags, logFromFlags, loopFlags, loopOptions, optionGrammar, reloadTlsOnSighup, runCommand, texts, tlsFlags, tlsFromFlags } from '@nevio/core';
import { startEcho } from './index';

const options = {
  addr: texts(
    'ADDR',
    'where to listen, repeatable: tcp://host:port[?reuseport=true], tcp4://,\ntcp6://[::1]:port, tls://host:port (with --tls-cert/--tls-key), udp://host:port,\nunix:///path.sock, or a bare port (on 127.0.0.1); an empty host (tcp://:5000)\nis every interface',
    ['tcp://127.0.0.1:5000'],
  ),
  ...loopFlags,
  reuseport: flag('SO_REUSEPORT: with several loops on Linux each loop gets its own\nlistener and the kernel spreads connections'),
  ...tlsFlags,
  ...logFlags,
};

void runCommand({
  name: 'nevio-echo',
  summary: 'An echo server on nevio. Every byte received is sent back.',
  packageDir: path.join(__dirname, '..'),
  grammar: optionGrammar(options),
  async start(values) {
    const log = logFromFlags(values);
    const server = await startEcho(values.addr, { reusePort: values.reuseport, tls: tlsFromFlags(values), ...loopOptions(values), logger: log });
    reloadTlsOnSighup('nevio-echo', values, (tls) => server.reloadTls(tls));
    return {
      banner: log.banner(`nevio-echo listening on ${server.addrs.join(', ')} with ${server.loops} loop(s) (pid ${process.pid})`),
      stop: () => server.stop(),
      done: server.done,
      log,
    };
  },
});

#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { NevioError } from '@nevio/core';
import { startEcho } from './index';

const USAGE = `Usage: nevio-echo [--addr ADDR]... [--reuseport]

An echo server on nevio. Every byte received is sent back.

Options:
  --addr ADDR    where to listen, repeatable (default tcp://127.0.0.1:5000):
                 tcp://host:port, tcp4://, tcp6://[::1]:port, udp://host:port, unix:///path.sock
  --reuseport    set SO_REUSEPORT, so several processes can share the port
  -h, --help     show this help
`;

async function main(): Promise<void> {
  let values: { addr?: string[]; reuseport?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        addr: { type: 'string', multiple: true },
        reuseport: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`nevio-echo: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const addrs = values.addr ?? ['tcp://127.0.0.1:5000'];
  const server = await startEcho(addrs, { reusePort: values.reuseport ?? false });
  process.stdout.write(`nevio-echo listening on ${server.addrs.join(', ')} (pid ${process.pid})\n`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof NevioError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`nevio-echo: ${message}\n`);
  process.exit(1);
});

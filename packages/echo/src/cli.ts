#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loopFlags, loopFlagsHelp, loopOptions, NevioError } from '@nevio/core';
import { startEcho } from './index';

const USAGE = `Usage: nevio-echo [--addr ADDR]... [--multicore | --loops N] [--lb ALGO] [--reuseport]

An echo server on nevio. Every byte received is sent back.

Options:
  --addr ADDR    where to listen, repeatable (default tcp://127.0.0.1:5000):
                 tcp://host:port, tcp4://, tcp6://[::1]:port, udp://host:port, unix:///path.sock
${loopFlagsHelp}  --reuseport    SO_REUSEPORT: with several loops on Linux each loop gets its own
                 listener and the kernel spreads connections
  -h, --help     show this help
`;

function fail(message: string): never {
  process.stderr.write(`nevio-echo: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { addr?: string[]; reuseport?: boolean; multicore?: boolean; loops?: string; lb?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        addr: { type: 'string', multiple: true },
        reuseport: { type: 'boolean' },
        ...loopFlags,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const addrs = values.addr ?? ['tcp://127.0.0.1:5000'];
  let loops;
  try {
    loops = loopOptions(values);
  } catch (error) {
    fail((error as Error).message);
  }
  const server = await startEcho(addrs, { reusePort: values.reuseport ?? false, ...loops });
  // Worker-thread loops run this module too; only loop 0 speaks for the server.
  if (server.loopIndex !== 0) return;
  process.stdout.write(`nevio-echo listening on ${server.addrs.join(', ')} with ${server.loops} loop(s) (pid ${process.pid})\n`);
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

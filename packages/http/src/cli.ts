#!/usr/bin/env node
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NevioError } from '@nevio/core';
import type { Handler } from './connection';
import { createServer, type HttpOptions } from './server';
import { serveStatic } from './static';

const USAGE = `Usage: nevio-http [--addr ADDR] [--root DIR] [--multicore] [--log] [--help]

An HTTP/1.1 server on nevio. Without --root it answers GET / with "Hello, World!" and
POST /echo with the request body; with --root it serves the files under DIR.

Options:
  --addr ADDR    where to listen (default tcp://:8080): tcp://host:port, tcp6://[::1]:port,
                 unix:///path.sock; port 0 picks a free port
  --root DIR     serve static files from DIR
  --multicore    spread connections over several event loops (nevio's 'multicore' serve
                 option; it has no effect until the core implements it)
  --log          print one line per request
  -h, --help     show this help
`;

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

function withLog(handler: Handler): Handler {
  return (req, res) => {
    process.stdout.write(`${new Date().toISOString()} ${req.method} ${req.url}\n`);
    return handler(req, res);
  };
}

async function main(): Promise<void> {
  let values: { addr?: string; root?: string; multicore?: boolean; log?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        addr: { type: 'string' },
        root: { type: 'string' },
        multicore: { type: 'boolean' },
        log: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`nevio-http: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  let handler = hello;
  if (values.root !== undefined) {
    const root = path.resolve(values.root);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      process.stderr.write(`nevio-http: --root ${values.root} is not a directory\n`);
      process.exit(2);
    }
    handler = serveStatic(root);
  }
  if (values.log) handler = withLog(handler);

  const options: HttpOptions & { multicore?: boolean } = {};
  if (values.multicore) options.multicore = true;
  const server = await createServer(handler, options).listen(values.addr ?? 'tcp://:8080');
  process.stdout.write(
    `nevio-http listening on ${server.addrs.join(', ')}${values.root ? ` serving ${path.resolve(values.root)}` : ''} (pid ${process.pid})\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof NevioError ? error.message : String((error as Error)?.stack ?? error);
  process.stderr.write(`nevio-http: ${message}\n`);
  process.exit(1);
});

#!/usr/bin/env node
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loopFlags, loopFlagsHelp, loopOptions, NevioError } from '@nevio/core';
import type { Handler } from './connection';
import { createServer, type HttpOptions } from './server';
import { serveStatic } from './static';

const USAGE = `Usage: nevio-http [--addr ADDR] [--root DIR] [--multicore | --loops N] [--lb ALGO] [--log] [--help]

An HTTP/1.1 server on nevio. Without --root it answers GET / with "Hello, World!" and
POST /echo with the request body; with --root it serves the files under DIR.

Options:
  --addr ADDR    where to listen (default tcp://:8080): tcp://host:port, tcp6://[::1]:port,
                 unix:///path.sock; port 0 picks a free port
  --root DIR     serve static files from DIR
${loopFlagsHelp}  --log          print one line per request (with the loop's index when there are several)
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

/** `tag()` is read per request because the loop's index is only known once it has joined. */
function withLog(handler: Handler, tag: () => string): Handler {
  return (req, res) => {
    process.stdout.write(`${new Date().toISOString()}${tag()} ${req.method} ${req.url}\n`);
    return handler(req, res);
  };
}

function fail(message: string): never {
  process.stderr.write(`nevio-http: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { addr?: string; root?: string; multicore?: boolean; loops?: string; lb?: string; log?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        addr: { type: 'string' },
        root: { type: 'string' },
        ...loopFlags,
        log: { type: 'boolean' },
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
  let loops;
  try {
    loops = loopOptions(values);
  } catch (error) {
    fail((error as Error).message);
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
  let loopTag = '';
  if (values.log) handler = withLog(handler, () => loopTag);

  const options: HttpOptions = { ...loops };
  const server = await createServer(handler, options).listen(values.addr ?? 'tcp://:8080');
  if (server.loops > 1) loopTag = ` [loop ${server.loopIndex}]`;
  // Worker-thread loops run this module too; only loop 0 speaks for the server and takes signals.
  if (server.loopIndex !== 0) return;
  process.stdout.write(
    `nevio-http listening on ${server.addrs.join(', ')}${values.root ? ` serving ${path.resolve(values.root)}` : ''} with ${server.loops} loop(s) (pid ${process.pid})\n`,
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

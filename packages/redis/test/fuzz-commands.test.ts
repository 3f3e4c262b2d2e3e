// Random commands with random, hostile arguments across the whole command table, over TCP: for
// every command (and every subcommand of a container), command lines shaped by its docs row
// (tokens, options, numkeys) but filled with hostile values (int64 bounds and past them, NaN,
// inf, empty and binary strings, keys of every type). The server must never hit a bug
// (`ERR internal error`, which is what an exception in a command becomes), must stay up, and a
// second connection's PING must be answered meanwhile. A line that blocks or streams without
// end (BLPOP k 0, SRANDMEMBER k -9223372036854775807) is ended by disconnecting, as a client would.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCommandTable } from '../src/commands';
import { COMMAND_DOCS, type CommandDoc } from '../src/commands/command-docs';
import type { ArgSpec } from '../src/commands/command-spec';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog } from './support/inproc';
import { generateArgs, seeded, type ValuePicker } from './support/command-lines';
import { RawClient, encode } from './types/harness';

jest.setTimeout(300000);

/**
 * Left out, with the reason: they end the server or this connection, turn it into something
 * else for good, dial other hosts, or stop every client (which the PING check would report).
 */
const SKIPPED = new Map<string, string>([
  ['shutdown', 'stops the server'],
  ['quit', 'closes the connection (tested elsewhere)'],
  ['sync', 'turns the connection into a replica'],
  ['psync', 'turns the connection into a replica'],
  ['replicaof', 'dials a master'],
  ['slaveof', 'dials a master'],
  ['failover', 'replication'],
  ['migrate', 'dials the host it is given (test/migrate.test.ts)'],
  ['client|pause', 'stops every client for a random time (test/pause.test.ts)'],
  ['client|kill', 'may kill the watching connection'],
  ['debug', 'refused here: enable-debug-command is off'],
  ['pfselftest', 'holds the server for seconds by design, as in Redis'],
]);

/** Lines per command; each batch is pipelined, then RESET and a marker ECHO end it. */
const LINES_PER_COMMAND = 12;
/** A batch whose marker has not come back by then is taken as blocked or streaming: disconnect. */
const BATCH_MS = 400;

const INTEGERS = ['0', '1', '-1', '2', '3', '7', '100', '-100', '65536', '4294967296', '1099511627776', '9007199254740993', '9223372036854775807', '-9223372036854775807', '-9223372036854775808', '9223372036854775808', '18446744073709551616', '-18446744073709551617', '1.5', '1e3', ' 1', '0x10', '', 'abc'];
const DOUBLES = ['0', '1.5', '-1.5', 'inf', '-inf', '+inf', 'nan', '1e308', '1e309', '-0', '(1', '[1', '5e-324', '', 'x'];
const KEYS = ['str', 'int', 'list', 'hash', 'set', 'iset', 'zset', 'stream', 'missing', '', '{str}x'];
const STRINGS = ['', 'a', '*', '[', '\\', '\x00\xff', 'x'.repeat(300), '-', '+', '$', 'LIMIT', 'COUNT', '0-0', '*-*', '>', '$-1'];

function hostileValues(rnd: () => number): ValuePicker {
  const any = (list: readonly string[]): string => list[Math.floor(rnd() * list.length)];
  return (a: ArgSpec) => {
    if (rnd() < 0.1) return any(STRINGS);
    switch (a.type) {
      case 'key':
        return any(KEYS);
      case 'integer':
      case 'unix-time':
        return any(INTEGERS);
      case 'double':
        return any(DOUBLES);
      case 'pattern':
        return any(['*', '?', '[a-', '*a*a*a*a*a*a*a*a*b', '\\', '[^]]', 'str*']);
      default:
        return rnd() < 0.5 ? any(INTEGERS) : any(STRINGS);
    }
  };
}

/** Every command line to try: a container through each of its subcommands. */
function targets(): [string[], CommandDoc][] {
  const table = buildCommandTable();
  const out: [string[], CommandDoc][] = [];
  for (const name of table.keys()) {
    const doc = COMMAND_DOCS.get(name);
    if (doc === undefined || SKIPPED.has(name)) continue;
    if (doc.subcommands.size === 0) out.push([[name], doc]);
    for (const [full, sub] of doc.subcommands) if (!SKIPPED.has(full)) out.push([full.split('|'), sub]);
  }
  return out;
}

/** Values of every type under the names in {@link KEYS}, recreated before each batch. */
const SETUP = [
  ['FLUSHALL'],
  ['SET', 'str', 'hello'],
  ['SET', 'int', '12345'],
  ['RPUSH', 'list', 'a', 'b', 'c', '1'],
  ['HSET', 'hash', 'f', 'v', 'n', '1'],
  ['SADD', 'set', 'a', 'b'],
  ['SADD', 'iset', '1', '2', '3'],
  ['ZADD', 'zset', '1', 'a', '2', 'b'],
  ['XADD', 'stream', '1-1', 'f', 'v'],
  ['XGROUP', 'CREATE', 'stream', 'g', '0'],
];

let srv: RunningRedis;
let watcher: RawClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-fuzz-'));

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir }, quietLog);
  watcher = await RawClient.connect(srv.port);
});

afterAll(async () => {
  watcher.close();
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends `lines`, then RESET and a marker; resolves with everything read, and whether it ended in time. */
function batch(lines: string[][], marker: string): Promise<{ out: string; complete: boolean }> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: '127.0.0.1', port: srv.port });
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (complete: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      // A streaming reply can be huge: what is kept is enough to look for internal errors.
      resolve({ out: Buffer.concat(chunks).toString('latin1'), complete });
    };
    const timer = setTimeout(() => done(false), BATCH_MS);
    sock.on('data', (d: Buffer) => {
      if (size < 4 * 1024 * 1024) chunks.push(d);
      size += d.length;
      if (d.includes(marker) || Buffer.concat(chunks.slice(-2)).includes(marker)) done(true);
    });
    sock.on('error', () => done(false));
    sock.on('connect', () => {
      for (const line of [...SETUP, ...lines, ['RESET'], ['ECHO', marker]]) sock.write(encode(line));
    });
  });
}

test('every command of the table, with hostile arguments: no internal error, the server keeps answering', async () => {
  const rnd = seeded(20261202);
  const pick = hostileValues(rnd);
  const internal: string[] = [];
  let slowPings = 0;
  let cut = 0;
  const all = targets();
  expect(all.length).toBeGreaterThan(300);
  for (const [prefix, doc] of all) {
    const lines: string[][] = [];
    for (let i = 0; i < LINES_PER_COMMAND; i++) {
      const line = [...prefix];
      // Mostly shaped by the docs row; sometimes a few arguments of any kind.
      if (rnd() < 0.8) generateArgs(doc.args, rnd, pick, line);
      else for (let k = Math.floor(rnd() * 5); k > 0; k--) line.push(pick({ name: 'x', type: 'string', optional: false, multiple: false, multipleToken: false }, 0));
      lines.push(line);
    }
    const marker = `fuzz-done-${prefix.join('-')}`;
    const { out, complete } = await batch(lines, marker);
    if (!complete) cut++;
    const m = /-ERR internal error[^\r]*/.exec(out);
    if (m !== null) internal.push(`${prefix.join(' ')}: ${m[0]} (lines: ${JSON.stringify(lines).slice(0, 2000)})`);
    const t0 = performance.now();
    expect((await watcher.send(['PING'])).toString()).toBe('+PONG\r\n');
    if (performance.now() - t0 > 1000) slowPings++;
  }
  expect(internal).toEqual([]);
  // A PING waits at most for one turn of a streaming reply (a few ms), not for a whole command.
  expect(slowPings).toBe(0);
  // Blocking commands with timeout 0 and endless streams were cut, but far from every batch.
  expect(cut).toBeLessThan(all.length / 4);
  expect((await watcher.send(['DBSIZE'])).toString()).toMatch(/^:\d+\r\n$/);
});

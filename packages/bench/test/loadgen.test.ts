// The load generator against real servers on 127.0.0.1: it must count what a correct server
// answers and flag what a broken one gets wrong.
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { buildDir, peersDir } from '../src/paths';
import { freePort, onPath } from '../src/proc';
import { loadgenArgs, runLoadgen, type LoadgenOutput, type LoadgenParams } from '../src/tools';
import { liveServers } from './live-servers';

const { start, listen } = liveServers();

function load(port: number, p: Partial<LoadgenParams> & { mode: LoadgenParams['mode'] }, duration = 1): Promise<LoadgenOutput> {
  const params: LoadgenParams = { conns: 8, depth: 1, ...p };
  return runLoadgen(loadgenArgs(params, port, duration, 0.2), 20000);
}

const cEcho = (port: number): string[] => [path.join(buildDir, 'echo_server'), '--port', String(port)];
const cHttp = (port: number): string[] => [path.join(buildDir, 'http_server'), '--port', String(port)];

describe('echo mode', () => {
  test.each([
    [64, 1],
    [64, 16],
    [4096, 4],
  ])('C echo server, %i B, depth %i: every message verified', async (size, depth) => {
    const port = await start(cEcho);
    const out = await load(port, { mode: 'echo', size, depth });
    expect(out).toMatchObject({ mode: 'echo', size, depth, conns: 8, errors: 0 });
    expect(out.messages).toBeGreaterThan(1000);
    expect(out.seconds).toBeGreaterThan(0.9);
    expect(Math.abs(out.rate - out.messages / out.seconds)).toBeLessThan(out.rate * 0.01);
    expect(out.p50_us).toBeGreaterThan(0);
    expect(out.p99_us).toBeGreaterThanOrEqual(out.p50_us);
  });

  test('node-net peer', async () => {
    const port = await start((p) => [process.execPath, path.join(peersDir, 'net-echo.js'), '--port', String(p)]);
    const out = await load(port, { mode: 'echo', size: 64, depth: 16 });
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(1000);
  });

  test('a server that corrupts one byte of each echo is caught', async () => {
    const port = await listen(
      net.createServer((s) => {
        s.on('error', () => s.destroy());
        s.on('data', (d) => {
          d[d.length >> 1] ^= 0x20;
          s.write(d);
        });
      }),
    );
    const out = await load(port, { mode: 'echo', size: 64 }, 0.5);
    expect(out.errors).toBeGreaterThan(100);
  });

  test('a server that closes every connection costs errors, not a hang', async () => {
    const port = await listen(net.createServer((s) => s.on('data', () => s.destroy()).on('error', () => {})));
    const started = Date.now();
    const out = await load(port, { mode: 'echo', conns: 8 }, 5);
    expect(out.errors).toBe(8);
    expect(out.messages).toBe(0);
    // Every connection gone: the run ends at once rather than after its 5 s.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('command line', () => {
  test('a port nobody listens on fails at once, naming connect', async () => {
    const port = await freePort();
    await expect(runLoadgen(loadgenArgs({ mode: 'echo', conns: 2, depth: 1 }, port, 5, 0), 3000)).rejects.toThrow(
      /exited with 2: [^]*conn 0: connect: Connection refused[^]*no connection could be established/,
    );
  });

  (onPath('python3') ? test : test.skip)('a server that never accepts costs errors, not a hang', async () => {
    // A full accept queue makes the kernel drop further SYNs, so those connects never end.
    const port = await start((p) => [
      'python3', '-c',
      `import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', ${p}))\ns.listen(0)\ntime.sleep(60)`,
    ]);
    const started = Date.now();
    // The readiness probe already took the queue's only place, so no connect completes.
    await expect(load(port, { mode: 'echo', conns: 8 }, 1)).rejects.toThrow(/conn 0: connect: not established by the end of the run/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test.each([
    [['--mode', 'smtp']],
    [['--depth', '0']],
    [['--size', '12x']],
  ])('bad option %j is refused', async (extra) => {
    const argv = [...loadgenArgs({ mode: 'echo', conns: 1, depth: 1 }, 9, 1, 0), ...extra];
    await expect(runLoadgen(argv, 3000)).rejects.toThrow(/exited with 2/);
  });
});

describe('ws mode', () => {
  const peer = (file: string) => (p: number) => [process.execPath, path.join(peersDir, file), '--port', String(p)];

  test.each([
    ['nevio-ws-echo.js', 64, 1],
    ['nevio-ws-echo.js', 4096, 16],
    ['ws-echo.js', 64, 16],
    // 70,000 B needs the 8-byte length form both ways.
    ['ws-echo.js', 70000, 2],
  ])('%s, %i B, depth %i: every echoed frame verified', async (file, size, depth) => {
    const port = await start(peer(file));
    const out = await load(port, { mode: 'ws', size, depth });
    expect(out).toMatchObject({ mode: 'ws', size, depth, errors: 0 });
    expect(out.messages).toBeGreaterThan(100);
  });

  test('a server that echoes the payload still masked is caught', async () => {
    // It answers the upgrade, then sends every frame back with the mask bit cleared but the
    // masked bytes left as they came: a server that skipped unmasking.
    const port = await listen(
      net.createServer((s) => {
        s.on('error', () => s.destroy());
        let upgraded = false;
        s.on('data', (d) => {
          if (!upgraded) {
            upgraded = true;
            s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n');
            return;
          }
          // 64 B frames from the client: 2 header bytes, 4 of mask, 64 of payload.
          for (let i = 0; i + 70 <= d.length; i += 70) s.write(Buffer.concat([Buffer.from([0x82, 64]), d.subarray(i + 6, i + 70)]));
        });
      }),
    );
    const out = await load(port, { mode: 'ws', size: 64 }, 0.5);
    expect(out.messages).toBe(0);
    expect(out.errors).toBeGreaterThan(10);
  });

  test('a refused upgrade fails each connection, naming it', async () => {
    const port = await start((p) => [process.execPath, path.join(peersDir, 'node-http.js'), '--port', String(p)]);
    await expect(load(port, { mode: 'ws', conns: 3 }, 0.5)).resolves.toMatchObject({ messages: 0, errors: 3 });
  });
});

describe('http mode', () => {
  test.each([1, 16])('C http server, depth %i', async (depth) => {
    const port = await start(cHttp);
    const out = await load(port, { mode: 'http', depth, conns: 16 });
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(1000);
  });

  test('node-http peer, pipelined', async () => {
    const port = await start((p) => [process.execPath, path.join(peersDir, 'node-http.js'), '--port', String(p)]);
    const out = await load(port, { mode: 'http', depth: 4 }, 0.5);
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(100);
  });

  test('chunked responses are followed to their end', async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        // No Content-Length: Node sends these writes as chunks, then the last-chunk.
        res.write('Hello, ');
        res.write('chunked ');
        res.end('World!');
      }),
    );
    const out = await load(port, { mode: 'http', depth: 4 }, 0.5);
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(100);
  });

  test('responses with varying status and length are each framed and judged', async () => {
    let refused = 0;
    let n = 0;
    const port = await listen(
      http.createServer((_req, res) => {
        n++;
        if (n % 3 === 0) {
          refused++;
          res.writeHead(503, { 'Content-Length': 4 }).end('busy');
        } else {
          const body = 'x'.repeat(n % 50);
          res.writeHead(200, { 'Content-Length': body.length }).end(body);
        }
      }),
    );
    const conns = 4;
    const depth = 4;
    const out = await load(port, { mode: 'http', conns, depth }, 0.5);
    expect(out.messages).toBeGreaterThan(100);
    // Every 503 read is an error; only those still in flight at the end go unread.
    expect(out.errors).toBeLessThanOrEqual(refused);
    expect(out.errors).toBeGreaterThanOrEqual(refused - conns * depth);
  });

  test('non-2xx responses count as errors', async () => {
    const port = await start((p) => [process.execPath, path.join(peersDir, 'node-http.js'), '--port', String(p)]);
    const out = await runLoadgen([...loadgenArgs({ mode: 'http', conns: 4, depth: 1, path: '/missing' }, port, 0.5, 0)], 20000);
    expect(out.messages).toBe(0);
    expect(out.errors).toBeGreaterThan(100);
  });
});

const withRedis = onPath('redis-server') ? describe : describe.skip;
withRedis('resp mode against redis-server', () => {
  const redis = (extra: string[]) => (port: number) => [
    'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra,
  ];

  test.each([
    [64, 1],
    [64, 16],
    [4096, 16],
  ])('SET/GET %i B, depth %i: replies counted and GET values checked', async (size, depth) => {
    const port = await start(redis([]));
    const out = await load(port, { mode: 'resp', size, depth });
    expect(out.errors).toBe(0);
    expect(out.messages).toBeGreaterThan(1000);
  });

  test('error replies count as errors', async () => {
    // With GET renamed away, every GET earns "-ERR unknown command" while SETs succeed.
    const port = await start(redis(['--rename-command', 'GET', 'NOT_GET']));
    const out = await load(port, { mode: 'resp', depth: 4 }, 0.5);
    expect(out.errors).toBeGreaterThan(100);
    expect(out.messages).toBeGreaterThan(100);
  });
});

withRedis('data-type modes against redis-server', () => {
  const redis = (extra: string[] = []) => (port: number) => [
    'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra,
  ];

  test.each([
    ['xadd', 16],
    ['xgroup', 1],
    ['xgroup', 16],
    ['pfadd', 16],
    ['geoadd', 16],
  ] as const)('%s, depth %i: every reply checked, none wrong', async (mode, depth) => {
    const port = await start(redis());
    const out = await load(port, { mode, depth, size: 16 });
    expect(out).toMatchObject({ mode, errors: 0 });
    expect(out.messages).toBeGreaterThan(1000);
    expect(out.seconds).toBeGreaterThan(0);
  });

  test('xgroup: reads that do not return the entries appended, and acks of nothing, are errors', async () => {
    // With XADD renamed away the fill appends nothing: every read then answers nil and every
    // XACK 0, and not one of them may count as a message.
    const port = await start(redis(['--rename-command', 'XADD', 'NOT_XADD']));
    const out = await load(port, { mode: 'xgroup', depth: 4 }, 0.5);
    expect(out.errors).toBeGreaterThan(100);
    expect(out.messages).toBe(0);
  });

  test('geoadd against a server without GEOADD counts every command as an error', async () => {
    const port = await start(redis(['--rename-command', 'GEOADD', 'NOT_GEOADD']));
    const out = await load(port, { mode: 'geoadd', depth: 4 }, 0.5);
    expect(out.errors).toBeGreaterThan(100);
    expect(out.messages).toBe(0);
  });
});

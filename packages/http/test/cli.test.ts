// The nevio-http command as users run it: the compiled dist/cli.js in its own process.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { stallingPeer } from '../../core/test/stalling-peer';
import { CLI, exitOf, type Running, startCli } from './cli-process';
import { curl, open, parseResponses, readToEnd, sleep, waitFor } from './helpers';

const PACKAGE = path.join(__dirname, '..');

const start = (args: string[]): Promise<Running> => startCli(['--addr', 'tcp://127.0.0.1:0', ...args]);

describe('nevio-http CLI', () => {
  const children: ChildProcess[] = [];

  beforeAll(() => {
    // The command runs from dist/; compile it so the test never runs a stale build.
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(PACKAGE, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`tsc failed: ${String((error as { stdout?: Buffer }).stdout)}`);
    }
  }, 60_000);
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  test('--help prints the usage', () => {
    const text = execFileSync(process.execPath, [CLI, '--help']).toString();
    expect(text).toMatch(
      /^Usage: nevio-http \[--addr ADDR \| --port PORT\] \[--root DIR\] \[--autoindex\] \[--multicore \| --loops N\] \[--lb ALGO\] \[--log\] \[--proxy-protocol\] \[--proxy-trusted NET\]\.\.\. \[--tls-cert FILE\] \[--tls-key FILE\] \[--tls-ca FILE\] \[--loglevel LEVEL\] \[--logfile FILE\] \[--help\] \[--version\] \[DIR\]\n/,
    );
  });

  test('an unknown option exits with status 2', () => {
    expect(() => execFileSync(process.execPath, [CLI, '--bogus'], { stdio: 'pipe' })).toThrow(/nevio-http: Unknown option/);
  });

  test('default routes, then a clean exit on SIGTERM', async () => {
    const server = await start([]);
    children.push(server.child);
    const hello = await fetch(`${server.base}/`);
    expect(await hello.text()).toBe('Hello, World!');
    const echo = await fetch(`${server.base}/echo`, { method: 'POST', body: 'echo me' });
    expect(echo.status).toBe(200);
    expect(await echo.text()).toBe('echo me');
    expect((await fetch(`${server.base}/other`)).status).toBe(404);
    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('--root serves files, --log prints requests, SIGINT exits cleanly', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nevio-cli-'));
    try {
      writeFileSync(path.join(dir, 'a.txt'), 'file a');
      const server = await start(['--root', dir, '--log']);
      children.push(server.child);
      expect(await (await fetch(`${server.base}/a.txt`)).text()).toBe('file a');
      expect((await fetch(`${server.base}/nothing`)).status).toBe(404);
      const exited = exitOf(server.child);
      server.child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(server.output()).toMatch(/GET \/a\.txt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--loops 2: keep-alive connections are spread round-robin over both loops, SIGTERM stops both', async () => {
    const server = await start(['--loops', '2', '--log']);
    children.push(server.child);
    expect(server.output()).toMatch(/with 2 loop\(s\)/);
    const port = Number(new URL(server.base).port);
    const connections = 20;
    const requests = 10;
    // Connected one after another, so loop 0's round-robin sees them in a known order.
    const sockets = [];
    for (let c = 0; c < connections; c++) sockets.push(await open(port));
    // Alternately the hello route and a path naming the connection (a 404), so the log tells
    // which loop served which connection.
    await Promise.all(
      sockets.map(async (socket, c) => {
        for (let r = 0; r < requests; r++) {
          const hello = r % 2 === 0;
          const reply = waitFor(socket, (text) => text.endsWith(hello ? 'Hello, World!' : 'Not Found\n'));
          socket.write(`GET ${hello ? '/' : `/conn${c}/`} HTTP/1.1\r\nHost: x\r\n\r\n`);
          const [response] = parseResponses(await reply);
          expect(response.status).toBe(hello ? 200 : 404);
          expect(response.headers.connection).toBeUndefined();
        }
      }),
    );
    const perLoop = (connections / 2) * requests;
    const countLines = (loop: number): number =>
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('"GET /') && line.endsWith(` [loop ${loop}]`)).length;
    // Worker loops' output reaches the process's stdout through the main thread, a little later.
    for (let waited = 0; countLines(0) + countLines(1) < 2 * perLoop && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([countLines(0), countLines(1)]).toEqual([perLoop, perLoop]);
    // Each connection stays on its loop, and round-robin gives each loop half of them.
    const loopOf = sockets.map((_socket, c) => {
      const loops = new Set([...server.output().matchAll(new RegExp(`"GET /conn${c}/ HTTP/1\\.1" 404 .* \\[loop (\\d)\\]$`, 'gm'))].map((m) => m[1]));
      expect(loops.size).toBe(1);
      return [...loops][0];
    });
    expect(loopOf.filter((loop) => loop === '0')).toHaveLength(connections / 2);
    expect(server.output().match(/listening/g)).toHaveLength(1);
    const closedByServer = sockets.map((socket) => readToEnd(socket, 5000));
    const exited = exitOf(server.child);
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await Promise.all(closedByServer)).toEqual(sockets.map(() => ''));
  });

  test('--addr 0, a bare port, listens on 127.0.0.1 (the default is loopback too)', async () => {
    const { child, base } = await start(['--addr', '0']);
    // The helper drops the sanitizer runtime from curl's environment (curl preloaded with it hangs)
    // and bounds the request, so a server that never answers fails this test instead of the run.
    expect((await curl(['-s', '--max-time', '10', `${base}/`])).stdout).toBe('Hello, World!');
    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
  });

  test('--help describes every option, --version prints the package version', () => {
    const help = execFileSync(process.execPath, [CLI, '--help']).toString();
    for (const option of ['--addr ADDR', '-p, --port PORT', '--root DIR', '--autoindex', '--multicore', '--loops N', '--lb ALGO', '--log', '--proxy-protocol', '--proxy-trusted NET', '-h, --help', '--version', 'DIR']) {
      expect(help).toContain(`\n  ${option} `);
    }
    expect(help).toContain('(default tcp://127.0.0.1:8080)');
    const version = execFileSync(process.execPath, [CLI, '--version']).toString();
    expect(version).toBe(`nevio-http ${(require('../package.json') as { version: string }).version} (node ${process.version}, ${(require('@nevio/native') as { backend: string }).backend})\n`);
  });

  test.each([
    [['--root'], /nevio-http: --root needs a value \(DIR\)/],
    [['--log=1'], /--log takes no value/],
    [['--multicore', '--loops', '2'], /--multicore and --loops are alternatives/],
    [['--root', path.join(os.tmpdir(), 'no such dir')], /no such dir is not a directory/],
    [[path.join(os.tmpdir(), 'no such dir')], /no such dir is not a directory/],
    [['a', 'b'], /one DIR at most, got 2: a b/],
    [[os.tmpdir(), '--root', os.tmpdir()], /give the root once/],
    [['--autoindex'], /--autoindex needs a root/],
    [['-p', '70000'], /--port takes a port from 0 to 65535, not '70000'/],
    [['-p', 'http'], /--port takes a non-negative integer, not 'http'/],
    [['-p', '8080', '--addr', 'tcp://127.0.0.1:0'], /--addr and --port are alternatives/],
    [['-p'], /--port needs a value \(PORT\)/],
    [['--addr', 'udp://127.0.0.1:0'], /HTTP needs a stream \(tcp or unix\), not udp: udp:\/\/127\.0\.0\.1:0/],
    [['--addr', 'tcp://127.0.0.1:70000'], /nevio-http: invalid port '70000'/],
  ])('usage error %j: exit status 2', (args, reason) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain("Try 'nevio-http --help'.");
  });

  test('an address in use: exit status 1 with the failed bind', async () => {
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = spawnSync(process.execPath, [CLI, '--addr', `tcp://127.0.0.1:${port}`], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`nevio-http: cannot start: bind EADDRINUSE tcp://127.0.0.1:${port}`);
    } finally {
      taken.close();
    }
  });

  test('SIGINT stops gracefully while a client that does not read holds it up; a second SIGINT exits at once', async () => {
    const server = await start([]);
    children.push(server.child);
    const exited = exitOf(server.child);
    // Pipelined requests whose answers the client never reads.
    const peer = await stallingPeer(Number(new URL(server.base).port), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1 << 14)));
    server.child.kill('SIGINT');
    for (let waited = 0; !server.output().includes('received SIGINT, stopping gracefully') && waited < 5000; waited += 20) await sleep(20);
    // The graceful stop waits for output the client never reads (up to stopTimeout, 10 s).
    await sleep(500);
    expect(server.child.exitCode).toBeNull();
    const second = Date.now();
    server.child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(Date.now() - second).toBeLessThan(2000);
    expect(server.output()).toContain('received SIGINT while stopping, exiting at once');
    peer.destroy();
  }, 30_000);

  test('--loops and --lb reject bad values', () => {
    expect(() => execFileSync(process.execPath, [CLI, '--loops', '0'], { stdio: 'pipe' })).toThrow(/--loops takes a positive integer/);
    expect(() => execFileSync(process.execPath, [CLI, '--lb', 'fastest'], { stdio: 'pipe' })).toThrow(/--lb takes one of round-robin/);
  });
});

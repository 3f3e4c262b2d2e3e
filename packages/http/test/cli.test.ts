// The nevio-http command as users run it: the compiled dist/cli.js in its own process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open, parseResponses, readToEnd, waitFor } from './helpers';

const PACKAGE = path.join(__dirname, '..');
const CLI = path.join(PACKAGE, 'dist', 'cli.js');

interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

function start(args: string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 10 s: ${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on tcp:\/\/(127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, base: `http://${match[1]}`, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

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
    expect(text).toMatch(/^Usage: nevio-http \[--addr ADDR\] \[--root DIR\] \[--multicore \| --loops N\] \[--lb ALGO\] \[--log\] \[--help\]/);
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
    const countLines = (loop: number): number => server.output().split(`[loop ${loop}] GET /`).length - 1;
    // Worker loops' output reaches the process's stdout through the main thread, a little later.
    for (let waited = 0; countLines(0) + countLines(1) < 2 * perLoop && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([countLines(0), countLines(1)]).toEqual([perLoop, perLoop]);
    // Each connection stays on its loop, and round-robin gives each loop half of them.
    const loopOf = sockets.map((_socket, c) => {
      const loops = new Set([...server.output().matchAll(new RegExp(`\\[loop (\\d)\\] GET /conn${c}/`, 'g'))].map((m) => m[1]));
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

  test('--loops and --lb reject bad values', () => {
    expect(() => execFileSync(process.execPath, [CLI, '--loops', '0'], { stdio: 'pipe' })).toThrow(/--loops takes a positive integer/);
    expect(() => execFileSync(process.execPath, [CLI, '--lb', 'fastest'], { stdio: 'pipe' })).toThrow(/--lb takes one of round-robin/);
  });
});

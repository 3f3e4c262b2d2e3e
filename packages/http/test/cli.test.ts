// The nevio-http command as users run it: the compiled dist/cli.js in its own process.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
    expect(text).toMatch(/^Usage: nevio-http \[--addr ADDR\] \[--root DIR\] \[--multicore\] \[--log\] \[--help\]/);
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
});

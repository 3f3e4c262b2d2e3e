import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type AddressInfo, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { echoEvents, startEcho } from '@nevio/echo';
import { stallingPeer } from '../../core/test/stalling-peer';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

function exchange(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(message));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      if (got.length >= message.length) socket.end();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

test('the library echoes and its events are the whole server', async () => {
  expect(Object.keys(echoEvents)).toEqual(['react']);
  const server = await startEcho('tcp://127.0.0.1:0');
  expect(await exchange(server.addrs[0].port, 'library')).toBe('library');
  await server.stop();
});

test.each([
  [['--help'], 0, /Usage: nevio-echo/],
  // A bad address is a usage error like a bad value (status 2), whether it fails to parse or to resolve.
  [['--addr', 'bogus://x'], 2, /unknown scheme 'bogus'/],
  [['--addr', 'tcp://127.0.0.1:0?bogus=1'], 2, /unknown option 'bogus' \(known: reuseport, reuseaddr, backlog, proxyprotocol, tls\)/],
  [['--addr', 'localhost'], 2, /missing port/],
  [['--loops', '0'], 2, /--loops takes a positive integer/],
  [['--lb', 'fastest'], 2, /--lb takes one of/],
  [['--frobnicate'], 2, /Unknown option '--frobnicate'/],
])('nevio-echo %j exits %i', (args, status, output) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  expect(r.status).toBe(status);
  expect(r.stdout + r.stderr).toMatch(output);
});

test.each([[[]], [['--loops', '2']]])('nevio-echo %j serves, prints one banner, and exits 0 on SIGTERM', async (extra) => {
  const child = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve) => {
    const check = (): void => (out.includes('\n') ? resolve() : void setTimeout(check, 20));
    check();
  });
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const replies = await Promise.all([1, 2, 3, 4].map((i) => exchange(port, `message ${i}`)));
  expect(replies).toEqual(['message 1', 'message 2', 'message 3', 'message 4']);
  child.kill('SIGTERM');
  expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  expect(out.match(/listening on/g)).toHaveLength(1);
});

test('--addr 0 (a bare port) and a query option: listens on 127.0.0.1 and echoes', async () => {
  const child = spawn(process.execPath, [CLI, '--addr', '0', '--addr', 'tcp://127.0.0.1:0?reuseport=true'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((resolve) => {
    const check = (): void => (out.includes('\n') ? resolve() : void setTimeout(check, 20));
    check();
  });
  const ports = [...out.matchAll(/tcp:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  expect(ports).toHaveLength(2);
  expect(await Promise.all(ports.map((port) => exchange(port, `to ${port}`)))).toEqual(ports.map((port) => `to ${port}`));
  child.kill('SIGTERM');
  expect(await new Promise((r) => child.on('exit', r))).toBe(0);
});

test('--help lists every option from the table, --version prints the package version', () => {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: nevio-echo \[--addr ADDR\]\.\.\. \[--multicore \| --loops N\] \[--lb ALGO\] \[--reuseport\] \[--tls-cert FILE\] \[--tls-key FILE\] \[--tls-ca FILE\] \[--loglevel LEVEL\] \[--logfile FILE\] \[--help\] \[--version\]\n/);
  for (const option of ['--addr ADDR', '--multicore', '--loops N', '--lb ALGO', '--reuseport', '-h, --help', '--version']) {
    expect(help.stdout).toContain(`\n  ${option} `);
  }
  expect(help.stdout).toContain('(default tcp://127.0.0.1:5000)');
  const version = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
  expect(version.status).toBe(0);
  expect(version.stdout).toBe(`nevio-echo ${(require('../package.json') as { version: string }).version} (node ${process.version}, ${process.platform === 'linux' ? 'epoll' : 'kqueue'})\n`);
});

test.each([
  [['--addr'], /nevio-echo: --addr needs a value \(ADDR\)/],
  [['--loops', '2', '--multicore'], /--multicore and --loops are alternatives/],
  [['--reuseport=yes'], /--reuseport takes no value/],
  [['tcp://127.0.0.1:5000'], /unexpected argument 'tcp:\/\/127\.0\.0\.1:5000'/],
  [['--addr', 'tcp://127.0.0.1:99999'], /nevio-echo: invalid port '99999'/],
])('usage error %j: exit status 2, the reason and where to look', (args, reason) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).toContain("Try 'nevio-echo --help'.");
  expect(r.stdout).toBe('');
});

test('an address in use: exit status 1 with the failed bind', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const child = spawn(process.execPath, [CLI, '--addr', `tcp://127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    expect(await new Promise((r) => child.on('exit', r))).toBe(1);
    expect(err).toMatch(new RegExp(`nevio-echo: cannot start: bind EADDRINUSE tcp://127\\.0\\.0\\.1:${port}`));
  } finally {
    taken.close();
  }
});

test('SIGTERM stops gracefully while a peer that does not read holds it up; a second SIGTERM exits at once', async () => {
  const child = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', r));
  await until(() => out.includes('\n'));
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const peer = await stallingPeer(port, Buffer.alloc(1 << 20, 'x'));
  child.kill('SIGTERM');
  await until(() => out.includes('received SIGTERM, stopping gracefully'));
  // The graceful stop waits for the echo the peer never reads (up to stopTimeout, 10 s).
  await new Promise((r) => setTimeout(r, 500));
  expect(child.exitCode).toBeNull();
  const second = Date.now();
  child.kill('SIGTERM');
  expect(await exited).toBe(1);
  expect(Date.now() - second).toBeLessThan(2000);
  expect(out).toContain('received SIGTERM while stopping, exiting at once');
  peer.destroy();
}, 30_000);

function until(ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (ready() ? resolve() : void setTimeout(check, 20));
    check();
  });
}


// One log format for every nevio server: redis-server's (`pid:M 03 Dec 2026 12:00:00.000 * ...`),
// with its levels; --logfile takes the log off standard output.
test('--logfile gets the log in redis-server format, --loglevel warning keeps only warnings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nevio-echo-log-'));
  const file = join(dir, 'echo.log');
  try {
    const child = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0', '--logfile', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('exit', r));
    await until(() => out.includes('\n'));
    expect(out).toMatch(/^nevio-echo listening on tcp:\/\/127\.0\.0\.1:\d+ .*, logging to .*echo\.log\n$/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const redisLine = new RegExp(`^${child.pid}:M \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [.*#-] `);
    for (const line of lines) expect(line).toMatch(redisLine);
    expect(lines[0]).toContain('* nevio-echo listening on');
    expect(lines.some((l) => l.includes('# received SIGTERM, stopping gracefully'))).toBe(true);
    expect(lines[lines.length - 1]).toContain('* stopped');

    const quiet = spawn(process.execPath, [CLI, '--addr', 'tcp://127.0.0.1:0', '--loglevel', 'warning', '--logfile', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    quiet.stdout.on('data', (d) => (said += d));
    const done = new Promise((r) => quiet.on('exit', r));
    await until(() => said.includes('\n'));
    quiet.kill('SIGTERM');
    expect(await done).toBe(0);
    const second = readFileSync(file, 'utf8').trimEnd().split('\n').slice(lines.length);
    expect(second.length).toBe(1);
    expect(second[0]).toContain('# received SIGTERM, stopping gracefully');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);

test('a --loglevel that is not one of the four is a usage error', async () => {
  const child = spawn(process.execPath, [CLI, '--loglevel', 'loud'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  expect(await new Promise((r) => child.on('exit', r))).toBe(2);
  expect(err).toContain('--loglevel takes one of debug, verbose, notice, warning');
});

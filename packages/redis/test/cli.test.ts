// The nevio-redis command: flags, unix socket, requirepass, banner, SIGINT, bad arguments.
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, startCli, type Child } from './support/process';
import { freePort } from './support/ports';
import { stallingPeer } from '../../core/test/stalling-peer';
import { defaultConfig } from '../src/config';

const run = promisify(execFile);
let dir: string;
const children: Child[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-cli-'));
});
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('unix socket and TCP together, requirepass, --databases, SIGINT', async () => {
  const sock = path.join(dir, 'r.sock');
  // With a unix socket, port 0 means no TCP listener (as in Redis): use a free port.
  const port = await freePort();
  const child = await startCli(['--port', String(port), '--bind', '127.0.0.1', '--unixsocket', sock, '--requirepass', 'pw', '--databases', '4']);
  children.push(child);
  expect(child.output()).toMatch(new RegExp(`PID: ${child.proc.pid}`));
  expect(child.output()).toContain(`unix://${sock}`);
  const viaUnix = await run('redis-cli', ['-s', sock, '-a', 'pw', '--no-auth-warning', 'SET', 'k', 'unix']);
  expect(viaUnix.stdout).toBe('OK\n');
  const viaTcp = await run('redis-cli', ['-p', String(child.port), '-a', 'pw', '--no-auth-warning', 'GET', 'k']);
  expect(viaTcp.stdout).toBe('unix\n');
  const noAuth = await run('redis-cli', ['-p', String(child.port), 'GET', 'k']);
  expect(noAuth.stdout).toContain('NOAUTH Authentication required.');
  const select = await run('redis-cli', ['-p', String(child.port), '-a', 'pw', '--no-auth-warning', 'SELECT', '4']);
  expect(select.stdout).toContain('ERR DB index is out of range');
  child.proc.kill('SIGINT');
  expect(await child.exited).toBe(0);
  expect(child.output()).toContain('received SIGINT');
});

test('bad arguments are refused with exit code 2', () => {
  const r = spawnSync(process.execPath, [CLI, '--appendfsync', 'sometimes'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('must be one of the following');
  const r2 = spawnSync(process.execPath, [CLI, '--no-such-option', 'x'], { encoding: 'utf8' });
  expect(r2.status).toBe(2);
  expect(r2.stderr).toContain('Bad directive or wrong number of arguments');
  // Several loops would split the keyspace; the flag is refused rather than ignored.
  const r3 = spawnSync(process.execPath, [CLI, '--port', '0', '--multicore'], { encoding: 'utf8' });
  expect(r3.status).toBe(2);
  expect(r3.stderr).toContain('--multicore is not available');
});

test('--help describes every setting with its default, --version prints the package version', () => {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: nevio-redis \[config-file\] /);
  for (const name of Object.keys(defaultConfig())) expect(help.stdout).toContain(`\n  --${name}`);
  expect(help.stdout).toMatch(/--port N +TCP port[^]*\(default 6379\)/);
  const version = spawnSync(process.execPath, [CLI, '-v'], { encoding: 'utf8' });
  expect(version.status).toBe(0);
  expect(version.stdout).toBe(`nevio-redis ${(require('../package.json') as { version: string }).version} (node ${process.version}, ${(require('@nevio/native') as { backend: string }).backend})\n`);
});

test('a config file: a bad line is a usage error (exit code 2), a missing file a failure (exit code 1)', () => {
  const conf = path.join(dir, 'bad.conf');
  fs.writeFileSync(conf, '# settings\nport 0\ndatabases many\n');
  const bad = spawnSync(process.execPath, [CLI, conf], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain(`Reading the configuration file ${conf}, at line 3\n>>> 'databases many'\nargument couldn't be parsed into an integer`);
  expect(bad.stderr).toContain("Try 'nevio-redis --help'.");
  const missing = spawnSync(process.execPath, [CLI, path.join(dir, 'missing.conf')], { encoding: 'utf8' });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain(`nevio-redis: Fatal error, can't open config file '${path.join(dir, 'missing.conf')}': No such file or directory`);
});

test('a port in use: exit code 1 with the failed bind', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const r = spawnSync(process.execPath, [CLI, '--port', String(port)], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`nevio-redis: cannot start: bind EADDRINUSE tcp://127.0.0.1:${port}`);
  } finally {
    taken.close();
  }
});

test('SIGTERM stops gracefully while a client that does not read holds it up; a SIGINT then exits at once', async () => {
  const child = await startCli(['--port', '0']);
  children.push(child);
  // Pipelined ECHOs of 64 KiB whose replies the client never reads.
  const arg = 'x'.repeat(1 << 16);
  const client = await stallingPeer(child.port, Buffer.from(`*2\r\n$4\r\nECHO\r\n$${arg.length}\r\n${arg}\r\n`.repeat(16)));
  child.proc.kill('SIGTERM');
  for (let waited = 0; !child.output().includes('received SIGTERM, stopping gracefully') && waited < 5000; waited += 20) await sleep(20);
  // The graceful stop waits for replies the client never reads (up to stopTimeout, 10 s).
  await sleep(500);
  expect(child.proc.exitCode).toBeNull();
  const second = Date.now();
  child.proc.kill('SIGINT');
  expect(await child.exited).toBe(1);
  expect(Date.now() - second).toBeLessThan(2000);
  expect(child.output()).toContain('received SIGINT while stopping, exiting at once');
  client.destroy();
}, 30_000);

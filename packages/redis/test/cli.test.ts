// The nevio-redis command: flags, unix socket, requirepass, banner, SIGINT, bad arguments.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, startCli, type Child } from './support/process';
import { freePort } from './types/harness';

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
  expect(child.output()).toMatch(new RegExp(`pid ${child.proc.pid}`));
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
  expect(r2.stderr).toContain("Unknown option");
  // Several loops would split the keyspace; the flag is refused rather than ignored.
  const r3 = spawnSync(process.execPath, [CLI, '--port', '0', '--multicore'], { encoding: 'utf8' });
  expect(r3.status).toBe(2);
  expect(r3.stderr).toContain('--multicore is not available');
});

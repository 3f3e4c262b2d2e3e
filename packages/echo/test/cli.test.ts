import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { echoEvents, startEcho } from '@nevio/echo';

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
  [['--addr', 'bogus://x'], 1, /unknown scheme 'bogus'/],
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

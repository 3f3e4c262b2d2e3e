import { connect } from 'node:net';
import type { Socket } from 'node:net';

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const pool = require('../worker-pool/server.js') as { main(addr: string): Promise<import('@nevio/core').Server> };

function lines(socket: Socket | NodeJS.ReadableStream): { next(): Promise<string> } {
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  socket.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(line);
      else queue.push(line);
    }
  });
  return { next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))) };
}

test('the README shows examples/hello.js verbatim', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain('```js\n' + readFileSync(join(__dirname, '..', 'hello.js'), 'utf8') + '```');
});

test('README example: greeting, echo, quit, and SIGINT stops it', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'hello.js')], {
    env: { ...process.env, ADDRS: 'tcp://127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = lines(child.stdout!);
  const banner = await out.next();
  const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(banner)![1]);
  const socket = connect(port, '127.0.0.1');
  const reader = lines(socket);
  expect(await reader.next()).toMatch(/^hello tcp:\/\/127\.0\.0\.1:\d+$/);
  socket.write('ping\n');
  expect(await reader.next()).toBe('ping');
  socket.write('quit\n');
  expect(await reader.next()).toBe('bye');
  await new Promise((r) => socket.on('close', r));
  expect(await out.next()).toMatch(/^closed \d+ $/);
  child.kill('SIGINT');
  expect(await new Promise((r) => child.on('exit', r))).toBe(0);
});

test('worker pool: a sleeping job does not hold up other connections', async () => {
  const server = await pool.main('tcp://127.0.0.1:0');
  const port = server.addrs[0].port;
  const slow = connect(port, '127.0.0.1');
  const fast = connect(port, '127.0.0.1');
  const slowLines = lines(slow);
  const fastLines = lines(fast);
  const started = Date.now();
  slow.write('sleep 600\n');
  const slowReply = slowLines.next().then((line) => ({ line, at: Date.now() - started }));
  // While the job sleeps, 20 round trips on another connection all complete.
  for (let i = 0; i < 20; i++) {
    fast.write(`echo ${i}\n`);
    expect(await fastLines.next()).toBe(`echo ${i}`);
  }
  const echoesDone = Date.now() - started;
  const { line, at } = await slowReply;
  expect(line).toBe('slept 600 ms');
  expect(at).toBeGreaterThanOrEqual(590);
  expect(echoesDone).toBeLessThan(at);

  fast.write('direct 50\n');
  expect(await fastLines.next()).toBe('slept 50 ms (written by the pool thread)');
  slow.destroy();
  fast.destroy();
  await server.stop();
});

test('multicore example: both loops echo, only loop 0 prints, SIGINT stops every loop', async () => {
  const child = spawn(process.execPath, [join(__dirname, '..', 'multicore-echo.js')], {
    env: { ...process.env, ADDR: 'tcp://127.0.0.1:0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const banner = await lines(child.stdout!).next();
  expect(banner).toMatch(/^echo on tcp:\/\/127\.0\.0\.1:\d+ with 2 loops$/);
  const port = Number(/:(\d+) with/.exec(banner)![1]);
  const sockets = Array.from({ length: 4 }, () => connect(port, '127.0.0.1'));
  const readers = sockets.map(lines);
  sockets.forEach((s, i) => s.write(`line ${i}\n`));
  for (const [i, r] of readers.entries()) expect(await r.next()).toBe(`line ${i}`);
  sockets.forEach((s) => s.destroy());
  child.kill('SIGINT');
  expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  expect(out.match(/echo on/g)).toHaveLength(1);
});

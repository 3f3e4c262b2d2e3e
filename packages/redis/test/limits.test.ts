// maxclients against the descriptor limit (Redis's adjustOpenFilesLimit) in a server started
// under `ulimit -n 100`: lowered at startup with Redis's warnings, CONFIG SET above it refused,
// the client past it refused with "max number of clients reached"; and accept errors (EMFILE)
// logged at most once a second.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { AcceptErrorLog } from '../src/accept-log';
import { CLI } from './support/process';
import { RawClient } from './types/harness';

jest.setTimeout(30000);

test('under ulimit -n 100, maxclients is lowered, CONFIG SET above it refused, the next client refused', async () => {
  const proc = spawn('bash', ['-c', `ulimit -n 100 && exec "${process.execPath}" "${CLI}" --port 0 --maxclients 10000`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const socks: net.Socket[] = [];
  try {
    const until = Date.now() + 10000;
    while (!/Ready to accept connections/.test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const port = Number(/port[= ](\d+)/.exec(out)?.[1]);
    expect(out).toContain('You requested maxclients of 10000 requiring at least');
    const reduced = /maxclients has been reduced to (\d+)/.exec(out);
    expect(reduced).not.toBeNull();
    const room = Number(reduced?.[1]);
    // 100 descriptors, 32 reserved as in Redis, and Node's own (about 20).
    expect(room).toBeGreaterThan(20);
    expect(room).toBeLessThan(68);
    const c = await RawClient.connect(port);
    expect((await c.send(['CONFIG', 'GET', 'maxclients'])).toString()).toBe(`*2\r\n$10\r\nmaxclients\r\n$${String(room).length}\r\n${room}\r\n`);
    expect((await c.send(['CONFIG', 'SET', 'maxclients', String(room + 1)])).toString()).toBe(
      `-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with ${room}\r\n`,
    );
    expect((await c.send(['CONFIG', 'SET', 'maxclients', String(room)])).toString()).toBe('+OK\r\n');
    // `c` is one client: room - 1 more fit, the next is told and closed.
    for (let i = 0; i < room - 1; i++) {
      const s = net.createConnection({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => s.once('connect', () => resolve()).once('error', reject));
      socks.push(s);
    }
    const last = net.createConnection({ host: '127.0.0.1', port });
    const reply = await new Promise<string>((resolve) => {
      let got = '';
      last.on('data', (d: Buffer) => (got += d.toString()));
      last.on('close', () => resolve(got));
    });
    expect(reply).toBe('-ERR max number of clients reached\r\n');
    expect((await c.send(['PING'])).toString()).toBe('+PONG\r\n');
    c.close();
  } finally {
    for (const s of socks) s.destroy();
    proc.kill('SIGKILL');
    await exited;
  }
});

test('accept errors are logged at most once a second, naming how many were not', () => {
  let now = 0;
  const lines: string[] = [];
  const log = new AcceptErrorLog((m) => lines.push(m), () => now);
  for (let i = 0; i < 117; i++) {
    log.failed('accept EMFILE tcp://127.0.0.1:6379');
    now += 85; // 117 failures in 10 s, the rate the issue measured
  }
  expect(lines.length).toBe(10);
  expect(lines[0]).toBe('Accepting client connection: accept EMFILE tcp://127.0.0.1:6379');
  expect(lines[1]).toMatch(/^Accepting client connection: accept EMFILE tcp:\/\/127\.0\.0\.1:6379 \(and 11 more since the last report\)$/);
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client, delay, eventually } from './helpers';

// Out of descriptors, accept(2) fails with EMFILE while the connection stays queued, so a naive
// loop spins on a listener that stays readable (or gives up serving). nevio sheds: it drops the
// pending connections with a spare descriptor, reports the error, and serves again once
// descriptors free up.
test('EMFILE: the server sheds excess connections, keeps serving, and recovers', async () => {
  const child = spawn('prlimit', ['--nofile=64:64', process.execPath, join(__dirname, 'fixtures', 'echo-server.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  try {
    await eventually(() => out.includes('\n'), 20_000);
    const port = Number(out.trim());

    const first = new Client(port);
    first.write('before');
    expect((await first.waitFor(6)).toString()).toBe('before');

    // Far more connections than the server has descriptors for.
    const flood = Array.from({ length: 150 }, () => new Client(port));
    await eventually(() => err.includes('accept EMFILE'), 10_000);
    await delay(300);
    const closedByServer = flood.filter((c) => c.socket.destroyed || c.socket.readyState !== 'open').length;
    expect(closedByServer).toBeGreaterThan(0);

    // The connection that was already open is unaffected.
    first.write('during');
    expect((await first.waitFor(12)).toString()).toBe('beforeduring');

    // Freeing descriptors lets new connections in again.
    flood.forEach((c) => c.socket.destroy());
    await delay(500);
    const after = new Client(port);
    after.write('after');
    expect((await after.waitFor(5)).toString()).toBe('after');
    first.end();
    after.end();
    // The error was reported, not logged once per failed accept.
    expect(err.split('\n').filter((l) => l.includes('accept EMFILE')).length).toBeLessThan(5);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

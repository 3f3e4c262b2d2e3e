// Connection ids: unique among the server's open connections over every loop, and an id (or
// handle) kept after its connection closed never reaches whoever gets that connection's slot next.
import { remoteWrite, serve } from '@nevio/core';
import type { Conn, ConnHandle } from '@nevio/core';
import { Client, delay, eventually } from './helpers';
import { ask, killServers, start, stopServer } from './loops-fixture';

afterEach(killServers);

interface IdAnswer {
  loop: number;
  id: number;
  handle: ConnHandle;
}

describe('connection ids', () => {
  test('are unique over every loop of a server, and handles still reach their own loop', async () => {
    const running = await start({ loops: 3, lb: 'round-robin' });
    const clients = Array.from({ length: 12 }, () => new Client(running.ports[0]));
    const answers: IdAnswer[] = [];
    for (const c of clients) answers.push(JSON.parse(await ask(c, 'id?')) as IdAnswer);
    // Round-robin over three loops: four connections on each.
    for (const loop of [0, 1, 2]) expect(answers.filter((a) => a.loop === loop)).toHaveLength(4);
    expect(new Set(answers.map((a) => a.id)).size).toBe(clients.length);
    for (const a of answers) expect(Number.isSafeInteger(a.id) && a.id >= 0).toBe(true);
    // The handle names the owning loop's reactor: writes from another thread still arrive.
    expect(new Set(answers.map((a) => a.handle.reactor)).size).toBe(3);
    for (const c of clients.slice(0, 3)) expect(await ask(c, 'later')).toBe('from another thread');
    clients.forEach((c) => c.end());
    await stopServer(running);
  });

  test('an id kept after its connection closed misses the slot\'s next occupant', async () => {
    const opened: Conn[] = [];
    const server = await serve(
      { opened: (conn) => void opened.push(conn), react: (_conn, data) => data },
      'tcp://127.0.0.1:0',
    );
    const port = server.addrs[0].port;
    const first = new Client(port);
    await eventually(() => opened.length === 1);
    const stale = opened[0];
    // Other connections come and go while the first stays open: 2047 of them, one whole turn of
    // an 11-bit generation counter shared by all slots, the worst case for such a scheme.
    for (let done = 0; done < 2047; ) {
      const batch = Math.min(256, 2047 - done);
      const others = Array.from({ length: batch }, () => new Client(port));
      await Promise.all(others.map((c) => c.ready()));
      others.forEach((c) => c.end());
      await Promise.all(others.map((c) => c.closed));
      done += batch;
    }
    await eventually(() => opened.length === 2048 && server.countConnections() === 1);
    first.end();
    await first.closed;
    await eventually(() => server.countConnections() === 0);
    // The next connection takes the slot the first one left.
    const next = new Client(port);
    await eventually(() => opened.length === 2049);
    const successor = opened[2048];
    expect(successor.id).not.toBe(stale.id);
    expect(successor.handle).not.toEqual(stale.handle);
    remoteWrite(stale.handle, 'meant for the closed connection');
    next.write('ping');
    await next.waitFor(4);
    await delay(100);
    expect(next.received.toString()).toBe('ping');
    next.end();
    await server.stop();
  }, 120_000);
});

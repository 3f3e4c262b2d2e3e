import { randomBytes } from 'node:crypto';
import { serve } from '@nevio/core';
import type { Server } from '@nevio/core';
import { Client, eventually, sha256 } from './helpers';

describe('echo over TCP', () => {
  let server: Server;
  const closedErrors: (Error | undefined)[] = [];

  beforeAll(async () => {
    server = await serve({ react: (_c, data) => data, closed: (_c, err) => void closedErrors.push(err) }, 'tcp://127.0.0.1:0');
  });
  afterAll(() => server.stop());

  test('reports the bound port', () => {
    expect(server.addrs[0].port).toBeGreaterThan(0);
    expect(server.addrs[0].toString()).toBe(`tcp://127.0.0.1:${server.addrs[0].port}`);
  });

  test('a single byte comes back', async () => {
    const c = new Client(server.addrs[0].port);
    c.write('x');
    expect((await c.waitFor(1)).toString()).toBe('x');
    c.end();
    await c.closed;
  });

  test('16 MiB come back intact', async () => {
    const payload = randomBytes(16 * 1024 * 1024);
    const c = new Client(server.addrs[0].port);
    c.write(payload);
    const got = await c.waitFor(payload.length, 30_000);
    expect(got.length).toBe(payload.length);
    expect(sha256(got)).toBe(sha256(payload));
    c.end();
    await c.closed;
  });

  test('1000 concurrent connections each get their own bytes back', async () => {
    const clients = Array.from({ length: 1000 }, () => new Client(server.addrs[0].port));
    await Promise.all(clients.map((c) => c.ready()));
    await eventually(() => server.countConnections() >= 1000, 30_000);
    clients.forEach((c, i) => c.write(`client-${i};`));
    await Promise.all(clients.map((c, i) => c.waitFor(`client-${i};`.length)));
    clients.forEach((c, i) => expect(c.received.toString()).toBe(`client-${i};`));
    clients.forEach((c) => c.end());
    await Promise.all(clients.map((c) => c.closed));
    await eventually(() => server.countConnections() === 0, 30_000);
  });

  test('a client half-close still gets every byte before the server closes', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const c = new Client(server.addrs[0].port);
    await c.ready();
    c.socket.end(payload);
    await c.closed;
    expect(c.received.length).toBe(payload.length);
    expect(sha256(c.received)).toBe(sha256(payload));
  });

  test('a client reset mid-stream leaves the server serving others', async () => {
    const victim = new Client(server.addrs[0].port);
    await victim.ready();
    victim.write(randomBytes(1024 * 1024));
    victim.socket.resetAndDestroy();
    await victim.closed;
    const c = new Client(server.addrs[0].port);
    c.write('still here');
    expect((await c.waitFor(10)).toString()).toBe('still here');
    c.end();
    await c.closed;
  });
});

describe('echo over UDP and unix sockets, several listeners on one loop', () => {
  test('each transport echoes, and connections know their listener', async () => {
    const os = await import('node:os');
    const path = await import('node:path');
    const dgram = await import('node:dgram');
    const sock = path.join(os.tmpdir(), `nevio-test-${process.pid}.sock`);
    const listeners: number[] = [];
    const server = await serve(
      {
        react: (conn, data) => {
          listeners.push(conn.listenerIndex);
          return data;
        },
      },
      ['tcp://127.0.0.1:0', 'udp://127.0.0.1:0', `unix://${sock}`],
    );
    try {
      expect(server.addrs.map((a) => a.network)).toEqual(['tcp', 'udp', 'unix']);

      const tcp = new Client(server.addrs[0].port);
      tcp.write('tcp!');
      expect((await tcp.waitFor(4)).toString()).toBe('tcp!');
      tcp.end();

      const unix = new Client(sock);
      unix.write('unix!');
      expect((await unix.waitFor(5)).toString()).toBe('unix!');
      unix.end();

      const udp = dgram.createSocket('udp4');
      const reply = new Promise<[Buffer, number]>((resolve) => udp.once('message', (msg, rinfo) => resolve([msg, rinfo.port])));
      udp.send('datagram!', server.addrs[1].port, '127.0.0.1');
      const [msg, from] = await reply;
      expect(msg.toString()).toBe('datagram!');
      expect(from).toBe(server.addrs[1].port);
      udp.close();
      await Promise.all([tcp.closed, unix.closed]);
      expect(new Set(listeners)).toEqual(new Set([0, 1, 2]));
    } finally {
      await server.stop();
    }
    const fs = await import('node:fs');
    expect(fs.existsSync(sock)).toBe(false);
  });

  test('the UDP conn exposes the sender', async () => {
    const dgram = await import('node:dgram');
    let sender = '';
    const server = await serve(
      {
        react: (conn) => {
          sender = conn.remoteAddr.toString();
          return `from ${conn.remoteAddr.port}`;
        },
      },
      'udp4://127.0.0.1:0',
    );
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const reply = new Promise<Buffer>((resolve) => udp.once('message', resolve));
    udp.send('hi', server.addrs[0].port, '127.0.0.1');
    expect((await reply).toString()).toBe(`from ${udp.address().port}`);
    expect(sender).toBe(`udp4://127.0.0.1:${udp.address().port}`);
    udp.close();
    await server.stop();
  });
});

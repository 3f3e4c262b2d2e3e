// Outbound connections: dial() connects without blocking, hands over the same Conn and events as
// an accepted connection, and fails with a DialError that names the address.
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reactor } from '@nevio/native';
import { DialError, dial, serve } from '@nevio/core';
import type { Conn, Server } from '@nevio/core';
import { eventually } from './helpers';

/** A Node echo server: the peer of the dials (a real, independent TCP implementation). */
async function nodeEcho(): Promise<{ server: NetServer; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function closeNode(server: NetServer, sockets: Socket[]): Promise<void> {
  sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => server.close(resolve));
}

describe('dial', () => {
  test('connects, runs opened before resolving, and exchanges data both ways', async () => {
    const peer = await nodeEcho();
    const events: string[] = [];
    let received = '';
    const closed = new Promise<Error | undefined>((resolve) => {
      void dial<{ tag: string }>(
        `tcp://127.0.0.1:${peer.port}`,
        {
          opened(conn) {
            events.push(`opened ${conn.outbound} ${conn.listenerIndex} ${conn.context?.tag}`);
            return 'ping:';
          },
          react(conn, data) {
            received += data.toString();
            if (received === 'ping:pong') conn.close();
          },
          closed: (_conn, err) => resolve(err),
        },
        { context: { tag: 'mine' } },
      ).then((conn) => {
        events.push('resolved');
        expect(conn.remoteAddr.port).toBe(peer.port);
        expect(conn.remoteAddr.network).toBe('tcp4');
        expect(conn.localAddr.address).toBe('127.0.0.1');
        expect(conn.write('pong')).toBe(true);
      });
    });
    expect(await closed).toBeUndefined();
    expect(received).toBe('ping:pong');
    expect(events).toEqual(['opened true -1 mine', 'resolved']);
    await closeNode(peer.server, peer.sockets);
  });

  test('a closed port fails with ECONNREFUSED naming the address', async () => {
    const peer = await nodeEcho();
    const port = peer.port;
    await closeNode(peer.server, peer.sockets);
    const error = await dial(`tcp://127.0.0.1:${port}`, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DialError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: `tcp://127.0.0.1:${port}` });
  });

  test('a peer that never answers fails with ETIMEDOUT after the timeout', async () => {
    // A listener nobody accepts on (this reactor is never started): once its backlog of 1 is
    // full, the kernel drops further SYNs and those connects hang, as for a blackholed host.
    const silent = new Reactor(() => 0, {});
    const index = silent.listen('tcp', '127.0.0.1', 0, 4, '', 1, true, false);
    const port = silent.listenerAddress(index)[2];
    const fillers: Conn[] = [];
    try {
      let timedOut: unknown;
      for (let i = 0; i < 8 && timedOut === undefined; i++) {
        const started = Date.now();
        const outcome = await dial(`127.0.0.1:${port}`, {}, { timeout: 300 }).then(
          (conn) => void fillers.push(conn),
          (e: unknown) => e,
        );
        if (outcome !== undefined) {
          timedOut = outcome;
          expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        }
      }
      expect(timedOut).toBeInstanceOf(DialError);
      expect(timedOut).toMatchObject({ code: 'ETIMEDOUT', address: `127.0.0.1:${port}` });
    } finally {
      fillers.forEach((c) => c.close());
      silent.destroy();
    }
  });

  test('a unix socket: connects to a nevio server, ENOENT when there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nevio-dial-'));
    const path = join(dir, 's.sock');
    const missing = await dial(`unix://${path}`, {}).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'DialError', code: 'ENOENT' });
    const server = await serve({ react: (_c, data) => data }, `unix://${path}`);
    let echoed = '';
    const conn = await dial(`unix://${path}`, { react: (_c, d) => void (echoed += d.toString()) });
    expect(conn.remoteAddr.network).toBe('unix');
    conn.write('over unix');
    await eventually(() => echoed === 'over unix');
    conn.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad addresses and options are refused before any connect', async () => {
    await expect(dial('udp://127.0.0.1:9', {})).rejects.toMatchObject({ code: 'ERR_NEVIO_ADDRESS' });
    await expect(dial('tcp://127.0.0.1:0', {})).rejects.toMatchObject({ code: 'ERR_NEVIO_ADDRESS' });
    await expect(dial('tcp://127.0.0.1:80?backlog=5', {})).rejects.toMatchObject({ code: 'ERR_NEVIO_ADDRESS' });
    await expect(dial('tcp://no-such-host.invalid:80', {})).rejects.toMatchObject({ code: 'ERR_NEVIO_ADDRESS' });
    await expect(dial('tcp://127.0.0.1:80', {}, { timeout: -1 })).rejects.toMatchObject({ code: 'ERR_NEVIO_OPTIONS' });
  });

  test('from a handler, on the server\'s own loop: a proxy of one request, ids unique with accepted conns', async () => {
    const backend = await nodeEcho();
    const ids = new Set<number>();
    let server: Server | undefined;
    server = await serve<Conn>(
      {
        opened(client) {
          ids.add(client.id);
          void dial(`tcp://127.0.0.1:${backend.port}`, {
            opened(up) {
              ids.add(up.id);
              up.context = client;
            },
            react: (up, data) => void (up.context as Conn).write(data),
          }).then((up) => {
            client.context = up;
          });
        },
        react(client, data) {
          // Until the backend is connected the bytes stay unconsumed and come back with the next read.
          if (client.context === undefined) {
            client.peek();
            setTimeout(() => client.wake(), 5);
            return;
          }
          client.context.write(data);
        },
        closed: (client) => client.context?.close(),
      },
      'tcp://127.0.0.1:0',
    );
    const { connect } = await import('node:net');
    const socket = connect(server.addrs[0].port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.write('through the proxy');
    await eventually(() => got === 'through the proxy');
    expect(ids.size).toBe(2);
    expect(server.countConnections()).toBe(2);
    socket.destroy();
    await eventually(() => server!.countConnections() === 0);
    await server.stop();
    await closeNode(backend.server, backend.sockets);
  });

  test('stop() cancels connects in progress and closes dialed connections', async () => {
    const silent = new Reactor(() => 0, {});
    const port = silent.listenerAddress(silent.listen('tcp', '127.0.0.1', 0, 4, '', 1, true, false))[2];
    const backend = await nodeEcho();
    let dialedClosed = false;
    const pending: Promise<unknown>[] = [];
    const server = await serve(
      {
        serving() {
          void dial(`tcp://127.0.0.1:${backend.port}`, { closed: () => void (dialedClosed = true) });
          for (let i = 0; i < 6; i++) pending.push(dial(`tcp://127.0.0.1:${port}`, {}, { timeout: 0 }).then(() => 'open', (e: { code: string }) => e.code));
        },
      },
      'tcp://127.0.0.1:0',
      // The dials the silent listener's queue took are open, and that peer never sends FIN: a
      // stop waits for it until stopTimeout (default 10 s) ends with closing everything.
      { stopTimeout: 500 },
    );
    await eventually(() => backend.sockets.length === 1);
    await server.stop();
    expect(dialedClosed).toBe(true);
    const outcomes = await Promise.all(pending);
    expect(outcomes.filter((o) => o === 'ECANCELED').length).toBeGreaterThan(0);
    silent.destroy();
    await closeNode(backend.server, backend.sockets);
  });

  test('500 dials at once all connect and close', async () => {
    const peer = await nodeEcho();
    const conns = await Promise.all(Array.from({ length: 500 }, () => dial(`tcp://127.0.0.1:${peer.port}`, {})));
    expect(new Set(conns.map((c) => c.id)).size).toBe(500);
    await eventually(() => peer.sockets.length === 500);
    conns.forEach((c) => c.close());
    await eventually(() => peer.sockets.every((s) => s.readableEnded || s.destroyed), 10_000);
    await closeNode(peer.server, peer.sockets);
  });
});

// Listeners opened and closed while serving (Server.listen / Server.closeListener): synchronous,
// so that a caller such as nevio-redis's CONFIG SET port can answer at once.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { AddressError, SystemCallError, serve } from '@nevio/core';
import type { Server } from '@nevio/core';

const echo = { react: (_conn: unknown, data: Buffer) => data };

/** Sends `text` on a new connection to `port` and resolves with the echo (or rejects with the socket error). */
function roundTrip(port: number, text: string, keep?: Socket[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('error', reject);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        if (keep) keep.push(socket);
        else socket.end();
        resolve(got);
      }
    });
  });
}

let server: Server | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('listen adds a listener at once; closeListener closes one and keeps its connections', async () => {
  server = await serve(echo, 'tcp://127.0.0.1:0');
  const first = server.addrs[0];
  const second = server.listen('tcp://127.0.0.1:0');
  expect(second.port).toBeGreaterThan(0);
  expect(server.addrs).toEqual([first, second]);
  expect(await roundTrip(second.port, 'to the new one')).toBe('to the new one');

  const kept: Socket[] = [];
  expect(await roundTrip(first.port, 'before', kept)).toBe('before');
  expect(server.closeListener(first)).toBe(true);
  expect(server.addrs).toEqual([second]);
  await expect(roundTrip(first.port, 'refused')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  // The connection the closed listener accepted still works.
  const again = new Promise<string>((resolve) => kept[0].once('data', (d) => resolve(d.toString())));
  kept[0].write('still open');
  expect(await again).toBe('still open');
  kept[0].destroy();
  expect(server.closeListener(first)).toBe(false);
  expect(await roundTrip(second.port, 'after')).toBe('after');
});

test('a port in use is a SystemCallError naming the address, and nothing is added', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as AddressInfo).port;
  try {
    server = await serve(echo, 'tcp://127.0.0.1:0');
    let error: unknown;
    try {
      server.listen(`tcp://127.0.0.1:${port}`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SystemCallError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', address: `tcp://127.0.0.1:${port}` });
    expect(server.addrs).toHaveLength(1);
    // The listener indexes stay in step: the next one works.
    const next = server.listen('tcp://127.0.0.1:0');
    expect(await roundTrip(next.port, 'next')).toBe('next');
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

test('a host name is refused (no lookup while serving), and so is a stopping server', async () => {
  server = await serve(echo, 'tcp://127.0.0.1:0');
  expect(() => server!.listen('tcp://localhost:0')).toThrow(AddressError);
  const stopping = server.stop();
  expect(() => server!.listen('tcp://127.0.0.1:0')).toThrow(/stopping/);
  await stopping;
});

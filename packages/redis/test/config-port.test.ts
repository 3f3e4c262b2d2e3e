// CONFIG SET port moves the listener while serving, as Redis's changeListenPort: the new port
// answers, the old one refuses, open connections stay; a port in use fails the whole CONFIG SET
// and rolls every setting of it back.
import { connect, createServer, type AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog } from './support/inproc';

let srv: RunningRedis;
beforeEach(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
});
afterEach(() => srv.stop());

function client(port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: true });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('CONFIG SET port listens on the new port and closes the old one; open connections stay', async () => {
  const before = srv.port;
  const c = client(before);
  await c.connect();
  const next = await freePort();
  expect(await c.config('SET', 'port', String(next))).toBe('OK');
  expect(await c.config('GET', 'port')).toEqual(['port', String(next)]);
  // This connection came in through the old listener and still works.
  expect(await c.ping()).toBe('PONG');
  expect(await c.info('server')).toContain(`tcp_port:${next}`);
  const moved = client(next);
  await moved.connect();
  expect(await moved.ping()).toBe('PONG');
  moved.disconnect();
  const refused = await new Promise<string | undefined>((resolve) => {
    const socket = connect(before, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
  });
  expect(refused).toBe('ECONNREFUSED');
  c.disconnect();
});

test('a port in use fails CONFIG SET with Redis error and rolls back every setting of the call', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const busy = (taken.address() as AddressInfo).port;
  const c = client(srv.port);
  await c.connect();
  try {
    const maxmemory = await c.config('GET', 'maxmemory');
    await expect(c.config('SET', 'maxmemory', '10000001', 'port', String(busy), 'client-query-buffer-limit', '10mb')).rejects.toThrow(
      /^ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port.*EADDRINUSE/,
    );
    expect(await c.config('GET', 'maxmemory')).toEqual(maxmemory);
    expect(await c.config('GET', 'port')).toEqual(['port', '0']);
    expect(await c.config('GET', 'client-query-buffer-limit')).toEqual(['client-query-buffer-limit', '1073741824']);
    // Still served where it was.
    const again = client(srv.port);
    await again.connect();
    expect(await again.ping()).toBe('PONG');
    again.disconnect();
  } finally {
    c.disconnect();
    await new Promise((resolve) => taken.close(resolve));
  }
});

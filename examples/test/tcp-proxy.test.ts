// examples/tcp-proxy.js end to end: Node's net as the client and as the backend, nevio in between.
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Server } from '@nevio/core';

const { startProxy } = require('../tcp-proxy.js') as {
  startProxy(listen: string, backend: string, options?: object): Promise<Server>;
};

interface Backend {
  server: NetServer;
  port: number;
  sockets: Socket[];
}

async function backend(onConnection: (s: Socket) => void): Promise<Backend> {
  const sockets: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function shut(b: Backend, proxy: Server): Promise<void> {
  b.sockets.forEach((s) => s.destroy());
  await new Promise((resolve) => b.server.close(resolve));
  await proxy.stop();
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('16 MiB each way arrive intact, and the client\'s FIN reaches the backend and back', async () => {
  // The backend echoes, and ends its side only after the client ended its own: the answer to a
  // request that ends with a FIN, which only a proxy passing half-closes on can carry.
  const b = await backend((s) => {
    s.pipe(s);
  });
  const proxy = await startProxy('tcp://127.0.0.1:0', `tcp://127.0.0.1:${b.port}`);
  const payload = randomBytes(16 << 20);
  const client = connect(proxy.addrs[0].port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise((resolve) => client.on('end', resolve));
  client.end(payload);
  await ended;
  const echoed = Buffer.concat(chunks);
  expect(echoed.length).toBe(payload.length);
  expect(sha(echoed)).toBe(sha(payload));
  await new Promise((resolve) => client.on('close', resolve));
  await shut(b, proxy);
}, 60_000);

test('a client that stops reading stalls the backend instead of filling the proxy\'s memory', async () => {
  let written = 0;
  let backendSocket: Socket | undefined;
  const b = await backend((s) => {
    backendSocket = s;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = (): void => {
      while (s.write(chunk)) written += chunk.length;
      written += chunk.length;
      s.once('drain', pump);
    };
    pump();
  });
  const proxy = await startProxy('tcp://127.0.0.1:0', `tcp://127.0.0.1:${b.port}`);
  const client = connect(proxy.addrs[0].port, '127.0.0.1');
  client.pause(); // never reads
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const stalledAt = written;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // Kernel buffers on two connections plus the proxy's 1 MiB watermark: a few MiB, not a flood.
  expect(stalledAt).toBeLessThan(48 << 20);
  expect(written - stalledAt).toBeLessThan(2 << 20);
  // Reading again drains it all: backpressure, not loss.
  let read = 0;
  client.on('data', (d: Buffer) => (read += d.length));
  client.resume();
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(read).toBeGreaterThan(stalledAt - (1 << 20));
  client.destroy();
  backendSocket?.destroy();
  await shut(b, proxy);
}, 30_000);

test('a backend that refuses closes the client\'s connection', async () => {
  const b = await backend(() => undefined);
  const port = b.port;
  await new Promise((resolve) => b.server.close(resolve));
  const proxy = await startProxy('tcp://127.0.0.1:0', `tcp://127.0.0.1:${port}`);
  const client = connect(proxy.addrs[0].port, '127.0.0.1');
  let received = 0;
  client.on('data', (d: Buffer) => (received += d.length));
  client.on('error', () => undefined);
  await new Promise((resolve) => client.on('close', resolve));
  expect(received).toBe(0);
  await proxy.stop();
});

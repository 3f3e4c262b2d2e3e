// server.on('upgrade'): the request, the connection handed over and the bytes after the request.
import { createServer, type UpgradeSocket } from '../src';
import { exchange, open, waitFor } from './helpers';

const UPGRADE = 'GET /chat HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n';

test('the upgrade listener takes the connection, with the bytes sent after the request', async () => {
  let seen: { url: string; head: string; remote: string | undefined; encrypted: boolean } | undefined;
  const closed = new Promise<void>((resolve) => {
    const server = createServer((_req, res) => res.status(500).end('not the handler'));
    server.on('upgrade', (req, socket: UpgradeSocket, head) => {
      seen = { url: req.url, head: head.toString(), remote: socket.remoteAddress, encrypted: socket.encrypted };
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.write(head);
      socket.ondata = (data) => {
        socket.write(Buffer.from(data));
        if (data.includes('bye')) socket.end();
      };
      socket.onclose = resolve;
    });
    void server.listen('tcp://127.0.0.1:0').then(async (listening) => {
      const client = await open(listening.port);
      client.write(`${UPGRADE}first`);
      await waitFor(client, (got) => got.endsWith('first'));
      client.write('second bye');
      await waitFor(client, (got) => got.endsWith('second bye'));
      client.end();
      await closed;
      await listening.stop();
    });
  });
  await closed;
  expect(seen).toEqual({ url: '/chat', head: 'first', remote: '127.0.0.1', encrypted: false });
});

test('without an upgrade listener the request goes to the handler and the connection closes after it', async () => {
  const server = await createServer((req, res) => res.end(`handler ${req.header('upgrade')}`)).listen('tcp://127.0.0.1:0');
  try {
    const reply = await exchange(server.port, [`${UPGRADE}ignored`]);
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toMatch(/Connection: close/);
    expect(reply.endsWith('handler echo')).toBe(true);
  } finally {
    await server.stop();
  }
});

test('a throwing upgrade listener closes that connection only', async () => {
  const errors: Error[] = [];
  const server = createServer((_req, res) => res.end('fine'), { onError: (error) => errors.push(error) });
  server.on('upgrade', () => {
    throw new Error('boom');
  });
  const listening = await server.listen('tcp://127.0.0.1:0');
  try {
    expect(await exchange(listening.port, [UPGRADE])).toBe('');
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    expect(await exchange(listening.port, ['GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'])).toMatch(/fine$/);
  } finally {
    await listening.stop();
  }
});

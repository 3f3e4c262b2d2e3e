// Node's http API on nevio's Request/Response, checked against node:http itself where both apply.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServer, type Request, type Response } from '../src';
import { exchange, open, parseResponses, sleep } from './helpers';

async function withNevio(handler: (req: Request, res: Response) => void | Promise<void>, run: (port: number) => Promise<void>, streamBody = false): Promise<void> {
  const server = await createServer(handler, { streamBody }).listen('tcp://127.0.0.1:0');
  try {
    await run(server.port);
  } finally {
    await server.stop();
  }
}

test('req.headers joins duplicates exactly as node:http does', async () => {
  const raw =
    'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nCookie: x=1\r\nCookie: y=2\r\nSet-Cookie: s=1\r\nSet-Cookie: s=2\r\n' +
    'Accept: a\r\nACCEPT: b\r\nContent-Type: text/plain\r\ncontent-type: text/html\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n' +
    'Constructor: c1\r\nconstructor: c2\r\n__proto__: p\r\n' +
    'X-Custom: 1\r\nx-custom: 2\r\nAuthorization: one\r\nAuthorization: two\r\nReferer: r1\r\nReferer: r2\r\nVia: v1\r\nVia: v2\r\n' +
    'Connection: close\r\n\r\n';
  const node = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
  try {
    const fromNode = parseResponses(await exchange((node.address() as AddressInfo).port, [raw]))[0].body;
    await withNevio(
      (req, res) => res.end(JSON.stringify(req.headers)),
      async (port) => {
        const fromNevio = parseResponses(await exchange(port, [raw]))[0].body;
        expect(JSON.parse(fromNevio)).toEqual(JSON.parse(fromNode));
        expect(JSON.parse(fromNevio)['set-cookie']).toEqual(['s=1', 's=2']);
      },
    );
  } finally {
    await new Promise<void>((resolve) => node.close(() => resolve()));
  }
});

test('req.socket: the client address and port, the local port, not encrypted', async () => {
  await withNevio(
    (req, res) => res.json(req.socket),
    async (port) => {
      const client = await open(port);
      const clientPort = client.localPort;
      const reply = exchangeOn(client, 'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      const info = JSON.parse(parseResponses(await reply)[0].body) as Record<string, unknown>;
      expect(info).toEqual({ remoteAddress: '127.0.0.1', remotePort: clientPort, localAddress: '127.0.0.1', localPort: port, encrypted: false });
    },
  );
});

function exchangeOn(socket: import('node:net').Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1')));
    socket.write(text);
  });
}

test('req.pipe into a slow Writable gets every byte of a streamed 8 MiB body, in order', async () => {
  const body = randomBytes(8 << 20);
  await withNevio(
    (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      const slow = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytes += chunk.length;
          setTimeout(done, bytes % (1 << 20) < chunk.length ? 5 : 0);
        },
      });
      slow.on('finish', () => res.end(`${bytes} ${hash.digest('hex')}`));
      req.pipe(slow);
    },
    async (port) => {
      const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body });
      expect(await r.text()).toBe(`${body.length} ${createHash('sha256').update(body).digest('hex')}`);
    },
    true,
  );
});

test("req.on('data'/'end') and setEncoding", async () => {
  await withNevio(
    (req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (s: string) => (text += s));
      req.on('end', () => res.end(`got ${text}`));
    },
    async (port) => {
      const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'héllo' });
      expect(await r.text()).toBe('got héllo');
    },
  );
});

test('writeHead: every signature, its reason phrase, and a final header set', async () => {
  const seen: unknown[] = [];
  await withNevio(
    (req, res) => {
      res.setHeader('X-Early', 'e');
      if (req.url === '/flat') res.writeHead(201, ['X-A', '1', 'X-A', '2']);
      else if (req.url === '/pairs') res.writeHead(202, 'Taken', [['X-B', '3']]);
      else if (req.url === '/object') res.writeHead(203, { 'X-C': ['4', '5'], 'X-Skip': undefined });
      else res.writeHead(204);
      seen.push(res.headersSent, res.getHeaders());
      expect(() => res.setHeader('X-Late', 'l')).toThrow(/after writeHead/);
      res.end();
    },
    async (port) => {
      const text = await exchange(port, [
        'GET /flat HTTP/1.1\r\nHost: t\r\n\r\nGET /pairs HTTP/1.1\r\nHost: t\r\n\r\nGET /object HTTP/1.1\r\nHost: t\r\n\r\nGET /none HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
      ]);
      expect(text).toMatch(/^HTTP\/1\.1 201 Created\r\n[^]*X-Early: e\r\nX-A: 1\r\nX-A: 2\r\n/);
      expect(text).toMatch(/HTTP\/1\.1 202 Taken\r\n[^]*X-B: 3\r\n/);
      expect(text).toMatch(/HTTP\/1\.1 203 Non-Authoritative Information\r\n[^]*X-C: 4\r\nX-C: 5\r\n/);
      expect(text).toMatch(/HTTP\/1\.1 204 No Content\r\n/);
      expect(text).not.toMatch(/X-Skip|X-Late/);
      expect(seen[0]).toBe(true);
      expect(seen[1]).toEqual({ 'x-early': 'e', 'x-a': ['1', '2'] });
    },
  );
});

test("'finish' when ended, 'close' also when the client leaves before the response", async () => {
  const events: string[] = [];
  let leftRes: Response | undefined;
  await withNevio(
    (req, res) => {
      res.on('finish', () => events.push(`finish ${req.url} ${res.writableEnded}`));
      res.on('close', () => events.push(`close ${req.url}`));
      if (req.url === '/now') res.end('now');
      else leftRes = res;
    },
    async (port) => {
      await exchange(port, ['GET /now HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n']);
      const client = await open(port);
      client.write('GET /later HTTP/1.1\r\nHost: t\r\n\r\n');
      await sleep(50);
      client.destroy();
      for (let i = 0; i < 100 && !events.includes('close /later'); i++) await sleep(10);
      expect(leftRes?.writableEnded).toBe(false);
    },
  );
  expect(events).toEqual(['finish /now true', 'close /now', 'close /later']);
});

// res.compress() on handler responses, with curl --compressed (brotli), fetch (gzip) and node:http
// (the bytes as sent).
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createServer, type ListeningServer } from '../src';
import { curl, open, parseResponses, readToEnd, sleep } from './helpers';

function raw(port: number, target: string, headers: Record<string, string>, method = 'GET'): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('res.compress()', () => {
  let server: ListeningServer;
  let base: string;
  const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `row number ${i}`, tags: ['a', 'b'] }));
  const json = JSON.stringify(rows);
  const text = 'compress me, '.repeat(200);
  // 8 MiB that compresses to about three quarters: a streamed body that takes many zlib blocks.
  const big = randomBytes(6 << 20).toString('base64');
  const finished: Array<{ ended: boolean; bytes: number }> = [];
  let writesBeforeBlocked = -1;

  beforeAll(async () => {
    server = await createServer((req, res) => {
      if (req.path === '/json') return res.compress().json(rows);
      if (req.path === '/text') return res.compress().end(text);
      if (req.path === '/small') return res.compress().end('small');
      if (req.path === '/binary') return res.compress().end(Buffer.alloc(5000));
      if (req.path === '/vary') return res.setHeader('Vary', 'Origin').compress().end(text);
      if (req.path === '/plain') return res.end(text);
      if (req.path === '/stream') {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8').compress();
        res.on('finish', () => finished.push({ ended: res.writableEnded, bytes: res.bodyBytes }));
        return (async () => {
          for (let at = 0, writes = 1; at < big.length; at += 65536, writes++) {
            if (!res.write(big.slice(at, at + 65536))) {
              if (writesBeforeBlocked < 0) writesBeforeBlocked = writes;
              await new Promise<void>((resolve) => res.once('drain', resolve));
            }
          }
          res.end();
        })();
      }
      res.status(404).end();
    }).listen('tcp://127.0.0.1:0');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  test('fetch gets gzip JSON, decoded, with Vary', async () => {
    const r = await fetch(`${base}/json`);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('vary')).toBe('Accept-Encoding');
    expect(await r.json()).toEqual(rows);
  });

  test('curl --compressed gets brotli with a Content-Length smaller than the body', async () => {
    const { stdout } = await curl(['-s', '--compressed', '-D', '-', `${base}/text`]);
    const split = stdout.indexOf('\r\n\r\n');
    const head = `${stdout.slice(0, split)}\r\n`;
    expect(head).toMatch(/\r\ncontent-encoding: br\r\n/i);
    expect(head).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/i);
    expect(Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1])).toBeLessThan(text.length / 10);
    expect(stdout.slice(split + 4)).toBe(text);
  });

  test('the bytes on the wire are gzip of the body; q=0 and no header get it as it is', async () => {
    const gz = await raw(server.port, '/text', { 'Accept-Encoding': 'gzip;q=1, br;q=0.2' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-length']).toBe(String(gz.body.length));
    expect(gunzipSync(gz.body).toString()).toBe(text);
    for (const headers of [{ 'Accept-Encoding': 'gzip;q=0, br;q=0' }, {} as Record<string, string>]) {
      const plain = await raw(server.port, '/text', headers);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toBe('Accept-Encoding');
      expect(plain.body.toString()).toBe(text);
    }
  });

  test('small bodies, binary bodies and HEAD are sent as they are (with Vary); an existing Vary is kept', async () => {
    for (const target of ['/small', '/binary']) {
      const r = await raw(server.port, target, { 'Accept-Encoding': 'gzip, br' });
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers.vary).toBe('Accept-Encoding');
    }
    const head = await raw(server.port, '/text', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.headers['content-length']).toBe(String(text.length));
    expect((await raw(server.port, '/vary', { 'Accept-Encoding': 'gzip' })).headers.vary).toBe('Origin, Accept-Encoding');
  });

  test('a streamed body is compressed as it is written: chunked, decoded intact by fetch, curl and zlib', async () => {
    const r = await fetch(`${base}/stream`);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect(await r.text()).toBe(big);
    const br = await raw(server.port, '/stream', { 'Accept-Encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['transfer-encoding']).toBe('chunked');
    expect(br.headers['content-length']).toBeUndefined();
    expect(br.body.length).toBeLessThan(big.length * 0.8);
    expect(brotliDecompressSync(br.body).toString()).toBe(big);
    // 'finish' waits for zlib's last block: every compressed byte is counted by then.
    expect(finished[1]).toEqual({ ended: true, bytes: br.body.length });
    const plain = await raw(server.port, '/stream', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
  }, 30_000);

  test('a client that does not read holds a compressed stream back: write() returns false, then drain', async () => {
    writesBeforeBlocked = -1;
    const socket = await open(server.port);
    socket.pause();
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n');
    for (let waited = 0; writesBeforeBlocked < 0 && waited < 10_000; waited += 20) await sleep(20);
    // 128 writes make the body; the writer was stopped well before the end.
    expect(writesBeforeBlocked).toBeGreaterThan(0);
    expect(writesBeforeBlocked).toBeLessThan(128);
    const reply = readToEnd(socket, 20_000);
    socket.resume();
    const [response] = parseResponses(await reply);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(Buffer.from(response.body, 'latin1')).toString()).toBe(big);
  }, 30_000);

  test('without compress() nothing is compressed and no Vary is sent', async () => {
    const r = await raw(server.port, '/plain', { 'Accept-Encoding': 'gzip, br' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers.vary).toBeUndefined();
  });
});

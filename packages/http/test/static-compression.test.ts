// serveStatic's compression with real clients: curl --compressed (brotli), fetch (gzip), node:http
// with explicit q-values; precompressed siblings, Vary, Content-Length or chunked, HEAD.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createServer, type ListeningServer, serveStatic } from '../src';
import { curl } from './helpers';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with node:http, which does not decode: the body as it came over the wire. */
function raw(port: number, target: string, headers: Record<string, string>, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveStatic compression', () => {
  let dir: string;
  let server: ListeningServer;
  let base: string;
  // Text that compresses, in a small (whole-file) and a large (streamed) size.
  const line = (i: number): string => `line ${i}: the quick brown fox jumps over the lazy dog\n`;
  const medium = Array.from({ length: 200 }, (_, i) => line(i)).join('');
  const large = Array.from({ length: 8_000 }, (_, i) => line(i)).join('');
  const png = Buffer.alloc(5000, 7);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nevio-static-gz-'));
    writeFileSync(path.join(dir, 'medium.txt'), medium);
    writeFileSync(path.join(dir, 'large.json'), large);
    writeFileSync(path.join(dir, 'tiny.css'), 'a{}');
    writeFileSync(path.join(dir, 'image.png'), png);
    writeFileSync(path.join(dir, 'app.js'), medium);
    // Different contents from app.js, so that a test can tell which one went out.
    writeFileSync(path.join(dir, 'app.js.gz'), gzipSync('the precompressed app.js'));
    server = await createServer(serveStatic(dir)).listen('tcp://127.0.0.1:0');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('curl --compressed gets brotli, decoded to the file, with Content-Length and Vary', async () => {
    const { stdout } = await curl(['-s', '--compressed', '-D', '-', `${base}/medium.txt`]);
    const split = stdout.indexOf('\r\n\r\n');
    const head = `${stdout.slice(0, split)}\r\n`;
    const body = stdout.slice(split + 4);
    expect(head).toMatch(/\r\ncontent-encoding: br\r\n/i);
    expect(head).toMatch(/\r\nvary: Accept-Encoding\r\n/i);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    expect(length).toBeLessThan(medium.length / 3);
    expect(body).toBe(medium);
  });

  test('curl --compressed on a large file: chunked brotli, decoded intact', async () => {
    const { stdout } = await curl(['-s', '--compressed', '-D', '-', `${base}/large.json`]);
    const split = stdout.indexOf('\r\n\r\n');
    const head = `${stdout.slice(0, split)}\r\n`;
    expect(head).toMatch(/\r\ncontent-encoding: br\r\n/i);
    expect(head).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(head).not.toMatch(/content-length/i);
    expect(stdout.slice(split + 4)).toBe(large);
  });

  test('fetch (Accept-Encoding: gzip, deflate) gets gzip and decodes it', async () => {
    const r = await fetch(`${base}/large.json`);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect(r.headers.get('vary')).toBe('Accept-Encoding');
    expect(r.headers.get('etag')).toMatch(/^W\/".+-gzip"$/);
    expect(await r.text()).toBe(large);
  });

  test.each([
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0.4, br;q=0.8', 'br'],
    ['gzip, br', 'br'],
    ['*', 'br'],
    ['*;q=0.1, br;q=0', 'gzip'],
    ['x-gzip', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined],
  ])('Accept-Encoding %j: %s', async (accept, expected) => {
    const r = await raw(server.port, '/medium.txt', { 'Accept-Encoding': accept });
    expect(r.headers['content-encoding']).toBe(expected);
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    const decoded = expected === 'br' ? brotliDecompressSync(r.body) : expected === 'gzip' ? gunzipSync(r.body) : r.body;
    expect(decoded.toString()).toBe(medium);
  });

  test('no Accept-Encoding: the file as it is, still with Vary', async () => {
    const r = await raw(server.port, '/large.json', {});
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(large.length));
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(r.body.toString()).toBe(large);
  });

  test('tiny files and images are not compressed; images get no Vary', async () => {
    const tiny = await raw(server.port, '/tiny.css', { 'Accept-Encoding': 'gzip, br' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.headers.vary).toBe('Accept-Encoding');
    expect(tiny.body.toString()).toBe('a{}');
    const image = await raw(server.port, '/image.png', { 'Accept-Encoding': 'gzip, br' });
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.headers.vary).toBeUndefined();
    expect(image.body.equals(png)).toBe(true);
  });

  test('a precompressed .gz sibling is preferred when the client takes gzip', async () => {
    const byCurl = await curl(['-s', '--compressed', `${base}/app.js`]);
    // curl asks for br first, but only the .gz exists: it is sent rather than compressing.
    expect(byCurl.stdout).toBe('the precompressed app.js');
    const r = await raw(server.port, '/app.js', { 'Accept-Encoding': 'gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['content-length']).toBe(String(r.body.length));
    expect(gunzipSync(r.body).toString()).toBe('the precompressed app.js');
    // A client that does not take gzip gets brotli made on the fly from the file itself.
    const br = await raw(server.port, '/app.js', { 'Accept-Encoding': 'br' });
    expect(brotliDecompressSync(br.body).toString()).toBe(medium);
    expect((await raw(server.port, '/app.js', {})).body.toString()).toBe(medium);
  });

  test('HEAD has the compressed Content-Length (small) or chunked (large), and no body', async () => {
    const get = await raw(server.port, '/medium.txt', { 'Accept-Encoding': 'gzip' });
    const head = await raw(server.port, '/medium.txt', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.body.length).toBe(0);
    const { stdout } = await curl(['-s', '-I', '-H', 'Accept-Encoding: br', `${base}/large.json`]);
    expect(stdout).toMatch(/\r\ncontent-encoding: br\r\n/i);
    expect(stdout).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
  });

  test('revalidation of a compressed response: 304 with its ETag and Vary', async () => {
    const first = await raw(server.port, '/medium.txt', { 'Accept-Encoding': 'br' });
    const again = await raw(server.port, '/medium.txt', { 'Accept-Encoding': 'br', 'If-None-Match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers.vary).toBe('Accept-Encoding');
    expect(again.body.length).toBe(0);
  });

  test('a Range request gets the bytes of the file as it is, not compressed', async () => {
    const r = await raw(server.port, '/medium.txt', { 'Accept-Encoding': 'gzip, br', Range: 'bytes=0-9' });
    expect(r.status).toBe(206);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.toString()).toBe(medium.slice(0, 10));
  });
});

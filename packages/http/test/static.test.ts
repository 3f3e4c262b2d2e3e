// serveStatic over real sockets. Traversal attempts go through raw sockets (and curl
// --path-as-is) because fetch normalises `..` away before sending.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type ListeningServer, serveStatic } from '../src';
import { curl, exchange, parseResponses } from './helpers';

describe('serveStatic', () => {
  let dir: string;
  let server: ListeningServer;
  let base: string;
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;

  beforeAll(async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'nevio-static-'));
    dir = path.join(parent, 'root');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(parent, 'secret.txt'), 'top secret');
    writeFileSync(path.join(dir, 'index.html'), '<h1>home</h1>');
    writeFileSync(path.join(dir, 'hello.txt'), 'hello static');
    writeFileSync(path.join(dir, 'data.json'), '{"a":1}');
    writeFileSync(path.join(dir, 'sub', 'file name.css'), 'body{}');
    writeFileSync(path.join(dir, 'big.bin'), big);
    server = await createServer(serveStatic(dir)).listen('tcp://127.0.0.1:0');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.stop();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const get = (target: string, headers = ''): Promise<string> =>
    exchange(server.port, [`GET ${target} HTTP/1.1\r\nHost: s\r\n${headers}Connection: close\r\n\r\n`]);

  test('serves files with content types, and index.html for the root', async () => {
    const txt = await fetch(`${base}/hello.txt`);
    expect(await txt.text()).toBe('hello static');
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await fetch(`${base}/data.json`)).headers.get('content-type')).toBe('application/json; charset=utf-8');
    const css = await fetch(`${base}/sub/file%20name.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toBe('body{}');
    const home = await fetch(`${base}/`);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toBe('<h1>home</h1>');
  });

  test('a larger file is streamed intact', async () => {
    const r = await fetch(`${base}/big.bin`);
    expect(r.headers.get('content-length')).toBe(String(big.length));
    expect(Buffer.from(await r.arrayBuffer()).equals(big)).toBe(true);
  });

  test('404 for missing files', async () => {
    expect((await fetch(`${base}/missing.txt`)).status).toBe(404);
    expect((await fetch(`${base}/hello.txt/x`)).status).toBe(404);
  });

  test.each([
    '/../secret.txt',
    '/sub/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt',
  ])('400 for %s, which climbs above the root (as nginx)', async (target) => {
    const raw = await get(target);
    const [response] = parseResponses(raw);
    expect(response.status).toBe(400);
    expect(raw).not.toContain('top secret');
  });

  test('400 for traversal through curl --path-as-is too', async () => {
    const { stdout } = await curl(['-s', '--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', `${base}/../secret.txt`]);
    expect(stdout).toBe('400');
  });

  test.each(['/sub/../hello.txt', '/sub/./../hello.txt', '//hello.txt', '/sub/%2e%2e/hello.txt', '/./hello.txt'])(
    '%s stays under the root: normalised and served',
    async (target) => {
      const [response] = parseResponses(await get(target));
      expect(response.status).toBe(200);
      expect(response.body).toBe('hello static');
    },
  );

  test('curl --path-as-is /sub/../hello.txt is served', async () => {
    const { stdout } = await curl(['-s', '--path-as-is', `${base}/sub/../hello.txt`]);
    expect(stdout).toBe('hello static');
  });

  test('a backslash is no separator: /..%5csecret.txt is a dotfile name under the root, refused', async () => {
    const raw = await get('/..%5csecret.txt');
    expect(parseResponses(raw)[0].status).toBe(403);
    expect(raw).not.toContain('top secret');
  });

  test('a file named as a directory (trailing slash) is 404, as nginx', async () => {
    expect((await fetch(`${base}/hello.txt/`)).status).toBe(404);
  });

  test('400 for a malformed percent-encoding or a NUL byte', async () => {
    expect(parseResponses(await get('/%E0%A4%A'))[0].status).toBe(400);
    expect(parseResponses(await get('/hello.txt%00.html'))[0].status).toBe(400);
  });

  test('HEAD has the headers and Content-Length of GET and no body', async () => {
    const raw = await exchange(server.port, ['HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n']);
    const [response] = parseResponses(raw, 1);
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('12');
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  test('ETag and Last-Modified produce 304 on revalidation', async () => {
    const first = await fetch(`${base}/hello.txt`);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    // Strong, as nginx's: "mtime-size" in hex.
    expect(etag).toMatch(/^"[0-9a-f]+-c"$/);
    const byTag = await fetch(`${base}/hello.txt`, { headers: { 'If-None-Match': etag } });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    const byDate = await fetch(`${base}/hello.txt`, { headers: { 'If-Modified-Since': lastModified } });
    expect(byDate.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(byTag.headers.get('cache-control')).toBe('public, max-age=0');
    // If-None-Match compares weakly: W/ of the same tag matches.
    expect((await fetch(`${base}/hello.txt`, { headers: { 'If-None-Match': `"x", W/${etag}` } })).status).toBe(304);
    const stale = await fetch(`${base}/hello.txt`, { headers: { 'If-None-Match': 'W/"other"' } });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('cache-control')).toBe('public, max-age=0');
  });

  test('Range gives 206 with the requested bytes', async () => {
    const r = await fetch(`${base}/big.bin`, { headers: { Range: 'bytes=1000-1999' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 1000-1999/${big.length}`);
    expect(Buffer.from(await r.arrayBuffer()).equals(big.subarray(1000, 2000))).toBe(true);
    const suffix = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=-6' } });
    expect(await suffix.text()).toBe('static');
    const open = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=6-' } });
    expect(await open.text()).toBe('static');
  });

  test('If-Range: a strong ETag that matches gives 206, a weak or stale one the whole file', async () => {
    const etag = (await fetch(`${base}/hello.txt`)).headers.get('etag')!;
    const matching = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=0-4', 'If-Range': etag } });
    expect(matching.status).toBe(206);
    expect(await matching.text()).toBe('hello');
    const weak = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=0-4', 'If-Range': `W/${etag}` } });
    expect(weak.status).toBe(200);
    expect(await weak.text()).toBe('hello static');
    const stale = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=0-4', 'If-Range': '"0-0"' } });
    expect(stale.status).toBe(200);
  });

  test('an unsatisfiable Range gives 416 with the size', async () => {
    const r = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=100-200' } });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */12');
  });

  test('other methods get 405', async () => {
    const r = await fetch(`${base}/hello.txt`, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
  });
});

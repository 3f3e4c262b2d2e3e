// serveStatic's byte ranges beyond a single one: several ranges as multipart/byteranges (RFC 9110
// 14.6), and the Range headers it answers with the whole file or 416 instead (14.3, 14.1.1).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type ListeningServer, serveStatic } from '../src';
import { curl } from './helpers';

/** The parts of a multipart/byteranges body, each with its headers (lower-cased) and bytes. */
function parts(body: Buffer, boundary: string): { headers: Record<string, string>; data: Buffer }[] {
  const found: { headers: Record<string, string>; data: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  expect(at).toBe(0);
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 4).toString() === '--\r\n') {
      expect(at + 4).toBe(body.length);
      return found;
    }
    expect(body.subarray(at, at + 2).toString()).toBe('\r\n');
    const headEnd = body.indexOf('\r\n\r\n', at);
    const headers: Record<string, string> = {};
    for (const line of body.subarray(at + 2, headEnd).toString().split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(delimiter, headEnd + 4);
    expect(body.subarray(next - 2, next).toString()).toBe('\r\n');
    found.push({ headers, data: body.subarray(headEnd + 4, next - 2) });
    at = next;
  }
}

describe('serveStatic ranges', () => {
  let dir: string;
  let server: ListeningServer;
  let base: string;
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nevio-ranges-'));
    writeFileSync(path.join(dir, 'hello.txt'), 'hello static');
    writeFileSync(path.join(dir, 'big.bin'), big);
    server = await createServer(serveStatic(dir)).listen('tcp://127.0.0.1:0');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const boundaryOf = (type: string | null): string => {
    const m = /^multipart\/byteranges; boundary=(\S+)$/.exec(type ?? '');
    expect(m).not.toBeNull();
    return m![1];
  };

  test('several ranges: one part each, in the order asked, with an exact Content-Length', async () => {
    // One range crosses the 64 KiB read chunk; the suffix one is the last 1000 bytes.
    const r = await fetch(`${base}/big.bin`, { headers: { Range: 'bytes=0-9, 60000-140000,-1000' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBeNull();
    const body = Buffer.from(await r.arrayBuffer());
    expect(Number(r.headers.get('content-length'))).toBe(body.length);
    const got = parts(body, boundaryOf(r.headers.get('content-type')));
    expect(got.map((p) => p.headers)).toEqual([
      { 'content-type': 'application/octet-stream', 'content-range': `bytes 0-9/${big.length}` },
      { 'content-type': 'application/octet-stream', 'content-range': `bytes 60000-140000/${big.length}` },
      { 'content-type': 'application/octet-stream', 'content-range': `bytes ${big.length - 1000}-${big.length - 1}/${big.length}` },
    ]);
    expect(got[0].data.equals(big.subarray(0, 10))).toBe(true);
    expect(got[1].data.equals(big.subarray(60000, 140001))).toBe(true);
    expect(got[2].data.equals(big.subarray(big.length - 1000))).toBe(true);
  });

  test('curl -r with two ranges gets both parts of a text file', async () => {
    const { stdout } = await curl(['-s', '-D', '-', '-r', '0-4,6-11', `${base}/hello.txt`]);
    const [head, ...rest] = stdout.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 206 Partial Content\r\n/);
    const boundary = boundaryOf(/\r\ncontent-type: ([^\r]*)/i.exec(head)![1]);
    const got = parts(Buffer.from(rest.join('\r\n\r\n'), 'latin1'), boundary);
    expect(got.map((p) => [p.headers['content-range'], p.data.toString()])).toEqual([
      ['bytes 0-4/12', 'hello'],
      ['bytes 6-11/12', 'static'],
    ]);
    expect(got[0].headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  test('HEAD with several ranges: the same head and length, no body', async () => {
    const range = { Range: 'bytes=0-4,6-11' };
    const get = await fetch(`${base}/hello.txt`, { headers: range });
    const head = await fetch(`${base}/hello.txt`, { method: 'HEAD', headers: range });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-length')).toBe(String((await get.arrayBuffer()).byteLength));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  test('only one range satisfiable: a plain 206 of it; empty list elements are skipped', async () => {
    const r = await fetch(`${base}/hello.txt`, { headers: { Range: 'bytes=,6-8, 100-200,' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 6-8/12');
    expect(await r.text()).toBe('sta');
  });

  test.each([
    ['overlapping', 'bytes=0-5,3-8'],
    ['descending', 'bytes=6-8,0-2'],
    ['more than 32', `bytes=${Array.from({ length: 33 }, (_, i) => `${i * 2}-${i * 2}`).join(',')}`],
    ['another unit', 'items=0-1'],
  ])('%s ranges: the whole file, 200', async (_, header) => {
    const r = await fetch(`${base}/big.bin`, { headers: { Range: header } });
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(big)).toBe(true);
  });

  test.each([
    ['a malformed spec among good ones', 'bytes=0-1,x-2'],
    ['nothing satisfiable', 'bytes=20-30,-0'],
    ['an empty list', 'bytes=,'],
  ])('%s: 416 with the size', async (_, header) => {
    const r = await fetch(`${base}/hello.txt`, { headers: { Range: header } });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */12');
  });
});

// What llhttp 9 (Node's parser) rejects and Debian's llhttp 8 accepted, closed in the binding:
// one case per CVE class, empty field names, HTTP/1.1 without Host, then a differential run of
// a few hundred generated requests against Node's own http server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type ListeningServer } from '../src';
import { exchange } from './helpers';

let nevio: ListeningServer;
let node: http.Server;
let nodePort = 0;

beforeAll(async () => {
  nevio = await createServer(async (req, res) => {
    await req.body();
    res.end('ok');
  }).listen('tcp://127.0.0.1:0');
  node = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
  nodePort = (node.address() as AddressInfo).port;
});

afterAll(async () => {
  await nevio.stop();
  await new Promise<void>((resolve) => node.close(() => resolve()));
});

/** The status of the first response, or 0 when the server closed without answering. */
async function statusOf(port: number, request: string): Promise<number> {
  const reply = await exchange(port, [request], 0, 3000);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(reply);
  return m === null ? 0 : Number(m[1]);
}

/** What the server made of it: accepted (2xx), rejected (4xx/5xx) or nothing. */
function verdict(status: number): string {
  return status === 0 ? 'none' : status < 300 ? 'accept' : 'reject';
}

describe('strict parsing (what llhttp 9.x rejects)', () => {
  test.each([
    ['CVE-2023-30589: a bare CR ends a header line', 'GET / HTTP/1.1\r\nHost: t\rX-Smuggled: 1\r\n\r\n'],
    ['CVE-2023-30589: a bare CR inside a value', 'GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n'],
    ['CVE-2024-27982: a space before Content-Length (a fold)', 'POST / HTTP/1.1\r\nHost: t\r\n Content-Length: 3\r\n\r\nabc'],
    ['CVE-2024-27982: a folded Content-Length value', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n 0\r\n\r\nabc'],
    ['CVE-2024-27982: whitespace before the colon', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length : 3\r\n\r\nabc'],
    ['CVE-2025-23167: the block ends in \\r\\n\\rX', 'GET / HTTP/1.1\r\nHost: t\r\n\rXGET /x HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['an empty field name', 'GET / HTTP/1.1\r\nHost: t\r\n: x\r\n\r\n'],
    ['an empty field name first', 'GET / HTTP/1.1\r\n: x\r\nHost: t\r\n\r\n'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n'],
  ])('%s: 400 and close, as Node', async (_name, request) => {
    const reply = await exchange(nevio.port, [request], 0, 3000);
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toMatch(/Connection: close/i);
    expect(reply.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(await statusOf(nodePort, request)).toBe(400);
  });

  test('CVE-2024-22019: chunk extensions past 16 KiB get 413, as Node', async () => {
    const request = `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1;a=${'x'.repeat(20_000)}\r\nz\r\n0\r\n\r\n`;
    expect(await statusOf(nevio.port, request)).toBe(413);
    expect(await statusOf(nodePort, request)).toBe(413);
    const small = `POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n1;a=${'x'.repeat(1000)}\r\nz\r\n0\r\n\r\n`;
    expect(await statusOf(nevio.port, small)).toBe(200);
  });

  test('HTTP/1.0 without Host is still fine', async () => {
    expect(await statusOf(nevio.port, 'GET / HTTP/1.0\r\n\r\n')).toBe(200);
  });
});

/** Raw requests built from parts that are valid or malformed in the ways parsers disagree on. */
function generated(): string[] {
  const out: string[] = [];
  const extras: Array<[string, string]> = [
    ['', ''],
    ['X-A: b\r\n', ''],
    ['X-A:\r\n', ''],
    [': empty\r\n', ''],
    [' X-Folded: 1\r\n', ''],
    ['X-A: 1\r\n\t2\r\n', ''],
    ['Content-Length: 3\r\n', 'abc'],
    ['Content-Length : 3\r\n', 'abc'],
    ['Content-Length: 3\r\nContent-Length: 4\r\n', 'abcd'],
    ['Content-Length: +3\r\n', 'abc'],
    ['Content-Length: 3, 3\r\n', 'abc'],
    ['Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding: chunked\r\n', '3;e=1\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding: chunked\r\n', '3\nabc\n0\n\n'],
    ['Transfer-Encoding: chunked\r\nContent-Length: 3\r\n', '3\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding: gzip, chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'],
    ['X\tY: z\r\n', ''],
    ['X Y: z\r\n', ''],
    ['X-A: a\x7fb\r\n', ''],
  ];
  for (const method of ['GET', 'POST']) {
    for (const version of ['1.1', '1.0']) {
      for (const host of ['Host: t\r\n', '']) {
        for (const [extra, body] of extras) {
          for (const eol of ['\r\n', '\n']) {
            const head = `${method} / HTTP/${version}\r\n${host}${extra}Connection: close\r\n`.replace(/\r\n/g, eol);
            out.push(`${head}${eol}${body}`);
          }
        }
      }
    }
  }
  return out;
}

test('differential: the same raw requests get the same accept/reject from Node and from nevio', async () => {
  const requests = generated();
  expect(requests.length).toBeGreaterThan(250);
  const differ: string[] = [];
  const verdicts = new Set<string>();
  // Eight at a time: fast enough (a second or two) without flooding two shared cores.
  for (let i = 0; i < requests.length; i += 8) {
    await Promise.all(
      requests.slice(i, i + 8).map(async (request) => {
        const [a, b] = await Promise.all([statusOf(nodePort, request), statusOf(nevio.port, request)]);
        verdicts.add(verdict(a));
        if (verdict(a) !== verdict(b)) differ.push(`${JSON.stringify(request)}: node ${a}, nevio ${b}`);
      }),
    );
  }
  // The generator must produce both kinds, or the comparison proves nothing.
  expect(verdicts).toEqual(new Set(['accept', 'reject']));
  expect(differ).toEqual([]);
}, 60_000);

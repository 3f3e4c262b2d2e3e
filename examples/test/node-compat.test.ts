// examples/node-compat/app.js, written against node:http's API, on node:http and on @nevio/http:
// the same requests must get the same status, reason, headers and body from both.
import { request } from 'node:http';

const { main } = require('../node-compat/server.js') as { main(kind: string, port: number): Promise<{ port: number; stop(): Promise<void> }> };
const { finished } = require('../node-compat/app.js') as { finished: boolean[] };

interface Answer {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// Framing and per-connection fields differ legitimately (Date, keep-alive wording).
const IGNORED = new Set(['date', 'connection', 'keep-alive']);

function ask(port: number, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const kept = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !IGNORED.has(name)));
        resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: kept, body: Buffer.concat(chunks).toString() });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CASES: Array<[string, string, Record<string, string | string[]>, string?]> = [
  ['GET', '/', {}],
  ['GET', '/users/42', { 'User-Agent': 'compat-test', Accept: 'application/json' }],
  ['GET', '/users/a%20b', {}],
  ['POST', '/echo', { 'Content-Type': 'application/json' }, '{"a":1,"b":[2,3]}'],
  ['POST', '/echo', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, '{"chunked":true}'],
  ['POST', '/echo', { 'Content-Type': 'application/json' }, '{not json'],
  ['GET', '/headers', { Cookie: ['x=1', 'y=2'], 'X-Dup': ['one', 'two'] }],
  ['GET', '/stream?n=20', {}],
  ['POST', '/', {}, ''],
  ['GET', '/nowhere', {}],
  ['GET', '/finish', {}],
];

test('the express-style app answers the same on node:http and on @nevio/http', async () => {
  const node = await main('node', 0);
  const nevio = await main('nevio', 0);
  try {
    for (const [method, path, headers, body] of CASES) {
      const a = await ask(node.port, method, path, headers, body);
      const b = await ask(nevio.port, method, path, headers, body);
      expect({ case: `${method} ${path}`, ...b }).toEqual({ case: `${method} ${path}`, ...a });
    }
    // Both runs of /finish saw writableEnded in their 'finish' listener.
    expect(finished).toEqual([true, true]);
  } finally {
    await node.stop();
    await nevio.stop();
  }
});

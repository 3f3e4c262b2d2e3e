// Every code sample in docs/ is a file in examples/, shown verbatim, and run here against real
// sockets, so the documentation cannot drift from the code.
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

const docsDir = join(__dirname, '..', '..', 'docs');
const examplesDir = join(__dirname, '..');
// Generated (benchmarks.md) or owned elsewhere and free of JavaScript samples.
const SKIP = new Set(['benchmarks.md']);

const example = (file: string): string => readFileSync(join(examplesDir, file), 'utf8');
const doc = (file: string): string => readFileSync(join(docsDir, file), 'utf8');

type Main<T> = { main(arg?: unknown): Promise<T> };
const lineProtocol = require('../line-protocol.js') as Main<import('@nevio/core').Server>;
const echoServer = require('../echo-server.js') as Main<import('@nevio/core').Server>;
const httpHello = require('../http-hello.js') as Main<{ port: number; stop(): Promise<void> }>;
const websocketEcho = require('../websocket-echo.js') as Main<{ port: number; stop(): Promise<void> }>;
const redisEmbedded = require('../redis-embedded.js') as Main<{ port: number; stop(): Promise<void> }>;

/** Reads from a socket until `until` matches what has arrived, then returns all of it. */
function readUntil(socket: Socket, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString();
      if (until.test(got)) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

async function open(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  return s;
}

test.each([
  ['getting-started.md', 'hello.js'],
  ['core.md', 'line-protocol.js'],
  ['core.md', 'tcp-proxy.js'],
  ['core.md', 'tls-echo.js'],
  ['echo.md', 'echo-server.js'],
  ['http.md', 'http-hello.js'],
  ['http.md', 'websocket-echo.js'],
  ['redis.md', 'redis-embedded.js'],
  ['multicore.md', 'multicore-echo.js'],
  ['multicore.md', 'worker-pool/job.js'],
])('%s shows examples/%s verbatim', (d, file) => {
  expect(doc(d)).toContain('```js\n' + example(file) + '```');
});

test('every JavaScript or TypeScript sample in docs/ is one of the examples', () => {
  const files = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.js') && f !== 'jest.config.js' && !f.startsWith('node_modules'),
  );
  const contents = new Set(files.map(example));
  const docs = readdirSync(docsDir).filter((f) => f.endsWith('.md') && !SKIP.has(f));
  expect(docs).toEqual(expect.arrayContaining(['README.md', 'getting-started.md', 'core.md', 'operations.md']));
  // The root README and every package README count as documentation too.
  const root = join(__dirname, '..', '..');
  const readmes = ['README.md', ...readdirSync(join(root, 'packages')).map((p) => join('packages', p, 'README.md'))];
  const pages = [...docs.map((d) => join('docs', d)), ...readmes];
  for (const d of pages) {
    for (const m of readFileSync(join(root, d), 'utf8').matchAll(/```(js|ts|javascript|typescript)\n([^]*?)```/g)) {
      expect({ doc: d, sample: m[2], isAnExample: contents.has(m[2]) }).toMatchObject({ isAnExample: true });
    }
  }
});

test('core.md: lines split over writes are framed, numbered per connection, and quit closes', async () => {
  const server = await lineProtocol.main('tcp://127.0.0.1:0');
  try {
    const a = await open(server.addrs[0].port);
    const b = await open(server.addrs[0].port);
    a.write('hel');
    await new Promise((r) => setTimeout(r, 30));
    const first = readUntil(a, /2: two\n$/);
    a.write('lo\ntwo\nthr');
    expect(await first).toBe('1: hello\n2: two\n');
    const third = readUntil(a, /3: three\n$/);
    a.write('ee\n');
    expect(await third).toBe('3: three\n');
    // The count is per connection.
    const other = readUntil(b, /\n$/);
    b.write('x\n');
    expect(await other).toBe('1: x\n');
    const bye = readUntil(a, /bye\n$/);
    a.write('quit\n');
    expect(await bye).toBe('bye\n');
    await new Promise((r) => a.once('close', r));
    b.destroy();
  } finally {
    await server.stop();
  }
});

test('echo.md: the echo library serves TCP and a unix socket', async () => {
  const sock = `/tmp/nevio-echo-doc-${process.pid}.sock`;
  const server = await echoServer.main(['tcp://127.0.0.1:0', `unix://${sock}`]);
  try {
    const tcp = await open(server.addrs[0].port);
    const reply = readUntil(tcp, /ping\n$/);
    tcp.write('ping\n');
    expect(await reply).toBe('ping\n');
    tcp.destroy();
    const unix = connect(sock);
    await new Promise((r) => unix.once('connect', r));
    const u = readUntil(unix, /pong\n$/);
    unix.write('pong\n');
    expect(await u).toBe('pong\n');
    unix.destroy();
  } finally {
    await server.stop();
  }
});

test('http.md: text, body echo, JSON with the query, 404', async () => {
  const server = await httpHello.main('tcp://127.0.0.1:0');
  const base = `http://127.0.0.1:${server.port}`;
  try {
    expect(await (await fetch(`${base}/`)).text()).toBe('Hello, World!');
    expect(await (await fetch(`${base}/echo`, { method: 'POST', body: 'some body' })).text()).toBe('some body');
    expect(await (await fetch(`${base}/hi?name=nevio`)).json()).toEqual({ hello: 'nevio' });
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not Found\n');
  } finally {
    await server.stop();
  }
});

test('http.md: the WebSocket example upgrades and echoes a masked text frame unmasked', async () => {
  const server = await websocketEcho.main('tcp://127.0.0.1:0');
  try {
    const s = await open(server.port);
    s.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    // RFC 6455's example key, so the accept value is the RFC's too.
    const head = await readUntil(s, /\r\n\r\n/);
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toContain('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from('hello');
    const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4])]);
    const echoed = new Promise<Buffer>((resolve) => s.once('data', resolve));
    s.write(frame);
    expect(await echoed).toEqual(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
    s.destroy();
  } finally {
    await server.stop();
  }
});

test('redis.md: the embedded server wants AUTH, then stores and returns values', async () => {
  const redis = await redisEmbedded.main(0);
  try {
    const c = await open(redis.port);
    const cmd = (args: string[], until: RegExp): Promise<string> => {
      const reply = readUntil(c, until);
      c.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
      return reply;
    };
    expect(await cmd(['GET', 'k'], /\r\n$/)).toBe('-NOAUTH Authentication required.\r\n');
    expect(await cmd(['AUTH', 's3cret'], /\r\n$/)).toBe('+OK\r\n');
    expect(await cmd(['SET', 'k', 'v'], /\r\n$/)).toBe('+OK\r\n');
    expect(await cmd(['GET', 'k'], /v\r\n$/)).toBe('$1\r\nv\r\n');
    c.destroy();
  } finally {
    await redis.stop();
  }
});

// The HTTP server over real sockets: fetch (undici), curl, and raw `net` sockets for what
// clients do not normally send.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ListeningServer, type Request, type Response } from '../src';
import { curl, exchange, open, parseResponses, readToEnd, sleep, waitFor } from './helpers';

/** How many bytes the /big handler has handed to res.write so far. */
let bigSent = 0;
const ADDR = 'tcp://127.0.0.1:0';

async function app(req: Request, res: Response): Promise<void> {
  const path = req.path;
  if (path === '/') return res.end('Hello, World!');
  if (path === '/echo') {
    const body = await req.body();
    res.setHeader('X-Length', body.length).end(body);
    return;
  }
  if (path === '/headers') return res.json({ host: req.header('HOST'), all: req.headers, query: req.query.get('q') });
  if (path === '/delay') {
    const ms = Number(req.query.get('ms'));
    await sleep(ms);
    return res.end(`delay ${ms}`);
  }
  if (path === '/stream') {
    res.setHeader('Content-Type', 'text/plain');
    for (let i = 0; i < 3; i++) {
      res.write(`part${i};`);
      await sleep(5);
    }
    return res.end('done');
  }
  if (path === '/big') {
    const size = Number(req.query.get('size'));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    bigSent = 0;
    while (sent < size) {
      const n = Math.min(chunk.length, size - sent);
      sent += n;
      bigSent = sent;
      if (!res.write(chunk.subarray(0, n))) await res.drain();
    }
    return res.end();
  }
  if (path === '/throw') throw new Error('handler failure (expected by the test)');
  if (path === '/status') return res.status(204).end();
  res.status(404).end('nope');
}

describe('HTTP server', () => {
  let server: ListeningServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer(app, {
      maxHeaderSize: 4096,
      maxBodySize: 2 << 20,
      onError: () => undefined,
    }).listen(ADDR);
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop());

  test('fetch: GET / and the default headers', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('Hello, World!');
    expect(r.headers.get('content-length')).toBe('13');
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(Date.parse(r.headers.get('date') ?? '')).toBeGreaterThan(Date.now() - 5000);
  });

  test('fetch: headers are case-insensitive, the query is decoded', async () => {
    const r = await fetch(`${base}/headers?q=a%20b`, { headers: { 'X-Custom': 'v1' } });
    const json = (await r.json()) as { host: string; all: Record<string, string>; query: string };
    expect(json.host).toBe(`127.0.0.1:${server.port}`);
    expect(json.all['x-custom']).toBe('v1');
    expect(json.query).toBe('a b');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  test('fetch: POST bodies by Content-Length and chunked (streamed request body)', async () => {
    const fixed = await fetch(`${base}/echo`, { method: 'POST', body: 'fixed body' });
    expect(await fixed.text()).toBe('fixed body');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(Buffer.from('chunk-1;'));
        controller.enqueue(Buffer.from('chunk-2'));
        controller.close();
      },
    });
    const chunked = await fetch(`${base}/echo`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await chunked.text()).toBe('chunk-1;chunk-2');
  });

  test('fetch: 1 MiB request and response bodies arrive intact', async () => {
    const body = randomBytes(1 << 20);
    const r = await fetch(`${base}/echo`, { method: 'POST', body });
    expect(r.headers.get('x-length')).toBe(String(1 << 20));
    expect(Buffer.from(await r.arrayBuffer()).equals(body)).toBe(true);
  });

  test('curl: Expect: 100-continue is answered and the body follows', async () => {
    const body = 'x'.repeat(2048);
    const { stdout, stderr } = await curl([
      '-sv', '--max-time', '5', '-H', 'Expect: 100-continue', '--data-binary', body, `${base}/echo`,
    ]);
    expect(stdout).toBe(body);
    expect(stderr).toMatch(/HTTP\/1\.1 100 Continue/);
  });

  test('curl: HEAD gets the GET headers and no body', async () => {
    const { stdout } = await curl(['-sI', '--max-time', '5', `${base}/`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout).toMatch(/Content-Length: 13\r\n/);
    const raw = await exchange(server.port, ['HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n']);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  test('streamed responses use chunked encoding', async () => {
    const r = await fetch(`${base}/stream`);
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    expect(await r.text()).toBe('part0;part1;part2;done');
  });

  test('204 has no body and no Content-Length', async () => {
    const raw = await exchange(server.port, ['GET /status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n']);
    expect(raw).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(raw).not.toMatch(/Content-Length/i);
  });

  test('pipelining: many requests in one write are all answered, in order', async () => {
    const urls = Array.from({ length: 50 }, (_, i) => `/headers?q=${i}`);
    const text = `${urls.map((u) => `GET ${u} HTTP/1.1\r\nHost: p\r\n\r\n`).join('')}GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`;
    const responses = parseResponses(await exchange(server.port, [text]));
    expect(responses).toHaveLength(51);
    expect(responses.slice(0, 50).map((r) => (JSON.parse(r.body) as { query: string }).query)).toEqual(urls.map((_, i) => String(i)));
    expect(responses[50].body).toBe('Hello, World!');
  });

  test('pipelining: async handlers finishing out of order are answered in request order', async () => {
    const text =
      'GET /delay?ms=120 HTTP/1.1\r\nHost: t\r\n\r\nGET /delay?ms=1 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n' +
      'GET /delay?ms=60 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
    const responses = parseResponses(await exchange(server.port, [text]));
    expect(responses.map((r) => r.body)).toEqual(['delay 120', 'delay 1', 'Hello, World!', 'delay 60']);
  });

  test('requests split into 1-byte writes are parsed', async () => {
    const text = 'POST /echo HTTP/1.1\r\nHost: split\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
    const socket = await open(server.port);
    socket.setNoDelay(true);
    const reply = readToEnd(socket);
    for (const ch of text) {
      socket.write(ch);
      await sleep(1);
    }
    const responses = parseResponses(await reply);
    expect(responses.map((r) => r.body)).toEqual(['hello world', 'Hello, World!']);
  });

  test.each([
    ['Content-Length with Transfer-Encoding', 'POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['duplicate differing Content-Length', 'POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 30\r\n\r\nabcdGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['a bad chunk size', 'POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4x\r\nabcd\r\n0\r\n\r\n'],
    ['bare LF line endings', 'GET / HTTP/1.1\nHost: x\n\n'],
    ['a bare LF ending the header block', 'GET / HTTP/1.1\r\nHost: x\r\n\n'],
    ['an invalid header name', 'GET / HTTP/1.1\r\nHost: t\r\nHo st: x\r\n\r\n'],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'],
  ])('smuggling/garbage: %s gets 400 and the connection closes', async (_name, text) => {
    const raw = await exchange(server.port, [text]);
    const responses = parseResponses(raw);
    expect(responses.map((r) => r.status)).toEqual([400]);
    expect(responses[0].headers.connection).toBe('close');
    expect(raw).not.toMatch(/smuggled|nope/);
  });

  test('a 400 comes after the responses owed to earlier pipelined requests', async () => {
    const raw = await exchange(server.port, ['GET /delay?ms=30 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nX: \x01\r\n\r\n']);
    expect(parseResponses(raw).map((r) => r.status)).toEqual([200, 400]);
  });

  test('a header block over maxHeaderSize gets 431', async () => {
    const raw = await exchange(server.port, [`GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'b'.repeat(5000)}\r\n\r\n`]);
    expect(parseResponses(raw).map((r) => r.status)).toEqual([431]);
    const r = await fetch(`${base}/`, { headers: { 'X-Big': 'b'.repeat(5000) } });
    expect(r.status).toBe(431);
  });

  test('a body over maxBodySize gets 413, announced or chunked', async () => {
    const announced = await exchange(server.port, [`POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${3 << 20}\r\n\r\n`]);
    expect(parseResponses(announced).map((r) => r.status)).toEqual([413]);
    const r = await fetch(`${base}/echo`, { method: 'POST', body: Buffer.alloc(3 << 20) });
    expect(r.status).toBe(413);
    const chunk = `${(1 << 20).toString(16)}\r\n${'c'.repeat(1 << 20)}\r\n`;
    const chunked = await exchange(server.port, [`POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}${chunk}0\r\n\r\n`]);
    expect(parseResponses(chunked).map((r) => r.status)).toEqual([413]);
  });

  test('a handler that throws gets a 500 and the server keeps serving', async () => {
    const r = await fetch(`${base}/throw`);
    expect(r.status).toBe(500);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  test('HTTP/1.0 closes by default, stays open with Connection: keep-alive', async () => {
    const closed = await exchange(server.port, ['GET / HTTP/1.0\r\n\r\n']);
    expect(closed).toMatch(/Connection: close\r\n/);
    const socket = await open(server.port);
    const first = waitFor(socket, (s) => s.includes('Hello, World!'));
    socket.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(await first).toMatch(/Connection: keep-alive\r\n/);
    const end = readToEnd(socket);
    socket.write('GET / HTTP/1.0\r\n\r\n');
    expect(parseResponses(await end)).toHaveLength(1);
  });

  test('Connection: close is honoured: the server closes after answering', async () => {
    const raw = await exchange(server.port, ['GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: t\r\n\r\n']);
    expect(parseResponses(raw).map((r) => r.body)).toEqual(['Hello, World!']);
  });

  test('a client that sends FIN right after its requests still gets every answer, async ones too', async () => {
    const socket = await open(server.port);
    const text = readToEnd(socket, 5000);
    socket.end('GET /delay?ms=100 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(parseResponses(await text).map((r) => r.body)).toEqual(['delay 100', 'Hello, World!']);
  });

  test('500 concurrent keep-alive connections each make several requests', async () => {
    const sockets = await Promise.all(Array.from({ length: 500 }, () => open(server.port)));
    try {
      await sleep(50);
      expect(server.countConnections()).toBeGreaterThanOrEqual(500);
      for (let round = 0; round < 3; round++) {
        const replies = sockets.map((socket) => waitFor(socket, (s) => s.endsWith('Hello, World!'), 10_000));
        for (const socket of sockets) socket.write(`GET / HTTP/1.1\r\nHost: r${round}\r\n\r\n`);
        const texts = await Promise.all(replies);
        expect(texts.every((t) => parseResponses(t).length === 1)).toBe(true);
      }
      expect(server.countConnections()).toBeGreaterThanOrEqual(500);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  test('a large response to a client that reads slowly is throttled by the watermarks, not buffered whole', async () => {
    const size = 32 << 20;
    const socket = await open(server.port);
    socket.pause();
    socket.write(`GET /big?size=${size} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    await sleep(300);
    // Without backpressure the handler would have queued all 32 MiB by now; with it, it waits
    // once the kernel's socket buffers and the 1 MiB high watermark are full.
    expect(bigSent).toBeGreaterThan(0);
    expect(bigSent).toBeLessThan(16 << 20);
    let received = 0;
    const done = new Promise<void>((resolve) => socket.on('close', resolve));
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.resume();
    await done;
    expect(received).toBeGreaterThan(size);
  });
});

describe('timeouts', () => {
  let server: ListeningServer;
  beforeAll(async () => {
    server = await createServer((_req, res) => res.end('ok'), { headersTimeout: 300, keepAliveTimeout: 400 }).listen(ADDR);
  });
  afterAll(() => server.stop());

  test('slowloris: a header block trickling in is cut off at headersTimeout', async () => {
    const socket = await open(server.port);
    const started = Date.now();
    const closed = readToEnd(socket, 5000);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X'), 50);
    const text = await closed;
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(2000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });

  test('an idle keep-alive connection is closed after keepAliveTimeout, an active one is not', async () => {
    const socket = await open(server.port);
    const closed = readToEnd(socket, 5000);
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
      await sleep(150);
    }
    expect(socket.destroyed).toBe(false);
    const text = await closed;
    // The last request went out at ~450 ms; the idle clock starts from its response.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450 + 300 - 50);
    expect(parseResponses(text).map((r) => r.body)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});

describe('streamBody', () => {
  let server: ListeningServer;
  beforeAll(async () => {
    server = await createServer(
      async (req, res) => {
        const sizes: number[] = [];
        for await (const chunk of req) sizes.push(chunk.length);
        res.json({ chunks: sizes.length, total: sizes.reduce((a, b) => a + b, 0) });
      },
      { streamBody: true, maxBodySize: Infinity },
    ).listen(ADDR);
  });
  afterAll(() => server.stop());

  test('the handler starts before the body is complete and sees it arrive in pieces', async () => {
    const socket = await open(server.port);
    const reply = readToEnd(socket);
    socket.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    for (let i = 0; i < 5; i++) {
      socket.write('5\r\nabcde\r\n');
      await sleep(20);
    }
    socket.write('0\r\n\r\n');
    const [response] = parseResponses(await reply);
    expect(JSON.parse(response.body)).toEqual({ chunks: 5, total: 25 });
  });
});

describe('output backpressure on the core drained event', () => {
  let server: ListeningServer;
  /** How often the handler found res.write() returning false and waited in res.drain(). */
  let waits = 0;
  beforeAll(async () => {
    server = await createServer(
      async (req, res) => {
        const chunks = Number(req.query.get('chunks'));
        for (let i = 0; i < chunks; i++) {
          if (!res.write(Buffer.alloc(64 * 1024, i & 0xff))) {
            waits++;
            await res.drain();
          }
        }
        res.end();
      },
      // Small watermarks make a slow reader cross them many times within a few MiB.
      { writeHighWatermark: 256 * 1024, writeLowWatermark: 64 * 1024 },
    ).listen(ADDR);
  });
  afterAll(() => server.stop());

  test('a slow reader gets every byte of a streamed response, the writer waiting for drained each time', async () => {
    const chunks = 128;
    const socket = await open(server.port);
    const parts: Buffer[] = [];
    // Read one socket read at a time, 5 ms apart: far slower than the server can write.
    socket.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      socket.pause();
      setTimeout(() => socket.resume(), 5);
    });
    const closed = new Promise<void>((resolve) => socket.on('close', resolve));
    socket.write(`GET /?chunks=${chunks} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
    await closed;
    const [response] = parseResponses(Buffer.concat(parts).toString('latin1'));
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(chunks * 64 * 1024);
    for (let i = 0; i < chunks; i++) {
      const at = i * 64 * 1024;
      expect(response.body.charCodeAt(at)).toBe(i & 0xff);
      expect(response.body.charCodeAt(at + 64 * 1024 - 1)).toBe(i & 0xff);
    }
    // 8 MiB through a 256 KiB high watermark and the kernel's buffers: the writer had to wait.
    expect(waits).toBeGreaterThan(2);
  });
});

describe('streamBody backpressure', () => {
  let server: ListeningServer;
  let openGate: () => void = () => undefined;
  let gate = Promise.resolve();
  beforeAll(async () => {
    server = await createServer(
      async (req, res) => {
        await gate;
        const hash = createHash('sha256');
        let total = 0;
        for await (const chunk of req) {
          hash.update(chunk);
          total += chunk.length;
          // A consumer slower than the network.
          await new Promise((resolve) => setImmediate(resolve));
        }
        res.json({ total, sha256: hash.digest('hex') });
      },
      { streamBody: true, maxBodySize: Infinity },
    ).listen(ADDR);
  });
  afterAll(() => server.stop());

  test('a slow consumer of a large upload stops the server reading, and still gets every byte', async () => {
    gate = new Promise((resolve) => (openGate = resolve));
    const size = 64 << 20;
    const socket = await open(server.port);
    const reply = readToEnd(socket, 30_000);
    socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    const sent = createHash('sha256');
    let handed = 0;
    const upload = (async () => {
      for (let k = 0; handed < size; k++) {
        const chunk = Buffer.alloc(64 * 1024, k % 251);
        sent.update(chunk);
        handed += chunk.length;
        if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      }
    })();
    await sleep(800);
    // Without backpressure the server would have read (and kept) nearly all 64 MiB by now; with
    // it, the client is held back by the kernel's buffers once the server stops reading.
    const handedWhileBlocked = handed;
    expect(handedWhileBlocked).toBeLessThan(24 << 20);
    openGate();
    await upload;
    const [response] = parseResponses(await reply);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ total: size, sha256: sent.digest('hex') });
  }, 60_000);

  test('a handler that answers without reading the body keeps the connection usable', async () => {
    const local = await createServer((_req, res) => res.end('early'), { streamBody: true, maxBodySize: Infinity }).listen(ADDR);
    try {
      const socket = await open(local.port);
      const reply = readToEnd(socket, 10_000);
      const body = Buffer.alloc(4 << 20, 'x');
      socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
      socket.write('GET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n');
      expect(parseResponses(await reply).map((r) => r.body)).toEqual(['early', 'early']);
    } finally {
      await local.stop();
    }
  });
});

describe('bodyTimeout', () => {
  let server: ListeningServer;
  beforeAll(async () => {
    server = await createServer(async (req, res) => res.end(`got ${(await req.body()).length}`), {
      bodyTimeout: 300,
      headersTimeout: 5000,
    }).listen(ADDR);
  });
  afterAll(() => server.stop());

  test('a body trickling in slower than bodyTimeout gets 408 and the connection closes', async () => {
    const socket = await open(server.port);
    const started = Date.now();
    const closed = readToEnd(socket, 5000);
    socket.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n');
    // A byte every 50 ms keeps the connection busy but would take 50 s to finish.
    const trickle = setInterval(() => socket.writable && socket.write('b'), 50);
    const text = await closed;
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    const [response] = parseResponses(text);
    expect(response.status).toBe(408);
    expect(response.headers.connection).toBe('close');
  });

  test('time a streaming handler keeps the connection paused does not count against the client', async () => {
    let release: () => void = () => undefined;
    const gated = new Promise<void>((resolve) => (release = resolve));
    const local = await createServer(
      async (req, res) => {
        await gated;
        let total = 0;
        for await (const chunk of req) total += chunk.length;
        res.end(`got ${total}`);
      },
      { streamBody: true, bodyTimeout: 300 },
    ).listen(ADDR);
    try {
      const socket = await open(local.port);
      const reply = readToEnd(socket, 10_000);
      // Far more than the 256 KiB a streaming handler may leave unread: the server pauses.
      const size = 2 << 20;
      socket.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${size + 10}\r\nConnection: close\r\n\r\n`);
      socket.write(Buffer.alloc(size, 'u'));
      await sleep(700);
      release();
      // The last bytes come 200 ms later: 700 ms of pause plus these would exceed bodyTimeout.
      for (let i = 0; i < 2; i++) {
        await sleep(100);
        socket.write('vvvvv');
      }
      expect(parseResponses(await reply).map((r) => [r.status, r.body])).toEqual([[200, `got ${size + 10}`]]);
    } finally {
      await local.stop();
    }
  });

  test('a body that arrives in time is served, also in pieces', async () => {
    const raw = await exchange(server.port, ['POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nConnection: close\r\n\r\nab', 'cd', 'ef'], 50);
    expect(parseResponses(raw).map((r) => r.body)).toEqual(['got 6']);
  });
});

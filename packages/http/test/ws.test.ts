// WebSocket with the `ws` client from npm: echo, 16 MiB both ways, fragments, permessage-deflate,
// ping/pong, close codes, keep-alive and a slow consumer.
import WsClient from 'ws';
import { createServer, type ListeningServer, type WebSocket, WebSocketServer, type WebSocketOptions } from '../src';

interface Running {
  server: ListeningServer;
  wss: WebSocketServer;
  url: string;
  sockets: WebSocket[];
}

async function start(onOpen: (ws: WebSocket) => void, options: WebSocketOptions = {}, watermarks: { writeHighWatermark?: number; writeLowWatermark?: number } = {}): Promise<Running> {
  const wss = new WebSocketServer(options);
  const sockets: WebSocket[] = [];
  const http = createServer((_req, res) => res.end('plain'), watermarks);
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.push(ws);
    onOpen(ws);
  }));
  const server = await http.listen('tcp://127.0.0.1:0');
  return { server, wss, url: `ws://127.0.0.1:${server.port}/chat`, sockets };
}

function echo(ws: WebSocket): void {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
}

function connect(url: string, options: WsClient.ClientOptions = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const client = new WsClient(url, { perMessageDeflate: false, ...options });
    client.once('open', () => resolve(client));
    client.once('error', reject);
  });
}

function nextMessage(client: WsClient): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => client.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

function closed(client: WsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

let running: Running | undefined;
afterEach(async () => {
  await running?.server.stop();
  running = undefined;
});

test('echoes text and binary messages', async () => {
  running = await start(echo);
  const client = await connect(running.url);
  client.send('hello, wörld');
  const text = await nextMessage(client);
  expect([text.data.toString(), text.isBinary]).toEqual(['hello, wörld', false]);
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  client.send(bytes);
  const binary = await nextMessage(client);
  expect([binary.data.equals(bytes), binary.isBinary]).toEqual([true, true]);
  client.send('');
  expect((await nextMessage(client)).data.length).toBe(0);
  const done = closed(client);
  client.close(1000, 'bye');
  expect(await done).toEqual({ code: 1000, reason: '' });
});

test('16 MiB messages both ways', async () => {
  const size = 16 << 20;
  const big = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  let received: Buffer | undefined;
  running = await start((ws) => ws.on('message', (data) => {
    received = data;
    ws.send(data);
  }));
  const client = await connect(running.url);
  const reply = nextMessage(client);
  client.send(big);
  const { data } = await reply;
  expect(received?.length).toBe(size);
  expect(received?.equals(big)).toBe(true);
  expect(data.length).toBe(size);
  expect(data.equals(big)).toBe(true);
  client.close();
}, 30_000);

test('a message over maxPayload closes with 1009', async () => {
  running = await start(echo, { maxPayload: 1000 });
  const client = await connect(running.url);
  const done = closed(client);
  client.send(Buffer.alloc(1001));
  expect((await done).code).toBe(1009);
});

test('fragmented messages from the client are reassembled, also across fragments of the limit', async () => {
  running = await start(echo, { maxPayload: 10 });
  const client = await connect(running.url);
  client.send('hel', { fin: false });
  client.send('lo ', { fin: false });
  client.send('you');
  const { data, isBinary } = await nextMessage(client);
  expect([data.toString(), isBinary]).toEqual(['hello you', false]);
  const done = closed(client);
  client.send('123456', { fin: false });
  client.send('78901');
  expect((await done).code).toBe(1009);
});

test('the server sends fragmented messages', async () => {
  running = await start((ws) => ws.on('message', () => {
    ws.send('a', { fin: false });
    ws.send('b', { fin: false });
    ws.send('c');
  }));
  const client = await connect(running.url);
  client.send('go');
  expect((await nextMessage(client)).data.toString()).toBe('abc');
});

test('invalid UTF-8 in a text message closes with 1007', async () => {
  running = await start(echo);
  const client = await connect(running.url);
  const done = closed(client);
  // ws sends a Buffer as text when told so, without checking it.
  client.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
  expect((await done).code).toBe(1007);
});

test('permessage-deflate is negotiated and messages arrive intact both ways', async () => {
  let extensions = '';
  running = await start((ws) => {
    extensions = ws.extensions;
    echo(ws);
  }, { perMessageDeflate: { threshold: 0 } });
  const client = await connect(running.url, { perMessageDeflate: true });
  expect(client.extensions).toMatch(/^permessage-deflate/);
  expect(extensions).toMatch(/server_no_context_takeover; client_no_context_takeover/);
  for (const text of ['small', 'x'.repeat(100_000), JSON.stringify({ a: Array.from({ length: 5000 }, (_, i) => i) })]) {
    client.send(text);
    const { data, isBinary } = await nextMessage(client);
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe(text);
  }
  const random = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251));
  client.send(random);
  expect((await nextMessage(client)).data.equals(random)).toBe(true);
  client.close();
});

test('a compressed message inflating past maxPayload closes with 1009', async () => {
  running = await start(echo, { perMessageDeflate: true, maxPayload: 100_000 });
  const client = await connect(running.url, { perMessageDeflate: { threshold: 0 } });
  const done = closed(client);
  // 1 MB of zeros compresses to about 1 KB: the frame is small, the message is not.
  client.send(Buffer.alloc(1_000_000));
  expect((await done).code).toBe(1009);
});

test('without perMessageDeflate the offer is declined', async () => {
  running = await start(echo);
  const client = await connect(running.url, { perMessageDeflate: true });
  expect(client.extensions).toBe('');
  client.send('plain');
  expect((await nextMessage(client)).data.toString()).toBe('plain');
  client.close();
});

test('pings are answered, and the server pings', async () => {
  running = await start((ws) => {
    ws.on('ping', (data) => ws.send(`got ping ${data.toString()}`));
    ws.on('pong', (data) => ws.send(`got pong ${data.toString()}`));
  });
  const client = await connect(running.url);
  // The Pong and the message come in one read: both listeners go on first.
  const pong = new Promise<string>((resolve) => client.once('pong', (data: Buffer) => resolve(data.toString())));
  let message = nextMessage(client);
  client.ping('abc');
  expect(await pong).toBe('abc');
  expect((await message).data.toString()).toBe('got ping abc');
  const ping = new Promise<string>((resolve) => client.once('ping', (data: Buffer) => resolve(data.toString())));
  message = nextMessage(client);
  running.sockets[0].ping('xyz');
  expect(await ping).toBe('xyz');
  expect((await message).data.toString()).toBe('got pong xyz');
  client.close();
});

test('close codes and reasons travel both ways', async () => {
  const serverSaw: Array<[number, string]> = [];
  running = await start((ws) => {
    ws.on('close', (code, reason) => serverSaw.push([code, reason.toString()]));
    ws.on('message', (data) => {
      if (data.toString() === 'close me') ws.close(4000, 'as asked');
    });
  });
  const a = await connect(running.url);
  const aClosed = closed(a);
  a.close(4001, 'client reason');
  expect(await aClosed).toEqual({ code: 4001, reason: '' });
  const b = await connect(running.url);
  const bClosed = closed(b);
  b.send('close me');
  expect(await bClosed).toEqual({ code: 4000, reason: 'as asked' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(serverSaw.map(([code]) => code)).toEqual([4001, 4000]);
  expect(serverSaw[0][1]).toBe('client reason');
  expect(() => running?.sockets[0].close(1005)).toThrow(RangeError);
  expect(() => running?.sockets[0].close(1000, 'x'.repeat(124))).toThrow(RangeError);
});

test('a client that vanishes without a Close frame reports 1006', async () => {
  const codes: number[] = [];
  let resolveClose: () => void = () => undefined;
  const serverClosed = new Promise<void>((resolve) => (resolveClose = resolve));
  running = await start((ws) => ws.on('close', (code) => {
    codes.push(code);
    resolveClose();
  }));
  const client = await connect(running.url);
  client.terminate();
  await serverClosed;
  expect(codes).toEqual([1006]);
  expect(running.wss.clients.size).toBe(0);
});

test('keepAlive closes a client that stops answering pings', async () => {
  let resolveClose: (code: number) => void = () => undefined;
  const serverClosed = new Promise<number>((resolve) => (resolveClose = resolve));
  running = await start((ws) => ws.on('close', resolveClose), { keepAlive: 100 });
  const client = await connect(running.url, { autoPong: false });
  let pings = 0;
  client.on('ping', () => pings++);
  const started = Date.now();
  expect(await serverClosed).toBe(1006);
  expect(pings).toBeGreaterThanOrEqual(1);
  expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  // An answering client stays.
  const alive = await connect(running.url);
  await new Promise((resolve) => setTimeout(resolve, 450));
  expect(alive.readyState).toBe(WsClient.OPEN);
  alive.close();
});

test('a handshake with a bad version gets 426, a plain request still goes to the handler', async () => {
  running = await start(echo);
  const refused = new Promise<number>((resolve) => {
    const client = new WsClient(running?.url ?? '', { protocolVersion: 8 });
    client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    client.on('error', () => undefined);
  });
  expect(await refused).toBe(426);
  const res = await fetch(`http://127.0.0.1:${running.server.port}/`);
  expect(await res.text()).toBe('plain');
});

test('subprotocols: the chooser picks among the offered ones', async () => {
  const wss = new WebSocketServer({ handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false) });
  const http = createServer((_req, res) => res.end());
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
  wss.on('connection', (ws) => ws.send(`protocol ${ws.protocol}`));
  const server = await http.listen('tcp://127.0.0.1:0');
  running = { server, wss, url: `ws://127.0.0.1:${server.port}/`, sockets: [] };
  const client = new WsClient(running.url, ['chat.v1', 'chat.v2']);
  const { data } = await nextMessage(client);
  expect(data.toString()).toBe('protocol chat.v2');
  expect(client.protocol).toBe('chat.v2');
  client.close();
});

test('a client that does not read: the server stops at the high watermark and resumes on drain', async () => {
  const high = 256 * 1024;
  const chunk = Buffer.alloc(16 * 1024, 1);
  let sent = 0;
  let maxBuffered = 0;
  let drains = 0;
  // More than the loopback's socket buffers hold (several MiB each way with autotuning).
  const target = 64 << 20;
  running = await start((ws) => {
    const pump = (): void => {
      while (sent < target) {
        sent += chunk.length;
        const ok = ws.send(chunk);
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        if (!ok) return;
      }
    };
    ws.on('drain', () => {
      drains++;
      pump();
    });
    ws.on('message', pump);
  }, {}, { writeHighWatermark: high, writeLowWatermark: high / 4 });
  const client = await connect(running.url);
  // The client's socket stops reading: the kernel buffers fill, then the server's output.
  const raw = (client as unknown as { _socket: import('node:net').Socket })._socket;
  client.send('start');
  raw.pause();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sentWhilePaused = sent;
  expect(sentWhilePaused).toBeLessThan(target);
  // The watermark, plus what one batch can stage before the core counts it (its 1 MiB stage).
  expect(maxBuffered).toBeLessThanOrEqual(high + (1 << 20) + chunk.length);
  let received = 0;
  const all = new Promise<void>((resolve) => client.on('message', (data: Buffer) => {
    received += data.length;
    if (received === target) resolve();
  }));
  raw.resume();
  await all;
  expect(drains).toBeGreaterThan(0);
  expect(sent).toBe(target);
  client.close();
}, 20_000);

test('an echo to a client that does not read stays bounded: the core stops reading from it', async () => {
  const high = 256 * 1024;
  let maxBuffered = 0;
  let echoed = 0;
  running = await start((ws) => ws.on('message', (data) => {
    ws.send(data);
    echoed += data.length;
    maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
  }), {}, { writeHighWatermark: high, writeLowWatermark: high / 4 });
  const client = await connect(running.url);
  const raw = (client as unknown as { _socket: import('node:net').Socket })._socket;
  raw.pause();
  const chunk = Buffer.alloc(64 * 1024, 2);
  const total = 32 << 20;
  for (let i = 0; i < total / chunk.length; i++) client.send(chunk);
  await new Promise((resolve) => setTimeout(resolve, 700));
  // Far less than what was sent got echoed: the server stopped reading.
  expect(echoed).toBeLessThan(total / 2);
  // One read's worth of messages past the watermark at most.
  expect(maxBuffered).toBeLessThan(high + 256 * 1024);
  let received = 0;
  const all = new Promise<void>((resolve) => client.on('message', (data: Buffer) => {
    received += data.length;
    if (received === total) resolve();
  }));
  raw.resume();
  await all;
  expect(echoed).toBe(total);
  client.close();
}, 30_000);

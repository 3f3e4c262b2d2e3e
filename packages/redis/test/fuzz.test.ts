// Random and mutated RESP streams sent to a live server over TCP: the server never crashes,
// every connection gets either replies or a protocol error followed by a close, and other
// clients keep being served.
import net from 'node:net';
import Redis from 'ioredis';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog, resp } from './support/inproc';

let srv: RunningRedis;
let watcher: Redis;
beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  watcher = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
});
afterAll(async () => {
  watcher.disconnect();
  await srv.stop();
});

let seed = 987654321;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

const VALID = [
  resp('SET', 'fz', 'v'),
  resp('GET', 'fz'),
  resp('LPUSH', 'fl', 'a', 'b'),
  resp('HSET', 'fh', 'f', 'v'),
  resp('MULTI'),
  resp('EXEC'),
  resp('SUBSCRIBE', 'c'),
  resp('HELLO', '3'),
  Buffer.from('PING\r\n'),
  Buffer.from('ECHO "quoted \\x41"\r\n'),
];

function mutated(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 1 + rand(6); i++) parts.push(VALID[rand(VALID.length)]);
  const buf = Buffer.concat(parts);
  const kind = rand(4);
  if (kind === 0) for (let m = 0; m < 1 + rand(3); m++) buf[rand(buf.length)] = rand(256);
  if (kind === 1) return buf.subarray(0, rand(buf.length));
  if (kind === 2) return Buffer.concat([buf, Buffer.from(Array.from({ length: rand(40) }, () => rand(256)))]);
  return buf;
}

/** Sends `bytes` in random pieces and resolves with what came back once the server is quiet. */
function exchange(bytes: Buffer): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    // Without Nagle: a stream sent a byte at a time would otherwise wait for the server's
    // delayed ACK (40 ms on Linux) between pieces, longer than the quiet period below.
    const sock = net.connect({ port: srv.port, host: '127.0.0.1', noDelay: true });
    const chunks: Buffer[] = [];
    let closed = false;
    let timer: NodeJS.Timeout;
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ reply: Buffer.concat(chunks), closed });
    };
    // A protocol error must be followed by the close: wait for it (up to 2 s, for slow ASan
    // builds) instead of the quiet period, which the FIN may arrive after.
    let errorSeen = false;
    sock.on('data', (d) => {
      chunks.push(d);
      if (!errorSeen && Buffer.concat(chunks).includes('-ERR Protocol error: ')) {
        errorSeen = true;
        clearTimeout(timer);
        timer = setTimeout(finish, 2000);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('connect', async () => {
      let pos = 0;
      while (pos < bytes.length) {
        const n = 1 + rand(64);
        sock.write(bytes.subarray(pos, pos + n));
        pos += n;
        if (rand(4) === 0) await new Promise((r) => setImmediate(r));
      }
      if (!errorSeen) timer = setTimeout(finish, 30);
    });
  });
}

test('300 random and mutated streams: no crash, protocol errors close only their connection', async () => {
  let protocolErrors = 0;
  for (let round = 0; round < 300; round++) {
    const bytes = round % 3 === 0 ? Buffer.from(Array.from({ length: rand(200) }, () => rand(256))) : mutated();
    const { reply, closed } = await exchange(bytes);
    const text = reply.toString('latin1');
    if (text.includes('-ERR Protocol error: ')) {
      protocolErrors++;
      // The error is the last thing written, then the connection closes.
      expect(text).toMatch(/-ERR Protocol error: [^\r\n]+\r\n$/);
      expect(closed).toBe(true);
    }
    if (round % 25 === 0) expect(await watcher.ping()).toBe('PONG');
  }
  expect(protocolErrors).toBeGreaterThan(10);
  expect(await watcher.ping()).toBe('PONG');
  expect(srv.server.clients.size).toBeLessThanOrEqual(2);
});

test.each([
  ['*1\r\nx\r\n', "-ERR Protocol error: expected '$', got 'x'\r\n"],
  ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
  ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
  ['PING\r\nSET "a\r\n', '+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n'],
])('malformed %j gets the Redis error and a close', async (input, expected) => {
  const { reply, closed } = await exchange(Buffer.from(input));
  expect(reply.toString('latin1')).toBe(expected);
  expect(closed).toBe(true);
});

test('an inline request over 64 KB without a newline is refused', async () => {
  const { reply, closed } = await exchange(Buffer.alloc(70 * 1024, 'a'));
  expect(reply.toString()).toBe('-ERR Protocol error: too big inline request\r\n');
  expect(closed).toBe(true);
});

// Inputs that used to stall or endanger the server, in the string/bitmap/key families: each must
// be answered (with Redis's error where Redis refuses it), and the server must then answer PING
// on a second connection within 100 ms.
import { defaultConfig } from '../../src/config';
import { startRedis } from '../../src/listen';
import * as net from 'node:net';
import { RawClient, encode } from '../types/harness';

jest.setTimeout(60000);

let server: Awaited<ReturnType<typeof startRedis>>;
let client: RawClient;

beforeAll(async () => {
  const quiet = { warn: () => undefined, error: () => undefined };
  server = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  client = await RawClient.connect(server.port);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

async function expectAlive(): Promise<void> {
  const other = await RawClient.connect(server.port);
  const t0 = performance.now();
  const pong = await other.send(['PING']);
  const ms = performance.now() - t0;
  other.close();
  expect(pong.toString()).toBe('+PONG\r\n');
  expect(ms).toBeLessThan(100);
}

const text = (b: Buffer): string => b.toString('latin1');

it('10,240 APPENDs of 10 KB grow the value in place (seconds, not minutes)', async () => {
  await client.send(['DEL', 'big']);
  const chunk = Buffer.alloc(10240, 'x');
  const t0 = performance.now();
  const replies: Promise<Buffer>[] = [];
  for (let i = 0; i < 10240; i++) replies.push(client.send(['APPEND', 'big', chunk]));
  const last = await replies[replies.length - 1];
  const seconds = (performance.now() - t0) / 1000;
  expect(text(last)).toBe(`:${10240 * 10240}\r\n`);
  // Copying the whole value on every append took over 120 s; in place it is about 2 s here
  // (redis-server: 0.44 s). The bound leaves room for a loaded 2-core machine.
  expect(seconds).toBeLessThan(20);
  expect(text(await client.send(['STRLEN', 'big']))).toBe(':104857600\r\n');
  expect(text(await client.send(['GETRANGE', 'big', '-3', '-1']))).toBe('$3\r\nxxx\r\n');
  expect(text(await client.send(['OBJECT', 'ENCODING', 'big']))).toBe('$3\r\nraw\r\n');
  await client.send(['DEL', 'big']);
  await expectAlive();
});

it.each([
  [['SETRANGE', 'k', '536870911', 'ab'], '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n'],
  [['SETRANGE', 'k', '-1', 'ab'], '-ERR offset is out of range\r\n'],
  [['SETRANGE', 'k', '9223372036854775808', 'ab'], '-ERR value is not an integer or out of range\r\n'],
  [['SETBIT', 'k', '4294967296', '1'], '-ERR bit offset is not an integer or out of range\r\n'],
  [['SETBIT', 'k', '-9223372036854775808', '1'], '-ERR bit offset is not an integer or out of range\r\n'],
  [['BITFIELD', 'k', 'SET', 'i64', '#9223372036854775807', '1'], '-ERR bit offset is not an integer or out of range\r\n'],
  [['BITFIELD', 'k', 'SET', 'u8', '#4294967296', '1'], '-ERR bit offset is not an integer or out of range\r\n'],
  [['BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807', 'BIT'], ':0\r\n'],
  [['BITPOS', 'k', '0', '-9223372036854775808', '9223372036854775807', 'BIT'], ':-1\r\n'],
  [['GETRANGE', 'k', '-9223372036854775808', '9223372036854775807'], '$0\r\n\r\n'],
])('%j is refused or answered at once', async (args, want) => {
  await client.send(['SET', 'k', '']);
  expect(text(await client.send(args))).toBe(want);
  await expectAlive();
});

it('APPEND past proto-max-bulk-len is refused with Redis text', async () => {
  await client.send(['CONFIG', 'SET', 'proto-max-bulk-len', '1048576']);
  try {
    await client.send(['SET', 'k', Buffer.alloc(1048000)]);
    expect(text(await client.send(['APPEND', 'k', Buffer.alloc(1000)]))).toBe('-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
    expect(text(await client.send(['STRLEN', 'k']))).toBe(':1048000\r\n');
  } finally {
    await client.send(['CONFIG', 'SET', 'proto-max-bulk-len', '536870912']);
  }
  await expectAlive();
});

it('LCS of two 12,000-byte strings is refused (its table exceeds proto-max-bulk-len)', async () => {
  await client.send(['SET', 'a', Buffer.alloc(12000, 'a')]);
  await client.send(['SET', 'b', Buffer.alloc(12000, 'b')]);
  expect(text(await client.send(['LCS', 'a', 'b']))).toBe('-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n');
  await expectAlive();
});

/** Sends one command on a fresh connection and resolves with the first `bytes` bytes it gets back. */
function replyOfLength(args: string[], bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const sock = net.createConnection({ host: '127.0.0.1', port: server.port }, () => sock.write(encode(args)));
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= bytes) {
        sock.destroy();
        resolve(Buffer.concat(chunks));
      }
    });
    sock.on('error', reject);
  });
}

it('KEYS over 200,000 keys streams one reply, and a backtracking-prone pattern stays linear', async () => {
  await client.send(['FLUSHALL']);
  const batch: string[] = [];
  const pending: Promise<Buffer>[] = [];
  let expected = '*200000\r\n'.length;
  for (let i = 0; i < 200000; i++) {
    const key = `key:${'a'.repeat(30)}:${i}`;
    expected += `$${key.length}\r\n${key}\r\n`.length;
    batch.push(key, 'v');
    if (batch.length === 2000) pending.push(client.send(['MSET', ...batch.splice(0)]));
  }
  await Promise.all(pending);
  const t0 = performance.now();
  const all = await replyOfLength(['KEYS', '*'], expected);
  expect(all.length).toBe(expected);
  expect(all.subarray(0, 9).toString()).toBe('*200000\r\n');
  const some = await client.send(['KEYS', '*:1999?']);
  expect(some.subarray(0, 5).toString()).toBe('*10\r\n');
  // \`a*a*a*…b\` backtracked exponentially in a naive matcher; it matches nothing here.
  const none = await client.send(['KEYS', `${'a*'.repeat(30)}b`]);
  expect(none.toString()).toBe('*0\r\n');
  // redis-server takes about 1.8 s for the three on this machine; nevio about 1.7 s.
  expect(performance.now() - t0).toBeLessThan(10000);
  await expectAlive();
  await client.send(['FLUSHALL']);
});

it('SORT with extreme LIMITs and patterns over 100,000 elements answers at once', async () => {
  await client.send(['DEL', 'l']);
  const pending: Promise<Buffer>[] = [];
  for (let i = 0; i < 100000; i += 1000) {
    pending.push(client.send(['RPUSH', 'l', ...Array.from({ length: 1000 }, (_, j) => String(100000 - i - j))]));
  }
  await Promise.all(pending);
  const cases: [string[], string][] = [
    [['SORT', 'l', 'LIMIT', '0', '2'], '*2\r\n$1\r\n1\r\n$1\r\n2\r\n'],
    [['SORT', 'l', 'LIMIT', '9223372036854775807', '9223372036854775807'], '*0\r\n'],
    [['SORT', 'l', 'LIMIT', '-9223372036854775808', '1'], '*1\r\n$1\r\n1\r\n'],
    [['SORT', 'l', 'DESC', 'LIMIT', '0', '1'], '*1\r\n$6\r\n100000\r\n'],
    [['SORT', 'l', 'BY', 'nosort', 'LIMIT', '99999', '9223372036854775807'], '*1\r\n$1\r\n1\r\n'],
    [['SORT', 'l', 'BY', 'w_*', 'GET', 'x_*->f', 'LIMIT', '0', '1'], '*1\r\n$-1\r\n'],
    [['SORT', 'l', 'ALPHA', 'LIMIT', '0', '1'], '*1\r\n$1\r\n1\r\n'],
    [['SORT', 'l', 'LIMIT', '9223372036854775808', '1'], '-ERR value is not an integer or out of range\r\n'],
  ];
  const t0 = performance.now();
  for (const [args, want] of cases) expect(text(await client.send(args))).toBe(want);
  expect(performance.now() - t0).toBeLessThan(10000);
  await expectAlive();
});

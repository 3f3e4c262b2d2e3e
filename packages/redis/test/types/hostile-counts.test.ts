// The RANDMEMBER family's hostile counts: exact int64 range checks with Redis's errors, and
// huge negative counts streamed (the server stays up and answers PING on another connection
// within 100 ms, and the stream ends when its client goes).
import net from 'node:net';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RawClient, encode } from './harness';

let srv: RunningRedis;
let setup: RawClient;

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  setup = await RawClient.connect(srv.port);
  for (const cmd of [
    ['HSET', 'h', 'f', 'v'],
    ['SADD', 's', 'a', 'b'],
    ['ZADD', 'z', '1', 'a'],
    ['RPUSH', 'l', 'x'],
  ]) await setup.send(cmd);
});

afterAll(async () => {
  setup.close();
  await srv.stop();
});

/** Sends `cmd` on a fresh socket that never reads, then closes it after `holdMs`. */
async function fireAndHold(cmd: string[], holdMs: number): Promise<void> {
  const s = net.createConnection({ host: '127.0.0.1', port: srv.port });
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  s.pause();
  s.write(encode(cmd));
  await new Promise((r) => setTimeout(r, holdMs));
  s.destroy();
}

async function pingMs(): Promise<number> {
  const c = await RawClient.connect(srv.port);
  const t0 = performance.now();
  const reply = await c.send(['PING']);
  const ms = performance.now() - t0;
  c.close();
  expect(reply.toString()).toBe('+PONG\r\n');
  return ms;
}

test.each([
  ['SRANDMEMBER', 's', '-9223372036854775808', null, '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n'],
  ['HRANDFIELD', 'h', '-9223372036854775808', null, '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n'],
  ['HRANDFIELD', 'h', '-9223372036854770000', 'WITHVALUES', '-ERR value is out of range\r\n'],
  ['HRANDFIELD', 'h', '9223372036854775807', 'WITHVALUES', '-ERR value is out of range\r\n'],
  ['HRANDFIELD', 'h', '1', 'nope', '-ERR syntax error\r\n'],
  ['ZRANDMEMBER', 'z', '-9223372036854775808', null, '-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n'],
  ['ZRANDMEMBER', 'z', '-9223372036854770000', 'WITHSCORES', '-ERR value is out of range\r\n'],
  ['ZRANDMEMBER', 'z', '1', 'nope', '-ERR syntax error\r\n'],
  ['SRANDMEMBER', 's', 'x', null, '-ERR value is not an integer or out of range\r\n'],
])('%s %s %s %s is refused like Redis', async (cmd, key, count, extra, expected) => {
  const argv = extra === null ? [cmd, key, count] : [cmd, key, count, extra];
  expect((await setup.send(argv)).toString()).toBe(expected);
});

test.each([
  [['HRANDFIELD', 'h', '-9223372036854775807']],
  [['HRANDFIELD', 'h', '-4611686018427387903', 'WITHVALUES']],
  [['SRANDMEMBER', 's', '-9223372036854775807']],
  [['ZRANDMEMBER', 'z', '-4611686018427387903', 'WITHSCORES']],
])('%j streams: PING elsewhere within 100 ms, the server survives the client leaving', async (cmd) => {
  const held = fireAndHold(cmd, 300);
  await new Promise((r) => setTimeout(r, 50));
  expect(await pingMs()).toBeLessThan(100);
  await held;
  await new Promise((r) => setTimeout(r, 50));
  expect(await pingMs()).toBeLessThan(100);
  // The streaming client is freed once the reactor reports its close (the stream ends with it).
  const until = Date.now() + 2000;
  while (srv.server.clients.size > 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(srv.server.clients.size).toBe(1);
});

test('a large negative count is complete and in order with later pipelined commands', async () => {
  const c = await RawClient.connect(srv.port);
  const n = 5000;
  const replies = await Promise.all([c.send(['SRANDMEMBER', 's', String(-n)]), c.send(['PING'])]);
  const head = replies[0].toString('latin1');
  expect(head.startsWith(`*${n}\r\n`)).toBe(true);
  expect(head.split('\r\n').filter((l) => l === 'a' || l === 'b')).toHaveLength(n);
  expect(replies[1].toString()).toBe('+PONG\r\n');
  c.close();
});

test('ZRANDMEMBER WITHSCORES pairs members with scores (RESP2 flat)', async () => {
  expect((await setup.send(['ZRANDMEMBER', 'z', '-2', 'WITHSCORES'])).toString()).toBe('*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n');
  expect((await setup.send(['ZRANDMEMBER', 'z', '5'])).toString()).toBe('*1\r\n$1\r\na\r\n');
  expect((await setup.send(['ZRANDMEMBER', 'nokey'])).toString()).toBe('$-1\r\n');
});

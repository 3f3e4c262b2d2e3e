// DUMP/RESTORE against redis-server: nevio's payloads restore in redis-server with the same
// contents, redis-server's payloads (hash tables, skiplists, quicklists, strings, integer and
// LZF-compressed ones included) restore in nevio, and RESTORE's errors and options answer as
// Redis's do. Byte-identical payloads are test/rdb/dump-diff.test.ts's.
import Redis from 'ioredis';
import { crc64 } from '../../src/crc64';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RealRedis } from '../types/harness';

let nevio: RunningRedis;
let real: RealRedis;
let ours: Redis;
let theirs: Redis;

beforeAll(async () => {
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  real = await RealRedis.start();
  ours = new Redis({ port: nevio.port, host: '127.0.0.1' });
  theirs = new Redis({ port: real.port, host: '127.0.0.1' });
}, 30000);

afterAll(async () => {
  ours.disconnect();
  theirs.disconnect();
  await nevio.stop();
  await real.stop();
});

const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);

/** Fills `c` with one key of each type (big collections: redis-server dumps them as plain types). */
async function fill(c: Redis, big: boolean): Promise<void> {
  const n = big ? 600 : 3;
  await c.flushall();
  await c.set('str', 'hello');
  await c.set('int', '12345');
  await c.set('neg', '-7');
  await c.set('long', 'a'.repeat(1000) + 'b'.repeat(500));
  await c.set('bin', bin);
  await c.hset('hash', ...Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]).flat(), 'bin', bin);
  await c.sadd('set', ...Array.from({ length: n }, (_, i) => `m${i}`), bin);
  await c.zadd('zset', ...Array.from({ length: big ? 200 : 3 }, (_, i) => [String(i * 1.5 - 10), `z${i}`]).flat(), 'inf', 'top');
  await c.rpush('list', 'a', 'b', bin, ...Array.from({ length: big ? 600 : 0 }, (_, i) => `e${i}`));
}

/** Everything a key holds, in a comparable form. */
async function contents(c: Redis, key: string): Promise<unknown> {
  const type = await c.type(key);
  if (type === 'string') return c.getBuffer(key);
  if (type === 'hash') return Object.entries(await c.hgetallBuffer(key)).sort();
  if (type === 'set') return (await c.smembersBuffer(key)).map((b) => b.toString('hex')).sort();
  if (type === 'zset') return c.zrange(key, 0, -1, 'WITHSCORES');
  if (type === 'list') return c.lrangeBuffer(key, 0, -1);
  return type;
}

const KEYS = ['str', 'int', 'neg', 'long', 'bin', 'hash', 'set', 'zset', 'list'];

test("nevio's payloads restore in redis-server with the same contents", async () => {
  await fill(ours, false);
  await theirs.flushall();
  for (const key of KEYS) {
    const payload = await ours.dumpBuffer(key);
    expect(await theirs.restore(key, 0, payload)).toBe('OK');
    expect(await contents(theirs, key)).toEqual(await contents(ours, key));
  }
});

test("redis-server's payloads restore in nevio", async () => {
  await fill(theirs, true);
  await ours.flushall();
  for (const key of KEYS) {
    const payload = await theirs.dumpBuffer(key);
    expect(await ours.restore(key, 0, payload)).toBe('OK');
    expect(await contents(ours, key)).toEqual(await contents(theirs, key));
    expect(await ours.object('ENCODING', key)).toBe(await theirs.object('ENCODING', key));
  }
});

test('RESTORE answers errors and options as redis-server does', async () => {
  for (const c of [ours, theirs]) await fill(c, false);
  const payload = await ours.dumpBuffer('str');
  const corrupt = Buffer.from(payload);
  corrupt[1] ^= 1;
  // A truncated object with a valid footer.
  const object = payload.subarray(0, 3);
  const footer = Buffer.alloc(10);
  footer.writeUInt16LE(payload.readUInt16LE(payload.length - 10));
  footer.writeBigUInt64LE(crc64(Buffer.concat([object, footer.subarray(0, 2)])), 2);
  const truncated = Buffer.concat([object, footer]);
  const cases: (string | Buffer)[][] = [
    ['restore', 'str', '0', payload],
    ['restore', 'new', '-1', payload],
    ['restore', 'new', 'x', payload],
    ['restore', 'new', '0', corrupt],
    ['restore', 'new', '0', 'short'],
    ['restore', 'new', '0', payload, 'idletime', '-1'],
    ['restore', 'new', '0', payload, 'freq', '256'],
    ['restore', 'new', '0', payload, 'idletime', '1', 'freq', '1'],
    ['restore', 'new', '0', payload, 'bogus'],
    ['restore', 'str', '0', payload, 'replace'],
    ['restore', 'past', '1', payload, 'absttl'],
    ['restore', 'str', '1', payload, 'absttl', 'replace'],
  ];
  for (const args of cases) {
    const answer = async (c: Redis) => c.callBuffer(String(args[0]), ...args.slice(1)).then(String, (e: Error) => `error: ${e.message}`);
    expect([args.map(String).slice(0, 3).join(' '), await answer(ours)]).toEqual([args.map(String).slice(0, 3).join(' '), await answer(theirs)]);
  }
  // redis-server reads on into the footer (here it restores garbage); nevio stops at the object.
  await expect(ours.restore('cut', 0, truncated)).rejects.toThrow('Bad data format');
  expect(await ours.exists('str', 'past', 'cut')).toBe(0);
  await ours.restore('ttl', 100000, payload);
  expect(await ours.pttl('ttl')).toBeGreaterThan(90000);
  await ours.restore('idle', 0, payload, 'IDLETIME', 1000);
  expect(await ours.object('IDLETIME', 'idle')).toBeGreaterThanOrEqual(1000);
});

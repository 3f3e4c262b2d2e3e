// dump.rdb both ways with redis-server 7.0.15 and redis-check-rdb: redis-server saves a dataset
// with every type and encoding (small and large, int sets, expiries, several databases) and
// nevio loads it with the same contents (DEBUG DIGEST of the whole dataset, per-key
// DEBUG DIGEST-VALUE and TTLs); nevio saves the same dataset and redis-server loads it with the
// same digest, after redis-check-rdb accepted the file. Also Redis's own test files of the older
// encodings (zipmap, ziplist, quicklist v1, …).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRdb, removeDir, startNevio, startRedisServer, tempDir, type TestServer } from './servers';

const ASSETS = '/work/shared/redis-tests/tests/assets';
const range = (n: number, f: (i: number) => string | number): string[] => Array.from({ length: n }, (_, i) => String(f(i)));

type Cmd = (string | number)[];

/** Every type and encoding, over databases 0, 3 and 15, some keys with a TTL. */
const DATASET: Cmd[] = [
  ['select', 0],
  ['set', 'str:int', '12345'],
  ['set', 'str:big', '98765432109876'],
  ['set', 'str:text', 'hello world'],
  ['set', 'str:long', 'lorem ipsum '.repeat(100)],
  ['set', 'str:ttl', 'soon', 'px', 3_600_000],
  ['rpush', 'list:small', 'a', 'b', '3', '-4'],
  ['rpush', 'list:big', ...range(5000, (i) => `item${i}`)],
  ['sadd', 'set:intset', '1', '2', '3', '99999999999'],
  ['sadd', 'set:strings', 'x', 'y', 'z'],
  ['sadd', 'set:big', ...range(1000, (i) => i)],
  ['hset', 'hash:small', 'a', '1', 'b', 'two'],
  ['hset', 'hash:big', ...range(2000, (i) => `f${i}`)],
  ['hset', 'hash:longvalue', 'f', 'v'.repeat(200)],
  ['zadd', 'zset:small', '1', 'one', '2.5', 'two-and-a-half', '-1', 'minus'],
  ['zadd', 'zset:big', ...range(600, (i) => (i % 2 === 0 ? i / 7 : `member${i}`))],
  ['pfadd', 'hll', 'a', 'b', 'c'],
  ['expire', 'hash:small', 7200],
  ['select', 3],
  ['set', 'db3:key', 'in db 3'],
  ['rpush', 'db3:list', 'x'],
  ['pexpire', 'db3:list', 9_000_000],
  ['select', 15],
  ['zadd', 'db15:z', '5', 'five'],
  ['select', 0],
];

const dirs: string[] = [];
const servers: TestServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

function dir(tag: string): string {
  const d = tempDir(tag);
  dirs.push(d);
  return d;
}

async function fill(s: TestServer, cmds: Cmd[]): Promise<void> {
  for (const c of cmds) await s.client.call(String(c[0]), ...c.slice(1));
}

/** Per database: every key with its type, digest and rounded TTL. */
async function snapshot(s: TestServer): Promise<Record<string, [string, unknown, number]>> {
  const out: Record<string, [string, unknown, number]> = {};
  for (const db of [0, 3, 15]) {
    await s.client.select(db);
    for (const key of await s.client.keys('*')) {
      const ttl = await s.client.pttl(key);
      out[`${db}/${key}`] = [await s.client.type(key), await s.client.call('debug', 'digest-value', key), ttl < 0 ? ttl : Math.round(ttl / 60000)];
    }
  }
  await s.client.select(0);
  return out;
}

test('redis-server dump.rdb loads into nevio with identical contents', async () => {
  const d = dir('from-redis');
  const redis = await startRedisServer(d);
  servers.push(redis);
  await fill(redis, DATASET);
  await redis.client.call('xadd', 'stream', '1-1', 'f', 'v');
  await redis.client.call('xgroup', 'create', 'stream', 'g', '0');
  await redis.client.call('xreadgroup', 'group', 'g', 'c', 'count', 1, 'streams', 'stream', '>');
  expect(await redis.client.save()).toBe('OK');
  const want = await snapshot(redis);
  const digest = await redis.client.call('debug', 'digest');
  const nevio = await startNevio(d);
  servers.push(nevio);
  expect(await snapshot(nevio)).toEqual(want);
  expect(await nevio.client.call('debug', 'digest')).toBe(digest);
  expect(await nevio.client.call('xinfo', 'groups', 'stream')).toEqual(await redis.client.call('xinfo', 'groups', 'stream'));
});

test('nevio dump.rdb passes redis-check-rdb and loads into redis-server with identical contents', async () => {
  const d = dir('from-nevio');
  const nevio = await startNevio(d);
  servers.push(nevio);
  await fill(nevio, DATASET);
  await nevio.client.call('function', 'load', "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)");
  expect(await nevio.client.save()).toBe('OK');
  const want = await snapshot(nevio);
  const digest = await nevio.client.call('debug', 'digest');
  const file = join(d, 'dump.rdb');
  const check = checkRdb(file);
  expect(check.output).toContain('RDB looks OK');
  expect(check.status).toBe(0);
  const redis = await startRedisServer(d);
  servers.push(redis);
  expect(await snapshot(redis)).toEqual(want);
  expect(await redis.client.call('debug', 'digest')).toBe(digest);
  expect(await redis.client.call('fcall', 'f1', 0)).toBe(1);
});

test('nevio reads back its own file after a restart, with rdbchecksum no and rdbcompression no', async () => {
  const d = dir('self');
  const first = await startNevio(d, { rdbchecksum: false, rdbcompression: false });
  await fill(first, DATASET);
  const want = await snapshot(first);
  await first.client.save();
  await first.stop();
  const file = readFileSync(join(d, 'dump.rdb'));
  expect(file.subarray(file.length - 8).equals(Buffer.alloc(8))).toBe(true);
  const second = await startNevio(d);
  servers.push(second);
  expect(await snapshot(second)).toEqual(want);
});

test('DEBUG RELOAD round-trips through dump.rdb', async () => {
  const d = dir('reload');
  const nevio = await startNevio(d);
  servers.push(nevio);
  await fill(nevio, DATASET);
  const want = await snapshot(nevio);
  expect(await nevio.client.call('debug', 'reload')).toBe('OK');
  expect(existsSync(join(d, 'dump.rdb'))).toBe(true);
  expect(await snapshot(nevio)).toEqual(want);
  // NOSAVE loads the file as it is: a key set since is gone.
  await nevio.client.set('later', '1');
  expect(await nevio.client.call('debug', 'reload', 'nosave')).toBe('OK');
  expect(await nevio.client.exists('later')).toBe(0);
});

test('a damaged dump.rdb stops nevio from starting', async () => {
  const d = dir('bad');
  const nevio = await startNevio(d);
  await nevio.client.set('k', 'v');
  await nevio.client.save();
  await nevio.stop();
  const file = join(d, 'dump.rdb');
  const data = readFileSync(file);
  data[data.length - 12] ^= 0xff;
  writeFileSync(file, data);
  await expect(startNevio(d)).rejects.toThrow(/Fatal error loading the DB/);
});

describe("Redis's test files of the older encodings load as redis-server loads them", () => {
  const FILES = ['encodings.rdb', 'hash-zipmap.rdb', 'hash-ziplist.rdb', 'list-quicklist.rdb', 'zset-ziplist.rdb', 'scriptbackup.rdb'];
  test.each(FILES)('%s', async (name) => {
    const dRedis = dir('asset-redis');
    const dNevio = dir('asset-nevio');
    copyFileSync(join(ASSETS, name), join(dRedis, 'dump.rdb'));
    copyFileSync(join(ASSETS, name), join(dNevio, 'dump.rdb'));
    const redis = await startRedisServer(dRedis);
    servers.push(redis);
    const nevio = await startNevio(dNevio);
    servers.push(nevio);
    expect(await nevio.client.call('debug', 'digest')).toBe(await redis.client.call('debug', 'digest'));
    for (const key of await redis.client.keys('*')) {
      expect([key, await nevio.client.call('object', 'encoding', key)]).toEqual([key, await redis.client.call('object', 'encoding', key)]);
    }
  });
});

// DUMP payloads against redis-server 7.0.15: the same commands build the same value on both,
// and DUMP must answer the same bytes for every value whose encoding has a defined order
// (strings, listpacks, intsets, quicklists, skiplist sorted sets). Hash-table sets and hashes
// are written in dict order by Redis, so those are compared by restoring each side's payload
// on the other server. Each case also restores redis-server's payload into nevio.
import { removeDir, startNevio, startRedisServer, tempDir, type TestServer } from './servers';

let redis: TestServer;
let nevio: TestServer;
const dirs: string[] = [];

beforeAll(async () => {
  dirs.push(tempDir('dump-redis'), tempDir('dump-nevio'));
  redis = await startRedisServer(dirs[0]);
  nevio = await startNevio(dirs[1]);
});

afterAll(async () => {
  await redis?.stop();
  await nevio?.stop();
  for (const d of dirs) removeDir(d);
});

type Cmd = (string | Buffer | number)[];

async function both(cmd: Cmd): Promise<void> {
  await redis.client.callBuffer(String(cmd[0]), ...cmd.slice(1));
  await nevio.client.callBuffer(String(cmd[0]), ...cmd.slice(1));
}

async function dumpOf(s: TestServer, key: string): Promise<Buffer> {
  return (await s.client.dumpBuffer(key)) as Buffer;
}

/** Deterministic bytes: no two runs differ, and the values are incompressible or not as meant. */
function pseudoRandom(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const range = (n: number, f: (i: number) => string | number): string[] => Array.from({ length: n }, (_, i) => String(f(i)));

/** Value recipes: a name and the commands that build key `k`. */
const IDENTICAL: [string, Cmd[]][] = [
  ['small int string', [['set', 'k', '123']]],
  ['negative int string', [['set', 'k', '-32768']]],
  ['int32 string', [['set', 'k', '2147483647']]],
  ['int64 string (plain)', [['set', 'k', '9223372036854775807']]],
  ['non-canonical number', [['set', 'k', '0123']]],
  ['short text', [['set', 'k', 'hello']]],
  ['empty string', [['set', 'k', '']]],
  ['compressible string', [['set', 'k', 'abc'.repeat(200)]]],
  ['barely compressible string', [['set', 'k', `${'x'.repeat(21)}`]]],
  ['incompressible string', [['set', 'k', pseudoRandom(300, 7)]]],
  ['mixed string', [['set', 'k', Buffer.concat([pseudoRandom(50, 3), Buffer.from('y'.repeat(100)), pseudoRandom(50, 4)])]]],
  ['long text string', [['set', 'k', range(2000, (i) => `word${i % 37} `).join('')]]],
  ['appended string', [['set', 'k', 'ab'], ['append', 'k', 'cd'.repeat(30)]]],
  ['incr string', [['set', 'k', '41'], ['incr', 'k']]],
  ['small list', [['rpush', 'k', 'a', 'b', '1', '-1', '100000', 'c'.repeat(70)]]],
  ['integers list', [['rpush', 'k', ...range(200, (i) => i * 7919 - 500000)]]],
  ['long list (several nodes)', [['rpush', 'k', ...range(3000, (i) => `element-${i}`)]]],
  ['big elements list', [['rpush', 'k', ...range(20, (i) => `${i}`.padEnd(3000, 'z'))]]],
  ['list, one huge element', [['rpush', 'k', 'q'.repeat(9000), 'small']]],
  ['int16 intset', [['sadd', 'k', '1', '2', '3', '-7', '32767']]],
  ['int32 intset', [['sadd', 'k', '1', '70000', '-70000']]],
  ['int64 intset', [['sadd', 'k', '1', '9223372036854775807', '-9223372036854775808']]],
  ['big intset', [['sadd', 'k', ...range(500, (i) => i * 3)]]],
  ['small hash', [['hset', 'k', 'f1', 'v1', 'n', '12', 'neg', '-5000', 'big', '9223372036854775807', 'e', '']]],
  ['hash, fields in insertion order', [['hset', 'k', 'z', '1', 'a', '2', 'm', '3'], ['hdel', 'k', 'a'], ['hset', 'k', 'b', '4']]],
  ['hash of 100 fields', [['hset', 'k', ...range(200, (i) => (i % 2 === 0 ? `field:${i}` : `value:${i * 31}`))]]],
  ['small zset', [['zadd', 'k', '1', 'a', '2.5', 'b', '-3', 'c', '0', 'd', '1e100', 'e', '-inf', 'f', 'inf', 'g', '0.1', 'h']]],
  ['zset, big integer scores', [['zadd', 'k', '4611686018427387904', 'a', '4611686018427387905', 'b', '-4611686018427387904', 'c', '123456789012', 'd']]],
  ['zset of 100 members', [['zadd', 'k', ...range(200, (i) => (i % 2 === 0 ? i / 3 : `member-${i}`))]]],
  ['skiplist zset', [['zadd', 'k', ...range(400, (i) => (i % 2 === 0 ? (i * 1.5) % 97 : `m${i}`))]]],
  ['skiplist zset (long member)', [['zadd', 'k', '1', 'a', '2', 'b'.repeat(100)]]],
];

describe('DUMP is byte-identical to redis-server 7.0.15', () => {
  test.each(IDENTICAL)('%s', async (_name, cmds) => {
    await both(['del', 'k']);
    for (const c of cmds) await both(c);
    const want = await dumpOf(redis, 'k');
    const got = await dumpOf(nevio, 'k');
    expect(got.toString('hex')).toBe(want.toString('hex'));
    // redis-server's payload restores into nevio, and dumps back the same.
    await nevio.client.restore('k2', 0, want, 'REPLACE');
    expect((await dumpOf(nevio, 'k2')).toString('hex')).toBe(want.toString('hex'));
  });

  test('rdbcompression no writes strings uncompressed, as redis-server', async () => {
    await both(['config', 'set', 'rdbcompression', 'no']);
    try {
      await both(['set', 'k', 'abc'.repeat(200)]);
      await both(['hset', 'h', ...range(40, (i) => `same-same-same-${i % 2}`)]);
      for (const key of ['k', 'h']) expect((await dumpOf(nevio, key)).toString('hex')).toBe((await dumpOf(redis, key)).toString('hex'));
    } finally {
      await both(['config', 'set', 'rdbcompression', 'yes']);
    }
  });

  test('list-max-listpack-size shapes the quicklist nodes as in redis-server', async () => {
    for (const size of ['5', '-1', '-3']) {
      await both(['config', 'set', 'list-max-listpack-size', size]);
      await both(['del', 'k']);
      await both(['rpush', 'k', ...range(300, (i) => `e${i}`.repeat(1 + (i % 9)))]);
      expect((await dumpOf(nevio, 'k')).toString('hex')).toBe((await dumpOf(redis, 'k')).toString('hex'));
    }
    await both(['config', 'set', 'list-max-listpack-size', '-2']);
  });
});

describe('hash-table values cross over', () => {
  const CASES: [string, Cmd[], Cmd][] = [
    ['hashtable set', [['sadd', 'k', ...range(50, (i) => `m${i}`)]], ['smembers', 'k']],
    ['big hashtable set', [['sadd', 'k', ...range(2000, (i) => `m${i}`)]], ['smembers', 'k']],
    ['hashtable hash (long value)', [['hset', 'k', 'a', 'x'.repeat(100), 'b', '2']], ['hgetall', 'k']],
    ['big hashtable hash', [['hset', 'k', ...range(2000, (i) => `f${i}`)]], ['hgetall', 'k']],
  ];
  const sorted = (v: unknown): string[] => (Array.isArray(v) ? v.map(String).sort() : []);
  test.each(CASES)('%s', async (_name, cmds, read) => {
    await both(['del', 'k', 'k2']);
    for (const c of cmds) await both(c);
    const fromRedis = await dumpOf(redis, 'k');
    const fromNevio = await dumpOf(nevio, 'k');
    await nevio.client.restore('k2', 0, fromRedis);
    await redis.client.restore('k2', 0, fromNevio);
    const want = sorted(await redis.client.call(String(read[0]), 'k'));
    expect(sorted(await nevio.client.call(String(read[0]), 'k2'))).toEqual(want);
    expect(sorted(await redis.client.call(String(read[0]), 'k2'))).toEqual(want);
    expect(await nevio.client.call('object', 'encoding', 'k2')).toBe(await redis.client.call('object', 'encoding', 'k2'));
  });
});

describe('nevio payloads restore into redis-server', () => {
  test.each(IDENTICAL)('%s', async (_name, cmds) => {
    await both(['del', 'k', 'k2']);
    for (const c of cmds) await both(c);
    await redis.client.restore('k2', 0, await dumpOf(nevio, 'k'));
    expect(await redis.client.call('debug', 'digest-value', 'k2')).toEqual(await redis.client.call('debug', 'digest-value', 'k'));
  });
});

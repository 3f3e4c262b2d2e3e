// The multi-part AOF against Debian's redis-server 7.0.15 and redis-check-aof: an appendonlydir
// written by redis-server loads into nevio-redis with the same DEBUG DIGEST, and one written by
// nevio-redis passes redis-check-aof and loads into redis-server with the same digest, with the
// base as RDB (aof-use-rdb-preamble yes) and as AOF (no). Also: a rewrite under a stream of
// INCRs keeps every acknowledged increment across a restart (the base is the point in time the
// new incr file starts from, so nothing is counted twice or lost).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { removeDir, startNevio, startRedisServer, tempDir, type TestServer } from './rdb/servers';

const LIBRARY = "#!lua name=interop\nredis.register_function('answer', function() return 42 end)";

/** Every type, expiries, a second database and a library. */
async function fill(c: Redis): Promise<void> {
  await c.set('str', 'hello');
  await c.set('int', '12345');
  await c.set('ttl', 'soon', 'PX', 5_000_000);
  await c.rpush('list', 'a', 'b', '3', 'dddddddddddddddddddddddddddddddddddddddd');
  await c.sadd('intset', '1', '2', '300000');
  await c.sadd('set', 'x', 'y', 'z');
  await c.hset('hash', 'f1', 'v1', 'f2', '2');
  await c.zadd('zset', '1', 'one', '2.5', 'two', '-3', 'three');
  await c.xadd('stream', '1-1', 'k', 'v');
  await c.xadd('stream', '2-1', 'k2', 'v2');
  await c.xgroup('CREATE', 'stream', 'g1', '0');
  await c.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await c.pfadd('hll', 'a', 'b', 'c');
  await c.call('FUNCTION', 'LOAD', LIBRARY);
  await c.select(3);
  await c.set('in3', 'three', 'PX', 9_000_000);
  await c.select(0);
}

async function digest(c: Redis): Promise<string> {
  return String(await c.call('DEBUG', 'DIGEST'));
}

async function waitRewrite(c: Redis): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = String(await c.info('persistence'));
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the rewrite did not end');
}

/** Writes the data, rewrites (the base), writes more (the incr file), then stops the server. */
async function writeAof(server: TestServer): Promise<string> {
  const c = server.client;
  await fill(c);
  await c.bgrewriteaof();
  await waitRewrite(c);
  await c.set('after-rewrite', 'incr');
  await c.incr('int');
  await c.lpush('list', 'front');
  const d = await digest(c);
  await server.stop();
  return d;
}

describe.each(['yes', 'no'])('aof-use-rdb-preamble %s', (preamble) => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('aof');
  });
  afterEach(() => removeDir(dir));

  test('an appendonlydir written by redis-server loads into nevio-redis with the same digest', async () => {
    const redis = await startRedisServer(dir, ['--appendonly', 'yes', '--appendfsync', 'always', '--aof-use-rdb-preamble', preamble]);
    const expected = await writeAof(redis);
    const manifest = fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
    expect(manifest).toContain(`appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'}`);
    const nevio = await startNevio(dir, { appendonly: true });
    try {
      expect(await digest(nevio.client)).toBe(expected);
      expect(await nevio.client.fcall('answer', 0)).toBe(42);
      expect(await nevio.client.pttl('ttl')).toBeGreaterThan(4_000_000);
    } finally {
      await nevio.stop();
    }
  });

  test('an appendonlydir written by nevio-redis passes redis-check-aof and loads into redis-server with the same digest', async () => {
    const nevio = await startNevio(dir, { appendonly: true, appendfsync: 'always' });
    await nevio.client.config('SET', 'aof-use-rdb-preamble', preamble);
    const expected = await writeAof(nevio);
    const aofDir = path.join(dir, 'appendonlydir');
    expect(fs.readFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toBe(
      `file appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`,
    );
    const check = spawnSync('redis-check-aof', [path.join(aofDir, 'appendonly.aof.manifest')], { encoding: 'utf8' });
    expect(check.stdout).toMatch(/is valid/);
    expect(check.status).toBe(0);
    const redis = await startRedisServer(dir, ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble]);
    try {
      expect(await digest(redis.client)).toBe(expected);
    } finally {
      await redis.stop();
    }
  });
});

test('a rewrite racing a stream of INCRs loses and repeats none of the acknowledged ones', async () => {
  const dir = tempDir('aof-race');
  try {
    const nevio = await startNevio(dir, { appendonly: true, appendfsync: 'always' });
    const c = nevio.client;
    const fillKeys = c.pipeline();
    for (let i = 0; i < 2000; i++) fillKeys.set(`k${i}`, 'x'.repeat(100));
    await fillKeys.exec();
    // 200 us per key: the rewrite takes ~0.4 s, while the counters go on.
    await c.config('SET', 'rdb-key-save-delay', '200');
    let acked = 0;
    let running = true;
    const writer = (async () => {
      while (running) {
        await c.incr(`counter${acked % 7}`);
        acked++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await c.bgrewriteaof();
    expect(String(await c.info('persistence'))).toMatch(/aof_rewrite_in_progress:1/);
    await waitRewrite(c);
    await new Promise((r) => setTimeout(r, 50));
    running = false;
    await writer;
    await nevio.stop();
    const again = await startNevio(dir, { appendonly: true });
    try {
      let total = 0;
      for (let i = 0; i < 7; i++) total += Number(await again.client.get(`counter${i}`));
      expect(total).toBe(acked);
      expect(await again.client.dbsize()).toBe(2007);
    } finally {
      await again.stop();
    }
  } finally {
    removeDir(dir);
  }
});

// The data types survive a restart through the AOF, both as logged (including the commands that
// log something other than themselves: SPOP, HINCRBYFLOAT, served BLPOP) and after a rewrite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

const quiet = { notice: () => undefined, warn: () => undefined, error: () => undefined };
let dir: string;

async function start(): Promise<{ srv: RunningRedis; c: Redis }> {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir }, quiet);
  const c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  return { srv, c };
}

async function snapshot(c: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of (await c.keys('*')).sort()) {
    const t = await c.type(k);
    if (t === 'list') out[k] = await c.lrange(k, 0, -1);
    else if (t === 'hash') out[k] = await c.hgetall(k);
    else if (t === 'set') out[k] = (await c.smembers(k)).sort();
    else if (t === 'zset') out[k] = await c.zrange(k, 0, -1, 'WITHSCORES');
    else out[k] = [t];
    out[`${k}:encoding`] = await c.object('ENCODING', k);
  }
  return out;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-types-aof-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
jest.setTimeout(30000);

it('restores lists, hashes, sets and sorted sets from the AOF, before and after a rewrite', async () => {
  let { srv, c } = await start();
  await c.rpush('l', 'a', 'b', 'c', 'd');
  await c.lpush('l', 'z');
  await c.lset('l', 1, 'A');
  await c.linsert('l', 'BEFORE', 'c', 'bc');
  await c.lrem('l', 1, 'd');
  await c.lmove('l', 'l2', 'LEFT', 'RIGHT');
  await c.hset('h', 'f1', 'v1', 'f2', 'v2');
  await c.hincrbyfloat('h', 'fl', '0.1');
  await c.hincrbyfloat('h', 'fl', '0.2');
  await c.hincrby('h', 'n', 41);
  await c.hdel('h', 'f2');
  await c.sadd('s', ...Array.from({ length: 30 }, (_, i) => `m${i}`));
  await c.spop('s', 5);
  await c.spop('s');
  await c.sadd('ints', 3, 1, 2);
  await c.smove('ints', 'ints2', 2);
  await c.sinterstore('inter', 's', 's');
  await c.zadd('z', 1, 'a', 2.5, 'b', 3, 'c');
  await c.zincrby('z', 1.1, 'a');
  await c.zpopmax('z');
  await c.zrangestore('z2', 'z', 0, -1);
  const waiter = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  const served = waiter.blpop('bq', 5);
  await new Promise((r) => setTimeout(r, 100));
  await c.rpush('bq', 'x', 'y');
  expect(await served).toEqual(['bq', 'x']);
  waiter.disconnect();
  const before = await snapshot(c);
  expect(before.bq).toEqual(['y']);
  expect((before.h as Record<string, string>).fl).toBe('0.3');
  expect((before.s as string[]).length).toBe(24);
  c.disconnect();
  await srv.stop();

  ({ srv, c } = await start());
  expect(await snapshot(c)).toEqual(before);
  await c.bgrewriteaof();
  // The rewrite runs in slices on the loop; wait for it to finish.
  for (let i = 0; i < 100; i++) {
    const info = await c.info('persistence');
    if (/aof_rewrite_in_progress:0/.test(info)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  c.disconnect();
  await srv.stop();

  ({ srv, c } = await start());
  expect(await snapshot(c)).toEqual(before);
  c.disconnect();
  await srv.stop();
});

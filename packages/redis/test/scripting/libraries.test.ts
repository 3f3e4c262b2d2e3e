// Node libraries built on Lua scripts, against nevio-redis: an ioredis defineCommand,
// rate-limiter-flexible (points and TTL), Redlock (acquire, contention, extend, release), Bull
// (jobs, retries with backoff, delayed jobs, 100 jobs all completed) and Bee-Queue.
import Bee from 'bee-queue';
import Bull from 'bull';
import Redis, { type Result } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import Redlock from 'redlock';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

// ioredis's documented way to type a command added by defineCommand.
declare module 'ioredis' {
  interface RedisCommander<Context> {
    incrCapped(key: string, cap: number): Result<number, Context>;
  }
}

jest.setTimeout(60000);

let redis: RunningRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => {}, error: () => {} });
  client = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: false });
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

test('ioredis defineCommand runs its script by EVALSHA (EVAL the first time)', async () => {
  client.defineCommand('incrCapped', {
    numberOfKeys: 1,
    lua: "local v = redis.call('incr', KEYS[1]) if v > tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end return v",
  });
  const got: number[] = [];
  for (let i = 0; i < 5; i++) got.push(await client.incrCapped('capped', 3));
  expect(got).toEqual([1, 2, 3, 3, 3]);
  expect(await client.get('capped')).toBe('3');
});

test('rate-limiter-flexible: points are consumed atomically and expire with their TTL', async () => {
  const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: 'rl', points: 3, duration: 1 });
  const results: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    results.push(
      await limiter.consume('user').then(
        () => true,
        () => false,
      ),
    );
  }
  expect(results).toEqual([true, true, true, false, false]);
  const ttl = await client.pttl('rl:user');
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(1000);
  await new Promise((r) => setTimeout(r, 1100));
  await expect(limiter.consume('user')).resolves.toMatchObject({ remainingPoints: 2 });
});

test('Redlock: acquire, contention, extend, release', async () => {
  const redlock = new Redlock([client], { retryCount: 2, retryDelay: 50 });
  const lock = await redlock.lock('locks:res', 2000);
  await expect(redlock.lock('locks:res', 2000)).rejects.toThrow();
  const extended = await lock.extend(5000);
  expect(await client.pttl('locks:res')).toBeGreaterThan(2000);
  await extended.unlock();
  expect(await client.exists('locks:res')).toBe(0);
  const again = await redlock.lock('locks:res', 1000);
  await again.unlock();
});

test('Bull: 100 jobs, retries with backoff and a delayed job all complete', async () => {
  const queue = new Bull('nevio-bull', { redis: { port: redis.port, host: '127.0.0.1' } });
  const attempts = new Map<string, number>();
  const done = new Promise<void>((resolve) => {
    let completed = 0;
    queue.on('completed', () => {
      if (++completed === 102) resolve();
    });
  });
  void queue.process(4, async (job) => {
    const n = (attempts.get(String(job.id)) ?? 0) + 1;
    attempts.set(String(job.id), n);
    if (job.data.failTimes !== undefined && n <= job.data.failTimes) throw new Error('try again');
    return job.data.i;
  });
  for (let i = 0; i < 100; i++) await queue.add({ i });
  const retried = await queue.add({ failTimes: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
  const delayed = await queue.add({ delayed: true }, { delay: 300 });
  await done;
  expect(attempts.get(String(retried.id))).toBe(3);
  expect((await queue.getJob(delayed.id))?.finishedOn).toBeGreaterThanOrEqual(delayed.timestamp + 300);
  expect(await queue.getCompletedCount()).toBe(102);
  await queue.close();
});

test('Bee-Queue: jobs are processed and their results reported', async () => {
  const queue = new Bee('nevio-bee', { redis: { port: redis.port, host: '127.0.0.1' }, removeOnSuccess: false });
  queue.process(2, async (job: Bee.Job<{ x: number }>) => job.data.x * 2);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      queue
        .createJob({ x: i })
        .save()
        .then((job) => new Promise<number>((resolve) => job.on('succeeded', resolve))),
    ),
  );
  expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  await queue.close();
});

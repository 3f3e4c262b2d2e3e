// Blocking pops through the real server and reactor, with ioredis clients on loopback.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

let srv: RunningRedis;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: srv.port, lazyConnect: false, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

const quiet = { notice: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await srv.stop();
});

beforeEach(async () => {
  await client().flushall();
});

jest.setTimeout(20000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('blocking pops', () => {
  it('BLPOP is woken by another client’s push', async () => {
    const waiter = client();
    const pusher = client();
    const started = Date.now();
    const pending = waiter.blpop('q', 0);
    await sleep(100);
    expect(await pusher.rpush('q', 'hello')).toBe(1);
    expect(await pending).toEqual(['q', 'hello']);
    expect(Date.now() - started).toBeLessThan(5000);
    // The popped element is gone and the empty list deleted.
    expect(await pusher.exists('q')).toBe(0);
  });

  it('times out with a nil reply', async () => {
    const c = client();
    const started = Date.now();
    expect(await c.blpop('nothing', 0.2)).toBeNull();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(3000);
  });

  it('serves blocked clients in the order they blocked', async () => {
    const pusher = client();
    const waiters = [client(), client(), client()];
    const order: number[] = [];
    const pops = waiters.map(async (w, i) => {
      await sleep(60 * i);
      const r = await w.brpop('fifo', 5);
      order.push(i);
      return r;
    });
    await sleep(300);
    await pusher.lpush('fifo', 'a');
    await sleep(50);
    await pusher.lpush('fifo', 'b');
    await sleep(50);
    await pusher.lpush('fifo', 'c');
    expect(await Promise.all(pops)).toEqual([
      ['fifo', 'a'],
      ['fifo', 'b'],
      ['fifo', 'c'],
    ]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('one push of several elements wakes several clients', async () => {
    const pusher = client();
    const a = client().blpop('multi', 5);
    await sleep(50);
    const b = client().blpop('multi', 5);
    await sleep(100);
    expect(await pusher.rpush('multi', 'x', 'y', 'z')).toBe(3);
    expect(await a).toEqual(['multi', 'x']);
    expect(await b).toEqual(['multi', 'y']);
    expect(await pusher.lrange('multi', 0, -1)).toEqual(['z']);
  });

  it('BLMOVE moves the pushed element to the destination', async () => {
    const pusher = client();
    const moved = client().blmove('src', 'dst', 'LEFT', 'RIGHT', 5);
    await sleep(100);
    await pusher.rpush('dst', 'old');
    await pusher.rpush('src', 'new');
    expect(await moved).toBe('new');
    expect(await pusher.lrange('dst', 0, -1)).toEqual(['old', 'new']);
    expect(await pusher.exists('src')).toBe(0);
  });

  it('a blocked client’s pipelined commands wait until it is served', async () => {
    const waiter = client();
    const pusher = client();
    const pipeline = waiter.pipeline().blpop('pq', 5).incr('after').exec();
    await sleep(150);
    // INCR has not run yet: the waiter is still blocked.
    expect(await pusher.get('after')).toBeNull();
    await pusher.rpush('pq', 'v');
    const res = await pipeline;
    expect(res).toEqual([
      [null, ['pq', 'v']],
      [null, 1],
    ]);
  });

  it('BZPOPMIN is woken by ZADD', async () => {
    const pusher = client();
    const pending = client().bzpopmin('zq', 5);
    await sleep(100);
    await pusher.zadd('zq', 2, 'b', 1, 'a');
    expect(await pending).toEqual(['zq', 'a', '1']);
    expect(await pusher.zrange('zq', 0, -1)).toEqual(['b']);
  });

  it('does not block inside MULTI', async () => {
    const c = client();
    const res = await c.multi().blpop('empty', 0).exec();
    expect(res).toEqual([[null, null]]);
  });
});

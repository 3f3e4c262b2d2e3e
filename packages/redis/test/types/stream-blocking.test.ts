// Blocking XREAD / XREADGROUP through the real server and reactor, and consumer groups used the
// way applications use them, with ioredis and node-redis on loopback.
import Redis from 'ioredis';
import { createClient } from 'redis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

let srv: RunningRedis;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

const quiet = { warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until INFO reports `n` blocked clients (the waiter's command reached the server). */
async function blocked(c: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await c.info('clients');
    if (new RegExp(`blocked_clients:${n}\\b`).test(info)) return;
    await sleep(10);
  }
  throw new Error(`never saw ${n} blocked clients`);
}

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

jest.setTimeout(30000);

describe('blocking stream reads', () => {
  it('XREAD BLOCK 0 with $ is woken by XADD and gets only the new entry', async () => {
    const waiter = client();
    const writer = client();
    await writer.xadd('s', '1-0', 'old', 'x');
    const pending = waiter.xread('BLOCK', 0, 'STREAMS', 's', '$');
    await blocked(writer, 1);
    await writer.xadd('s', '2-0', 'new', 'y');
    expect(await pending).toEqual([['s', [['2-0', ['new', 'y']]]]]);
  });

  it('XREAD BLOCK times out with a null reply', async () => {
    const c = client();
    const started = Date.now();
    expect(await c.xread('BLOCK', 150, 'STREAMS', 'nothing', '$')).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('a BLOCK longer than a Node.js timer can take (2^31 ms) does not fire at once', async () => {
    const waiter = client();
    const writer = client();
    const pending = waiter.xread('BLOCK', 2 ** 33, 'STREAMS', 'far', '$');
    await blocked(writer, 1);
    await sleep(100);
    await writer.xadd('far', '1-0', 'f', 'v');
    expect(await pending).toEqual([['far', [['1-0', ['f', 'v']]]]]);
  });

  it('XREAD BLOCK inside MULTI does not block', async () => {
    const c = client();
    const res = await c.multi().xread('BLOCK', 0, 'STREAMS', 'none', '$').exec();
    expect(res).toEqual([[null, null]]);
  });

  it('a client killed while blocked is released, and the stream still works', async () => {
    const waiter = client();
    const writer = client();
    await writer.xgroup('CREATE', 'k', 'g', '$', 'MKSTREAM');
    const pending = waiter.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'k', '>').catch((e: Error) => e);
    await blocked(writer, 1);
    const list = await writer.client('LIST');
    const id = /id=(\d+) .*cmd=xreadgroup/.exec(String(list))?.[1];
    expect(id).toBeDefined();
    await writer.client('KILL', 'ID', String(id));
    await pending;
    await blocked(writer, 0);
    await writer.xadd('k', '1-0', 'f', 'v');
    expect(await writer.xlen('k')).toBe(1);
    expect(await writer.xpending('k', 'g')).toEqual([0, null, null, null]);
  });

  it('XREADGROUP blocked on a key that is deleted gets UNBLOCKED, on a destroyed group NOGROUP', async () => {
    const writer = client();
    await writer.xgroup('CREATE', 'k', 'g', '$', 'MKSTREAM');
    const a = client().xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'k', '>').catch((e: Error) => e.message);
    await blocked(writer, 1);
    await writer.del('k');
    expect(await a).toMatch(/^UNBLOCKED the stream key no longer exists/);
    await writer.xgroup('CREATE', 'k', 'g', '$', 'MKSTREAM');
    const b = client().xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'k', '>').catch((e: Error) => e.message);
    await blocked(writer, 1);
    await writer.xgroup('DESTROY', 'k', 'g');
    expect(await b).toMatch(/^NOGROUP the consumer group this client was blocked on no longer exists/);
  });

  it('XREAD blocked on a key that is deleted keeps waiting for the next XADD', async () => {
    const writer = client();
    await writer.xadd('k', '5-0', 'f', 'v');
    const pending = client().xread('BLOCK', 0, 'STREAMS', 'k', '$');
    await blocked(writer, 1);
    await writer.del('k');
    await writer.set('k', 'string now');
    await writer.del('k');
    await writer.xadd('k', '6-0', 'g', 'w');
    expect(await pending).toEqual([['k', [['6-0', ['g', 'w']]]]]);
  });

  it('serves several blocked consumers of one group each a different entry', async () => {
    const writer = client();
    await writer.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM');
    const reads = [1, 2, 3].map((i) => client().xreadgroup('GROUP', 'workers', `w${i}`, 'COUNT', 1, 'BLOCK', 0, 'STREAMS', 'jobs', '>'));
    await blocked(writer, 3);
    await writer.xadd('jobs', '1-0', 'n', '1');
    await writer.xadd('jobs', '2-0', 'n', '2');
    await writer.xadd('jobs', '3-0', 'n', '3');
    const got = (await Promise.all(reads)) as [string, [string, string[]][]][][];
    const ids = got.map((r) => r[0][1][0][0]).sort();
    expect(ids).toEqual(['1-0', '2-0', '3-0']);
    const summary = (await writer.xpending('jobs', 'workers')) as [number, string, string, [string, string][]];
    expect(summary[0]).toBe(3);
  });
});

describe('a consumer group as applications use it', () => {
  it('ioredis: produce, read, ack, and claim after a consumer dies', async () => {
    const c = client();
    await c.xgroup('CREATE', 'orders', 'billing', '0', 'MKSTREAM');
    for (let i = 0; i < 5; i++) await c.xadd('orders', '*', 'n', String(i));
    const first = (await c.xreadgroup('GROUP', 'billing', 'alice', 'COUNT', 3, 'STREAMS', 'orders', '>')) as [string, [string, string[]][]][];
    const aliceIds = first[0][1].map(([id]) => id);
    expect(aliceIds).toHaveLength(3);
    expect(await c.xack('orders', 'billing', aliceIds[0])).toBe(1);
    // alice "dies" with two entries pending; bob takes them over once they are idle.
    await sleep(30);
    const claimed = (await c.xautoclaim('orders', 'billing', 'bob', 20, '0-0')) as [string, [string, string[]][], string[]];
    expect(claimed[1].map(([id]) => id)).toEqual(aliceIds.slice(1));
    const rest = (await c.xreadgroup('GROUP', 'billing', 'bob', 'STREAMS', 'orders', '>')) as [string, [string, string[]][]][];
    expect(rest[0][1]).toHaveLength(2);
    const pending = (await c.xpending('orders', 'billing', '-', '+', 10)) as [string, string, number, number][];
    expect(pending.map((p) => p[1])).toEqual(['bob', 'bob', 'bob', 'bob']);
    expect(pending[0][3]).toBe(2);
  });

  it('node-redis: the same flow through its stream API', async () => {
    const nr = createClient({ socket: { host: '127.0.0.1', port: srv.port } });
    await nr.connect();
    try {
      await nr.xGroupCreate('events', 'g', '0', { MKSTREAM: true });
      const id1 = await nr.xAdd('events', '*', { kind: 'created', n: '1' });
      await nr.xAdd('events', '*', { kind: 'paid', n: '2' });
      const read = await nr.xReadGroup('g', 'c1', { key: 'events', id: '>' }, { COUNT: 10 });
      expect(JSON.stringify(read)).toContain('created');
      expect(await nr.xAck('events', 'g', id1)).toBe(1);
      const summary = await nr.xPending('events', 'g');
      expect(summary.pending).toBe(1);
      const claim = await nr.xClaim('events', 'g', 'c2', 0, [id1]);
      expect(claim).toEqual([]);
      const info = await nr.xInfoStream('events');
      expect(info.length).toBe(2);
      expect(info.groups).toBe(1);
      const groups = await nr.xInfoGroups('events');
      expect(groups[0].name).toBe('g');
      expect(await nr.type('events')).toBe('stream');
    } finally {
      await nr.quit();
    }
  });
});

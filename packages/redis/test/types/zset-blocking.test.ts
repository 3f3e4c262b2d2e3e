// BZMPOP/BZPOPMIN through the real server and reactor with ioredis clients on loopback: waking,
// serving order across keys and counts, what must not wake a client, timeouts, MULTI, and the AOF
// logging ZMPOP/BZMPOP as the ZPOPMIN/ZPOPMAX they amount to.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

const quiet = { notice: () => undefined, warn: () => undefined, error: () => undefined };
let srv: RunningRedis;
let dir: string;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-zset-block-'));
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir }, quiet);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await client().flushall();
});

jest.setTimeout(30000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `n` clients are blocked (INFO blocked_clients), as the Redis suite does. */
async function blocked(c: Redis, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (new RegExp(`blocked_clients:${n}\\r`).test(await c.info('clients'))) return;
    await sleep(20);
  }
  throw new Error(`never saw ${n} blocked clients`);
}

describe('BZMPOP', () => {
  it('serves blocked clients in order, each from the first key with data, with its count', async () => {
    const r = client();
    const [w1, w2, w3, w4] = [client(), client(), client(), client()];
    const p1 = w1.call('bzmpop', '0', '2', 'k1', 'k2', 'min', 'count', '1');
    await blocked(r, 1);
    const p2 = w2.call('bzmpop', '0', '2', 'k1', 'k2', 'max', 'count', '10');
    await blocked(r, 2);
    const p3 = w3.call('bzmpop', '0', '2', 'k1', 'k2', 'min', 'count', '10');
    await blocked(r, 3);
    const p4 = w4.call('bzmpop', '0', '2', 'k1', 'k2', 'max', 'count', '1');
    await blocked(r, 4);
    await r.multi().zadd('k1', 1, 'a', 2, 'b', 3, 'c').zadd('k2', 1, 'a', 2, 'b').exec();
    expect(await p1).toEqual(['k1', [['a', '1']]]);
    expect(await p2).toEqual(['k1', [['c', '3'], ['b', '2']]]);
    expect(await p3).toEqual(['k2', [['a', '1'], ['b', '2']]]);
    await blocked(r, 1);
    await r.zadd('k2', 5, 'e', 6, 'f');
    expect(await p4).toEqual(['k2', [['f', '6']]]);
    expect(await r.exists('k1', 'k2')).toBe(1);
  });

  it('is not woken by a key that was emptied again or now holds another type', async () => {
    const r = client();
    const w = client();
    const pending = w.call('bzmpop', '0', '1', 'zk', 'min');
    await blocked(r, 1);
    await r.multi().zadd('zk', 0, 'foo').del('zk').exec();
    await r.multi().zadd('zk', 0, 'foo').del('zk').set('zk', 'str').exec();
    await r.del('zk');
    // Arguments that are not keys (the timeout, numkeys, MIN, COUNT) must not wake it either.
    await r.zadd('0', 1, 'x');
    await r.zadd('1', 1, 'x');
    await r.zadd('min', 1, 'x');
    await sleep(50);
    expect(await r.info('clients')).toMatch(/blocked_clients:1\r/);
    await r.zadd('zk', 1, 'bar');
    expect(await pending).toEqual(['zk', [['bar', '1']]]);
  });

  it('times out with a null reply, and replies null at once inside MULTI', async () => {
    const c = client();
    const started = Date.now();
    expect(await c.call('bzmpop', '0.2', '1', 'none', 'max')).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await c.multi().call('bzmpop', '0', '1', 'none', 'max').exec()).toEqual([[null, null]]);
  });

  it('refuses a bad argument or a wrong type before blocking', async () => {
    const c = client();
    await c.set('s', 'v');
    await expect(c.call('bzmpop', '0', '1', 's', 'min')).rejects.toThrow(/WRONGTYPE/);
    await expect(c.call('bzmpop', '-1', '1', 'k', 'min')).rejects.toThrow(/timeout is negative/);
    await expect(c.call('bzmpop', '0', '1', 'k', 'min', 'count', '0')).rejects.toThrow(/count should be greater than 0/);
    await expect(c.call('bzmpop', '0', '3', 'k', 'min')).rejects.toThrow(/syntax error/);
    await expect(c.call('bzpopmin', 's', '0')).rejects.toThrow(/WRONGTYPE/);
    expect(await c.info('clients')).toMatch(/blocked_clients:0\r/);
  });
});

describe('the AOF', () => {
  it('logs ZMPOP and served BZMPOP/BZPOPMAX as ZPOPMIN/ZPOPMAX with the count popped', async () => {
    const r = client();
    // Earlier tests logged their pops too: read only what this one appends.
    // The incr file the server opened at its start (Redis 7's multi-part AOF).
    const aofFile = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const from = fs.statSync(aofFile).size;
    await r.zadd('a', 1, 'one', 2, 'two', 3, 'three');
    await r.call('zmpop', '1', 'a', 'min');
    await r.call('zmpop', '2', 'none', 'a', 'max', 'count', '10');
    const w = client();
    const pending = w.call('bzmpop', '0', '1', 'b', 'max', 'count', '5');
    await blocked(r, 1);
    await r.zadd('b', 1, 'x', 2, 'y');
    expect(await pending).toEqual(['b', [['y', '2'], ['x', '1']]]);
    const single = w.bzpopmax('c', 0);
    await blocked(r, 1);
    await r.zadd('c', 7, 'z');
    expect(await single).toEqual(['c', 'z', '7']);
    await sleep(50);
    const aof = fs.readFileSync(aofFile).subarray(from).toString('latin1');
    const cmdsLogged = [...aof.matchAll(/\*\d+\r\n\$\d+\r\n([a-zA-Z]+)\r\n((?:\$\d+\r\n[^\r]*\r\n)*)/g)].map((m) => [m[1].toLowerCase(), ...[...m[2].matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((a) => a[1])].join(' '));
    const pops = cmdsLogged.filter((c) => /pop/.test(c));
    expect(pops).toEqual(['zpopmin a 1', 'zpopmax a 2', 'zpopmax b 2', 'zpopmax c']);
  });
});

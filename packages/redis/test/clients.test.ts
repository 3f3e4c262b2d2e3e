// Real clients against nevio-redis over TCP: redis-cli, ioredis and node-redis, including
// pipelines, transactions, pub/sub (RESP2 and RESP3) and WATCH.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog } from './support/inproc';

const run = promisify(execFile);
let srv: RunningRedis;
const open: { quit(): Promise<unknown> }[] = [];

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
});
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.quit()));
  await srv.stop();
});

function ioredis(): Redis {
  const c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 1, retryStrategy: () => null });
  open.push(c);
  return c;
}

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(srv.port), ...args]);
  return stdout;
}

describe('redis-cli', () => {
  test('one-shot commands', async () => {
    expect(await cli('SET', 'cli:k', 'hello world')).toBe('OK\n');
    expect(await cli('GET', 'cli:k')).toBe('hello world\n');
    expect(await cli('INCR', 'cli:n')).toBe('1\n');
    expect(await cli('DBSIZE')).toMatch(/^\d+\n$/);
    expect(await cli('INFO', 'server')).toContain('redis_version:');
  });

  test('RESP3 and errors', async () => {
    expect(await cli('-3', 'HSET', 'cli:h', 'f', 'v')).toBe('1\n');
    expect(await cli('-3', 'HGETALL', 'cli:h')).toBe('f v\n');
    expect(await cli('GET')).toContain("ERR wrong number of arguments for 'get' command");
  });

  test('a piped script (pipelining through --pipe)', async () => {
    const { stdout } = await run('sh', ['-c', `printf 'SET p1 a\\r\\nSET p2 b\\r\\nGET p1\\r\\n' | redis-cli -h 127.0.0.1 -p ${srv.port} --pipe`]);
    expect(stdout).toContain('errors: 0, replies: 3');
    expect(await cli('MGET', 'p1', 'p2')).toBe('a\nb\n');
  });
});

describe('ioredis', () => {
  test('CLIENT LIST and CLIENT INFO show each connection\'s socket descriptor (fd=)', async () => {
    const [a, b] = [ioredis(), ioredis()];
    const field = (line: string, name: string): string => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? '';
    const infoA = String(await a.call('CLIENT', 'INFO'));
    const infoB = String(await b.call('CLIENT', 'INFO'));
    const [fdA, fdB] = [Number(field(infoA, 'fd')), Number(field(infoB, 'fd'))];
    // The server runs in this process: its descriptors are ours to inspect.
    for (const fd of [fdA, fdB]) {
      expect(fd).toBeGreaterThan(2);
      expect(fs.fstatSync(fd).isSocket()).toBe(true);
    }
    expect(fdA).not.toBe(fdB);
    const list = String(await a.call('CLIENT', 'LIST')).split('\n');
    const lineOf = (info: string): string => list.find((l) => field(l, 'id') === field(info, 'id')) ?? '';
    expect(field(lineOf(infoA), 'fd')).toBe(String(fdA));
    expect(field(lineOf(infoB), 'fd')).toBe(String(fdB));
  });

  test('pipeline of mixed commands, one batch', async () => {
    const c = ioredis();
    const res = await c.pipeline().set('io:a', '1').incr('io:a').get('io:a').lpush('io:l', 'x', 'y').lrange('io:l', 0, -1).get('io:nope').exec();
    expect(res).toEqual([[null, 'OK'], [null, 2], [null, '2'], [null, 2], [null, ['y', 'x']], [null, null]]);
  });

  test('transactions, including a WATCH conflict', async () => {
    const c = ioredis();
    const other = ioredis();
    expect(await c.multi().set('io:t', 'v').incr('io:cnt').exec()).toEqual([[null, 'OK'], [null, 1]]);
    await c.watch('io:w');
    await other.set('io:w', 'changed');
    expect(await c.multi().set('io:w', 'mine').exec()).toBeNull();
    expect(await c.get('io:w')).toBe('changed');
    await expect(c.multi().set('io:x', '1').incr('io:t').exec()).resolves.toEqual([
      [null, 'OK'],
      [expect.objectContaining({ message: 'ERR value is not an integer or out of range' }), undefined],
    ]);
  });

  test('pub/sub with channels and patterns', async () => {
    const sub = ioredis();
    const pub = ioredis();
    const got: string[] = [];
    sub.on('message', (ch, msg) => got.push(`${ch}:${msg}`));
    sub.on('pmessage', (pat, ch, msg) => got.push(`${pat}|${ch}:${msg}`));
    await sub.subscribe('news');
    await sub.psubscribe('n*');
    expect(await pub.publish('news', 'hello')).toBe(2);
    expect(await pub.publish('nope', 'x')).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got.sort()).toEqual(['n*|news:hello', 'n*|nope:x', 'news:hello']);
  });

  test('binary values survive', async () => {
    const c = ioredis();
    const v = Buffer.from([0, 255, 13, 10, 1, 2, 3]);
    await c.set(Buffer.from([1, 0, 2]), v);
    expect((await c.getBuffer(Buffer.from([1, 0, 2])))!.equals(v)).toBe(true);
  });

  test('a 4 MB value, sent and fetched', async () => {
    const c = ioredis();
    const big = Buffer.alloc(4 * 1024 * 1024, 'z');
    big[12345] = 0x41;
    await c.set('io:big', big);
    expect((await c.getBuffer('io:big'))!.equals(big)).toBe(true);
    expect(await c.strlen('io:big')).toBe(big.length);
  });
});

describe('node-redis (RESP2 and RESP3)', () => {
  test('commands, multi, pipelines', async () => {
    const c = createClient({ socket: { host: '127.0.0.1', port: srv.port } });
    await c.connect();
    open.push({ quit: () => c.close() });
    await c.set('nr:a', '10', { EX: 100 });
    expect(await c.ttl('nr:a')).toBeGreaterThan(90);
    expect(await c.multi().incrBy('nr:a', 5).get('nr:a').exec()).toEqual([15, '15']);
    const [x, y] = await Promise.all([c.incr('nr:c'), c.incr('nr:c')]);
    expect([x, y]).toEqual([1, 2]);
  });

  test('RESP3 pub/sub via push messages', async () => {
    const pub = createClient({ RESP: 3, socket: { host: '127.0.0.1', port: srv.port } });
    const sub = pub.duplicate();
    await pub.connect();
    await sub.connect();
    open.push({ quit: () => pub.close() }, { quit: () => sub.close() });
    const got = new Promise<string>((resolve) => void sub.subscribe('r3', (msg) => resolve(msg)));
    await new Promise((r) => setTimeout(r, 50));
    // In RESP3 a subscribed connection may still run normal commands.
    expect(await sub.ping()).toBe('PONG');
    expect(await pub.publish('r3', 'pushed')).toBe(1);
    expect(await got).toBe('pushed');
    expect(await pub.hello()).toMatchObject({ proto: 3 });
  });
});

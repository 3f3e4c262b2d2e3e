// DEBUG RELOAD rebuilds the dataset as Redis's save + load would: encodings chosen afresh from
// the contents and the current thresholds, TTLs kept, keys past their TTL gone, and Redis's
// option errors (checked against what redis-server 7.0 answers in unit/type/set, other and
// functions).
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { scratchDir } from '../support/scratch-dir';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';

let srv: RunningRedis;
let c: Redis;

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), dir: scratchDir(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, quietLog);
  c = new Redis({ port: srv.port, host: '127.0.0.1' });
});

afterAll(async () => {
  c.disconnect();
  await srv.stop();
});

const encoding = (key: string): Promise<unknown> => c.object('ENCODING', key);

test('encodings are chosen again from the contents, the data and TTLs stay', async () => {
  await c.flushall();
  for (let i = 0; i < 100; i++) await c.sadd('myintset', i);
  await c.sadd('mylargeintset', ...Array.from({ length: 1280 }, (_, i) => i));
  await c.sadd('shrunk', 1, 2, 'x');
  await c.srem('shrunk', 'x');
  await c.hset('h', 'a', 'x'.repeat(100), 'b', '1');
  await c.hdel('h', 'a');
  await c.set('s', 'abc');
  await c.append('s', 'def');
  await c.set('ttl', 'v', 'EX', 1000);
  await c.set('gone', 'v', 'PX', 1);
  await new Promise((r) => setTimeout(r, 20));
  expect([await encoding('shrunk'), await encoding('h'), await encoding('s')]).toEqual(['hashtable', 'hashtable', 'raw']);
  expect(await c.call('DEBUG', 'RELOAD')).toBe('OK');
  expect(await encoding('myintset')).toBe('intset');
  expect(await encoding('mylargeintset')).toBe('hashtable');
  // Back under the thresholds: a dump loads them in the compact encodings.
  expect([await encoding('shrunk'), await encoding('h'), await encoding('s')]).toEqual(['intset', 'listpack', 'embstr']);
  expect((await c.smembers('shrunk')).sort()).toEqual(['1', '2']);
  expect(await c.hgetall('h')).toEqual({ b: '1' });
  expect(await c.get('s')).toBe('abcdef');
  expect(await c.scard('mylargeintset')).toBe(1280);
  const ttl = await c.ttl('ttl');
  expect(ttl).toBeGreaterThan(900);
  expect(await c.exists('gone')).toBe(0);
});

test('the options: NOFLUSH needs MERGE on a non-empty dataset, others are refused', async () => {
  await c.set('k', 'v');
  await expect(c.call('DEBUG', 'RELOAD', 'NOFLUSH')).rejects.toThrow('Error trying to load the RDB dump');
  expect(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE')).toBe('OK');
  await expect(c.call('DEBUG', 'RELOAD', 'FAST')).rejects.toThrow('DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  expect(await c.get('k')).toBe('v');
});

test('a WATCHed key counts as changed, as after the flush of a real reload', async () => {
  await c.set('w', '1');
  await c.watch('w');
  const other = new Redis({ port: srv.port, host: '127.0.0.1' });
  await other.call('DEBUG', 'RELOAD');
  other.disconnect();
  expect(await c.multi().set('w', '2').exec()).toBeNull();
});

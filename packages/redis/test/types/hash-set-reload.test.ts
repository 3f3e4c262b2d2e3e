// DEBUG RELOAD rebuilds the dataset as Redis's save + load would: encodings chosen afresh from
// the contents and the current thresholds, TTLs kept, keys past their TTL gone, and Redis's
// option errors (checked against what redis-server 7.0 answers in unit/type/set, other and
// functions).
import Redis from 'ioredis';
import { debugServer } from '../support/debug-server';

const rig = debugServer();

test('encodings are chosen again from the contents, the data and TTLs stay', async () => {
  await rig.c.flushall();
  for (let i = 0; i < 100; i++) await rig.c.sadd('myintset', i);
  await rig.c.sadd('mylargeintset', ...Array.from({ length: 1280 }, (_, i) => i));
  await rig.c.sadd('shrunk', 1, 2, 'x');
  await rig.c.srem('shrunk', 'x');
  await rig.c.hset('h', 'a', 'x'.repeat(100), 'b', '1');
  await rig.c.hdel('h', 'a');
  await rig.c.set('s', 'abc');
  await rig.c.append('s', 'def');
  await rig.c.set('ttl', 'v', 'EX', 1000);
  await rig.c.set('gone', 'v', 'PX', 1);
  await new Promise((r) => setTimeout(r, 20));
  expect([await rig.encoding('shrunk'), await rig.encoding('h'), await rig.encoding('s')]).toEqual(['hashtable', 'hashtable', 'raw']);
  expect(await rig.c.call('DEBUG', 'RELOAD')).toBe('OK');
  expect(await rig.encoding('myintset')).toBe('intset');
  expect(await rig.encoding('mylargeintset')).toBe('hashtable');
  // Back under the thresholds: a dump loads them in the compact encodings.
  expect([await rig.encoding('shrunk'), await rig.encoding('h'), await rig.encoding('s')]).toEqual(['intset', 'listpack', 'embstr']);
  expect((await rig.c.smembers('shrunk')).sort()).toEqual(['1', '2']);
  expect(await rig.c.hgetall('h')).toEqual({ b: '1' });
  expect(await rig.c.get('s')).toBe('abcdef');
  expect(await rig.c.scard('mylargeintset')).toBe(1280);
  const ttl = await rig.c.ttl('ttl');
  expect(ttl).toBeGreaterThan(900);
  expect(await rig.c.exists('gone')).toBe(0);
});

test('the options: NOFLUSH needs MERGE on a non-empty dataset, others are refused', async () => {
  await rig.c.set('k', 'v');
  await expect(rig.c.call('DEBUG', 'RELOAD', 'NOFLUSH')).rejects.toThrow('Error trying to load the RDB dump');
  expect(await rig.c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE')).toBe('OK');
  await expect(rig.c.call('DEBUG', 'RELOAD', 'FAST')).rejects.toThrow('DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  expect(await rig.c.get('k')).toBe('v');
});

test('a WATCHed key counts as changed, as after the flush of a real reload', async () => {
  await rig.c.set('w', '1');
  await rig.c.watch('w');
  const other = new Redis({ port: rig.port, host: '127.0.0.1' });
  await other.call('DEBUG', 'RELOAD');
  other.disconnect();
  expect(await rig.c.multi().set('w', '2').exec()).toBeNull();
});

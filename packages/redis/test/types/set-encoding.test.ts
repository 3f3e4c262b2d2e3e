// Set encodings against redis-server: intset → hashtable follows set-max-intset-entries as CONFIG
// SET changes it, for SADD, the STORE forms and SMOVE; and SMOVE only counts the destination as
// changed (WATCH) when the member was new there.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { useRig } from './diff';

const ctx = useRig();

afterEach(async () => {
  await ctx.rig.run([['config', 'set', 'set-max-intset-entries', '512']]);
});

test('set-max-intset-entries decides the encoding at run time', async () => {
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['config', 'set', 'set-max-intset-entries', '3'],
      ['sadd', 's', '3', '1', '2'],
      ['object', 'encoding', 's'],
      ['smembers', 's'],
      ['sadd', 's', '4'],
      ['object', 'encoding', 's'],
      ['srem', 's', '4', '3'],
      ['object', 'encoding', 's'],
      ['sadd', 'a', '1', '2', '3', '4', '5'],
      ['sadd', 'b', '1', '2', '3', '4', '5', '6'],
      ['sinterstore', 'i', 'a', 'b'],
      ['object', 'encoding', 'i'],
      ['sdiffstore', 'd', 'b', 'nokey'],
      ['object', 'encoding', 'd'],
      ['config', 'set', 'set-max-intset-entries', '0'],
      ['sadd', 'z', '7'],
      ['object', 'encoding', 'z'],
      ['sadd', 'src', '9', 'x'],
      ['smove', 'src', 'fresh', '9'],
      ['object', 'encoding', 'fresh'],
      ['config', 'set', 'set-max-intset-entries', '512'],
      ['sadd', 'n', '-9223372036854775808', '9223372036854775807', '0'],
      ['object', 'encoding', 'n'],
      ['smembers', 'n'],
      ['sadd', 'n2', '9223372036854775808'],
      ['object', 'encoding', 'n2'],
      ['sadd', 'n3', '-0'],
      ['object', 'encoding', 'n3'],
      ['sadd', 'n4', '+1'],
      ['object', 'encoding', 'n4'],
      ['sadd', 'n5', '01'],
      ['object', 'encoding', 'n5'],
      ['sadd', 'n6', '-9223372036854775809'],
      ['object', 'encoding', 'n6'],
    ]),
  ).toEqual([]);
});

test('SMOVE into a set that has the member leaves a WATCH on it intact', async () => {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  const a = new Redis({ port: srv.port, host: '127.0.0.1' });
  const b = new Redis({ port: srv.port, host: '127.0.0.1' });
  try {
    await a.sadd('src', 'a', 'b');
    await a.sadd('dst', 'a');
    await a.watch('dst');
    expect(await b.smove('src', 'dst', 'a')).toBe(1);
    // dst did not change: the transaction runs.
    expect(await a.multi().sadd('dst', 'c').exec()).toEqual([[null, 1]]);
    expect((await a.smembers('dst')).sort()).toEqual(['a', 'c']);
    expect(await a.smembers('src')).toEqual(['b']);
    await a.watch('dst');
    expect(await b.smove('src', 'dst', 'b')).toBe(1);
    // Now it did: EXEC fails.
    expect(await a.multi().sadd('dst', 'd').exec()).toBeNull();
    expect(await a.exists('src')).toBe(0);
  } finally {
    a.disconnect();
    b.disconnect();
    await srv.stop();
  }
});

// Hash encodings against redis-server: the listpack → hashtable conversion follows
// hash-max-listpack-entries/value (and their old ziplist names) as CONFIG SET changes them, and a
// listpack keeps its insertion order across deletions, so replies stay byte-identical.
import { useRig } from './diff';

const ctx = useRig();

afterEach(async () => {
  await ctx.rig.run([
    ['config', 'set', 'hash-max-listpack-entries', '512'],
    ['config', 'set', 'hash-max-listpack-value', '64'],
  ]);
});

test('hash-max-ziplist-value decides the encoding at run time', async () => {
  const long = 'x'.repeat(11);
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['config', 'set', 'hash-max-ziplist-value', '10'],
      ['config', 'get', 'hash-max-listpack-value'],
      ['hset', 'small', 'a', '1', 'b', '2'],
      ['object', 'encoding', 'small'],
      ['hset', 'byvalue', 'a', long],
      ['object', 'encoding', 'byvalue'],
      ['hset', 'byfield', long, '1'],
      ['object', 'encoding', 'byfield'],
      ['hsetnx', 'small', 'c', long],
      ['object', 'encoding', 'small'],
      // Back under the limit: Redis 7.0 never converts a hash table back.
      ['hdel', 'small', 'c'],
      ['object', 'encoding', 'small'],
      ['config', 'set', 'hash-max-ziplist-value', '1000'],
      ['hset', 'later', 'a', long],
      ['object', 'encoding', 'later'],
    ]),
  ).toEqual([]);
});

test('hash-max-listpack-entries converts past the count, 0 at the first field', async () => {
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['config', 'set', 'hash-max-listpack-entries', '3'],
      ['hset', 'h', 'a', '1', 'b', '2', 'c', '3'],
      ['object', 'encoding', 'h'],
      ['hset', 'h', 'a', '10'],
      ['object', 'encoding', 'h'],
      ['hset', 'h', 'd', '4'],
      ['object', 'encoding', 'h'],
      ['config', 'set', 'hash-max-ziplist-entries', '0'],
      ['hset', 'z', 'a', '1'],
      ['object', 'encoding', 'z'],
      ['hincrby', 'y', 'n', '1'],
      ['object', 'encoding', 'y'],
    ]),
  ).toEqual([]);
});

test('HINCRBY and HINCRBYFLOAT results convert a listpack whose value grows too long', async () => {
  // Redis's own case: 0.000005 is 8 bytes and stays, 0.0000005 is 9 and converts.
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['config', 'set', 'hash-max-listpack-value', '8'],
      ['hset', 'small', 'tmp', '0'],
      ['hset', 'big', 'tmp', '0'],
      ['hincrbyfloat', 'small', 'tmp', '0.000005'],
      ['hincrbyfloat', 'big', 'tmp', '0.0000005'],
      ['object', 'encoding', 'small'],
      ['object', 'encoding', 'big'],
      ['hincrbyfloat', 'f8', 'abcdefgh', '1'],
      ['hincrbyfloat', 'f9', 'abcdefghi', '1'],
      ['object', 'encoding', 'f8'],
      ['object', 'encoding', 'f9'],
      ['hincrby', 'i', 'n', '99999999'],
      ['object', 'encoding', 'i'],
      ['hincrby', 'i', 'n', '1'],
      ['object', 'encoding', 'i'],
    ]),
  ).toEqual([]);
});

test('a listpack lists fields in insertion order after deletions and updates', async () => {
  const script: string[][] = [['flushall']];
  for (let i = 0; i < 40; i++) script.push(['hset', 'h', `f${i}`, `v${i}`]);
  for (const i of [0, 7, 39, 20, 21, 3]) script.push(['hdel', 'h', `f${i}`]);
  script.push(['hset', 'h', 'f5', 'changed', 'f0', 'back'], ['hgetall', 'h'], ['hkeys', 'h'], ['hvals', 'h'], ['hscan', 'h', '0'], ['hrandfield', 'h', '100', 'withvalues']);
  script.push(['object', 'encoding', 'h']);
  expect(await ctx.rig.run(script)).toEqual([]);
});

test('COPY keeps the encoding of both kinds of hash', async () => {
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['hset', 'lp', 'a', '1'],
      ['copy', 'lp', 'lp2'],
      ['object', 'encoding', 'lp2'],
      ['config', 'set', 'hash-max-listpack-entries', '0'],
      ['hset', 'ht', 'a', '1', 'b', '2'],
      ['copy', 'ht', 'ht2'],
      ['object', 'encoding', 'ht2'],
      ['hlen', 'ht2'],
    ]),
  ).toEqual([]);
});

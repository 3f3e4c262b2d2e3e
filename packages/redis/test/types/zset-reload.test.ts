// DEBUG RELOAD rebuilds sorted sets as Redis 7.0's RDB save + load does (rdb.c): a listpack is
// saved as a listpack and loads as one unless it has more than zset-max-listpack-entries members
// (member lengths are not checked again); a skiplist loads as a listpack when both thresholds
// allow. Members and scores are kept exactly.
import { debugServer } from '../support/debug-server';

const rig = debugServer();

test('encodings are chosen again as an RDB load chooses them, members and scores stay', async () => {
  await rig.c.flushall();
  await rig.c.config('SET', 'zset-max-listpack-entries', '0');
  await rig.c.zadd('small-skiplist', 1.5, 'a', -2, 'b');
  await rig.c.config('SET', 'zset-max-listpack-entries', '128');
  await rig.c.zadd('long-member', 1, 'x'.repeat(100));
  await rig.c.zadd('long-listpack', 1, 'abcdefghij', 2, 'k');
  await rig.c.zadd('three', 1, 'a', 2, 'b', 3, 'c');
  await rig.c.config('SET', 'zset-max-listpack-value', '5');
  await rig.c.config('SET', 'zset-max-listpack-entries', '2');
  expect(await Promise.all(['small-skiplist', 'long-member', 'long-listpack', 'three'].map(rig.encoding))).toEqual(['skiplist', 'skiplist', 'listpack', 'listpack']);
  const before = await rig.c.zrange('small-skiplist', 0, -1, 'WITHSCORES');

  expect(await rig.c.call('DEBUG', 'RELOAD')).toBe('OK');
  // A skiplist of 2 short members fits (2 <= 2 entries, 1 <= 5 bytes); one of 100 bytes does not;
  // a listpack stays one whatever its member lengths, unless it has too many members.
  expect(await Promise.all(['small-skiplist', 'long-member', 'long-listpack', 'three'].map(rig.encoding))).toEqual(['listpack', 'skiplist', 'listpack', 'skiplist']);
  expect(await rig.c.zrange('small-skiplist', 0, -1, 'WITHSCORES')).toEqual(before);
  expect(await rig.c.zrange('three', 0, -1, 'WITHSCORES')).toEqual(['a', '1', 'b', '2', 'c', '3']);
  // The reloaded set follows the thresholds from then on.
  await rig.c.zadd('small-skiplist', 3, 'c');
  expect(await rig.encoding('small-skiplist')).toBe('skiplist');
  await rig.c.config('SET', 'zset-max-listpack-entries', '128');
  await rig.c.config('SET', 'zset-max-listpack-value', '64');
});

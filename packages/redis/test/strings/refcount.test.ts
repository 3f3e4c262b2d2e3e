// OBJECT REFCOUNT against redis-server: int-encoded strings in [0, 10000) are Redis's shared
// integer objects (refcount INT_MAX), whether SET, MSET or INCR made them; other values are 1.
import { useRig } from '../types/diff';

const ctx = useRig();

test('shared integers report INT_MAX, other values 1', async () => {
  const script: string[][] = [['flushall']];
  for (const v of ['0', '5', '9999', '10000', '-1', '007', '1.5', 'abc', '123456789012345678901']) script.push(['set', 'k', v], ['object', 'refcount', 'k']);
  script.push(['set', 'n', '-1'], ['incr', 'n'], ['object', 'refcount', 'n'], ['set', 'n', '9998'], ['incr', 'n'], ['object', 'refcount', 'n']);
  script.push(['incr', 'n'], ['object', 'refcount', 'n'], ['mset', 'a', '42'], ['object', 'refcount', 'a'], ['append', 'a', '1'], ['object', 'refcount', 'a']);
  script.push(['incrbyfloat', 'f', '3'], ['object', 'refcount', 'f'], ['sadd', 's', '1'], ['object', 'refcount', 's'], ['object', 'refcount', 'nokey']);
  expect(await ctx.rig.run(script)).toEqual([]);
});

import { cmds, itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

// Small integer sets are intsets in Redis, listed in numeric order: these replies are
// deterministic. Sets of strings are hash tables whose order is Redis's own, so the scripts only
// list them when they have a single member, and otherwise ask order-free questions.
const SETS = `
flushall
sadd
sadd s
sadd s 3 1 2 -5 10 1
sadd s 3
smembers s
scard s
object encoding s
sismember s 3
sismember s 4
sismember nokey 1
smismember s 1 4 -5
smismember nokey a b
smismember s
srem s 1 99
srem s
srem nokey a
smembers s
sadd s 9223372036854775807 -9223372036854775808
sadd s2 1 007
object encoding s2
srem s2 007
object encoding s2
smembers s
sadd t 2 3 4 10 11
sinter s t
sinter s nokey
sinter nokey s
sunion s t
sunion s nokey t
sunion nokey
sdiff s t
sdiff t s
sdiff nokey s
sdiff s nokey
sinterstore d s t
smembers d
object encoding d
sunionstore d s t
smembers d
sdiffstore d s t
smembers d
sinterstore d s nokey
exists d
sunionstore d nokey
exists d
sdiffstore d nokey s
sintercard 2 s t
sintercard 2 s t limit 1
sintercard 2 s t limit 0
sintercard 1 s
sintercard 2 s nokey
sintercard 0 s
sintercard -1 s
sintercard x s
sintercard 3 s t
sintercard 2 s t limit -1
sintercard 2 s t limit x
sintercard 2 s t foo 1
sintercard 2 s t limit
sadd m1 a
sadd m2 b
smove m1 m2 a
smembers m1
exists m1
scard m2
smove m2 m2 a
smove m2 m2 zz
smove m2 fresh a
smembers fresh
object encoding fresh
smove m2 fresh2 zz
smove nokey fresh a
smove fresh ints 5
sadd ints 7
smove ints fresh3 7
object encoding fresh3
spop nokey
spop nokey 3
spop nokey 0
spop s -1
spop s x
spop s 1 2
spop s 0
srandmember nokey
srandmember nokey 3
srandmember nokey -3
srandmember s 0
srandmember s 100
srandmember s x
srandmember s 1 2
sscan s 0
sscan s 0 match 1*
sscan s 0 count 1
sscan s x
sscan nokey 0
set str v
sadd str a
srem str a
smembers str
sismember str a
smismember str a
scard str
spop str
srandmember str
sinter s str
sinter nokey str
sinter str nokey
sunion s str
sdiff nokey str
sdiff s str
sinterstore d str
sunionstore d s str
sintercard 1 str
sintercard 2 nokey str
smove str s a
smove s str 2
smove nokey str a
sscan str 0
`;

describe('set commands match redis-server byte for byte', () => {
  itMatchesInBothProtocols(ctx, SETS);

  it('switches from intset to hashtable at the same points', async () => {
    const script: string[][] = [['flushall']];
    const many = Array.from({ length: 512 }, (_, i) => String(i * 3 - 700));
    script.push(['sadd', 'big', ...many], ['object', 'encoding', 'big'], ['smembers', 'big']);
    script.push(['sadd', 'big', '100000'], ['object', 'encoding', 'big'], ['srem', 'big', '100000'], ['object', 'encoding', 'big']);
    script.push(['sadd', 'mixed', '1', 'x'], ['object', 'encoding', 'mixed'], ['srem', 'mixed', 'x'], ['object', 'encoding', 'mixed'], ['smembers', 'mixed']);
    script.push(['sunionstore', 'u', 'big'], ['object', 'encoding', 'u'], ['scard', 'u'], ['sinterstore', 'i', 'big', 'mixed'], ['object', 'encoding', 'i']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('keeps binary members intact', async () => {
    const m = Buffer.from([0, 0xff, 0x0d, 0x0a]);
    expect(
      await ctx.rig.run([
        ['flushall'],
        ['sadd', 'b', m],
        ['smembers', 'b'],
        ['sismember', 'b', m],
        ['sismember', 'b', Buffer.from([0, 0xff])],
        ['sadd', 'b', Buffer.alloc(0)],
        ['smismember', 'b', Buffer.alloc(0), m, 'x'],
        ['srem', 'b', m],
        ['smembers', 'b'],
      ]),
    ).toEqual([]);
  });
});

describe('random set commands', () => {
  it('SPOP and SRANDMEMBER return members of the set with the right counts', () => {
    const l = ctx.rig.local;
    l.send(['flushall']);
    l.send(['sadd', 'r', ...Array.from({ length: 20 }, (_, i) => `m${i}`)]);
    const members = (b: Buffer) => [...b.latin1Slice(0, b.length).matchAll(/\$\d+\r\n(m\d+)\r\n/g)].map((x) => x[1]);
    const distinct = members(l.send(['srandmember', 'r', '5']));
    expect(new Set(distinct).size).toBe(5);
    const repeated = members(l.send(['srandmember', 'r', '-50']));
    expect(repeated).toHaveLength(50);
    for (const m of repeated) expect(m).toMatch(/^m([0-9]|1[0-9])$/);
    const popped = members(l.send(['spop', 'r', '7']));
    expect(new Set(popped).size).toBe(7);
    expect(l.send(['scard', 'r']).toString()).toBe(':13\r\n');
    for (const m of popped) expect(l.send(['sismember', 'r', m]).toString()).toBe(':0\r\n');
    // SPOP is logged as the SREM of what it chose, so the AOF replays the same result.
    expect(l.propagated.at(-1)?.slice(0, 2)).toEqual(['SREM', 'r']);
    expect([...(l.propagated.at(-1) as string[]).slice(2)].sort()).toEqual([...popped].sort());
    members(l.send(['spop', 'r', '100']));
    expect(l.send(['exists', 'r']).toString()).toBe(':0\r\n');
  });
});

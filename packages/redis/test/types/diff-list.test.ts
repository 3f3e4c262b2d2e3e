import { cmds, itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

const LISTS = `
flushall
lpush
lpush l
rpush l a b c
lpush l x y
lrange l 0 -1
llen l
llen nokey
lrange l 1 2
lrange l -2 -1
lrange l -100 100
lrange l 5 1
lrange l 10 20
lrange l a 1
lrange l 0 99999999999999999999
lrange nokey 0 -1
lindex l 0
lindex l -1
lindex l 100
lindex l -100
lindex l x
lindex nokey 0
lset l 0 first
lset l -1 last
lset l 100 z
lset l -100 z
lset nokey 0 z
lset l x z
lrange l 0 -1
lpushx nokey a
rpushx nokey a
lpushx l p1 p2
rpushx l r1 r2
lrange l 0 -1
exists nokey
lpop l
rpop l
lpop l 2
rpop l 2
lpop l 0
lpop l -1
lpop l x
lpop l 1 2
lpop nokey
lpop nokey 2
lpop nokey 0
rpop nokey 3
lrange l 0 -1
lpop l 100
exists l
type l
rpush l a b a c a d a
lrem l 2 a
lrange l 0 -1
lrem l -1 a
lrange l 0 -1
lrem l 0 a
lrange l 0 -1
lrem l 0 zz
lrem l x a
lrem nokey 0 a
lrem l 0 b
lrem l 0 c
lrem l 0 d
exists l
rpush l 1 2 3 4 5 6 7 8 9
ltrim l 1 -2
lrange l 0 -1
ltrim l -3 -1
lrange l 0 -1
ltrim l 100 200
exists l
ltrim nokey 0 1
rpush l 1 2 3
ltrim l 2 1
exists l
rpush l a b c
linsert l before b x
linsert l after c y
linsert l AFTER a z
linsert l middle a q
linsert l before nope q
linsert nokey before a b
lrange l 0 -1
del l
rpush l a b c 1 2 3 c c
lpos l c
lpos l c rank 2
lpos l c rank -1
lpos l c rank -3
lpos l c rank 9
lpos l c count 0
lpos l c count 2
lpos l c count 0 rank -1
lpos l c count 0 maxlen 3
lpos l c count 0 maxlen 4
lpos l c rank -1 maxlen 2
lpos l zz
lpos l zz count 0
lpos l c rank 0
lpos l c count -1
lpos l c maxlen -1
lpos l c rank x
lpos l c foo 1
lpos l c rank
lpos nokey c
lpos nokey c count 1
del l
rpush src a b c
rpush dst x
lmove src dst left right
lmove src dst right left
lrange src 0 -1
lrange dst 0 -1
lmove src dst up down
lmove nokey dst left left
lmove src src left right
lrange src 0 -1
lmove src newdst left left
exists src
lrange newdst 0 -1
rpoplpush newdst newdst
rpoplpush newdst other
rpoplpush nokey other
lrange other 0 -1
set str v
lpush str a
rpush str a
lpushx str a
lrange str 0 -1
llen str
lindex str 0
lpop str
lset str 0 a
lrem str 0 a
ltrim str 0 1
linsert str before a b
lpos str a
lmove str dst left left
lmove other str left left
lrange other 0 -1
rpoplpush str other
object encoding other
blpop nokey 0.01
brpop nokey x
brpop nokey -1
brpop nokey inf
brpop nokey 1e30
blpop str 0.01
blpop nokey str 0.01
brpop other 0.01
brpop nokey other 0.01
blmove other dst left right 0.01
blmove other dst left middle 0.01
blmove nokey dst left right 0.001
blmove other str left left 0.01
lrange dst 0 -1
`;

describe('list commands match redis-server byte for byte', () => {
  jest.setTimeout(30000);

  itMatchesInBothProtocols(ctx, LISTS);

  it('the rig itself reports a reply that differs', async () => {
    // INFO server names each server's own version and process id.
    const bad = await ctx.rig.run([['info', 'server']]);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain('process_id');
  });

  it('keeps binary elements intact', async () => {
    const bin = Buffer.from([0, 255, 13, 10, 36, 42, 128]);
    expect(
      await ctx.rig.run([
        ['flushall'],
        ['rpush', Buffer.from([0, 1, 255]), bin, Buffer.alloc(0), bin],
        ['lrange', Buffer.from([0, 1, 255]), '0', '-1'],
        ['lrem', Buffer.from([0, 1, 255]), '0', bin],
        ['lpos', Buffer.from([0, 1, 255]), Buffer.alloc(0)],
        ['lrange', Buffer.from([0, 1, 255]), '0', '-1'],
      ]),
    ).toEqual([]);
  });

  it('grows, shrinks and inserts in long lists like redis', async () => {
    const script: string[][] = [['flushall']];
    for (let i = 0; i < 300; i++) script.push([i % 3 ? 'rpush' : 'lpush', 'big', String(i), `v${i % 7}`]);
    script.push(['linsert', 'big', 'before', 'v3', 'INS'], ['lrem', 'big', '-5', 'v2'], ['lrem', 'big', '7', 'v1']);
    script.push(['ltrim', 'big', '10', '-10'], ['lindex', 'big', '250'], ['lpos', 'big', 'v4', 'rank', '-3', 'count', '4']);
    script.push(['lrange', 'big', '0', '-1'], ['lpop', 'big', '50'], ['rpop', 'big', '50'], ['llen', 'big'], ['lrange', 'big', '0', '-1']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });
});

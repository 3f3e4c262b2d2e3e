// ZUNION/ZINTER/ZDIFF (+STORE), ZINTERCARD and ZMPOP against redis-server, byte for byte, in
// RESP2 and RESP3, error replies included.
import { cmds, itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

const SETOPS = `
flushall
zadd a 1 x 2 y 3 z
zadd b 1 y 2 z 3 w
sadd s x y q
zadd inf1 +inf k -inf n 1 m
zadd inf2 +inf k +inf n -inf m
set str v
zunion 2 a b
zunion 2 a b withscores
zunion 2 a b weights 2 3 withscores
zunion 2 a b weights 2 3 aggregate min withscores
zunion 2 a b aggregate max withscores
zunion 3 a b s withscores
zunion 2 a nokey withscores
zunion 1 nokey
zunion 2 inf1 inf2 withscores
zunion 2 inf1 inf2 weights 0 1 withscores
zunion 1 inf1 weights 0 withscores
zunion 2 a b weights 1 nan
zunion 2 a b weights 1
zunion 2 a b weights 1 x
zunion 2 a b aggregate avg
zunion 2 a b aggregate
zunion 0 a
zunion -1 a
zunion x a
zunion 3 a b
zunion 2 a str
zunion 2 a b foo
zunion 2 a b limit 1
zunion 9223372036854775807 a
zunion -9223372036854775808 a
zinterstore dst 9223372036854775807 a
zrange a -inf +inf byscore limit 9223372036854775807 1
zrange a -inf +inf byscore rev limit 9223372036854775807 -1
zrange a - + bylex limit 9223372036854775807 -9223372036854775808
zrange a - + bylex rev limit 1 9223372036854775807
zrange a -9223372036854775808 9223372036854775807 withscores
zrange a 0 -1 limit 0 -1
zrange a 0 -1 limit 0 0
zremrangebyrank b -9223372036854775808 -9223372036854775807
zrangestore dst a -inf +inf byscore limit 1 9223372036854775807
zrange dst 0 -1 withscores
zinter 2 a b withscores
zinter 2 a b weights 2 3 withscores
zinter 2 a a withscores
zinter 3 a s b withscores
zinter 2 a nokey
zinter 2 inf1 inf2 withscores
zinter 2 inf1 inf2 aggregate min withscores
zinter 2 a str
zinter 0 a
zintercard 2 a b
zintercard 2 a b limit 1
zintercard 2 a b limit 0
zintercard 2 a b limit 100
zintercard 1 a limit -1
zintercard 1 a limit x
zintercard 1 a limit
zintercard 1 a withscores
zintercard 1 a weights 1
zintercard 0 a
zintercard 2 a nokey
zintercard 2 str a
zdiff 2 a b
zdiff 2 a b withscores
zdiff 1 a withscores
zdiff 2 a a
zdiff 3 a s b withscores
zdiff 2 nokey a
zdiff 2 a b weights 1 1
zdiff 2 a b aggregate sum
zdiff 2 a str
zdiff 0 a
zunionstore dst 2 a b
zrange dst 0 -1 withscores
object encoding dst
zunionstore dst 2 a b weights 1 -1 aggregate sum
zrange dst 0 -1 withscores
zunionstore dst 2 a b withscores
zinterstore dst 2 a b aggregate max
zrange dst 0 -1 withscores
zinterstore dst 2 a nokey
exists dst
zinterstore dst 2 a b withscores
zdiffstore dst 2 a b
zrange dst 0 -1 withscores
zdiffstore dst 2 a a
exists dst
zdiffstore dst 2 a b weights 1 1
zunionstore str 1 a
type str
zunionstore dst 0 a
zinterstore dst 0 a
zdiffstore dst 0 a
set str v
zadd p 1 a 2 b 3 c 4 d 5 e
zadd q 10 x
zmpop 1 p min
zmpop 1 p max count 2
zmpop 2 nokey p min count 100
exists p
zmpop 2 nokey p min
zmpop 1 q max count 9223372036854775807
zmpop 1 nokey min
zmpop 0 p min
zmpop -1 p min
zmpop x p min
zmpop 1 p
zmpop 1 p mid
zmpop 1 p min count 0
zmpop 1 p min count -1
zmpop 1 p min count x
zmpop 1 p min count 1 count 2
zmpop 1 p min foo
zmpop 1 p count 1
zmpop 2 p min
zmpop 9223372036854775807 p min
zmpop 1 str min
zmpop 2 nokey str max
zadd p 1 a
zmpop 2 p str min
bzmpop 0.01 1 nokey min
bzmpop 0.01 2 nokey p max count 5
bzmpop 0 0 p min
bzmpop 0 1 p min count 0
bzmpop x 1 p min
bzmpop -1 1 p min
bzmpop 0.01 1 str min
bzmpop 0.01 1 p bad
`;

describe('sorted-set set operations and ZMPOP match redis-server byte for byte', () => {
  itMatchesInBothProtocols(ctx, SETOPS);

  it('sums and orders a union of large random sets exactly like redis', async () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const script: string[][] = [['flushall']];
    for (const key of ['u1', 'u2', 'u3']) {
      const cmd = ['zadd', key];
      for (let i = 0; i < 300; i++) cmd.push((rnd() * 100 - 50).toPrecision(1 + Math.floor(rnd() * 17)), `m${Math.floor(rnd() * 500)}`);
      script.push(cmd);
    }
    script.push(
      ['zunion', '3', 'u1', 'u2', 'u3', 'weights', '0.1', '3', '-7', 'withscores'],
      ['zinter', '3', 'u1', 'u2', 'u3', 'weights', '1.5', '0.3', '2', 'withscores'],
      ['zinter', '2', 'u1', 'u3', 'aggregate', 'min', 'withscores'],
      ['zdiff', '3', 'u1', 'u2', 'u3', 'withscores'],
      ['zintercard', '2', 'u1', 'u2'],
      ['zunionstore', 'big', '3', 'u1', 'u2', 'u3'],
      ['object', 'encoding', 'big'],
      ['zinterstore', 'small', '2', 'u1', 'u2'],
      ['object', 'encoding', 'small'],
      ['zrange', 'small', '0', '-1', 'withscores'],
    );
    expect(await ctx.rig.run(script)).toEqual([]);
  });
});

const ENCODINGS = `
flushall
config set zset-max-listpack-entries 3
config set zset-max-listpack-value 5
zadd e 1 a 2 b 3 c
object encoding e
zadd e 4 d
object encoding e
zrem e d c b
object encoding e
zadd l 1 abcde
object encoding l
zadd l 2 abcdef
object encoding l
zadd m 1 abcdef
object encoding m
zadd n 1 a 1 a 1 a 1 a 1 a
object encoding n
zadd o 1 a 2 b 3 c
zrangestore o2 o 0 1
object encoding o2
zrangestore o3 o 0 -1 byscore
object encoding o3
zunionstore u 1 e
object encoding u
zunionstore u 2 e o
object encoding u
zunionstore u 1 m
object encoding u
config set zset-max-ziplist-entries 0
config get zset-max-listpack-entries
zadd z0 1 a
object encoding z0
zrangestore z1 o 0 0
object encoding z1
zunionstore z2 1 o
object encoding z2
copy o3 o4
object encoding o4
geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
geosearchstore gs g fromlonlat 15 37 byradius 200 km
object encoding gs
georadius g 15 37 200 km store gr
object encoding gr
config set zset-max-ziplist-entries 128
config set zset-max-ziplist-value 64
zadd z0 2 b
object encoding z0
zadd z5 1 a
object encoding z5
config set zset-max-listpack-value 0
zadd z5 3 a
object encoding z5
zadd z5 2 b
object encoding z5
`;

describe('sorted-set encodings follow zset-max-listpack-entries/value like redis-server', () => {
  it('reports the encoding Redis would use, through every conversion', async () => {
    const bad = await ctx.rig.run(cmds(ENCODINGS));
    await ctx.rig.run(cmds('config set zset-max-listpack-entries 128\nconfig set zset-max-listpack-value 64'));
    expect(bad).toEqual([]);
  });
});

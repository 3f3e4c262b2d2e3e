import { cmds, itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

const HASHES = `
flushall
hset h
hset h f
hset h f v extra
hset h f1 v1 f2 v2
hset h f1 v1b f3 v3
hmset h f4 v4
hmset h f5
hgetall h
hkeys h
hvals h
hlen h
hget h f1
hget h nope
hget nokey f
hmget h f1 nope f3
hmget nokey a b
hexists h f1
hexists h nope
hexists nokey f
hstrlen h f1
hstrlen h nope
hstrlen nokey f
hsetnx h f1 x
hsetnx h f9 x
hsetnx nokey2 a b
hgetall nokey2
hdel h f1 nope f3
hdel h nope
hdel nokey f
hgetall h
hdel nokey2 a
exists nokey2
hincrby h n 5
hincrby h n -12
hincrby h n x
hincrby h n 1.5
hincrby h n 9223372036854775807
hincrby h n 99999999999999999999
hset h big 9223372036854775800
hincrby h big 7
hincrby h big 1
hset h neg -9223372036854775808
hincrby h neg -1
hincrby h neg 0
hincrby h f4 1
hset h sp ' 1'
hincrby h f9 1
hincrby nokey3 n 3
hgetall nokey3
hincrbyfloat h fl 10.5
hincrbyfloat h fl 0.1
hincrbyfloat h fl -5.6
hincrbyfloat h fl 1e3
hincrbyfloat h fl 3.0e-2
hincrbyfloat h fl x
hincrbyfloat h fl ''
hincrbyfloat h fl inf
hincrbyfloat h fl nan
hincrbyfloat h fl 0x10
hincrbyfloat h fl2 0.1
hincrbyfloat h fl2 0.2
hincrbyfloat h fl3 1e30
hincrbyfloat h fl3 -1e30
hincrbyfloat h fl4 -0
hincrbyfloat h fl5 1.23456789012345678
hincrbyfloat h2 fl7 1e400
hincrbyfloat h2 fl7 -infinity
hincrbyfloat h2 fl7 1e-5000
hincrbyfloat h2 fl7 1e-4940
hset h2 fl8 inf
hincrbyfloat h2 fl8 1
hincrbyfloat h2 fl8 1e5000
hget h2 fl7
hget h2 fl8
hlen h2
hincrbyfloat h fl6 5
hincrbyfloat h fl6 -5
hincrbyfloat h f4 1
hincrbyfloat h n 1.5
hgetall h
object encoding h
hrandfield nokey
hrandfield nokey 3
hrandfield nokey -3 withvalues
hrandfield h 0
hrandfield h 100
hrandfield h 100 withvalues
hrandfield h 5 values
hrandfield h 5 withvalues extra
hrandfield h x
hrandfield h -9223372036854775808 withvalues
hrandfield h -9223372036854775808
hrandfield h -9223372036854775807 withvalues
hrandfield h 4611686018427387904 withvalues
hscan h 0
hscan h 0 match f*
hscan h 0 count 1
hscan h 0 count 0
hscan h 0 count x
hscan h x
hscan h -1
hscan h ''
hscan h +0
hscan h -0
hscan h 18446744073709551615
hscan h 18446744073709551616
hscan h ' 0'
hscan h 0 foo bar
hscan h 0 match
hscan nokey 0
set str v
hset str a b
hget str a
hgetall str
hincrby str a 1
hincrbyfloat str a 1
hrandfield str
hscan str 0
hlen str
hdel str a
hsetnx str a b
hmget str a
`;

describe('hash commands match redis-server byte for byte', () => {
  itMatchesInBothProtocols(ctx, HASHES);

  it('converts listpack to hashtable at the same thresholds', async () => {
    const script: string[][] = [['flushall'], ['hset', 'long', 'f', 'x'.repeat(64)], ['object', 'encoding', 'long'], ['hset', 'long', 'g', 'x'.repeat(65)], ['object', 'encoding', 'long']];
    script.push(['hset', 'longf', 'f'.repeat(65), '1'], ['object', 'encoding', 'longf']);
    for (let i = 0; i < 512; i++) script.push(['hset', 'many', `f${i}`, String(i)]);
    script.push(['object', 'encoding', 'many'], ['hset', 'many', 'last', '1'], ['object', 'encoding', 'many'], ['hdel', 'many', 'last', 'f1'], ['object', 'encoding', 'many']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('keeps binary fields and values intact', async () => {
    const f = Buffer.from([0, 0xff, 0x0d, 0x0a]);
    const v = Buffer.from([0x80, 0, 0x24]);
    expect(
      await ctx.rig.run([
        ['flushall'],
        ['hset', 'b', f, v, Buffer.alloc(0), Buffer.alloc(0)],
        ['hgetall', 'b'],
        ['hget', 'b', f],
        ['hstrlen', 'b', f],
        ['hexists', 'b', Buffer.alloc(0)],
        ['hdel', 'b', f],
        ['hkeys', 'b'],
      ]),
    ).toEqual([]);
  });

  it('HINCRBYFLOAT rounds like a long double across many values', async () => {
    const script: string[][] = [['flushall']];
    const values = ['0.1', '0.2', '0.3', '1.1', '2.675', '1e-5', '123456789.987654321', '-7.77', '3.14159265358979323846', '1e17', '4.5e15', '0.000001'];
    for (const a of values) for (const b of values) script.push(['hset', 'f', 'x', a], ['hincrbyfloat', 'f', 'x', b]);
    expect(await ctx.rig.run(script)).toEqual([]);
  });
});

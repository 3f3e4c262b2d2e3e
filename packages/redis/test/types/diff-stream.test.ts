// Stream commands against a real redis-server: every reply of these scripts must be byte-identical
// in RESP2 and RESP3. IDs are explicit (a `*` would differ by the clock) and nothing that shows
// idle or delivery times is compared.
import { cmds, itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

const BASICS = `
flushall
config set stream-node-max-entries 100
config set stream-node-max-bytes 4096
xadd s
xadd s 1-1
xadd s 1-1 f
xadd s 1-1 f v g
xadd s 0-0 f v
xadd s 0-* f v
xadd s 0-* f v
xadd s 5 f v
xadd s 5-* f v
xadd s 4-* f v
xadd s 5-3 f v
xadd s 6-1 a 1 b 2
xadd s 6-* a 1 b 2 c 3
xadd s 1-2-3 f v
xadd s -5 f v
xadd s +5-1 f v
xadd s 007-0 f v
xadd s 8-+1 f v
xadd s 9-0x1 f v
xadd s '' f v
xadd s - f v
xadd s + f v
xadd s 18446744073709551616-0 f v
xlen s
xlen nokey
xrange s - +
xrevrange s + -
xrange s - + count 2
xrange s - + count 0
xrange s - + count -1
xrange s - + count 9223372036854775807
xrange s - + count x
xrange s - + foo 1
xrange s - + count
xrange s 5 5
xrange s 5-1 6
xrange s (5-1 (6-1
xrange s (- +
xrange s - (+
xrange s ( +
xrange s (0-0 +
xrange s - (0-0
xrange s (18446744073709551615-18446744073709551615 +
xrange s x +
xrange nokey - +
xrevrange s 6 5 count 2
xrevrange s (6-1 - count 1
xrevrange s - +
xadd s nomkstream 10-0 n 1
xadd s2 nomkstream 10-0 n 1
exists s2
type s
object encoding s
xdel s 5-1 5-1 99-0
xdel s bad
xdel nokey 1-1
xlen s
xrange s - +
set str v
xadd str 1-1 f v
xrange str - +
xlen str
xdel str 1-1
xtrim str maxlen 1
xsetid str 1-1
xinfo stream str
xread streams str 0
del str
`;

const EDGES = `
flushall
xadd e 18446744073709551615-18446744073709551614 f v
xadd e 18446744073709551615-* f v
xadd e 18446744073709551615-* f v
xadd e 1-1 f v
xrange e - +
xinfo stream e
del e
xadd e 1-18446744073709551615 f v
xadd e 1-* f v
xadd e 2-* f v
xrange e (1-18446744073709551615 +
xrange e - (2-0
del e
xadd v 0-1 foo bar
xadd v 0-18446744073709551615 foo bar
xadd v 1-0 foo bar
xadd v 42-0 foo bar
xadd v 42-42 foo bar
xadd v 18446744073709551615-18446744073709551614 foo bar
xadd v 18446744073709551615-18446744073709551615 foo bar
xrange v (0-1 (1-0
xrange v (1-0 (42-42
xrevrange v + - count 3
xinfo stream v
xsetid v 1-1
xsetid v 18446744073709551615-18446744073709551615 entriesadded 9223372036854775807 maxdeletedid 18446744073709551615-18446744073709551615
xinfo stream v
xsetid v 1-1 0
xsetid v 1-1 entriesadded -1
xsetid v 1-1 maxdeletedid 2-0
xsetid nokey 1-1
xsetid v
`;

const TRIMMING = `
flushall
config set stream-node-max-entries 3
xadd t 1 f v
xadd t 2 f v
xadd t 3 f v
xadd t 4 f v
xadd t 5 f v
xadd t 6 f v
xadd t 7 f v other x
xadd t 8 f v
xadd t 9 f v
xadd t 10 f v
xinfo stream t
xtrim t maxlen ~ 8
xlen t
xtrim t maxlen ~ 5
xlen t
xtrim t maxlen = 6
xlen t
xtrim t minid 8
xrange t - +
xtrim t minid ~ 100
xlen t
xtrim t maxlen 1 limit 1
xtrim t maxlen ~ 0 limit 1
xtrim t maxlen ~ 0 limit -1
xtrim t maxlen -1
xtrim t maxlen x
xtrim t minid bad
xtrim t maxlen 1 minid 1
xtrim t limit 5
xtrim t
xtrim t foo
xtrim t maxlen
xtrim nokey maxlen 0
xadd t maxlen 0 20 f v
xinfo stream t
xadd t maxlen ~ 1 limit 0 21 f v
xadd t limit 5 22 f v
xadd t maxlen 1 minid 1 22 f v
xadd t minid = 21 23 f v
xrange t - +
del t
config set stream-node-max-entries 2
xadd u 1 f v
xadd u 2 f v
xadd u 3 f v
xtrim u maxlen ~ 0 limit 1
xtrim u maxlen ~ 0 limit 2
xinfo stream u
config set stream-node-max-entries 100
config set stream-node-max-bytes 60
xadd b 1 field valuevaluevalue
xadd b 2 field valuevaluevalue
xadd b 3 field valuevaluevalue
xadd b 4 field 12345
xadd b 5 field -77
xadd b 6 field valuevaluevaluevaluevaluevaluevaluevalue
xadd b 7 field valuevalue
xinfo stream b
xtrim b maxlen ~ 2
xinfo stream b
config set stream-node-max-bytes 4096
`;

const DELETES = `
flushall
xadd d 1 a 1
xadd d 2 a 2
xadd d 3 a 3
xadd d 4 a 4
xadd d 5 a 5
xdel d 1
xinfo stream d
xdel d 3
xinfo stream d
xdel d 2 4 5
xinfo stream d
xadd d 5 a 5
xadd d 6 a 6
xlen d
xrange d - +
`;

const GROUPS = `
flushall
xgroup
xgroup help
xgroup help x
xgroup foo
xgroup create
xgroup create g1 g
xgroup create nokey g $
xgroup create nokey g $ mkstream
xgroup create nokey g $ mkstream
xgroup create nokey g2 0 mkstream entriesread 5
xgroup create nokey g3 0 entriesread -2
xgroup create nokey g3 0 entriesread x
xgroup create nokey g3 0 foo
xgroup create nokey g3 bad
xinfo groups nokey
xadd x 1 a 1
xadd x 2 b 2
xadd x 3 c 3
xadd x 4 d 4
xadd x 5 e 5
xgroup create x g1 0
xgroup create x g2 $
xgroup create x g3 3
xinfo groups x
xreadgroup group g1 alice count 1 streams x >
xinfo groups x
xreadgroup group g1 bob count 2 streams x >
xreadgroup group g1 bob noack count 1 streams x >
xinfo groups x
xpending x g1
xpending x g1 idle 99999999 - + 10
xpending x g1 - + 0
xpending x nog
xpending nokey g1
xpending x g1 - + x
xpending x g1 idle x - + 10
xpending x g1 idle 5 - +
xpending x g1 foo
xreadgroup group g1 alice streams x 0
xreadgroup group g1 bob count 1 streams x 0
xreadgroup group g1 bob streams x 2
xreadgroup group g1 bob streams x $
xread streams x >
xreadgroup group nog c streams x >
xreadgroup group g1 c streams nokey >
xreadgroup streams x >
xread group g1 c streams x >
xread noack streams x 0
xreadgroup group g1 c streams x
xack x g1 1 2 9
xack x g1 1
xack x g1 bad
xack x nog 3
xack nokey g1 3
xpending x g1
xclaim x g1 carol 0 3 justid
xpending x g1
xclaim x g1 carol 0 9 justid
xclaim x g1 carol 0 4 force justid
xpending x g1
xclaim x g1 carol 0 5 justid retrycount 7
xclaim x g1 carol x 5
xclaim x g1 carol 0 5 idle x
xclaim x g1 carol 0 5 time x
xclaim x g1 carol 0 5 retrycount x
xclaim x g1 carol 0 5 lastid bad
xclaim x g1 carol 0 5 bogus
xclaim x nog carol 0 5
xclaim nokey g1 carol 0 5
xautoclaim x g1 dave 0 0 justid
xautoclaim x g1 dave 0 0 count 1 justid
xautoclaim x g1 dave 0 0 count 0
xautoclaim x g1 dave 0 0 count 8070450532247928833
xautoclaim x g1 dave x 0
xautoclaim x g1 dave 0 bad
xautoclaim x g1 dave 0 0 foo
xautoclaim x nog dave 0 0
xdel x 4
xautoclaim x g1 erin 0 - justid
xinfo groups x
xgroup createconsumer x g1 frank
xgroup createconsumer x g1 frank
xgroup createconsumer x nog frank
xgroup delconsumer x g1 frank
xgroup delconsumer x g1 nobody
xgroup delconsumer x g1 erin
xpending x g1
xgroup setid x g1 0
xgroup setid x g1 $ entriesread 3
xgroup setid x nog 0
xgroup setid x g1 bad
xgroup setid x g1 0 mkstream
xinfo groups x
xgroup destroy x g2
xgroup destroy x g2
xinfo groups x
xinfo stream x
xinfo
xinfo help
xinfo help x
xinfo foo x
xinfo stream
xinfo stream nokey
xinfo stream x foo
xinfo stream x full count
xinfo stream x full foo 1
xinfo groups nokey
xinfo consumers x nog
xinfo consumers nokey g1
`;

const LAG = `
flushall
xgroup create x g1 0 mkstream
xinfo groups x
xadd x 1-0 data a
xdel x 1-0
xinfo groups x
del x
xadd x 1-0 data a
xadd x 2-0 data b
xadd x 3-0 data c
xadd x 4-0 data d
xadd x 5-0 data e
xdel x 3-0
xgroup create x g1 0
xgroup create x g2 0
xinfo groups x
xreadgroup group g1 c11 count 1 streams x >
xinfo groups x
xreadgroup group g1 c11 count 3 streams x >
xinfo groups x
xadd x 6-0 data f
xinfo groups x
xtrim x minid = 3-0
xinfo groups x
xtrim x minid = 5-0
xinfo groups x
xsetid x 6-0 entriesadded 100
xinfo groups x
xgroup setid x g2 0 entriesread 2
xinfo groups x
`;

const READS = `
flushall
xadd r1 1-1 f v
xadd r1 1-18446744073709551615 f v
xadd r1 2-1 f v
xread streams r1 1-18446744073709551615
xread count 1 streams r1 0
xread count 1 streams nokey r1 0 0
xread streams nokey1 nokey2 0 0
xread streams r1 $
xread block 0 streams r1 1-18446744073709551615
xread streams r1 r1 0 2
xread block x streams r1 0
xread block -1 streams r1 0
xread count x streams r1 0
xread streams r1
xread streams r1 0 0
xread streams r1 bad
xread r1 0
xread foo streams r1 0
xread count -5 streams r1 0
xread count 9223372036854775807 streams r1 0
`;

describe('stream differential tests against redis-server', () => {
  describe('XADD, XRANGE, XLEN, XDEL, wrong types', () => itMatchesInBothProtocols(ctx, BASICS));
  describe('IDs at the edges of 2^64', () => itMatchesInBothProtocols(ctx, EDGES));
  describe('XTRIM and XADD trimming with node limits', () => itMatchesInBothProtocols(ctx, TRIMMING));
  describe('XDEL and the recorded first / maximal deleted IDs', () => itMatchesInBothProtocols(ctx, DELETES));
  describe('consumer groups', () => itMatchesInBothProtocols(ctx, GROUPS));
  describe('entries-read and lag', () => itMatchesInBothProtocols(ctx, LAG));
  describe('XREAD without blocking', () => itMatchesInBothProtocols(ctx, READS));

  it('a long XADD / XDEL / XTRIM sequence with small nodes keeps the same layout', async () => {
    const lines = ['flushall', 'config set stream-node-max-entries 7'];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 1; i <= 600; i++) {
      const fields = rand(4) === 0 ? `f${rand(3)} ${rand(1000)} g x` : `f ${'v'.repeat(rand(40))}`;
      lines.push(`xadd z ${i}-${rand(3)} ${fields}`);
      if (rand(5) === 0) lines.push(`xdel z ${rand(i) + 1}-${rand(3)}`);
      if (rand(40) === 0) lines.push(`xtrim z maxlen ~ ${rand(200)}`);
      if (rand(60) === 0) lines.push(`xtrim z minid ${rand(i)}`);
      if (i % 50 === 0) lines.push('xinfo stream z', `xrange z ${rand(i)} + count 20`, `xrevrange z + - count 5`);
    }
    lines.push('xinfo stream z full count 0', 'config set stream-node-max-entries 100');
    expect(await ctx.rig.run(cmds(lines.join('\n')))).toEqual([]);
  });
});

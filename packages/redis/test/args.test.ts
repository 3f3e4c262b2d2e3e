// The argument parsers every command shares, against redis-server: one SCAN cursor rule for
// SCAN/HSCAN/SSCAN/ZSCAN (strtoul: a sign, digits, the empty string as 0, at most 2^64-1),
// their COUNT/MATCH/TYPE options, and int64 arguments at the edges of the range, where
// -9223372036854775807 and -9223372036854775808 must not be confused.
import { itMatchesInBothProtocols, useRig } from './types/diff';

const ctx = useRig();

describe('SCAN family cursors and options match redis-server', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
set k v
hset h f v
sadd s 1 2 3
zadd z 1 a 2 b
scan 0 type string
scan +0 type string
scan '' type string
scan -0 type string
scan abc
scan 1x
scan 18446744073709551616
scan 99999999999999999999
scan 0 count 0
scan 0 count -1
scan 0 count abc
scan 0 count 9223372036854775808
scan 0 match
scan 0 type
scan 0 match k* type string count 100
scan 0 bogus 1
hscan h 0
hscan h -1
hscan h ''
hscan h abc
hscan h 18446744073709551615
hscan h 18446744073709551616
hscan h 0 count 0
hscan h 0 match f*
hscan h 0 match x*
hscan h 0 type string
hscan nohash 0
hscan nohash abc
sscan s 0
sscan s +5
sscan s 1.5
sscan s 0 count 1
sscan s 0 match 2
sscan k 0
zscan z 0
zscan z -18446744073709551615
zscan z 0 count
zscan z 0 match b count 5
zscan noz 0
`,
  );
});

describe('int64 arguments at the edges match redis-server', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
hset h f v
hrandfield h -9223372036854775808
hrandfield h -9223372036854775809
hrandfield h 9223372036854775808
hrandfield h 9223372036854775807 withvalues
hrandfield h -4611686018427387904 withvalues
hrandfield h 1 withvalues
decrby n -9223372036854775808
decrby n -9223372036854775807
get n
incrby n 1
incrby m 9223372036854775808
incrby m -9223372036854775808
get m
decrby m 1
incrby p 01
incrby p -0
incrby p +1
incrby p ''
lpush l a b c
lrange l -9223372036854775808 9223372036854775807
lindex l -9223372036854775808
lrange l 0 -9223372036854775809
setrange str 9223372036854775807 x
set e v
expire e 9223372036854775807
pexpire e 9223372036854775807
expire e -9223372036854775808
exists e
`,
  );
});

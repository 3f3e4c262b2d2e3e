// SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO and LCS against redis-server:
// every reply, errors included, byte for byte in RESP2 and RESP3.
import { itMatchesInBothProtocols, useRig } from '../types/diff';

const ctx = useRig();

describe('bitmaps', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
setbit b 7 1
setbit b 7 1
setbit b 0 1
setbit b 100 1
get b
strlen b
object encoding b
getbit b 0
getbit b 1
getbit b 100
getbit b 999999
getbit nokey 5
setbit b -1 1
setbit b 4294967296 1
setbit b 4294967295 1
setbit b x 1
setbit b 0 2
setbit b 0 -1
setbit b 0 x
getbit b -1
getbit b 4294967296
set n 1
object encoding n
setbit n 6 1
get n
object encoding n
getbit n 2
lpush l a
setbit l 0 1
getbit l 0
bitcount l
bitpos l 1
bitcount b
bitcount b 0 0
bitcount b 0 -1 bit
bitcount b 1 1 byte
bitcount b -5 -1 BIT
bitcount b -1 -5
bitcount b 0
bitcount b 0 1 2
bitcount b 0 1 nope
bitcount b x 1
bitcount b 0 9223372036854775807
bitcount b -9223372036854775808 -1
bitcount nokey 0 1
bitcount nokey x y
set s foobar
bitcount s
bitcount s 1 1
bitcount s 5 30 bit
bitpos s 1
bitpos s 0
bitpos s 1 2
bitpos s 0 1 3
bitpos s 1 7 15 bit
bitpos s 1 -1 -1 bit
bitpos s 2
bitpos s 1 x
bitpos s 1 0 1 nope
bitpos s 1 0 1 bit extra
bitpos nokey 1
bitpos nokey 0
set ff \xff
setrange ones 0 ÿÿÿ
bitpos ones 0
bitpos ones 0 0 -1
bitpos ones 0 0 1 bit
set a abc
set c zzzz
bitop and d a c
get d
object encoding d
set one 1
bitop or d one
object encoding d
bitop or d a c
get d
bitop xor d a c nokey
get d
bitop not d a
get d
bitop not d a c
bitop nand d a c
bitop and d nokey nokey2
exists d
bitop or d a l
bitop or l a
`,
  );
});

describe('bitfield', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
bitfield f set u8 0 255 get u8 0
bitfield f incrby u2 100 1 overflow sat incrby u2 102 1
bitfield f incrby i5 0 100 overflow fail incrby i5 0 100 overflow wrap incrby i5 0 100
bitfield f get i64 0 get u63 1 get u1 #3
bitfield f set i64 0 -9223372036854775808 get i64 0
bitfield f overflow sat incrby i64 0 -1 overflow wrap incrby i64 0 -1
bitfield f set u64 0 1
bitfield f set i65 0 1
bitfield f set i0 0 1
bitfield f set u8 -1 1
bitfield f set u8 #-1 1
bitfield f set u8 4294967296 1
bitfield f overflow nope get u8 0
bitfield f get u8
bitfield f bogus
bitfield f set u8 0 x
bitfield f
bitfield_ro f get u8 0 get i4 #1
bitfield_ro f set u8 0 1
bitfield_ro f get u8 0 incrby u8 0 1
bitfield_ro nokey get u8 0
bitfield nokey get u8 0
exists nokey
lpush l a
bitfield l get u8 0
bitfield_ro l get u8 0
bitfield l set u8 0 1
get f
strlen f
`,
  );
});

describe('lcs', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
set a ohmytext
set b mynewtext
lcs a b
lcs a b len
lcs a b idx
lcs a b idx withmatchlen
lcs a b idx minmatchlen 4
lcs a b idx minmatchlen 4 withmatchlen
lcs a b idx minmatchlen -5
lcs a b len idx
lcs a b idx minmatchlen
lcs a b idx minmatchlen x
lcs a b nope
lcs a nokey
lcs nokey nokey2 idx
lpush l x
lcs a l
lcs l a idx nope
set c 1234567890
set d 0987654321
lcs c d idx withmatchlen
`,
  );
});

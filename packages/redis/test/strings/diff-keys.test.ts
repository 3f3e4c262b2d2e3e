// SORT/SORT_RO, MOVE, COPY, the EXPIRE family's bounds and the string commands' argument errors
// against redis-server: every reply, errors included, byte for byte in RESP2 and RESP3.
import { itMatchesInBothProtocols, useRig } from '../types/diff';

const ctx = useRig();

describe('sort', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
rpush l 3 1 2 10 -5 2.5
sort l
sort l desc
sort l alpha
sort l alpha desc
sort l limit 1 2
sort l limit -1 2
sort l limit 2 -1
sort l limit 10 2
sort l limit 0 0
sort l limit x 2
sort l limit 1
sort l nope
sort l by nosort
sort l by nosort desc
sort l by nosort limit 1 3
sort l by nosort desc limit 1 3
set w_3 30
set w_1 10
set w_2 20
set w_10 0
set w_-5 abc
set w_2.5 25
sort l by w_*
del w_-5
sort l by w_*
sort l by w_* desc limit 0 3
sort l by w_* alpha
sort l by w_* get # get w_*
sort l get # get nokey_* get w_*
sort l get w_* get fixedkey
hset h_3 f c
hset h_1 f a
hset h_2 f b
sort l by h_*->f alpha get h_*->f get #
sort l by h_*->nofield get # 
sort l get h_*-> get h_*->f
sort l store dst
lrange dst 0 -1
type dst
sort l by w_* get w_* store dst
lrange dst 0 -1
sort nokey store dst
exists dst
sort nokey
sort_ro l store dst
sort_ro l by w_* get #
set s x
sort s
sort s limit x y
rpush al b a c B
sort al
sort al alpha
sort al alpha desc limit 1 2
sadd st 5 2 9 1
sort st
sort st desc
sort st by nosort store sst
lrange sst 0 -1
zadd z 3 c 1 a 2 b 4 d
sort z alpha
sort z by nosort
sort z by nosort desc
sort z by nosort limit 1 2
sort z by nosort desc limit 1 2
rpush inf 1 inf -inf +inf
sort inf
rpush nan nan 1
sort nan
rpush e '' 1
sort e
`,
  );
});

describe('move, copy, rename, expire', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
set k v
move k 1
move k 1
exists k
select 1
get k
set k other
select 0
set k v2
move k 1
move k 0
move k 16
move k -1
move k x
move k 4294967296
move nokey 1
pexpireat k 99999999999999
move k 2
select 2
pexpiretime k
object encoding k
select 0
copy nokey k2
set src 12345
copy src dst
object encoding dst
copy src dst
copy src dst replace
copy src src
copy src dst db 1 replace
copy src dst db 16
copy src dst db 4294967296
copy src dst db x
copy src dst bogus
append src 6
copy src cp
object encoding cp
append cp 7
get src
get cp
rpush list a b c
copy list list2
lrange list2 0 -1
rename nokey x
rename src src
renamenx src src
renamenx src cp
rename src newname
get newname
set e v
expire e -9223372036854776
expire e -9999999999999999
expire e 9223372036854776
pexpire e 9223372036854775807
expireat e 9223372036854775807
pexpireat e 9223372036854770000
expiretime e
expire e 100 nx
expire e 100 xx gt
expire e 100 nx xx
expire e 100 gt lt
expire e 100 bogus
expire e x
persist e
expire e 100 xx
expire e 100 gt
expire e 200 gt
expire e 50 lt
ttl e
expiretime nokey
pexpiretime newname
`,
  );
});

describe('string arguments', () => {
  itMatchesInBothProtocols(
    ctx,
    `
flushall
set n 10
incrby n 9223372036854775797
incr n
incrby n x
incrby n 9223372036854775808
decrby n -9223372036854775808
set m -9223372036854775807
decr m
decr m
incrbyfloat f 1.5
incrbyfloat f 1e400
incrbyfloat f x
incrbyfloat f 0.1
object encoding f
incrbyfloat g 3
object encoding g
copy g g2
object encoding g2
incrbyfloat g 1e30
object encoding g
set g 3
object encoding g
set s abc
incrbyfloat s 1
setrange s 1 xyz
getrange s 0 -1
getrange s -2 -1
getrange s 2 1
getrange s -1 -5
getrange s 0 9223372036854775807
getrange s x 1
substr s 1 2
setrange s -1 x
setrange s x y
setrange new 0 ''
exists new
setrange new 3 ab
get new
object encoding new
set i 1234
setrange i 0 ''
object encoding i
setrange i 0 9
object encoding i
append i 5
get i
append fresh 42
object encoding fresh
append fresh 0
object encoding fresh
lpush l a
append l x
setrange l 0 x
getrange l 0 1
strlen l
msetnx a 1 b 2
msetnx a 1 c 3
msetnx a
getex s persist ex 10
getex s ex 0
getex s px -1
getex s exat 1
getex nokey
getdel nokey
psetex p 0 v
setex p -1 v
setex p x v
set x y ex 0
set x y keepttl ex 10
set x y nx xx
set x y get
`,
  );
});

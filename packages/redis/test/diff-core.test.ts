// The same command scripts against redis-server and nevio-redis over TCP: every reply must be
// byte-identical, errors and edge cases included (strings, keys, expiry, connection, server,
// transactions, pub/sub replies, unknown commands and arity).
import { cmds, useRig } from './types/diff';

const ctx = useRig();

const STRINGS = `
flushall
get nokey
set k v
get k
set k v2 xx
set k2 v2 xx
set k3 v3 nx
set k3 v4 nx
get k3
set k v nx xx
set k v xx nx
set k v ex
set k v ex abc
set k v ex 0
set k v ex -5
set k v px 0
set k v ex 10 px 100
set k v keepttl ex 10
set k v exat 1
get k
set k v get
set k v3 get nx
set k v4 get xx
set k v5 EX 100 EX 200
ttl k
set k v6 keepttl
ttl k
set k v7
ttl k
set k v persist
set
set k
setnx k x
setnx sn x
setex k 10 v
setex k 0 v
setex k abc v
psetex k 0 v
psetex k 1000 v
getset k new
getset nokey1 new
getdel k
getdel k
getex k
getex k3 ex 100
ttl k3
getex k3 persist
ttl k3
getex k3 persist ex 10
getex k3 keepttl
getex k3 exat 1
exists k3
mget k3 sn nokey
mset a 1 b 2
mset a 1 b
msetnx a 1 c 3
msetnx c 3 d 4
mget a b c d
incr a
incr nokey2
incrby a 10
incrby a -100
incrby a abc
incrby a 1.5
decr a
decrby a 5
decrby a -9223372036854775808
set big 9223372036854775806
incr big
incr big
set small -9223372036854775807
decr small
decr small
set f 10.5
incr f
incrbyfloat f 0.1
incrbyfloat f -5.6
incrbyfloat f abc
incrbyfloat nokey3 3.0e3
incrbyfloat nokey3 1e308
incrbyfloat nokey3 1e308
set s hello
incr s
incrbyfloat s 1
set lead 010
incr lead
set sp " 1"
append s " world"
append nokey4 abc
strlen s
strlen nokey
getrange s 0 4
getrange s -5 -1
getrange s 5 3
getrange s -1 -5
getrange s 0 100
getrange s 100 200
getrange nokey 0 1
getrange s a b
substr s 1 3
setrange s 6 W
get s
setrange s 20 X
get s
setrange nokey5 0 ''
exists nokey5
setrange nokey5 3 x
get nokey5
setrange s -1 x
setrange s 536870912 x
rpush alist a
get alist
set alist x get
append alist x
incr alist
strlen alist
getrange alist 0 1
mget alist a
`;

const KEYS = `
flushall
mset a 1 b 2 c 3
del a b nokey
del
exists a b c c
type c
type nokey
rpush l 1
type l
rename c d
rename nokey x
rename d d
renamenx d d
set e 5
renamenx d e
renamenx d f
get f
rename f e
get e
expire e 100
ttl e
pttl nokey
ttl nokey
rename e g
ttl g
persist g
persist g
persist nokey
ttl g
expire g abc
expire g 100 nx
expire g 200 nx
expire g 50 xx
expire g 300 gt
expire g 10 lt
expire g 400 lt
ttl g
expire g 100 nx xx
expire g 100 gt lt
expire g 100 foo
expire nokey 100
expire g 9223372036854775807
pexpire g 9223372036854775807
expireat g 9223372036854775807
set h 1
expire h 100 xx
expire h 100 gt
expire h 100 lt
ttl h
expiretime nokey
expiretime l
pexpiretime l
expireat h 4000000000
expiretime h
pexpireat h 4000000000123
pexpiretime h
expire h -1
exists h
pexpireat g 1
exists g
copy l l2
copy l l2
copy l l2 replace
copy l l
copy l l db 1
copy l l db 99
copy l l db abc
copy l l foo
copy nokey x
lrange l2 0 -1
select 1
exists l
select 0
touch l l2 nokey
object encoding l
object encoding nokey
set n 12345
object encoding n
set n abc
object encoding n
set n 123456789012345678901234567890123456789012345
object encoding n
object foo
object encoding
object freq n
set n abc
append n def
object encoding n
set n 12
setrange n 0 3
object encoding n
incr n
object encoding n
incrbyfloat n 1.5
object encoding n
set n 9223372036854775808
object encoding n
set n -12
object encoding n
dbsize
unlink l l2
dbsize
flushdb foo
flushdb async
dbsize
swapdb 0 1
swapdb 0 16
swapdb a 1
swapdb 1 a
select 16
select -1
select a
`;

const KEYS_SORTED = `
flushall
mset foo 1 fob 2 fxx 3 bar 4 f*x 5 hello 6 hallo 7 hxllo 8 heeeello 9
keys nomatch*
keys h?llo
keys h*llo
keys h[ae]llo
keys h[^e]llo
keys h[a-b]llo
keys f\\*x
keys *
scan 0 count 100 match f*
scan 0 count 100 type string match h*
`;

const CONNECTION = `
ping
ping hello
ping a b
echo
echo hi
select 0
auth foo
auth a b c
hello 4
hello 4 foo
hello abc
hello 3 foo
hello 3 auth a
client setname "a b"
client setname ok-name
client getname
client foo
client setname
client kill 1.2.3.4:5
client kill id abc
client kill foo bar
config get nosuchparam
config set nosuchparam 1
config get maxmemory-policy
config get appendfsync
config get save
config get hz
config
config foo
foo
foo bar baz
GET
get a b
multi
multi
set x 1
incr x
get x
exec
multi
set x 1
foo
exec
multi
set x 1
get
exec
exec
discard
multi
discard
multi
incr nokeyxy
lpush nokeyxy a
incr nokeyxy
exec
watch x
multi
watch x
discard
unwatch
subscribe
unsubscribe
punsubscribe
publish ch msg
pubsub numpat
pubsub numsub a b
pubsub channels
pubsub foo
object help
dbsize
subscribe ch1
get x
ping
ping hi
psubscribe p*
unsubscribe ch1
punsubscribe
get x
`;

test('string commands match redis-server', async () => {
  expect(await ctx.rig.run(cmds(STRINGS))).toEqual([]);
});

test('key and expiry commands match redis-server', async () => {
  expect(await ctx.rig.run(cmds(KEYS))).toEqual([]);
});

test('connection, server, transaction and error replies match redis-server', async () => {
  expect(await ctx.rig.run(cmds(CONNECTION))).toEqual([]);
});

test('binary keys and values round-trip identically', async () => {
  const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x80, 0x20]);
  expect(
    await ctx.rig.run([
      ['flushall'],
      ['set', bin, bin],
      ['get', bin],
      ['append', bin, bin],
      ['strlen', bin],
      ['getrange', bin, '2', '9'],
      ['exists', bin],
      ['keys', '*'],
      ['type', bin],
      ['rename', bin, Buffer.from([0xfe])],
      ['get', Buffer.from([0xfe])],
      ['mget', Buffer.from([0xfe]), bin],
      ['echo', bin],
      [Buffer.from([0xe9, 0x00, 0x41]), 'x'],
    ]),
  ).toEqual([]);
});

test('KEYS and SCAN select the same keys as redis-server (order aside)', async () => {
  const lines = cmds(KEYS_SORTED);
  // Redis returns keys in hash order: compare the reply's lines sorted.
  const sorted = (shown: string): string => (JSON.parse(shown) as string).split('\r\n').sort().join('\n');
  const bad = await ctx.rig.run(lines.slice(0, 2));
  expect(bad).toEqual([]);
  for (const line of lines.slice(2)) {
    const diffs = await ctx.rig.run([line]);
    for (const d of diffs) {
      const [, want, got] = /redis: ([\s\S]*)\n {3}nevio: ([\s\S]*)$/.exec(d) ?? [];
      expect(sorted(got ?? '')).toEqual(sorted(want ?? ''));
    }
  }
});

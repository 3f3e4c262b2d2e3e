// ACL against redis-server 7.0: the same scripts on both, every reply compared (errors
// included): ACL SETUSER rules and their errors, GETUSER/LIST descriptions, NOPERM texts for
// commands, subcommands, first arguments, keys (%R/%W), channels and selectors, AUTH/HELLO,
// requirepass, DRYRUN, CAT, GENPASS, HELP.
import { aclRig } from './support/acl';

jest.setTimeout(60000);

const rig = aclRig();
const { expectSame } = rig;

/** Redis 7.0 commands nevio does not have (ACL CAT lists them on redis-server only). */
const NOT_IN_NEVIO = new Set(['lolwut', 'migrate', 'restore-asking', 'bgsave', 'save', 'failover', 'module', 'replconf', 'replicaof', 'slaveof', 'role', 'wait']);
/** Subcommands nevio has beyond Redis 7.0 (from 7.2: CLIENT SETINFO, NO-TOUCH). */
const NOT_IN_REDIS = new Set(['client|setinfo', 'client|no-touch']);

test('SETUSER rules, their errors, and GETUSER/LIST/USERS describing them', async () => {
  await expectSame(`
    acl whoami
    acl setuser u1
    rules acl getuser u1
    rules acl list
    acl setuser "a a"
    acl setuser "a\u0000b"
    acl setuser u1 on >p1 >p2 #34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6
    rules acl getuser u1
    acl setuser u1 <p1
    acl setuser u1 <nope
    acl setuser u1 !34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6
    acl setuser u1 !34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e
    acl setuser u1 #34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4eq
    acl setuser u1 #34344E4D60C2B6D639B7BD22E18F2B0B91BC34BF0AC5F9952744435093CFB4E6
    rules acl getuser u1
    acl setuser u1 nopass
    rules acl getuser u1
    acl setuser u1 resetpass off
    rules acl getuser u1
    acl setuser u1 ~foo:* %R~r* %W~w* %RW~rw* %WR~wr* ~foo:*
    rules acl getuser u1
    acl setuser u1 %X~a
    acl setuser u1 %RR~a
    acl setuser u1 %R
    acl setuser u1 "~a b"
    acl setuser u1 allkeys
    acl setuser u1 ~more
    acl setuser u1 resetkeys ~k1
    acl setuser u1 &ch1 &ch2:* &ch1
    rules acl getuser u1
    acl setuser u1 allchannels
    acl setuser u1 &more
    acl setuser u1 resetchannels
    rules acl getuser u1
    acl setuser u1 +nosuchcommand
    acl setuser u1 -nosuchcommand
    acl setuser u1 +@nosuchcategory
    acl setuser u1 -@NoSuchCategory
    acl setuser u1 +config|get|appendonly
    acl setuser u1 +config|asdf
    acl setuser u1 -config|asdf
    acl setuser u1 +get|key1|key2
    acl setuser u1 +select|
    acl setuser u1 -select|0
    acl setuser u1 bogus
    acl setuser u1 on bogus
    rules acl getuser u1
    acl setuser u1 skip-sanitize-payload
    rules acl getuser u1
    acl setuser u1 sanitize-payload
    rules acl getuser u1
    acl setuser u1 reset
    rules acl getuser u1
    acl setuser u1 ''
    acl getuser nosuchuser
    sorted acl users
    acl deluser u1 nosuchuser
    acl deluser default
    acl deluser u1 default
  `);
});

test('command rules are described back as Redis does', async () => {
  await expectSame(`
    acl setuser r1 +@all -ping
    rules acl getuser r1
    acl setuser r1 reset +@all ~* -@string +incr -debug +debug|digest
    rules acl getuser r1
    acl setuser r1 reset +@string -incr +acl +debug|digest +debug|segfault
    rules acl getuser r1
    acl setuser r1 reset +memory|doctor
    rules acl getuser r1
    acl setuser r1 +memory
    rules acl getuser r1
    acl setuser r1 +@all +client|id
    rules acl getuser r1
    acl setuser r1 reset +@all -memory|doctor
    rules acl getuser r1
    acl setuser r1 -memory
    rules acl getuser r1
    acl setuser r1 -@all +acl +select|0 +select|1 +SELECT|1
    rules acl getuser r1
    acl setuser r1 -@all +acl +config -config|set
    rules acl getuser r1
    acl setuser r1 nocommands +@hash +@list
    rules acl getuser r1
    acl setuser r1 allcommands -@dangerous -@admin
    rules acl getuser r1
    rules acl list
  `);
  // Every category alone, from both ends (Redis's "ACL GETUSER provides reasonable results").
  for (const cat of ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting']) {
    await expectSame(`
      acl setuser cat1 reset +@all -@${cat}
      rules acl getuser cat1
      acl setuser cat1 reset -@all +@${cat}
      rules acl getuser cat1
    `);
  }
  await expectSame('acl deluser r1 cat1');
});

test('selectors: syntax, errors, GETUSER, LIST and clearselectors', async () => {
  await expectSame(`
    acl setuser s1 on nopass (+@write ~write::*) (+@read ~read::*)
    rules acl getuser s1
    rules acl list
    acl setuser s1 "(~key1 +get )" "( ~key2 +get )" "( ~key3 +get)" (~key4 +get) (~key5 +get ) ( ~key6 +get ) ( ~key7 +get)
    rules acl getuser s1
    acl setuser s1 clearselectors
    rules acl getuser s1
    acl setuser s2 reset ()
    rules acl getuser s2
    acl setuser bad1 on (this-is-invalid)
    acl setuser bad1 on (&* &fail)
    acl setuser bad1 " () "
    acl setuser bad1 (
    acl setuser bad1 )
    acl setuser bad1 (+get ~a
    acl setuser bad1 ~a (
    acl getuser bad1
    acl setuser s3 off -@all +get resetchannels &channel1 %R~foo1 %W~bar1 ~baz1 (-@all +set resetchannels &channel2 %R~foo2 %W~bar2 ~baz2)
    rules acl getuser s3
    acl setuser s4 %R~foo %W~foo %RW~bar
    rules acl getuser s4
  `);
});

test('NOPERM for commands, subcommands and first arguments', async () => {
  await expectSame(`
    acl setuser p1 on >pw -@all +acl +client|getname +client|setname +select|0 +debug|object +incr
    b: auth p1 pw
    b: acl whoami
    b: set foo bar
    b: client getname
    b: client setname foo
    b: client kill type master
    b: select 0
    b: select 1
    b: incr key
    b: debug object key
    b: config get maxmemory
    b: script help
    b: ping
    b: auth default ''
    acl setuser p1 +@all -client
    b: auth p1 pw
    b: client getname
    b: ping
    b: auth default ''
  `);
});

test('NOPERM for keys: patterns, %R and %W, key specs with variable flags', async () => {
  await expectSame(`
    acl setuser k1 on >pw +@all resetkeys ~foo:* ~bar:*
    b: auth k1 pw
    b: set foo:1 a
    b: set bar:2 b
    b: set zap:3 c
    b: mget foo:1 zap:3
    b: del foo:1 bar:2 zap:3
    b: auth default ''
    acl setuser k2 on nopass +@all %R~read* %W~write* %RW~rw*
    b: auth k2 x
    set readstr bar
    b: get readstr
    b: set readstr bar
    b: get notread
    b: lpush writelist 10
    b: get writestr
    b: lpush notwrite 10
    b: copy readstr writekey
    b: copy writekey readstr
    b: set writestr bar
    b: set writestr bar get
    b: set writestr bar get ex 100
    b: set writestr bar ex get
    b: set rw1 bar ex get
    b: set rw1 bar get
    b: bitfield readstr get u4 0
    b: bitfield readstr set u4 0 1
    b: bitfield writestr get u4 0
    b: bitfield rwx incrby u4 0 1
    b: exists readstr writestr rwx
    b: exists nothing
    b: hexists read f
    b: hexists write f
    b: strlen nothing
    b: sintercard 2 read write
    b: zcount write 0 1
    b: auth default ''
    del readstr writekey writelist rw1 rwx writestr
  `);
});

test('NOPERM for channels: publish, subscribe, patterns, shard channels, acl-pubsub-default', async () => {
  await expectSame(`
    acl setuser c1 on >pw +@all ~* resetchannels &foo:1 &bar:*
    b: auth c1 pw
    b: publish foo:1 m
    b: publish bar:2 m
    b: publish zap:3 m
    b: spublish foo:1 m
    b: spublish zap:3 m
    b: subscribe foo:1 zap:3
    b: subscribe foo:1 bar:x
    b: read
    b: unsubscribe foo:1 bar:x
    b: read
    b: psubscribe bar:*
    b: psubscribe bar:x
    b: punsubscribe bar:*
    b: ssubscribe zap:3
    b: ssubscribe foo:1
    b: sunsubscribe foo:1
    b: auth default ''
    acl setuser c2
    rules acl getuser c2
    config set acl-pubsub-default allchannels
    acl setuser c3
    rules acl getuser c3
    acl setuser c3 &x
    acl setuser c2 reset
    rules acl getuser c2
    config set acl-pubsub-default resetchannels
    rules acl getuser c3
  `);
});

test('selectors: any selector may allow a call, and the denial shown is the most relevant', async () => {
  await expectSame(`
    acl setuser sel on nopass -@all resetkeys (+@write ~write::*) (+@read ~read::*)
    b: auth sel x
    b: ping
    b: set write::foo bar
    b: get read::foo
    b: get write::foo
    b: set read::foo bar
    b: auth default ''
    acl setuser sel2 on nopass "(%R~read* +@all)" "(%W~write* +@all)"
    b: auth sel2 x
    b: lpush writelist 10
    b: get writestr
    b: copy read write
    b: copy write read
    b: auth default ''
    acl setuser sel3 on nopass +mget ~key (+mget ~key ~otherkey)
    b: auth sel3 x
    b: get key
    b: mget otherkey someotherkey
    b: mget key otherkey someotherkey
    b: auth default ''
    del writelist
  `);
});

test('AUTH and HELLO with users, requirepass, disabled and deleted users', async () => {
  await expectSame(`
    auth onlypassword
    auth nosuch pw
    auth a b c
    acl setuser h1 >pw
    b: auth h1 pw
    acl setuser h1 on
    b: auth h1 wrong
    b: auth h1 pw
    b: acl whoami
    b: hello 2 auth h1 wrong
    b: hello 2 auth h1 pw setname named
    b: client info
    b: hello 2 auth default wrong
    b: reset
    b: acl whoami
    config set requirepass secret
    b: reset
    b: ping
    b: hello 2
    b: auth wrong
    b: auth secret
    b: auth default secret
    b: ping
    rules acl getuser default
    config set requirepass ''
    rules acl getuser default
    acl setuser default off
    b: reset
    b: ping
    b: auth default ''
    acl setuser default on
    b: ping
    acl setuser secure >supass on +@all
    acl setuser default -@all
    b: hello 2 auth secure supass
    b: acl whoami
    b: acl setuser default nopass +@all
    b: auth default ''
    b: acl whoami
  `);
});

test('transactions: NOPERM while queuing aborts EXEC; rules changed before EXEC', async () => {
  await expectSame(`
    acl setuser t1 on >pw +multi +exec +discard +incr +get ~object:* resetchannels
    b: auth t1 pw
    b: multi
    b: incr object:1
    b: set object:1 x
    b: publish ch m
    b: exec
    b: multi
    b: incr object:1
    acl setuser t1 -incr
    b: exec
    b: multi
    b: get object:1
    acl setuser t1 resetkeys ~other
    b: exec
    b: auth default ''
    del object:1
  `);
});

test('scripts run with the caller permissions', async () => {
  await expectSame(`
    acl setuser lua1 on >pw +eval +evalsha +get ~allowed
    b: auth lua1 pw
    b: eval "return redis.call('get','allowed')" 0
    b: eval "return redis.call('incr','allowed')" 0
    b: eval "return redis.call('get','other')" 0
    b: eval "return redis.pcall('incr','x')" 0
    b: eval "return redis.call('get',KEYS[1])" 1 other
    b: eval "return redis.acl_check_cmd('get','allowed')" 0
    b: eval "return redis.acl_check_cmd('get','other')" 0
    b: eval "return redis.acl_check_cmd('incr','allowed')" 0
    b: eval "return redis.acl_check_cmd('nosuchcommand')" 0
    b: eval "return redis.acl_check_cmd('config','nosuchsub')" 0
    b: eval "return redis.acl_check_cmd()" 0
    b: eval "return redis.acl_check_cmd({})" 0
    b: auth default ''
    function load replace "#!lua name=acllib\\nredis.register_function('check', function(keys, args) return redis.acl_check_cmd(unpack(args)) end)\\nredis.register_function('get', function(keys, args) return redis.call('get', keys[1]) end)"
    acl setuser lua1 +fcall
    b: auth lua1 pw
    b: fcall check 0 get allowed
    b: fcall check 0 get other
    b: fcall check 0 nosuchcommand
    b: fcall get 1 allowed
    b: fcall get 1 other
    b: auth default ''
  `);
  // The library did load (the same error on both servers would pass the diff too).
  for (const c of [rig.a.redis, rig.a.nevio]) expect(await c.call('function', 'delete', 'acllib')).toBe('OK');
});

test('SORT BY and GET need read access to every key', async () => {
  await expectSame(`
    set v1 1
    lpush mylist 1
    acl setuser sorter on nopass (+sort ~mylist)
    b: auth sorter x
    b: sort mylist by v*
    b: sort mylist get v*
    b: sort mylist by nosort
    acl setuser sorter (+sort ~mylist %W~*)
    b: sort mylist by v*
    acl setuser sorter (+sort ~mylist %R~*)
    b: sort mylist by v*
    b: sort mylist get v* get #
    b: auth default ''
    del v1 mylist
  `);
});

test('DRYRUN: users, commands, arity, keys of odd key specs, channels', async () => {
  await expectSame(`
    acl setuser dry +@all %R~read* %W~write* %RW~rw*
    acl dryrun dry get read
    acl dryrun not-a-user get read
    acl dryrun dry not-a-command read
    acl dryrun dry set v
    acl dryrun dry set
    acl dryrun dry config|get x
    acl dryrun dry config nosuchsub
    acl dryrun dry config get maxmemory
    acl dryrun dry sort read store write
    acl dryrun dry sort read store read
    acl dryrun dry sort write store write
    acl dryrun dry eval "" 1 rw1
    acl dryrun dry eval "" 1 read
    acl dryrun dry eval_ro "" 1 read
    acl dryrun dry eval "" 0 read
    acl dryrun dry eval "" -1 read
    acl dryrun dry eval "" 3 rw rw
    acl dryrun dry georadius read longitude latitude radius M STOREDIST write
    acl dryrun dry georadius read1 longitude latitude radius M STOREDIST read2
    acl dryrun dry georadius write1 longitude latitude radius M STORE write2
    acl dryrun dry hexists read foo
    acl dryrun dry hexists nothing foo
    acl dryrun dry sintercard 2 read read
    acl dryrun dry sintercard 2 write read
    acl dryrun dry pfcount write read
    acl dryrun dry zintercard 2 nothing read
    acl dryrun dry touch write
    acl dryrun dry memory usage write
    acl dryrun dry memory usage nothing
    acl dryrun dry type nothing
    acl setuser dry -@all
    acl dryrun dry set somekey somevalue
    acl dryrun dry get somekey
    acl setuser dry2 +@all resetchannels &channel
    acl dryrun dry2 spublish channel foo
    acl dryrun dry2 ssubscribe channel
    acl dryrun dry2 sunsubscribe otherchannel
    acl dryrun dry2 spublish otherchannel foo
    acl dryrun dry2 ssubscribe otherchannel foo
    acl dryrun dry2 psubscribe channel
    acl dryrun dry2 psubscribe chan*
    acl setuser scripter on nopass +readonly
    acl setuser scripter +@read
    acl dryrun scripter eval_ro "" 0
    acl dryrun scripter evalsha_ro "" 0
    acl dryrun scripter fcall_ro "" 0
  `);
});

test('CAT, GENPASS, HELP and argument errors', async () => {
  await expectSame(`
    acl cat
    acl cat NON_EXISTS
    acl cat NON_EXISTS NON_EXISTS2
    acl genpass -236
    acl genpass 5000
    acl genpass 0
    acl genpass abc
    acl genpass 1 2
    acl help
    acl help xxx
    acl nosuchsub
    acl
    acl log abc
    acl log 1 2
    acl whoami extra
    acl list extra
    acl load
    acl save
  `);
  // Each category lists the same commands, but for those nevio does not have.
  for (const cat of ['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting']) {
    const theirs = (await rig.a.redis.call('acl', 'cat', cat)) as string[];
    const ours = (await rig.a.nevio.call('acl', 'cat', cat)) as string[];
    expect(ours.filter((c) => !theirs.includes(c) && !NOT_IN_REDIS.has(c))).toEqual([]);
    expect(theirs.filter((c) => !ours.includes(c) && !NOT_IN_NEVIO.has(c.split('|')[0]))).toEqual([]);
  }
  for (const bits of ['1', '4', '5', '255', '256', '4096', '']) {
    const reply = String(await rig.a.nevio.call('acl', 'genpass', ...(bits === '' ? [] : [bits])));
    const n = bits === '' ? 64 : Math.floor((Number(bits) + 3) / 4);
    expect(reply).toMatch(new RegExp(`^[0-9a-f]{${n}}$`));
  }
});

// The keyspace events of the string and generic key commands (t_string.c, db.c and expire.c's
// notifyKeyspaceEvent calls: set, expire, incrby, append, setrange, del, persist, rename_from/to,
// move_from/to, copy_to), in Redis's order, compared with a real redis-server.
import { bothServers, expectSameEvents } from '../support/events';

const both = bothServers();

const STRINGS = `
config set notify-keyspace-events KEA
set k v
set k v nx
set k v2 xx ex 100
set nokey v xx
setex k 100 v
psetex k 100000 v
setnx k v
setnx k2 v
getset k2 w
mset a 1 b 2
msetnx a 1 c 3
msetnx c 3 e 4
incr n
decr n
incrby n 5
decrby n 2
incrbyfloat n 1.5
incr k
append k xyz
append fresh abc
setrange k 1 Q
setrange k 0 ''
setrange none 0 ''
getex k
getex k ex 100
getex k persist
getex k persist
getex k pxat 1
getdel a
getdel a
config set notify-keyspace-events ''
`;

const KEYS = `
config set notify-keyspace-events KEA
set a 1
set b 2
del a b nope
set a 1
expire a 100
pexpire a 100000
persist a
persist a
expire a -1
set a 1
expireat a 1
set a 1
rename a b
renamenx b b
set c 3
renamenx b c
rename b c
copy c d
copy c d
copy c d replace
copy c d db 1
move d 1
move c 1
set m 1
move m 1
unlink c nope
config set notify-keyspace-events ''
`;

test.each([
  ['string', STRINGS, 'incrbyfloat'],
  ['key', KEYS, 'rename_to'],
])('%s commands raise the events redis-server raises, in its order', (_name, script, sample) => expectSameEvents(both, script, sample), 30000);

// The keyspace events of the hash and set commands (t_hash.c / t_set.c's notifyKeyspaceEvent
// calls, `del` when a collection empties, the STORE forms' events or `del` of an emptied
// destination), in Redis's order, compared with a real redis-server.
import { bothServers, expectSameEvents } from '../support/events';

const both = bothServers();

const HASH = `
config set notify-keyspace-events KEA
hset h a 1 b 2
hset h a 1
hmset h c 3
hsetnx h a x
hsetnx h d 4
hincrby h n 5
hincrby h a x
hincrbyfloat h f 1.5
hdel h nope
hdel h a b c
hget h d
hdel h d n f
exists h
hincrbyfloat h2 f 1
config set notify-keyspace-events ''
`;

const SET = `
config set notify-keyspace-events KEA
sadd s a b c
sadd s a
srem s nope
srem s a
smove s d b
smove s d nope
sadd d c
smove s d c
smove d d c
sadd p 1 2 3 4 5
spop p
spop p 0
spop p 2
spop p 10
sadd p 1
spop p
sadd x 1 2 3
sadd y 2 3 4
sinterstore i x y
sunionstore u x y
sdiffstore f x y
sinterstore i x nokey
sunionstore u nokey
sdiffstore f y y
sdiffstore f y y
config set notify-keyspace-events ''
`;

test.each([
  ['hash', HASH, 'hincrbyfloat'],
  ['set', SET, 'sinterstore'],
])('%s commands raise the events redis-server raises, in its order', (_name, script, sample) => expectSameEvents(both, script, sample), 30000);

// The keyspace events of the sorted-set commands (t_zset.c's notifyKeyspaceEvent calls: zadd,
// zincr, zrem, zremrangeby*, z*store, zpopmin/zpopmax, then `del` when a set empties or a STORE
// deletes its destination), in Redis's order, compared with a real redis-server: the same
// commands run against both while a PSUBSCRIBE * client records what arrives.
import { bothServers, expectSameEvents } from '../support/events';

const both = bothServers();

const SCRIPT = `
config set notify-keyspace-events KEA
zadd z 1 a 2 b 3 c
zadd z 1 a
zadd z xx 5 nope
zadd z ch 10 a
zadd z incr 1 b
zadd z gt incr -1 b
zincrby z 2 c
zincrby fresh 2 c
zrem z nope
zrem z a
zadd z 1 x 2 y 3 w
zremrangebyrank z 0 0
zremrangebyscore z 100 200
zremrangebyscore z 2 2
zremrangebylex z [a [b
zadd lex 0 a 0 b 0 c
zremrangebylex lex - +
zadd u1 1 a 2 b
zadd u2 2 b 3 c
zunionstore dst 2 u1 u2
zinterstore dst 2 u1 u2
zdiffstore dst 2 u1 u1
zdiffstore dst 2 u1 u1
zdiffstore dst2 2 u1 u2
zrangestore rs u1 0 -1
zrangestore rs u1 5 6
zrangestore rs u1 5 6
zpopmin u1
zpopmax u2 5
zpopmin nokey
zadd p 1 a 2 b 3 c
zmpop 1 p min count 2
zmpop 2 nokey p max
bzpopmin p u1 0
zadd q 1 a
bzpopmax q 0
zadd q 1 a 2 b
bzmpop 0 1 q min count 5
config set notify-keyspace-events ''
`;

test('sorted-set commands raise the events redis-server raises, in its order', () => expectSameEvents(both, SCRIPT, 'zrangestore'), 30000);

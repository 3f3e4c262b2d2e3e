// The keyspace events of the list commands (t_list.c's notifyKeyspaceEvent calls: lpush, rpush,
// linsert, lset, lrem, ltrim, lpop, rpop, then `del` when a list empties), in Redis's order,
// compared with a real redis-server: the same commands run against both while a PSUBSCRIBE *
// client records what arrives.
import { bothServers, expectSameEvents } from '../support/events';

const both = bothServers();

const SCRIPT = `
config set notify-keyspace-events KEA
rpush l a b c
lpush l z
rpushx l d
lpushx nokey x
linsert l before b x
linsert l after nope y
lset l 0 first
lrem l 1 x
lrem l 0 nope
ltrim l 0 2
lpop l
rpop l 5
rpush l a b c d e
lmpop 1 l right count 2
lmove l l left right
lmove l dst right left
rpush one v
lmove one one left left
lmove one other left right
rpoplpush other other
blpop other 0
rpush l2 a
blmpop 0 1 l2 left count 3
rpush l3 a b
brpoplpush l3 d3 0
blmove l3 d3 left right 0
ltrim d3 5 10
config set notify-keyspace-events ''
`;

test('list commands raise the events redis-server raises, in its order', () => expectSameEvents(both, SCRIPT, 'linsert'), 30000);

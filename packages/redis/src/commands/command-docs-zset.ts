/**
 * Docs rows (see `command-docs.ts`) of the sorted-set, geo and hyperloglog groups.
 *
 * @packageDocumentation
 */
import { d, ONE_RO, POP, type DocRow } from './command-docs-row';

const NUMKEYS = 'RO access:1#0+1';
const STORE_NUMKEYS = 'OW update:1; RO access:2#0+1';
const AGGREGATE = '[WEIGHTS weight:i...] [AGGREGATE aggregate:(SUM | MIN | MAX)]';
const RANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const LEX_RANGE = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const BY_SCORE = { deprecated: ['6.2.0', '`ZRANGE` with the `BYSCORE` argument'] as const };
const BY_LEX = { deprecated: ['6.2.0', '`ZRANGE` with the `BYLEX` argument'] as const };
const UNION = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const INTER = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';

export const sortedSetDocs: Record<string, DocRow> = {
  bzmpop: d('7.0.0', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.', 'Remove and return members with scores in a sorted set or block until one is available', 'timeout:d numkeys:i key... where:(MIN | MAX) [COUNT count:i]', { keys: 'RW access delete:2#0+1' }),
  bzpopmax: d('5.0.0', 'O(log(N)) with N being the number of elements in the sorted set.', 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', 'key... timeout:d', { keys: 'RW access delete:1..-2' }),
  bzpopmin: d('5.0.0', 'O(log(N)) with N being the number of elements in the sorted set.', 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', 'key... timeout:d', { keys: 'RW access delete:1..-2' }),
  zadd: d('1.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', 'Add one or more members to a sorted set, or update its score if it already exists', 'key [condition:(NX | XX)] [comparison:(GT | LT)] [change=CH] [increment=INCR] score_member:(score:d member)...', { keys: 'RW update:1' }),
  zcard: d('1.2.0', 'O(1)', 'Get the number of members in a sorted set', 'key', { keys: 'RO:1' }),
  zcount: d('2.0.0', 'O(log(N)) with N being the number of elements in the sorted set.', 'Count the members in a sorted set with scores within the given values', 'key min:d max:d', { keys: ONE_RO }),
  zdiff: d('6.2.0', DIFF, 'Subtract multiple sorted sets', 'numkeys:i key... [WITHSCORES]', { keys: NUMKEYS }),
  zdiffstore: d('6.2.0', DIFF, 'Subtract multiple sorted sets and store the resulting sorted set in a new key', 'destination:k numkeys:i key...', { keys: STORE_NUMKEYS }),
  zincrby: d('1.2.0', 'O(log(N)) where N is the number of elements in the sorted set.', 'Increment the score of a member in a sorted set', 'key increment:i member', { keys: 'RW access update:1' }),
  zinter: d('6.2.0', INTER, 'Intersect multiple sorted sets', `numkeys:i key... ${AGGREGATE} [WITHSCORES]`, { keys: NUMKEYS }),
  zintercard: d('7.0.0', 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.', 'Intersect multiple sorted sets and return the cardinality of the result', 'numkeys:i key... [LIMIT limit:i]', { keys: NUMKEYS }),
  zinterstore: d('2.0.0', INTER, 'Intersect multiple sorted sets and store the resulting sorted set in a new key', `destination:k numkeys:i key... ${AGGREGATE}`, { keys: STORE_NUMKEYS }),
  zlexcount: d('2.8.9', 'O(log(N)) with N being the number of elements in the sorted set.', 'Count the number of members in a sorted set between a given lexicographical range', 'key min max', { keys: ONE_RO }),
  zmpop: d('7.0.0', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.', 'Remove and return members with scores in a sorted set', 'numkeys:i key... where:(MIN | MAX) [COUNT count:i]', { keys: 'RW access delete:1#0+1' }),
  zmscore: d('6.2.0', 'O(N) where N is the number of members being requested.', 'Get the score associated with the given members in a sorted set', 'key member...', { keys: ONE_RO }),
  zpopmax: d('5.0.0', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'Remove and return members with the highest scores in a sorted set', 'key [count:i]', { keys: POP }),
  zpopmin: d('5.0.0', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'Remove and return members with the lowest scores in a sorted set', 'key [count:i]', { keys: POP }),
  zrandmember: d('6.2.0', 'O(N) where N is the number of members returned', 'Get one or multiple random elements from a sorted set', 'key [options:(count:i [WITHSCORES])]', { keys: ONE_RO }),
  zrange: d('1.2.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.', 'Return a range of members in a sorted set', 'key start stop [sortby:(BYSCORE | BYLEX)] [REV] [LIMIT offset_count:(offset:i count:i)] [WITHSCORES]', { keys: ONE_RO }),
  zrangebylex: d('2.8.9', LEX_RANGE, 'Return a range of members in a sorted set, by lexicographical range', 'key min max [LIMIT offset_count:(offset:i count:i)]', { keys: ONE_RO, ...BY_LEX }),
  zrangebyscore: d('1.0.5', LEX_RANGE, 'Return a range of members in a sorted set, by score', 'key min:d max:d [WITHSCORES] [LIMIT offset_count:(offset:i count:i)]', { keys: ONE_RO, ...BY_SCORE }),
  zrangestore: d('6.2.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.', 'Store a range of members from sorted set into another key', 'dst:k src:k min max [sortby:(BYSCORE | BYLEX)] [REV] [LIMIT offset_count:(offset:i count:i)]', { keys: 'OW update:1; RO access:2' }),
  zrank: d('2.0.0', 'O(log(N))', 'Determine the index of a member in a sorted set', 'key member', { keys: ONE_RO }),
  zrem: d('1.2.0', 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', 'Remove one or more members from a sorted set', 'key member...', { keys: 'RW delete:1' }),
  zremrangebylex: d('2.8.9', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'Remove all members in a sorted set between the given lexicographical range', 'key min max', { keys: 'RW delete:1' }),
  zremrangebyrank: d('2.0.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'Remove all members in a sorted set within the given indexes', 'key start:i stop:i', { keys: 'RW delete:1' }),
  zremrangebyscore: d('1.2.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.', 'Remove all members in a sorted set within the given scores', 'key min:d max:d', { keys: 'RW delete:1' }),
  zrevrange: d('1.2.0', RANGE_COMPLEXITY, 'Return a range of members in a sorted set, by index, with scores ordered from high to low', 'key start:i stop:i [WITHSCORES]', { keys: ONE_RO, deprecated: ['6.2.0', '`ZRANGE` with the `REV` argument'] }),
  zrevrangebylex: d('2.8.9', LEX_RANGE, 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', 'key max min [LIMIT offset_count:(offset:i count:i)]', { keys: ONE_RO, deprecated: ['6.2.0', '`ZRANGE` with the `REV` and `BYLEX` arguments'] }),
  zrevrangebyscore: d('2.2.0', LEX_RANGE, 'Return a range of members in a sorted set, by score, with scores ordered from high to low', 'key max:d min:d [WITHSCORES] [LIMIT offset_count:(offset:i count:i)]', { keys: ONE_RO, deprecated: ['6.2.0', '`ZRANGE` with the `REV` and `BYSCORE` arguments'] }),
  zrevrank: d('2.0.0', 'O(log(N))', 'Determine the index of a member in a sorted set, with scores ordered from high to low', 'key member', { keys: ONE_RO }),
  zscan: d('2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', 'Incrementally iterate sorted sets elements and associated scores', 'key cursor:i [MATCH pattern:p] [COUNT count:i]', { keys: ONE_RO }),
  zscore: d('1.2.0', 'O(1)', 'Get the score associated with the given member in a sorted set', 'key member', { keys: ONE_RO }),
  zunion: d('6.2.0', UNION, 'Add multiple sorted sets', `numkeys:i key... ${AGGREGATE} [WITHSCORES]`, { keys: NUMKEYS }),
  zunionstore: d('2.0.0', UNION, 'Add multiple sorted sets and store the resulting sorted set in a new key', `destination:k numkeys:i key... ${AGGREGATE}`, { keys: STORE_NUMKEYS }),
};

const RADIUS_UNIT = 'unit:(M | KM | FT | MI)';
const RADIUS_TAIL = `[WITHCOORD] [WITHDIST] [WITHHASH] [count:(COUNT count:i [ANY])] [order:(ASC | DESC)]`;
const GEO_SEARCH = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const GEO_RADIUS = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const FROM = 'from:(FROMMEMBER member | FROMLONLAT longitude_latitude:(longitude:d latitude:d))';
const BY = `by:(circle:(BYRADIUS radius:d ${RADIUS_UNIT}) | box:(BYBOX width:d height:d ${RADIUS_UNIT}))`;
const BY_SEARCH = { deprecated: ['6.2.0', '`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument'] as const };
const BY_SEARCH_RO = { deprecated: ['6.2.0', '`GEOSEARCH` with the `BYRADIUS` argument'] as const };

export const geoDocs: Record<string, DocRow> = {
  geoadd: d('3.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', 'Add one or more geospatial items in the geospatial index represented using a sorted set', 'key [condition:(NX | XX)] [change=CH] longitude_latitude_member:(longitude:d latitude:d member)...', { keys: 'RW update:1' }),
  geodist: d('3.2.0', 'O(log(N))', 'Returns the distance between two members of a geospatial index', `key member1 member2 [${RADIUS_UNIT}]`, { keys: ONE_RO }),
  geohash: d('3.2.0', 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.', 'Returns members of a geospatial index as standard geohash strings', 'key member...', { keys: ONE_RO }),
  geopos: d('3.2.0', 'O(N) where N is the number of members requested.', 'Returns longitude and latitude of members of a geospatial index', 'key member...', { keys: ONE_RO }),
  georadius: d('3.2.0', GEO_RADIUS, 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point', `key longitude:d latitude:d radius:d ${RADIUS_UNIT} ${RADIUS_TAIL} [STORE key:k1] [STOREDIST key:k2]`, { keys: 'RO access:1; OW update:STORE>6; OW update:STOREDIST>6', ...BY_SEARCH }),
  georadius_ro: d('3.2.10', GEO_RADIUS, 'A read-only variant for GEORADIUS', `key longitude:d latitude:d radius:d ${RADIUS_UNIT} ${RADIUS_TAIL}`, { keys: ONE_RO, ...BY_SEARCH_RO }),
  georadiusbymember: d('3.2.0', GEO_RADIUS, 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member', `key member radius:d ${RADIUS_UNIT} ${RADIUS_TAIL} [STORE key:k1] [STOREDIST key:k2]`, { keys: 'RO access:1; OW update:STORE>5; OW update:STOREDIST>5', deprecated: ['6.2.0', '`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments'] }),
  georadiusbymember_ro: d('3.2.10', GEO_RADIUS, 'A read-only variant for GEORADIUSBYMEMBER', `key member radius:d ${RADIUS_UNIT} ${RADIUS_TAIL}`, { keys: ONE_RO, deprecated: ['6.2.0', '`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments'] }),
  geosearch: d('6.2.0', GEO_SEARCH, 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.', `key ${FROM} ${BY} [order:(ASC | DESC)] [count:(COUNT count:i [ANY])] [WITHCOORD] [WITHDIST] [WITHHASH]`, { keys: ONE_RO }),
  geosearchstore: d('6.2.0', GEO_SEARCH, 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.', `destination:k source:k ${FROM} ${BY} [order:(ASC | DESC)] [count:(COUNT count:i [ANY])] [STOREDIST]`, { keys: 'OW update:1; RO access:2' }),
};

export const hyperloglogDocs: Record<string, DocRow> = {
  pfadd: d('2.8.9', 'O(1) to add every element.', 'Adds the specified elements to the specified HyperLogLog.', 'key [element...]', { keys: 'RW insert:1' }),
  pfcount: d('2.8.9', 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.', 'Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).', 'key...', { keys: 'RW access:1..-1' }),
  pfdebug: d('2.8.9', 'N/A', 'Internal commands for debugging HyperLogLog values', 'subcommand key', { keys: 'RW access:2' }),
  pfmerge: d('2.8.9', 'O(N) to merge N HyperLogLogs, but with high constant times.', 'Merge N different HyperLogLogs into a single one.', 'destkey:k sourcekey:k...', { keys: 'RW access insert:1; RO access:2..-1' }),
  pfselftest: d('2.8.9', 'N/A', 'An internal command for testing HyperLogLog values'),
};

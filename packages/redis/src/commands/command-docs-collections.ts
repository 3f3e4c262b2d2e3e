/**
 * Docs rows (see `command-docs.ts`) of the list, hash and set groups.
 *
 * @packageDocumentation
 */
import { d, ONE_RO, POP, type DocRow } from './command-docs-row';

const BLOCKING_POP = 'RW access delete:1..-2';
const MOVE = 'RW access delete:1; RW insert:2';
const STORE = 'OW update:1; RO access:2..-1';
const N_ELEMENTS = 'O(N) where N is the number of elements being returned.';

export const listDocs: Record<string, DocRow> = {
  blmove: d('6.2.0', 'O(1)', 'Pop an element from a list, push it to another list and return it; or block until one is available', 'source:k destination:k wherefrom:(LEFT | RIGHT) whereto:(LEFT | RIGHT) timeout:d', { keys: MOVE }),
  blmpop: d('7.0.0', 'O(N+M) where N is the number of provided keys and M is the number of elements returned.', 'Pop elements from a list, or block until one is available', 'timeout:d numkeys:i key... where:(LEFT | RIGHT) [COUNT count:i]', { keys: 'RW access delete:2#0+1' }),
  blpop: d('2.0.0', 'O(N) where N is the number of provided keys.', 'Remove and get the first element in a list, or block until one is available', 'key... timeout:d', { keys: BLOCKING_POP }),
  brpop: d('2.0.0', 'O(N) where N is the number of provided keys.', 'Remove and get the last element in a list, or block until one is available', 'key... timeout:d', { keys: BLOCKING_POP }),
  brpoplpush: d('2.2.0', 'O(1)', 'Pop an element from a list, push it to another list and return it; or block until one is available', 'source:k destination:k timeout:d', { keys: MOVE, deprecated: ['6.2.0', '`BLMOVE` with the `RIGHT` and `LEFT` arguments'] }),
  lindex: d('1.0.0', 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).', 'Get an element from a list by its index', 'key index:i', { keys: ONE_RO }),
  linsert: d('2.2.0', 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', 'Insert an element before or after another element in a list', 'key where:(BEFORE | AFTER) pivot element', { keys: 'RW insert:1' }),
  llen: d('1.0.0', 'O(1)', 'Get the length of a list', 'key', { keys: 'RO:1' }),
  lmove: d('6.2.0', 'O(1)', 'Pop an element from a list, push it to another list and return it', 'source:k destination:k wherefrom:(LEFT | RIGHT) whereto:(LEFT | RIGHT)', { keys: MOVE }),
  lmpop: d('7.0.0', 'O(N+M) where N is the number of provided keys and M is the number of elements returned.', 'Pop elements from a list', 'numkeys:i key... where:(LEFT | RIGHT) [COUNT count:i]', { keys: 'RW access delete:1#0+1' }),
  lpop: d('1.0.0', 'O(N) where N is the number of elements returned', 'Remove and get the first elements in a list', 'key [count:i]', { keys: POP }),
  lpos: d('6.0.6', 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', 'Return the index of matching elements on a list', 'key element [RANK rank:i] [COUNT num-matches:i] [MAXLEN len:i]', { keys: ONE_RO }),
  lpush: d('1.0.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'Prepend one or multiple elements to a list', 'key element...', { keys: 'RW insert:1' }),
  lpushx: d('2.2.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'Prepend an element to a list, only if the list exists', 'key element...', { keys: 'RW insert:1' }),
  lrange: d('1.0.0', 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', 'Get a range of elements from a list', 'key start:i stop:i', { keys: ONE_RO }),
  lrem: d('1.0.0', 'O(N+M) where N is the length of the list and M is the number of elements removed.', 'Remove elements from a list', 'key count:i element', { keys: 'RW delete:1' }),
  lset: d('1.0.0', 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', 'Set the value of an element in a list by its index', 'key index:i element', { keys: 'RW update:1' }),
  ltrim: d('1.0.0', 'O(N) where N is the number of elements to be removed by the operation.', 'Trim a list to the specified range', 'key start:i stop:i', { keys: 'RW delete:1' }),
  rpop: d('1.0.0', 'O(N) where N is the number of elements returned', 'Remove and get the last elements in a list', 'key [count:i]', { keys: POP }),
  rpoplpush: d('1.2.0', 'O(1)', 'Remove the last element in a list, prepend it to another list and return it', 'source:k destination:k', { keys: MOVE, deprecated: ['6.2.0', '`LMOVE` with the `RIGHT` and `LEFT` arguments'] }),
  rpush: d('1.0.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'Append one or multiple elements to a list', 'key element...', { keys: 'RW insert:1' }),
  rpushx: d('2.2.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'Append an element to a list, only if the list exists', 'key element...', { keys: 'RW insert:1' }),
};

export const hashDocs: Record<string, DocRow> = {
  hdel: d('2.0.0', 'O(N) where N is the number of fields to be removed.', 'Delete one or more hash fields', 'key field...', { keys: 'RW delete:1' }),
  hexists: d('2.0.0', 'O(1)', 'Determine if a hash field exists', 'key field', { keys: 'RO:1' }),
  hget: d('2.0.0', 'O(1)', 'Get the value of a hash field', 'key field', { keys: ONE_RO }),
  hgetall: d('2.0.0', 'O(N) where N is the size of the hash.', 'Get all the fields and values in a hash', 'key', { keys: ONE_RO }),
  hincrby: d('2.0.0', 'O(1)', 'Increment the integer value of a hash field by the given number', 'key field increment:i', { keys: 'RW access update:1' }),
  hincrbyfloat: d('2.6.0', 'O(1)', 'Increment the float value of a hash field by the given amount', 'key field increment:d', { keys: 'RW access update:1' }),
  hkeys: d('2.0.0', 'O(N) where N is the size of the hash.', 'Get all the fields in a hash', 'key', { keys: ONE_RO }),
  hlen: d('2.0.0', 'O(1)', 'Get the number of fields in a hash', 'key', { keys: 'RO:1' }),
  hmget: d('2.0.0', 'O(N) where N is the number of fields being requested.', 'Get the values of all the given hash fields', 'key field...', { keys: ONE_RO }),
  hmset: d('2.0.0', 'O(N) where N is the number of fields being set.', 'Set multiple hash fields to multiple values', 'key field_value:(field value)...', { keys: 'RW update:1', deprecated: ['4.0.0', '`HSET` with multiple field-value pairs'] }),
  hrandfield: d('6.2.0', N_ELEMENTS, 'Get one or multiple random fields from a hash', 'key [options:(count:i [WITHVALUES])]', { keys: ONE_RO }),
  hscan: d('2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', 'Incrementally iterate hash fields and associated values', 'key cursor:i [MATCH pattern:p] [COUNT count:i]', { keys: ONE_RO }),
  hset: d('2.0.0', 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.', 'Set the string value of a hash field', 'key field_value:(field value)...', { keys: 'RW update:1' }),
  hsetnx: d('2.0.0', 'O(1)', 'Set the value of a hash field, only if the field does not exist', 'key field value', { keys: 'RW insert:1' }),
  hstrlen: d('3.2.0', 'O(1)', 'Get the length of the value of a hash field', 'key field', { keys: 'RO:1' }),
  hvals: d('2.0.0', 'O(N) where N is the size of the hash.', 'Get all the values in a hash', 'key', { keys: ONE_RO }),
};

export const setDocs: Record<string, DocRow> = {
  sadd: d('1.0.0', 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.', 'Add one or more members to a set', 'key member...', { keys: 'RW insert:1' }),
  scard: d('1.0.0', 'O(1)', 'Get the number of members in a set', 'key', { keys: 'RO:1' }),
  sdiff: d('1.0.0', 'O(N) where N is the total number of elements in all given sets.', 'Subtract multiple sets', 'key...', { keys: 'RO access:1..-1' }),
  sdiffstore: d('1.0.0', 'O(N) where N is the total number of elements in all given sets.', 'Subtract multiple sets and store the resulting set in a key', 'destination:k key...', { keys: STORE }),
  sinter: d('1.0.0', 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'Intersect multiple sets', 'key...', { keys: 'RO access:1..-1' }),
  sintercard: d('7.0.0', 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'Intersect multiple sets and return the cardinality of the result', 'numkeys:i key... [LIMIT limit:i]', { keys: 'RO access:1#0+1' }),
  sinterstore: d('1.0.0', 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.', 'Intersect multiple sets and store the resulting set in a key', 'destination:k key...', { keys: 'RW update:1; RO access:2..-1' }),
  sismember: d('1.0.0', 'O(1)', 'Determine if a given value is a member of a set', 'key member', { keys: 'RO:1' }),
  smembers: d('1.0.0', 'O(N) where N is the set cardinality.', 'Get all the members in a set', 'key', { keys: ONE_RO }),
  smismember: d('6.2.0', 'O(N) where N is the number of elements being checked for membership', 'Returns the membership associated with the given elements for a set', 'key member...', { keys: ONE_RO }),
  smove: d('1.0.0', 'O(1)', 'Move a member from one set to another', 'source:k destination:k member', { keys: MOVE }),
  spop: d('1.0.0', 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', 'Remove and return one or multiple random members from a set', 'key [count:i]', { keys: POP }),
  srandmember: d('1.0.0', 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', 'Get one or multiple random members from a set', 'key [count:i]', { keys: ONE_RO }),
  srem: d('1.0.0', 'O(N) where N is the number of members to be removed.', 'Remove one or more members from a set', 'key member...', { keys: 'RW delete:1' }),
  sscan: d('2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', 'Incrementally iterate Set elements', 'key cursor:i [MATCH pattern:p] [COUNT count:i]', { keys: ONE_RO }),
  sunion: d('1.0.0', 'O(N) where N is the total number of elements in all given sets.', 'Add multiple sets', 'key...', { keys: 'RO access:1..-1' }),
  sunionstore: d('1.0.0', 'O(N) where N is the total number of elements in all given sets.', 'Add multiple sets and store the resulting set in a key', 'destination:k key...', { keys: STORE }),
};

/**
 * Docs rows (see `command-docs.ts`) of the generic (keyspace), string and bitmap groups.
 *
 * @packageDocumentation
 */
import { d, sub, ONE_RO, type DocRow } from './command-docs-row';

const EXPIRE_CONDITION = '[condition:(NX | XX | GT | LT)]';
const ONE_RW = 'RW access update:1';

export const genericDocs: Record<string, DocRow> = {
  copy: d('6.2.0', 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.', 'Copy a key', 'source:k destination:k [DB destination-db:i] [REPLACE]', { keys: 'RO access:1; OW update:2' }),
  del: d('1.0.0', 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).', 'Delete a key', 'key...', { keys: 'RM delete:1..-1' }),
  dump: d('2.6.0', 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).', 'Return a serialized version of the value stored at the specified key.', 'key', { keys: ONE_RO }),
  exists: d('1.0.0', 'O(N) where N is the number of keys to check.', 'Determine if a key exists', 'key...', { keys: 'RO:1..-1' }),
  expire: d('1.0.0', 'O(1)', 'Set a key\'s time to live in seconds', `key seconds:i ${EXPIRE_CONDITION}`, { keys: 'RW update:1' }),
  expireat: d('1.2.0', 'O(1)', 'Set the expiration for a key as a UNIX timestamp', `key unix-time-seconds:t ${EXPIRE_CONDITION}`, { keys: 'RW update:1' }),
  expiretime: d('7.0.0', 'O(1)', 'Get the expiration Unix timestamp for a key', 'key', { keys: ONE_RO }),
  keys: d('1.0.0', 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.', 'Find all keys matching the given pattern', 'pattern:p', { acl: 'keyspace dangerous' }),
  migrate: d(
    '2.6.0',
    'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    'Atomically transfer a key from a Redis instance to another one.',
    'host port:i key_or_empty_string:(key | empty_string=) destination-db:i timeout:i [COPY] [REPLACE] [authentication:([AUTH password] | [AUTH2 username_password:(username password)])] [KEYS key:k1...]',
    { keys: 'RW access delete:3; RW access delete incomplete:KEYS>-2..-1', acl: 'keyspace dangerous' },
  ),
  move: d('1.0.0', 'O(1)', 'Move a key to another database', 'key db:i', { keys: ONE_RW }),
  object: d('2.2.3', 'Depends on subcommand.', 'A container for object introspection commands', undefined, { acl: '' }),
  'object|encoding': sub(3, 'readonly', '2.2.3', 'O(1)', 'Inspect the internal encoding of a Redis object', 'key', { keys: 'RO:2' }),
  'object|freq': sub(3, 'readonly', '4.0.0', 'O(1)', 'Get the logarithmic access frequency counter of a Redis object', 'key', { keys: 'RO:2' }),
  'object|help': sub(2, 'loading stale', '6.2.0', 'O(1)', 'Show helpful text about the different subcommands'),
  'object|idletime': sub(3, 'readonly', '2.2.3', 'O(1)', 'Get the time since a Redis object was last accessed', 'key', { keys: 'RO:2' }),
  'object|refcount': sub(3, 'readonly', '2.2.3', 'O(1)', 'Get the number of references to the value of the key', 'key', { keys: 'RO:2' }),
  persist: d('2.2.0', 'O(1)', 'Remove the expiration from a key', 'key', { keys: 'RW update:1' }),
  pexpire: d('2.6.0', 'O(1)', 'Set a key\'s time to live in milliseconds', `key milliseconds:i ${EXPIRE_CONDITION}`, { keys: 'RW update:1' }),
  pexpireat: d('2.6.0', 'O(1)', 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', `key unix-time-milliseconds:t ${EXPIRE_CONDITION}`, { keys: 'RW update:1' }),
  pexpiretime: d('7.0.0', 'O(1)', 'Get the expiration Unix timestamp for a key in milliseconds', 'key', { keys: ONE_RO }),
  pttl: d('2.6.0', 'O(1)', 'Get the time to live for a key in milliseconds', 'key', { keys: ONE_RO }),
  randomkey: d('1.0.0', 'O(1)', 'Return a random key from the keyspace'),
  rename: d('1.0.0', 'O(1)', 'Rename a key', 'key newkey:k', { keys: 'RW access delete:1; OW update:2' }),
  renamenx: d('1.0.0', 'O(1)', 'Rename a key, only if the new key does not exist', 'key newkey:k', { keys: 'RW access delete:1; OW insert:2' }),
  restore: d(
    '2.6.0',
    'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    'Create a key using the provided serialized value, previously obtained using DUMP.',
    'key ttl:i serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds:i] [FREQ frequency:i]',
    { keys: 'OW update:1', acl: 'keyspace dangerous' },
  ),
  scan: d('2.8.0', 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.', 'Incrementally iterate the keys space', 'cursor:i [MATCH pattern:p] [COUNT count:i] [TYPE type]'),
  sort: d(
    '1.0.0',
    'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
    'Sort the elements in a list, set or sorted set',
    'key [BY pattern:p1] [LIMIT offset_count:(offset:i count:i)] [GET pattern:p1...+] [order:(ASC | DESC)] [sorting=ALPHA] [STORE destination:k2]',
    { keys: 'RO access:1; RO access:?..?; OW update:?..?', acl: 'set sortedset list dangerous' },
  ),
  sort_ro: d(
    '7.0.0',
    'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
    'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
    'key [BY pattern:p1] [LIMIT offset_count:(offset:i count:i)] [GET pattern:p1...+] [order:(ASC | DESC)] [sorting=ALPHA]',
    { keys: 'RO access:1; RO access:?..?', acl: 'set sortedset list dangerous' },
  ),
  touch: d('3.2.1', 'O(N) where N is the number of keys that will be touched.', 'Alters the last access time of a key(s). Returns the number of existing keys specified.', 'key...', { keys: 'RO:1..-1' }),
  ttl: d('1.0.0', 'O(1)', 'Get the time to live for a key in seconds', 'key', { keys: ONE_RO }),
  type: d('1.0.0', 'O(1)', 'Determine the type stored at key', 'key', { keys: 'RO:1' }),
  unlink: d('4.0.0', 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.', 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', 'key...', { keys: 'RM delete:1..-1' }),
  wait: d('3.0.0', 'O(1)', 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', 'numreplicas:i timeout:i', { acl: 'connection' }),
};

export const stringDocs: Record<string, DocRow> = {
  append: d('2.0.0', 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.', 'Append a value to a key', 'key value', { keys: 'RW insert:1' }),
  decr: d('1.0.0', 'O(1)', 'Decrement the integer value of a key by one', 'key', { keys: ONE_RW }),
  decrby: d('1.0.0', 'O(1)', 'Decrement the integer value of a key by the given number', 'key decrement:i', { keys: ONE_RW }),
  get: d('1.0.0', 'O(1)', 'Get the value of a key', 'key', { keys: ONE_RO }),
  getdel: d('6.2.0', 'O(1)', 'Get the value of a key and delete the key', 'key', { keys: 'RW access delete:1' }),
  getex: d('6.2.0', 'O(1)', 'Get the value of a key and optionally set its expiration', 'key [expiration:(EX seconds:i | PX milliseconds:i | EXAT unix-time-seconds:t | PXAT unix-time-milliseconds:t | PERSIST)]', { keys: ONE_RW }),
  getrange: d('2.4.0', 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', 'Get a substring of the string stored at a key', 'key start:i end:i', { keys: ONE_RO }),
  getset: d('1.0.0', 'O(1)', 'Set the string value of a key and return its old value', 'key value', { keys: ONE_RW, deprecated: ['6.2.0', '`SET` with the `!GET` argument'] }),
  incr: d('1.0.0', 'O(1)', 'Increment the integer value of a key by one', 'key', { keys: ONE_RW }),
  incrby: d('1.0.0', 'O(1)', 'Increment the integer value of a key by the given amount', 'key increment:i', { keys: ONE_RW }),
  incrbyfloat: d('2.6.0', 'O(1)', 'Increment the float value of a key by the given amount', 'key increment:d', { keys: ONE_RW }),
  lcs: d('7.0.0', 'O(N*M) where N and M are the lengths of s1 and s2, respectively', 'Find longest common substring', 'key1:k key2:k0 [LEN] [IDX] [MINMATCHLEN len:i] [WITHMATCHLEN]', { keys: 'RO access:1..1' }),
  mget: d('1.0.0', 'O(N) where N is the number of keys to retrieve.', 'Get the values of all the given keys', 'key...', { keys: 'RO access:1..-1' }),
  mset: d('1.0.1', 'O(N) where N is the number of keys to set.', 'Set multiple keys to multiple values', 'key_value:(key value)...', { keys: 'OW update:1..-1/2' }),
  msetnx: d('1.0.1', 'O(N) where N is the number of keys to set.', 'Set multiple keys to multiple values, only if none of the keys exist', 'key_value:(key value)...', { keys: 'OW insert:1..-1/2' }),
  psetex: d('2.6.0', 'O(1)', 'Set the value and expiration in milliseconds of a key', 'key milliseconds:i value', { keys: 'OW update:1' }),
  set: d(
    '1.0.0',
    'O(1)',
    'Set the string value of a key',
    'key value [condition:(NX | XX)] [GET] [expiration:(EX seconds:i | PX milliseconds:i | EXAT unix-time-seconds:t | PXAT unix-time-milliseconds:t | KEEPTTL)]',
    { keys: 'RW access update variable_flags:1' },
  ),
  setex: d('2.0.0', 'O(1)', 'Set the value and expiration of a key', 'key seconds:i value', { keys: 'OW update:1' }),
  setnx: d('1.0.0', 'O(1)', 'Set the value of a key, only if the key does not exist', 'key value', { keys: 'OW insert:1' }),
  setrange: d('2.2.0', 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.', 'Overwrite part of a string at key starting at the specified offset', 'key offset:i value', { keys: 'RW update:1' }),
  strlen: d('2.2.0', 'O(1)', 'Get the length of the value stored in a key', 'key', { keys: 'RO:1' }),
  substr: d('1.0.0', 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.', 'Get a substring of the string stored at a key', 'key start:i end:i', { keys: ONE_RO, deprecated: ['2.0.0', '`GETRANGE`'] }),
};

export const bitmapDocs: Record<string, DocRow> = {
  bitcount: d('2.6.0', 'O(N)', 'Count set bits in a string', 'key [index:(start:i end:i [index_unit:(BYTE | BIT)])]', { keys: ONE_RO }),
  bitfield: d(
    '3.2.0',
    'O(1) for each subcommand specified',
    'Perform arbitrary bitfield integer operations on strings',
    'key [operation:(GET encoding_offset:(encoding offset:i) | write:([OVERFLOW wrap_sat_fail:(WRAP | SAT | FAIL)] write_operation:(SET encoding_offset_value:(encoding offset:i value:i) | INCRBY encoding_offset_increment:(encoding offset:i increment:i))))...]',
    { keys: 'RW access update variable_flags:1' },
  ),
  bitfield_ro: d('6.0.0', 'O(1) for each subcommand specified', 'Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD', 'key [GET encoding_offset:(encoding offset:i)...+]', { keys: ONE_RO }),
  bitop: d('2.6.0', 'O(N)', 'Perform bitwise operations between strings', 'operation destkey:k key:k...', { keys: 'OW update:2; RO access:3..-1' }),
  bitpos: d('2.8.7', 'O(N)', 'Find first bit set or clear in a string', 'key bit:i [index:(start:i [end_index:(end:i [index_unit:(BYTE | BIT)])])]', { keys: ONE_RO }),
  getbit: d('2.2.0', 'O(1)', 'Returns the bit value at offset in the string value stored at key', 'key offset:i', { keys: ONE_RO }),
  setbit: d('2.2.0', 'O(1)', 'Sets or clears the bit at offset in the string value stored at key', 'key offset:i value:i', { keys: ONE_RW }),
};

/**
 * Docs rows (see `command-docs.ts`) of the stream, pub/sub, scripting, transactions and cluster
 * groups.
 *
 * @packageDocumentation
 */
import { d, help, sub, type DocRow } from './command-docs-row';

const TRIM = 'trim:(strategy:(MAXLEN | MINID) [operator:(equal== | approximately=~)] threshold [LIMIT count:i])';
const ID_OR_NEW = 'id:(id | new_id=$)';

export const streamDocs: Record<string, DocRow> = {
  xack: d('5.0.0', 'O(1) for each message ID processed.', 'Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.', 'key group id...', { keys: 'RW update:1' }),
  xadd: d('5.0.0', 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.', 'Appends a new entry to a stream', `key [NOMKSTREAM] [${TRIM}] id_or_auto:(auto_id=* | id) field_value:(field value)...`, { keys: 'RW update:1' }),
  xautoclaim: d('6.2.0', 'O(1) if COUNT is small.', 'Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.', 'key group consumer min-idle-time start [COUNT count:i] [JUSTID]', { keys: 'RW delete:1' }),
  xclaim: d(
    '5.0.0',
    'O(log N) with N being the number of messages in the PEL of the consumer group.',
    'Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.',
    'key group consumer min-idle-time id... [IDLE ms:i] [TIME unix-time-milliseconds:t] [RETRYCOUNT count:i] [FORCE] [JUSTID] [LASTID id]',
    { keys: 'RW update:1' },
  ),
  xdel: d('5.0.0', 'O(1) for each single item to delete in the stream, regardless of the stream size.', 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.', 'key id...', { keys: 'RW delete:1' }),
  xgroup: d('5.0.0', 'Depends on subcommand.', 'A container for consumer groups commands', undefined, { acl: '' }),
  'xgroup|create': sub(-5, 'write denyoom', '5.0.0', 'O(1)', 'Create a consumer group.', `key groupname ${ID_OR_NEW} [MKSTREAM] [ENTRIESREAD entries_read:i]`, { keys: 'RW insert:2' }),
  'xgroup|createconsumer': sub(5, 'write denyoom', '6.2.0', 'O(1)', 'Create a consumer in a consumer group.', 'key groupname consumername', { keys: 'RW insert:2' }),
  'xgroup|delconsumer': sub(5, 'write', '5.0.0', 'O(1)', 'Delete a consumer from a consumer group.', 'key groupname consumername', { keys: 'RW delete:2' }),
  'xgroup|destroy': sub(4, 'write', '5.0.0', 'O(N) where N is the number of entries in the group\'s pending entries list (PEL).', 'Destroy a consumer group.', 'key groupname', { keys: 'RW delete:2' }),
  'xgroup|help': help('5.0.0'),
  'xgroup|setid': sub(-5, 'write', '5.0.0', 'O(1)', 'Set a consumer group to an arbitrary last delivered ID value.', `key groupname ${ID_OR_NEW} [ENTRIESREAD entries_read:i]`, { keys: 'RW update:2' }),
  xinfo: d('5.0.0', 'Depends on subcommand.', 'A container for stream introspection commands', undefined, { acl: '' }),
  'xinfo|consumers': sub(4, 'readonly', '5.0.0', 'O(1)', 'List the consumers in a consumer group', 'key groupname', { keys: 'RO access:2' }),
  'xinfo|groups': sub(3, 'readonly', '5.0.0', 'O(1)', 'List the consumer groups of a stream', 'key', { keys: 'RO access:2' }),
  'xinfo|help': help('5.0.0'),
  'xinfo|stream': sub(-3, 'readonly', '5.0.0', 'O(1)', 'Get information about a stream', 'key [FULL full:([COUNT count:i])]', { keys: 'RO access:2' }),
  xlen: d('5.0.0', 'O(1)', 'Return the number of entries in a stream', 'key', { keys: 'RO:1' }),
  xpending: d('5.0.0', 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.', 'Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.', 'key group [filters:([IDLE min-idle-time:i] start end count:i [consumer])]', { keys: 'RO access:1' }),
  xrange: d('5.0.0', 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', 'Return a range of elements in a stream, with IDs matching the specified IDs interval', 'key start end [COUNT count:i]', { keys: 'RO access:1' }),
  xread: d('5.0.0', 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.', 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.', '[COUNT count:i] [BLOCK milliseconds:i] STREAMS streams:(key... id...)', { keys: 'RO access:STREAMS>1..-1%2' }),
  xreadgroup: d('5.0.0', 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.', 'Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.', 'GROUP group_consumer:(group consumer) [COUNT count:i] [BLOCK milliseconds:i] [NOACK] STREAMS streams:(key... id...)', { keys: 'RO access:STREAMS>4..-1%2' }),
  xrevrange: d('5.0.0', 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).', 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE', 'key end start [COUNT count:i]', { keys: 'RO access:1' }),
  xsetid: d('5.0.0', 'O(1)', 'An internal command for replicating stream values', 'key last-id [ENTRIESADDED entries_added:i] [MAXDELETEDID max_deleted_entry_id]', { keys: 'RW update:1' }),
  xtrim: d('5.0.0', 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.', 'Trims the stream to (approximately if \'~\' is passed) a certain size', `key ${TRIM}`, { keys: 'RW delete:1' }),
};

export const pubsubDocs: Record<string, DocRow> = {
  psubscribe: d('2.0.0', 'O(N) where N is the number of patterns the client is already subscribed to.', 'Listen for messages published to channels matching the given patterns', 'pattern:(pattern:p)...', { acl: '' }),
  publish: d('2.0.0', 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', 'Post a message to a channel', 'channel message', { acl: '' }),
  pubsub: d('2.8.0', 'Depends on subcommand.', 'A container for Pub/Sub commands', undefined, { acl: '' }),
  'pubsub|channels': sub(-2, 'pubsub loading stale', '2.8.0', 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)', 'List active channels', '[pattern:p]', { acl: '' }),
  'pubsub|help': sub(2, 'loading stale', '6.2.0', 'O(1)', 'Show helpful text about the different subcommands', undefined, { acl: '' }),
  'pubsub|numpat': sub(2, 'pubsub loading stale', '2.8.0', 'O(1)', 'Get the count of unique patterns pattern subscriptions', undefined, { acl: '' }),
  'pubsub|numsub': sub(-2, 'pubsub loading stale', '2.8.0', 'O(N) for the NUMSUB subcommand, where N is the number of requested channels', 'Get the count of subscribers for channels', '[channel...]', { acl: '' }),
  'pubsub|shardchannels': sub(-2, 'pubsub loading stale', '7.0.0', 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).', 'List active shard channels', '[pattern:p]', { acl: '' }),
  'pubsub|shardnumsub': sub(-2, 'pubsub loading stale', '7.0.0', 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels', 'Get the count of subscribers for shard channels', '[shardchannel...]', { acl: '' }),
  punsubscribe: d('2.0.0', 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).', 'Stop listening for messages posted to channels matching the given patterns', '[pattern:p...]', { acl: '' }),
  spublish: d('7.0.0', 'O(N) where N is the number of clients subscribed to the receiving shard channel.', 'Post a message to a shard channel', 'shardchannel message', { keys: 'not_key:1', acl: '' }),
  ssubscribe: d('7.0.0', 'O(N) where N is the number of shard channels to subscribe to.', 'Listen for messages published to the given shard channels', 'shardchannel...', { keys: 'not_key:1..-1', acl: '' }),
  subscribe: d('2.0.0', 'O(N) where N is the number of channels to subscribe to.', 'Listen for messages published to the given channels', 'channel...', { acl: '' }),
  sunsubscribe: d('7.0.0', 'O(N) where N is the number of clients already subscribed to a shard channel.', 'Stop listening for messages posted to the given shard channels', '[shardchannel...]', { keys: 'not_key:1..-1', acl: '' }),
  unsubscribe: d('2.0.0', 'O(N) where N is the number of clients already subscribed to a channel.', 'Stop listening for messages posted to the given channels', '[channel...]', { acl: '' }),
};

const EVAL = 'Depends on the script that is executed.';

export const scriptingDocs: Record<string, DocRow> = {
  eval: d('2.6.0', EVAL, 'Execute a Lua script server side', 'script numkeys:i [key...] [arg...]', { keys: 'RW access update:2#0+1' }),
  evalsha: d('2.6.0', EVAL, 'Execute a Lua script server side', 'sha1 numkeys:i [key...] [arg...]', { keys: 'RW access update:2#0+1' }),
  evalsha_ro: d('7.0.0', EVAL, 'Execute a read-only Lua script server side', 'sha1 numkeys:i [key...] [arg...]', { keys: 'RO access:2#0+1' }),
  eval_ro: d('7.0.0', EVAL, 'Execute a read-only Lua script server side', 'script numkeys:i [key...] [arg...]', { keys: 'RO access:2#0+1' }),
  fcall: d('7.0.0', 'Depends on the function that is executed.', 'Invoke a function', 'function numkeys:i [key...] [arg...]', { keys: 'RW access update:2#0+1' }),
  fcall_ro: d('7.0.0', 'Depends on the function that is executed.', 'Invoke a read-only function', 'function numkeys:i [key...] [arg...]', { keys: 'RO access:2#0+1' }),
  function: d('7.0.0', 'Depends on subcommand.', 'A container for function commands', undefined, { acl: '' }),
  'function|delete': sub(3, 'write noscript', '7.0.0', 'O(1)', 'Delete a function by name', 'library-name'),
  'function|dump': sub(2, 'noscript', '7.0.0', 'O(N) where N is the number of functions', 'Dump all functions into a serialized binary payload'),
  'function|flush': sub(-2, 'write noscript', '7.0.0', 'O(N) where N is the number of functions deleted', 'Deleting all functions', '[async:(ASYNC | SYNC)]'),
  'function|help': help('7.0.0'),
  'function|kill': sub(2, 'noscript allow_busy', '7.0.0', 'O(1)', 'Kill the function currently in execution.'),
  'function|list': sub(-2, 'noscript', '7.0.0', 'O(N) where N is the number of functions', 'List information about all the functions', '[LIBRARYNAME library-name-pattern] [WITHCODE]'),
  'function|load': sub(-3, 'write denyoom noscript', '7.0.0', 'O(1) (considering compilation time is redundant)', 'Create a function with the given arguments (name, code, description)', '[REPLACE] function-code'),
  'function|restore': sub(-3, 'write denyoom noscript', '7.0.0', 'O(N) where N is the number of functions on the payload', 'Restore all the functions on the given payload', 'serialized-value [policy:(FLUSH | APPEND | REPLACE)]'),
  'function|stats': sub(2, 'noscript allow_busy', '7.0.0', 'O(1)', 'Return information about the function currently running (name, description, duration)'),
  script: d('2.6.0', 'Depends on subcommand.', 'A container for Lua scripts management commands', undefined, { acl: '' }),
  'script|debug': sub(3, 'noscript', '3.2.0', 'O(1)', 'Set the debug mode for executed scripts.', 'mode:(YES | SYNC | NO)'),
  'script|exists': sub(-3, 'noscript', '2.6.0', 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).', 'Check existence of scripts in the script cache.', 'sha1...'),
  'script|flush': sub(-2, 'noscript', '2.6.0', 'O(N) with N being the number of scripts in cache', 'Remove all the scripts from the script cache.', '[async:(ASYNC | SYNC)]'),
  'script|help': help('5.0.0'),
  'script|kill': sub(2, 'noscript allow_busy', '2.6.0', 'O(1)', 'Kill the script currently in execution.'),
  'script|load': sub(3, 'noscript stale', '2.6.0', 'O(N) with N being the length in bytes of the script body.', 'Load the specified Lua script into the script cache.', 'script'),
};

export const transactionDocs: Record<string, DocRow> = {
  discard: d('2.0.0', 'O(N), when N is the number of queued commands', 'Discard all commands issued after MULTI'),
  exec: d('1.2.0', 'Depends on commands in the transaction', 'Execute all commands issued after MULTI'),
  multi: d('1.2.0', 'O(1)', 'Mark the start of a transaction block'),
  unwatch: d('2.2.0', 'O(1)', 'Forget about all watched keys'),
  watch: d('2.2.0', 'O(1) for every key.', 'Watch the given keys to determine execution of the MULTI/EXEC block', 'key...', { keys: 'RO:1..-1' }),
};

/** CLUSTER's subcommands as nevio has them: all answer that cluster support is disabled. */
const CLUSTER_SUB = 'admin stale no_async_loading';

export const clusterDocs: Record<string, DocRow> = {
  asking: d('3.0.0', 'O(1)', 'Sent by cluster clients after an -ASK redirect', undefined, { acl: 'connection' }),
  cluster: d('3.0.0', 'Depends on subcommand.', 'A container for cluster commands'),
  'cluster|addslots': sub(-3, CLUSTER_SUB, '3.0.0', 'O(N) where N is the total number of hash slot arguments', 'Assign new hash slots to receiving node', 'slot:i...'),
  'cluster|addslotsrange': sub(-4, CLUSTER_SUB, '7.0.0', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.', 'Assign new hash slots to receiving node', 'start-slot_end-slot:(start-slot:i end-slot:i)...'),
  'cluster|bumpepoch': sub(2, CLUSTER_SUB, '3.0.0', 'O(1)', 'Advance the cluster config epoch'),
  'cluster|count-failure-reports': sub(3, 'admin stale', '3.0.0', 'O(N) where N is the number of failure reports', 'Return the number of failure reports active for a given node', 'node-id'),
  'cluster|countkeysinslot': sub(3, 'stale', '3.0.0', 'O(1)', 'Return the number of local keys in the specified hash slot', 'slot:i'),
  'cluster|delslots': sub(-3, CLUSTER_SUB, '3.0.0', 'O(N) where N is the total number of hash slot arguments', 'Set hash slots as unbound in receiving node', 'slot:i...'),
  'cluster|delslotsrange': sub(-4, CLUSTER_SUB, '7.0.0', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.', 'Set hash slots as unbound in receiving node', 'start-slot_end-slot:(start-slot:i end-slot:i)...'),
  'cluster|failover': sub(-2, CLUSTER_SUB, '3.0.0', 'O(1)', 'Forces a replica to perform a manual failover of its master.', '[options:(FORCE | TAKEOVER)]'),
  'cluster|flushslots': sub(2, CLUSTER_SUB, '3.0.0', 'O(1)', 'Delete a node\'s own slots information'),
  'cluster|forget': sub(3, CLUSTER_SUB, '3.0.0', 'O(1)', 'Remove a node from the nodes table', 'node-id'),
  'cluster|getkeysinslot': sub(4, 'stale', '3.0.0', 'O(log(N)) where N is the number of requested keys', 'Return local key names in the specified hash slot', 'slot:i count:i'),
  'cluster|help': help('5.0.0'),
  'cluster|info': sub(2, 'stale', '3.0.0', 'O(1)', 'Provides info about Redis Cluster node state'),
  'cluster|keyslot': sub(3, 'stale', '3.0.0', 'O(N) where N is the number of bytes in the key', 'Returns the hash slot of the specified key', 'key:s'),
  'cluster|links': sub(2, 'stale', '7.0.0', 'O(N) where N is the total number of Cluster nodes', 'Returns a list of all TCP links to and from peer nodes in cluster'),
  'cluster|meet': sub(-4, CLUSTER_SUB, '3.0.0', 'O(1)', 'Force a node cluster to handshake with another node', 'ip port:i [cluster_bus_port:i]'),
  'cluster|myid': sub(2, 'stale', '3.0.0', 'O(1)', 'Return the node id'),
  'cluster|nodes': sub(2, 'stale', '3.0.0', 'O(N) where N is the total number of Cluster nodes', 'Get Cluster config for the node'),
  'cluster|replicas': sub(3, 'admin stale', '5.0.0', 'O(1)', 'List replica nodes of the specified master node', 'node-id'),
  'cluster|replicate': sub(3, CLUSTER_SUB, '3.0.0', 'O(1)', 'Reconfigure a node as a replica of the specified master node', 'node-id'),
  'cluster|reset': sub(-2, 'admin noscript stale', '3.0.0', 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.', 'Reset a Redis Cluster node', '[hard_soft:(HARD | SOFT)]'),
  'cluster|saveconfig': sub(2, CLUSTER_SUB, '3.0.0', 'O(1)', 'Forces the node to save cluster state on disk'),
  'cluster|set-config-epoch': sub(3, CLUSTER_SUB, '3.0.0', 'O(1)', 'Set the configuration epoch in a new node', 'config-epoch:i'),
  'cluster|setslot': sub(-4, CLUSTER_SUB, '3.0.0', 'O(1)', 'Bind a hash slot to a specific node', 'slot:i subcommand:(IMPORTING node-id | MIGRATING node-id | NODE node-id | STABLE)'),
  'cluster|shards': sub(2, 'stale', '7.0.0', 'O(N) where N is the total number of cluster nodes', 'Get array of cluster slots to node mappings'),
  'cluster|slaves': sub(3, 'admin stale', '3.0.0', 'O(1)', 'List replica nodes of the specified master node', 'node-id', { deprecated: ['5.0.0', '`CLUSTER REPLICAS`'] }),
  'cluster|slots': sub(2, 'stale', '3.0.0', 'O(N) where N is the total number of Cluster nodes', 'Get array of Cluster slot to node mappings', undefined, { deprecated: ['7.0.0', '`CLUSTER SHARDS`'] }),
  readonly: d('3.0.0', 'O(1)', 'Enables read queries for a connection to a cluster replica node', undefined, { acl: 'connection' }),
  readwrite: d('3.0.0', 'O(1)', 'Disables read queries for a connection to a cluster replica node', undefined, { acl: 'connection' }),
};

/**
 * Redis 7.0.15's configuration parameters: every name (and alias) of its `redis.conf`, with the
 * type, the default as CONFIG GET shows it, the bounds and the flags Redis gives it. Generated
 * from the parameter table of Redis's `src/config.c` (tag 7.0.15) and the CONFIG GET * of a
 * redis-server 7.0.15 started with its defaults; `config.ts` decides what nevio does with each.
 *
 * @packageDocumentation
 */

// Parameter flags, Redis's names without `_CONFIG`.
/** CONFIG SET refuses it: only the command line and config file set it. */
export const IMMUTABLE = 1 << 0;
/** CONFIG SET needs `enable-protected-configs` (a path the server writes to). */
export const PROTECTED = 1 << 1;
/** A secret: redacted from SLOWLOG and MONITOR. */
export const SENSITIVE = 1 << 2;
/** Only an exact name finds it: CONFIG GET patterns skip it. */
export const HIDDEN = 1 << 3;
/** The value is several words (`save 3600 1 300 100`). */
export const MULTI_ARG = 1 << 4;
/** Refused while the dataset loads. */
export const DENY_LOADING = 1 << 5;
/** A setting meant for debugging (Redis's DEBUG_CONFIG). */
export const DEBUG = 1 << 6;
/** Re-applied even when set to its current value. */
export const VOLATILE = 1 << 7;

/** How a value is written and checked. */
export type ParamKind =
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** A plain integer. */
  | { readonly kind: 'int' }
  /** Bytes, with Redis's units (1k = 1000, 1kb = 1024, …). */
  | { readonly kind: 'memory' }
  /** Bytes or a percentage of maxmemory (`10%`). */
  | { readonly kind: 'percent' }
  /** An octal number (unixsocketperm). */
  | { readonly kind: 'octal' }
  /** A parameter with its own syntax (save, bind, client-output-buffer-limit, …). */
  | { readonly kind: 'special' };

/** One parameter of the table. */
export type ParamSpec = ParamKind & {
  readonly name: string;
  /** The older name Redis also accepts (`hash-max-ziplist-entries`). */
  readonly alias?: string;
  /** `IMMUTABLE | PROTECTED | …` */
  readonly flags: number;
  /** The default, as CONFIG GET shows it. */
  readonly dflt: string;
  /** Numeric bounds, inclusive (Redis's lower_bound/upper_bound). */
  readonly min?: bigint;
  readonly max?: bigint;
  /** An unsigned C type: bounds errors print as unsigned. */
  readonly unsigned?: boolean;
};

const BOOL = { kind: 'bool' } as const;
const STRING = { kind: 'string' } as const;
const INT = { kind: 'int' } as const;
const MEMORY = { kind: 'memory' } as const;
const PERCENT = { kind: 'percent' } as const;
const OCTAL = { kind: 'octal' } as const;
const SPECIAL = { kind: 'special' } as const;

function enumOf(...values: string[]): ParamKind {
  return { kind: 'enum', values };
}

function p(name: string, kind: ParamKind, dflt: string, flags: number, more?: { alias?: string; min?: bigint; max?: bigint; unsigned?: boolean }): ParamSpec {
  return { ...kind, name, dflt, flags, ...more };
}

/** Every parameter of Redis 7.0.15, in Redis's table order (CONFIG REWRITE writes in it). */
export const PARAMS: readonly ParamSpec[] = [
  p('rdbchecksum', BOOL, 'yes', IMMUTABLE),
  p('daemonize', BOOL, 'no', IMMUTABLE),
  p('io-threads-do-reads', BOOL, 'no', DEBUG | IMMUTABLE),
  p('always-show-logo', BOOL, 'no', IMMUTABLE),
  p('protected-mode', BOOL, 'yes', 0),
  p('rdbcompression', BOOL, 'yes', 0),
  p('rdb-del-sync-files', BOOL, 'no', 0),
  p('activerehashing', BOOL, 'yes', 0),
  p('stop-writes-on-bgsave-error', BOOL, 'yes', 0),
  p('set-proc-title', BOOL, 'yes', IMMUTABLE),
  p('dynamic-hz', BOOL, 'yes', 0),
  p('lazyfree-lazy-eviction', BOOL, 'no', DEBUG),
  p('lazyfree-lazy-expire', BOOL, 'no', DEBUG),
  p('lazyfree-lazy-server-del', BOOL, 'no', DEBUG),
  p('lazyfree-lazy-user-del', BOOL, 'no', DEBUG),
  p('lazyfree-lazy-user-flush', BOOL, 'no', DEBUG),
  p('repl-disable-tcp-nodelay', BOOL, 'no', 0),
  p('repl-diskless-sync', BOOL, 'yes', DEBUG),
  p('aof-rewrite-incremental-fsync', BOOL, 'yes', 0),
  p('no-appendfsync-on-rewrite', BOOL, 'no', 0),
  p('cluster-require-full-coverage', BOOL, 'yes', 0),
  p('rdb-save-incremental-fsync', BOOL, 'yes', 0),
  p('aof-load-truncated', BOOL, 'yes', 0),
  p('aof-use-rdb-preamble', BOOL, 'yes', 0),
  p('aof-timestamp-enabled', BOOL, 'no', 0),
  p('cluster-replica-no-failover', BOOL, 'no', 0, { alias: 'cluster-slave-no-failover' }),
  p('replica-lazy-flush', BOOL, 'no', 0, { alias: 'slave-lazy-flush' }),
  p('replica-serve-stale-data', BOOL, 'yes', 0, { alias: 'slave-serve-stale-data' }),
  p('replica-read-only', BOOL, 'yes', DEBUG, { alias: 'slave-read-only' }),
  p('replica-ignore-maxmemory', BOOL, 'yes', 0, { alias: 'slave-ignore-maxmemory' }),
  p('jemalloc-bg-thread', BOOL, 'yes', 0),
  p('activedefrag', BOOL, 'no', DEBUG),
  p('syslog-enabled', BOOL, 'no', IMMUTABLE),
  p('cluster-enabled', BOOL, 'no', IMMUTABLE),
  p('appendonly', BOOL, 'no', DENY_LOADING),
  p('cluster-allow-reads-when-down', BOOL, 'no', 0),
  p('cluster-allow-pubsubshard-when-down', BOOL, 'yes', 0),
  p('crash-log-enabled', BOOL, 'yes', 0),
  p('crash-memcheck-enabled', BOOL, 'yes', 0),
  p('use-exit-on-panic', BOOL, 'no', HIDDEN),
  p('disable-thp', BOOL, 'yes', IMMUTABLE),
  p('cluster-allow-replica-migration', BOOL, 'yes', 0),
  p('replica-announced', BOOL, 'yes', 0),
  p('latency-tracking', BOOL, 'yes', 0),
  p('aof-disable-auto-gc', BOOL, 'no', 0),
  p('replica-ignore-disk-write-errors', BOOL, 'no', 0),
  p('aclfile', STRING, '', IMMUTABLE),
  p('unixsocket', STRING, '', IMMUTABLE),
  p('pidfile', STRING, '', IMMUTABLE),
  p('replica-announce-ip', STRING, '', 0, { alias: 'slave-announce-ip' }),
  p('masteruser', STRING, '', SENSITIVE),
  p('cluster-announce-ip', STRING, '', 0),
  p('cluster-config-file', STRING, 'nodes.conf', IMMUTABLE),
  p('cluster-announce-hostname', STRING, '', 0),
  p('syslog-ident', STRING, 'redis', IMMUTABLE),
  p('dbfilename', STRING, 'dump.rdb', PROTECTED),
  p('appendfilename', STRING, 'appendonly.aof', IMMUTABLE),
  p('appenddirname', STRING, 'appendonlydir', IMMUTABLE),
  p('server_cpulist', STRING, '', IMMUTABLE),
  p('bio_cpulist', STRING, '', IMMUTABLE),
  p('aof_rewrite_cpulist', STRING, '', IMMUTABLE),
  p('bgsave_cpulist', STRING, '', IMMUTABLE),
  p('ignore-warnings', STRING, '', 0),
  p('proc-title-template', STRING, '{title} {listen-addr} {server-mode}', 0),
  p('bind-source-addr', STRING, '', 0),
  p('logfile', STRING, '', IMMUTABLE),
  p('masterauth', STRING, '', SENSITIVE),
  p('requirepass', STRING, '', SENSITIVE),
  p('supervised', enumOf('upstart', 'systemd', 'auto', 'no'), 'no', IMMUTABLE),
  p('syslog-facility', enumOf('user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'), 'local0', IMMUTABLE),
  p('repl-diskless-load', enumOf('disabled', 'on-empty-db', 'swapdb'), 'disabled', DEBUG | DENY_LOADING),
  p('loglevel', enumOf('debug', 'verbose', 'notice', 'warning'), 'notice', 0),
  p('maxmemory-policy', enumOf('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'), 'noeviction', 0),
  p('appendfsync', enumOf('everysec', 'always', 'no'), 'everysec', 0),
  p('oom-score-adj', enumOf('no', 'yes', 'relative', 'absolute'), 'no', 0),
  p('acl-pubsub-default', enumOf('allchannels', 'resetchannels'), 'resetchannels', 0),
  p('sanitize-dump-payload', enumOf('no', 'yes', 'clients'), 'no', DEBUG),
  p('enable-protected-configs', enumOf('no', 'yes', 'local'), 'no', IMMUTABLE),
  p('enable-debug-command', enumOf('no', 'yes', 'local'), 'no', IMMUTABLE),
  p('enable-module-command', enumOf('no', 'yes', 'local'), 'no', IMMUTABLE),
  p('cluster-preferred-endpoint-type', enumOf('ip', 'hostname', 'unknown-endpoint'), 'ip', 0),
  p('propagation-error-behavior', enumOf('ignore', 'panic', 'panic-on-replicas'), 'ignore', 0),
  p('shutdown-on-sigint', enumOf('default', 'save', 'nosave', 'now', 'force'), 'default', MULTI_ARG),
  p('shutdown-on-sigterm', enumOf('default', 'save', 'nosave', 'now', 'force'), 'default', MULTI_ARG),
  p('databases', INT, '16', IMMUTABLE, { min: 1n, max: 2147483647n }),
  p('port', INT, '6379', 0, { min: 0n, max: 65535n }),
  p('io-threads', INT, '1', DEBUG | IMMUTABLE, { min: 1n, max: 128n }),
  p('auto-aof-rewrite-percentage', INT, '100', 0, { min: 0n, max: 2147483647n }),
  p('cluster-replica-validity-factor', INT, '10', 0, { alias: 'cluster-slave-validity-factor', min: 0n, max: 2147483647n }),
  p('list-max-listpack-size', INT, '-2', 0, { alias: 'list-max-ziplist-size', min: -2147483648n, max: 2147483647n }),
  p('tcp-keepalive', INT, '300', 0, { min: 0n, max: 2147483647n }),
  p('cluster-migration-barrier', INT, '1', 0, { min: 0n, max: 2147483647n }),
  p('active-defrag-cycle-min', INT, '1', 0, { min: 1n, max: 99n }),
  p('active-defrag-cycle-max', INT, '25', 0, { min: 1n, max: 99n }),
  p('active-defrag-threshold-lower', INT, '10', 0, { min: 0n, max: 1000n }),
  p('active-defrag-threshold-upper', INT, '100', 0, { min: 0n, max: 1000n }),
  p('lfu-log-factor', INT, '10', 0, { min: 0n, max: 2147483647n }),
  p('lfu-decay-time', INT, '1', 0, { min: 0n, max: 2147483647n }),
  p('replica-priority', INT, '100', 0, { alias: 'slave-priority', min: 0n, max: 2147483647n }),
  p('repl-diskless-sync-delay', INT, '5', 0, { min: 0n, max: 2147483647n }),
  p('maxmemory-samples', INT, '5', 0, { min: 1n, max: 2147483647n }),
  p('maxmemory-eviction-tenacity', INT, '10', 0, { min: 0n, max: 100n }),
  p('timeout', INT, '0', 0, { min: 0n, max: 2147483647n }),
  p('replica-announce-port', INT, '0', 0, { alias: 'slave-announce-port', min: 0n, max: 65535n }),
  p('tcp-backlog', INT, '511', IMMUTABLE, { min: 0n, max: 2147483647n }),
  p('cluster-port', INT, '0', IMMUTABLE, { min: 0n, max: 65535n }),
  p('cluster-announce-bus-port', INT, '0', 0, { min: 0n, max: 65535n }),
  p('cluster-announce-port', INT, '0', 0, { min: 0n, max: 65535n }),
  p('cluster-announce-tls-port', INT, '0', 0, { min: 0n, max: 65535n }),
  p('repl-timeout', INT, '60', 0, { min: 1n, max: 2147483647n }),
  p('repl-ping-replica-period', INT, '10', 0, { alias: 'repl-ping-slave-period', min: 1n, max: 2147483647n }),
  p('list-compress-depth', INT, '0', DEBUG, { min: 0n, max: 2147483647n }),
  p('rdb-key-save-delay', INT, '0', HIDDEN, { min: -2147483648n, max: 2147483647n }),
  p('key-load-delay', INT, '0', HIDDEN, { min: -2147483648n, max: 2147483647n }),
  p('active-expire-effort', INT, '1', 0, { min: 1n, max: 10n }),
  p('hz', INT, '10', 0, { min: 0n, max: 2147483647n }),
  p('min-replicas-to-write', INT, '0', 0, { alias: 'min-slaves-to-write', min: 0n, max: 2147483647n }),
  p('min-replicas-max-lag', INT, '10', 0, { alias: 'min-slaves-max-lag', min: 0n, max: 2147483647n }),
  p('watchdog-period', INT, '0', HIDDEN, { min: 0n, max: 2147483647n }),
  p('shutdown-timeout', INT, '10', 0, { min: 0n, max: 2147483647n }),
  p('repl-diskless-sync-max-replicas', INT, '0', 0, { min: 0n, max: 2147483647n }),
  p('maxclients', INT, '10000', 0, { min: 1n, max: 4294967295n, unsigned: true }),
  p('unixsocketperm', OCTAL, '0', IMMUTABLE, { min: 0n, max: 511n, unsigned: true }),
  p('socket-mark-id', INT, '0', IMMUTABLE, { min: 0n, max: 4294967295n, unsigned: true }),
  p('active-defrag-max-scan-fields', INT, '1000', 0, { min: 1n, max: 9223372036854775807n }),
  p('slowlog-max-len', INT, '128', 0, { min: 0n, max: 9223372036854775807n }),
  p('acllog-max-len', INT, '128', 0, { min: 0n, max: 9223372036854775807n }),
  p('busy-reply-threshold', INT, '5000', 0, { alias: 'lua-time-limit', min: 0n, max: 9223372036854775807n }),
  p('cluster-node-timeout', INT, '15000', 0, { min: 0n, max: 9223372036854775807n }),
  p('slowlog-log-slower-than', INT, '10000', 0, { min: -1n, max: 9223372036854775807n }),
  p('latency-monitor-threshold', INT, '0', 0, { min: 0n, max: 9223372036854775807n }),
  p('proto-max-bulk-len', MEMORY, '536870912', DEBUG, { min: 1048576n, max: 9223372036854775807n }),
  p('stream-node-max-entries', INT, '100', 0, { min: 0n, max: 9223372036854775807n }),
  p('repl-backlog-size', MEMORY, '1048576', 0, { min: 1n, max: 9223372036854775807n }),
  p('maxmemory', MEMORY, '0', 0, { min: 0n, max: 18446744073709551615n, unsigned: true }),
  p('cluster-link-sendbuf-limit', MEMORY, '0', 0, { min: 0n, max: 18446744073709551615n, unsigned: true }),
  p('hash-max-listpack-entries', INT, '512', 0, { alias: 'hash-max-ziplist-entries', min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('set-max-intset-entries', INT, '512', 0, { min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('zset-max-listpack-entries', INT, '128', 0, { alias: 'zset-max-ziplist-entries', min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('active-defrag-ignore-bytes', MEMORY, '104857600', 0, { min: 1n, max: 9223372036854775807n, unsigned: true }),
  p('hash-max-listpack-value', MEMORY, '64', 0, { alias: 'hash-max-ziplist-value', min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('stream-node-max-bytes', MEMORY, '4096', 0, { min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('zset-max-listpack-value', MEMORY, '64', 0, { alias: 'zset-max-ziplist-value', min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('hll-sparse-max-bytes', MEMORY, '3000', 0, { min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('tracking-table-max-keys', INT, '1000000', 0, { min: 0n, max: 9223372036854775807n, unsigned: true }),
  p('client-query-buffer-limit', MEMORY, '1073741824', DEBUG, { min: 1048576n, max: 9223372036854775807n, unsigned: true }),
  p('maxmemory-clients', PERCENT, '0', 0, { min: -100n, max: 9223372036854775807n }),
  p('repl-backlog-ttl', INT, '3600', 0, { min: 0n, max: 9223372036854775807n }),
  p('auto-aof-rewrite-min-size', MEMORY, '67108864', 0, { min: 0n, max: 9223372036854775807n }),
  p('loading-process-events-interval-bytes', INT, '2097152', HIDDEN, { min: 1024n, max: 2147483647n }),
  p('tls-port', INT, '0', 0, { min: 0n, max: 65535n }),
  p('tls-session-cache-size', INT, '20480', 0, { min: 0n, max: 2147483647n }),
  p('tls-session-cache-timeout', INT, '300', 0, { min: 0n, max: 2147483647n }),
  p('tls-cluster', BOOL, 'no', 0),
  p('tls-replication', BOOL, 'no', 0),
  p('tls-auth-clients', enumOf('no', 'yes', 'optional'), 'yes', 0),
  p('tls-prefer-server-ciphers', BOOL, 'no', 0),
  p('tls-session-caching', BOOL, 'yes', 0),
  p('tls-cert-file', STRING, '', VOLATILE),
  p('tls-key-file', STRING, '', VOLATILE),
  p('tls-key-file-pass', STRING, '', 0),
  p('tls-client-cert-file', STRING, '', VOLATILE),
  p('tls-client-key-file', STRING, '', VOLATILE),
  p('tls-client-key-file-pass', STRING, '', 0),
  p('tls-dh-params-file', STRING, '', VOLATILE),
  p('tls-ca-cert-file', STRING, '', VOLATILE),
  p('tls-ca-cert-dir', STRING, '', VOLATILE),
  p('tls-protocols', STRING, '', 0),
  p('tls-ciphers', STRING, '', 0),
  p('tls-ciphersuites', STRING, '', 0),
  p('dir', SPECIAL, '', PROTECTED | DENY_LOADING),
  p('save', SPECIAL, '3600 1 300 100 60 10000', MULTI_ARG),
  p('client-output-buffer-limit', SPECIAL, 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', MULTI_ARG),
  p('oom-score-adj-values', SPECIAL, '0 200 800', MULTI_ARG),
  p('notify-keyspace-events', SPECIAL, '', 0),
  p('bind', SPECIAL, '* -::*', MULTI_ARG),
  p('replicaof', SPECIAL, '', IMMUTABLE | MULTI_ARG, { alias: 'slaveof' }),
  p('latency-tracking-info-percentiles', SPECIAL, '50 99 99.9', MULTI_ARG),
];

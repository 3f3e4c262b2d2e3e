#!/usr/bin/env node
/**
 * `nevio-redis [config-file] [--port 6379] [--bind 127.0.0.1] [--unixsocket PATH]
 *  [--requirepass X] [--appendonly yes] [--appendfsync everysec] [--dir DIR] [--databases 16] ...`
 *
 * The arguments are redis-server's: a redis.conf-style file, then any setting as
 * `--name value…` ({@link parseArgs} reads them, the one definition of every setting).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Grammar, helpColumns, runCommand, UsageError } from '@nevio/core';
import { type Config, defaultConfig, showSetting } from './config';
import { parseArgs } from './config-file';
import { startRedis } from './listen';
import { daemonizeIfAsked, logStarting, openLog, writePidFile } from './startup';

/** What the help says of each setting: its value, and what it does. Every setting is here. */
const SETTINGS: Readonly<Record<Exclude<keyof Config, 'stored' | 'configFile' | 'users'>, readonly [string, string]>> = {
  port: ['N', 'TCP port; 0 picks a free one, or with --unixsocket\nmeans no TCP listener, as in Redis'],
  bind: ['ADDR...', 'addresses to listen on'],
  unixsocket: ['PATH', 'also listen on a unix socket'],
  requirepass: ['X', 'AUTH password of the default user'],
  appendonly: ['yes|no', 'log writes to the AOF, replay it on start'],
  appendfsync: ['WHEN', 'always (fsync before replying), everysec or no'],
  appendfilename: ['NAME', 'the AOF files\' base name in DIR/appendonlydir'],
  dir: ['DIR', 'where the AOF and dump.rdb live (must exist)'],
  databases: ['N', 'number of databases for SELECT'],
  multicore: ['', 'refused: the one keyspace lives on one event loop'],
  maxmemory: ['BYTES', 'memory cap, 0: none (100mb, 1gb: as in redis.conf)'],
  'maxmemory-policy': ['POLICY', 'noeviction (OOM errors) or allkeys-lru'],
  'proto-max-bulk-len': ['BYTES', 'largest bulk string of a request'],
  'client-query-buffer-limit': ['BYTES', 'largest unparsed input of one client'],
  hz: ['N', 'background tasks (expiry, idle clients) per second'],
  maxclients: ['N', 'connections past this get an error and are closed'],
  timeout: ['S', 'close clients idle for S seconds, 0: never'],
  save: ['"S N..."', 'snapshot (BGSAVE) after S seconds and N changes; "" none'],
  'aof-load-truncated': ['yes|no', 'load an AOF whose last command was cut short'],
  dbfilename: ['NAME', 'the RDB file in --dir (SAVE writes it, a start loads it)'],
  rdbcompression: ['yes|no', 'LZF-compress the RDB file\'s strings'],
  rdbchecksum: ['yes|no', 'end the RDB file with a CRC64 (checked on load)'],
  'hash-max-listpack-entries': ['N', 'hashes with more fields become hash tables'],
  'hash-max-listpack-value': ['BYTES', 'hashes with a longer field or value become hash tables'],
  'set-max-intset-entries': ['N', 'integer sets with more members become hash tables'],
  'zset-max-listpack-entries': ['N', 'sorted sets with more members become skiplists'],
  'zset-max-listpack-value': ['BYTES', 'sorted sets with a longer member become skiplists'],
  'list-max-listpack-size': ['N', 'list node size: >0 entries, -1..-5 4 KB..64 KB'],
  'list-compress-depth': ['N', 'list nodes left uncompressed at each end (0: none)'],
  'stream-node-max-entries': ['N', 'entries per stream node'],
  'stream-node-max-bytes': ['BYTES', 'bytes per stream node'],
  'hll-sparse-max-bytes': ['BYTES', 'HyperLogLogs past this become dense'],
  'slowlog-log-slower-than': ['US', 'SLOWLOG records commands slower than this (-1: none)'],
  'slowlog-max-len': ['N', 'SLOWLOG entries kept'],
  'latency-monitor-threshold': ['MS', 'LATENCY records events slower than this (0: none)'],
  'latency-tracking': ['yes|no', 'INFO latencystats keeps per-command latency percentiles'],
  'busy-reply-threshold': ['MS', 'a script running longer makes other clients get BUSY (0: never)'],
  'enable-debug-command': ['no|yes|local', 'allow DEBUG (local: loopback/unix clients)'],
  'enable-protected-configs': ['no|yes|local', 'allow CONFIG SET of dir, dbfilename'],
};

/** What the command line asks for: the settings, and the arguments themselves (daemonize restarts with them). */
interface Request {
  readonly config: Config;
  readonly argv: readonly string[];
}

/** redis-server's grammar; `--help`/`-h` and `--version`/`-v` count as the first argument, as there. */
const grammar: Grammar<Request> = {
  usage: (command) => `Usage: ${command} [config-file] [--setting value...]... | --help | --version`,
  details() {
    const defaults = defaultConfig();
    const rows = (Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>).map((name) => {
      const [arg, help] = SETTINGS[name];
      const value = showSetting(defaults, name);
      const shown = value === '' ? '' : ` (default ${value})`;
      return [`--${name}${arg === '' ? '' : ` ${arg}`}`, `${help}${shown}`] as const;
    });
    return `Settings (a redis.conf file's, which the command line overrides; a flag alone means yes):\n${helpColumns([
      ...rows,
      ['-h, --help', 'show this help'],
      ['-v, --version', 'print the version'],
    ])}`;
  },
  parse(argv) {
    if (argv[0] === '--help' || argv[0] === '-h') return { run: 'help' };
    if (argv[0] === '--version' || argv[0] === '-v') return { run: 'version' };
    try {
      return { run: 'serve', values: { config: parseArgs(argv), argv } };
    } catch (error) {
      // A config file that cannot be read is the system's answer (exit code 1), not a usage error.
      if (typeof (error as NodeJS.ErrnoException).code === 'string') throw error;
      throw new UsageError((error as Error).message);
    }
  },
};

void runCommand({
  name: 'nevio-redis',
  summary: 'A Redis-compatible server on nevio: redis-cli, ioredis and redis-benchmark use it\nas they use redis-server.',
  packageDir: path.join(__dirname, '..'),
  grammar,
  async start({ config, argv }) {
    if (config.multicore) {
      // Several loops would mean several heaps, hence several keyspaces: MULTI, WATCH, blocking
      // pops and multi-key commands would silently see only part of the data. Refuse instead.
      throw new UsageError(
        '--multicore is not available: every command must see the one keyspace, which lives on\n' +
          'one event loop (redis-server runs its commands on one thread too). To use more cores, run one\n' +
          'nevio-redis per core on its own port (and shard by key in the client, as with Redis Cluster).',
      );
    }
    const log = openLog(config);
    if (daemonizeIfAsked(config, argv)) process.exit(0);
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    logStarting(config, log, version);
    // " PID: " is what Redis's test suite waits for: once listening, before the data loads (a bad
    // file is then reported, and a client connecting meanwhile waits for the load).
    const redis = await startRedis(config, log, () => log.notice(`Server initialized, mode=standalone. PID: ${process.pid}`));
    const removePidFile = writePidFile(config, log);
    const where = redis.core.addrs.map((a) => a.toString()).join(', ');
    const aof = config.appendonly ? `, AOF ${config.appendfsync} in ${config.dir}` : '';
    log.notice(`Running mode=standalone, port=${redis.port}, listening on ${where}${aof}`);
    // The banner goes to standard output: the log line itself, or a pointer to the log file.
    const ready = 'Ready to accept connections';
    if (log.file !== '') log.notice(ready);
    return {
      banner: log.file === '' ? log.format('notice', ready) : `nevio-redis ${process.pid}: ${ready} on ${where}, logging to ${log.file}`,
      stop: () => redis.stopOnSignal(),
      log,
      done: redis.done.then(() => {
        removePidFile();
        log.notice('nevio-redis is now ready to exit, bye bye...');
      }),
    };
  },
});

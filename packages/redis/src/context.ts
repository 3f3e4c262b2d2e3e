/**
 * The context a command runs with: narrow views of the client and of the server, each exposing
 * what commands use and nothing of how the server keeps it. The server implements them (the
 * client object is itself the {@link CommandContext}, so running a command allocates nothing).
 *
 * @packageDocumentation
 */
import type { CommandDef, TypeOpsTable } from './command';
import type { Config } from './config';
import type { Db, Entry } from './keyspace';
import type { Reply } from './reply';
import type { CommandStats } from './cmdstats';
import type { SlowLog } from './slowlog';
import type { LatencyMonitor } from './latency';
import type { ReplicationView } from './replication';
import type { AclView, UserView } from './acl/view';
import type { RdbSaves } from './persist/bgsave';

/** What a command runs with. One long-lived object per client: do not keep it across calls. */
export interface CommandContext {
  /** The client's current database (SELECT). */
  readonly db: Db;
  /** Where the reply goes, in the client's protocol (RESP2 or RESP3). */
  readonly reply: Reply;
  /** The client running the command. */
  readonly client: ClientState;
  /** The rest of the server. */
  readonly server: ServerContext;
  /**
   * Logs these arguments to the AOF instead of the command as sent; may be called several times
   * to log several commands. Strings are encoded as latin1, so a key string can be passed as is.
   */
  propagate(argv: readonly (Buffer | string)[]): void;
  /**
   * Raises a keyspace event (Redis's notifyKeyspaceEvent), e.g.
   * `ctx.notify(NOTIFY_LIST, 'lpush', key)`: published as `__keyspace@<db>__:<key>` (payload the
   * event) and `__keyevent@<db>__:<event>` (payload the key) when `notify-keyspace-events`
   * enables the class; one integer test otherwise. Call it after the change, once per event
   * Redis fires; `db` is the client's database unless given (MOVE, COPY … DB).
   */
  notify(type: number, event: string, key: string, db?: Db): void;
}

// Client state bits (ClientView.flags), shown by CLIENT LIST as the letters of Redis.
/** Subscribed to a channel or pattern (`P`). */
export const CLIENT_PUBSUB = 1 << 0;
/** Inside MULTI (`x`). */
export const CLIENT_MULTI = 1 << 1;
/** In a blocking command (`b`). */
export const CLIENT_BLOCKED = 1 << 2;
/** A WATCHed key was touched: EXEC will fail (`d`). */
export const CLIENT_DIRTY_CAS = 1 << 3;
/** CLIENT TRACKING ON (`t`). */
export const CLIENT_TRACKING = 1 << 4;
/** The tracking redirect client has gone (`R`). */
export const CLIENT_TRACKING_BROKEN_REDIR = 1 << 5;
/** Tracking in BCAST mode (`B`). */
export const CLIENT_TRACKING_BCAST = 1 << 6;
/** Tracking in OPTIN mode: only keys read right after CLIENT CACHING YES. */
export const CLIENT_TRACKING_OPTIN = 1 << 7;
/** Tracking in OPTOUT mode: every key except those read right after CLIENT CACHING NO. */
export const CLIENT_TRACKING_OPTOUT = 1 << 8;
/** CLIENT CACHING was given for the next command. */
export const CLIENT_TRACKING_CACHING = 1 << 9;
/** No invalidations for keys the client changed itself. */
export const CLIENT_TRACKING_NOLOOP = 1 << 10;
/** MONITOR (`O`). */
export const CLIENT_MONITOR = 1 << 11;
/** CLIENT NO-EVICT ON (`e`). */
export const CLIENT_NO_EVICT = 1 << 12;
/** Will be closed once its replies are written (`c`). */
export const CLIENT_CLOSE_AFTER_REPLY = 1 << 13;
/** Connected through the unix socket (`U`). */
export const CLIENT_UNIX_SOCKET = 1 << 14;
/**
 * The client a script's redis.call runs commands as (Redis's CLIENT_SCRIPT): SORT orders a set
 * it would leave unsorted, XREAD/XREADGROUP refuse BLOCK.
 */
export const CLIENT_SCRIPT = 1 << 15;
/** A replica attached with SYNC/PSYNC (`S`; CLIENT LIST/KILL TYPE slave). */
export const CLIENT_SLAVE = 1 << 16;
/** A replica's link to its master: the stream's commands run as it (`M`; TYPE master). */
export const CLIENT_MASTER = 1 << 17;

/** A socket address (what nevio's `Conn` reports). */
export interface SocketAddress {
  readonly network: string;
  readonly address: string;
  readonly port: number;
}

/**
 * An address as Redis prints peers and local addresses (CLIENT LIST, CLIENT KILL ADDR, SLOWLOG):
 * `ip:port`, `[ipv6]:port`, or `path:0` for a unix socket.
 */
export function addressString(a: SocketAddress): string {
  if (a.network.startsWith('unix')) return `${a.address}:0`;
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** DEBUG REPLYBUFFER's settings (`reply-buffer.ts`). */
export interface ReplyBufferSettings {
  /** How often a client's peak use restarts (ms); -1: never. */
  peakResetMs: number;
  /** False: buffers keep their size. */
  resizing: boolean;
}

/** A client's connection, as CLIENT LIST shows it. */
export interface ConnectionView {
  readonly remoteAddr: SocketAddress;
  readonly localAddr: SocketAddress;
  /** Bytes received but not consumed yet (`qbuf`). */
  readonly inboundBuffered: number;
  /** Bytes waiting to be sent (`obl`). */
  readonly outboundBuffered: number;
  /** The socket's descriptor (`fd`; -1 once closed). */
  readonly fd: number;
}

/** Any client, as CLIENT LIST, CLIENT KILL and INFO see it. */
export interface ClientView {
  /** CLIENT ID. */
  readonly id: number;
  /** The addresses a client without a connection shows (our master's client: the link's), or null. */
  readonly linkAddr: { readonly remote: string; readonly local: string } | null;
  /** CLIENT SETNAME's name ('' when none). */
  readonly name: string;
  /** The selected database. */
  readonly db: Db;
  /** RESP version (HELLO). */
  readonly protocol: 2 | 3;
  /** `CLIENT_*` bits. */
  readonly flags: number;
  /** True while subscribed to a channel or pattern (RESP2 restricts the commands then). */
  readonly subscribed: boolean;
  /** Channels subscribed to. */
  readonly channels: ReadonlySet<string>;
  /** Patterns subscribed to. */
  readonly patterns: ReadonlySet<string>;
  /** Commands queued by MULTI, -1 outside MULTI. */
  readonly queued: number;
  /** Connection time (ms since the epoch; CLIENT LIST `age`). */
  readonly createdAt: number;
  /** Time of the last command (ms since the epoch; CLIENT LIST `idle`). */
  readonly lastInteraction: number;
  /** The last command's name (CLIENT LIST `cmd`). */
  readonly lastCommand: string;
  /** Shard channels subscribed to (SSUBSCRIBE). */
  readonly shardChannels: ReadonlySet<string>;
  /** The ACL user it runs as (CLIENT LIST `user=`). */
  readonly user: UserView;
  /** The CLIENT TRACKING REDIRECT client id (0: none). */
  readonly trackingRedirect: number;
  /** The BCAST prefixes (CLIENT TRACKINGINFO); empty outside BCAST mode. */
  readonly trackingPrefixes: ReadonlySet<string> | null;
  /** The connection; null for internal clients (AOF replay). */
  readonly conn: ConnectionView | null;
  /** The reply buffer Redis would have for it, and its peak use (CLIENT LIST `rbs`, `rbp`). */
  readonly replyBufferSize: number;
  readonly replyBufferPeak: number;
  /**
   * Disconnects it at once and releases what it holds (CLIENT KILL of another client; the
   * client running the command uses {@link ClientState.closeAfterReply} instead).
   */
  kill(): void;
}

/** How a blocked client waits (BLPOP, BRPOP, BLMOVE, BZPOPMIN, …). */
export interface BlockSpec {
  /** Keys of the client's current database to wait on. */
  readonly keys: readonly string[];
  /** Milliseconds to wait; 0 waits forever. */
  readonly timeoutMs: number;
  /**
   * Called when `key` was signalled ready, after the command that signalled it finished, in the
   * order clients blocked (FIFO per key). Try to serve the client: when the key holds data of
   * the right type, pop it, write the complete reply to `ctx.reply` (the blocked client's),
   * call `ctx.propagate` with the non-blocking equivalent (LPOP key, LMOVE …) and return true.
   * Return false to keep waiting (key empty again, or of another type). Copy what you need from
   * the original argv when blocking: it is no longer valid here.
   */
  serve(ctx: CommandContext, key: string): boolean;
  /** Writes the timeout reply; by default the null array (`*-1`, RESP3 `_`). */
  timedOut?(reply: Reply): void;
  /**
   * Also call `serve` when one of `keys` changes in any way (deleted, overwritten, flushed,
   * swapped), even if it then does not exist: XREADGROUP must answer an error then.
   */
  readonly wakeOnChange?: boolean;
}

/**
 * Writes the next piece of a reply that {@link ClientState.stream} produces: a bounded amount
 * (about a thousand elements), and returns true once the reply is complete.
 */
export type ReplyPiece = (reply: Reply) => boolean;

/**
 * A client suspended by {@link ClientState.suspend} until something outside the command, such
 * as MIGRATE's target answering, lets it finish.
 */
export interface Suspension {
  /** True when another client changed (or deleted) one of the keys given to `suspend` meanwhile. */
  readonly keysChanged: boolean;
  /**
   * Ends the wait: `finish` runs as the rest of the command (it writes the reply, may change the
   * keyspace and call `propagate`), then the client's later commands run. Call it once. When the
   * client disconnected meanwhile, `finish` still runs, for its changes, and its reply is dropped.
   */
  resume(finish: (ctx: CommandContext) => void): void;
}

/** The client running the command: its state, and what commands change in it. */
export interface ClientState extends ClientView {
  /**
   * False inside MULTI/EXEC and during AOF replay: a blocking command must then act as if its
   * timeout had expired at once (BLPOP replies the null array).
   */
  readonly canBlock: boolean;
  /**
   * Suspends the client: no reply is written now, and its later pipelined commands wait until
   * it is unblocked. Call it as the last thing `run` does, instead of replying. The server
   * unblocks it when `spec.serve` succeeds (after a command signalled one of `spec.keys` ready),
   * when the timeout passes, or when the client disconnects; the reply then goes out at once.
   */
  block(spec: BlockSpec): void;
  /**
   * Produces a large reply in pieces: `run` writes the reply's header (and maybe its first
   * elements), then calls this as the last thing it does. The server calls `next` until it
   * returns true, between other clients' events and as the connection drains; it stops when the
   * client disconnects (the rest is never produced). The client's later pipelined commands wait.
   * Inside EXEC, `next` is called until done at once. Snapshot what `next` reads: other clients
   * may change the keyspace between pieces.
   */
  stream(next: ReplyPiece): void;
  /**
   * Suspends the client while the command waits for something outside the server (MIGRATE): no
   * reply now, its later pipelined commands wait, other clients are served. Call it as the last
   * thing `run` does, only when {@link ClientState.canBlock}. `keys` (of the current database)
   * are watched for changes by others ({@link Suspension.keysChanged}).
   */
  suspend(keys: readonly string[]): Suspension;
  /** CLIENT SETNAME / HELLO SETNAME. */
  setName(name: string): void;
  /** SELECT: `index` must be a valid database number. */
  select(index: number): void;
  /** HELLO's protocol switch. */
  setProtocol(proto: 2 | 3): void;
  /**
   * Redis's `c->authenticated`: AUTH succeeded, or the default user needed no password when the
   * client connected (HELLO without AUTH requires it).
   */
  readonly authenticated: boolean;
  /**
   * AUTH / HELLO AUTH: true and the client runs as `user` from now on; false (an ACL LOG
   * `auth` entry) when the pair is wrong or the user is off.
   */
  login(user: string, password: Buffer): boolean;
  /** RESET: back to the default user, unauthenticated unless it needs no password. */
  deauthenticate(): void;
  /**
   * The client's user may run `argv` with read access to every key (SORT's BY and GET
   * patterns read keys the command line does not name).
   */
  mayReadEveryKey(argv: readonly Buffer[]): boolean;
  /** Closes the connection after the pending replies (QUIT, SHUTDOWN). */
  closeAfterReply(): void;
  /** SUBSCRIBE/PSUBSCRIBE one name (nothing when already subscribed). */
  subscribe(name: string, pattern: boolean): void;
  /** UNSUBSCRIBE/PUNSUBSCRIBE one name; false when it was not subscribed. */
  unsubscribe(name: string, pattern: boolean): boolean;
  /** SSUBSCRIBE one shard channel (nothing when already subscribed). */
  subscribeShard(name: string): void;
  /** SUNSUBSCRIBE one shard channel; false when it was not subscribed. */
  unsubscribeShard(name: string): boolean;
  /**
   * Where pushes go (subscription confirmations, messages, invalidations): the connection, even
   * while CLIENT REPLY OFF/SKIP silences {@link CommandContext.reply}.
   */
  readonly pushReply: Reply;
  /** CLIENT REPLY ON|OFF|SKIP. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void;
  /**
   * CLIENT TRACKING ON with checked options: `redirect` a client id or 0, `options` the
   * CLIENT_TRACKING_BCAST/OPTIN/OPTOUT/NOLOOP bits, `prefixes` the BCAST prefixes.
   */
  enableTracking(redirect: number, options: number, prefixes: readonly string[]): void;
  /** CLIENT TRACKING OFF. */
  disableTracking(): void;
  /** CLIENT CACHING YES|NO: the next command's keys are (OPTIN) or are not (OPTOUT) tracked. */
  setTrackingCaching(): void;
  /** CLIENT NO-EVICT ON|OFF. */
  setNoEvict(on: boolean): void;
  /** MONITOR: from now on, receives every command the server runs. */
  startMonitor(): void;
  /** RESET: leaves MONITOR mode. */
  stopMonitor(): void;
  /** True between MULTI and EXEC/DISCARD. */
  readonly inMulti: boolean;
  /** MULTI: starts queuing (the caller checked it is not nested). */
  beginMulti(): void;
  /** DISCARD (and RESET): drops the queue and the WATCHes. */
  discardMulti(): void;
  /** EXEC: runs the queue, or replies EXECABORT / the null array; throws `EXEC without MULTI`. */
  exec(): void;
  /** WATCH one key of the current database. */
  watch(key: string): void;
  /** UNWATCH: forgets every WATCHed key. */
  unwatch(): void;
}

/** Counters reported by INFO stats (CONFIG RESETSTAT zeroes them). */
export interface Stats {
  totalConnections: number;
  totalCommands: number;
  expiredKeys: number;
  evictedKeys: number;
  rejectedConnections: number;
  /** Values freed as Redis frees them in the background (INFO lazyfreed_objects). */
  lazyfreedObjects: number;
  pubsubMessages: number;
  /** Processes started for background work (INFO total_forks): one per AOF rewrite. */
  forks: number;
}

/** Pub/sub as commands see it. */
export interface PubSubView {
  /** Channels with at least one subscriber. */
  channelNames(): IterableIterator<string>;
  readonly channelCount: number;
  /** Shard channels with at least one subscriber. */
  shardChannelNames(): IterableIterator<string>;
  readonly shardChannelCount: number;
  /** Subscribers of a shard channel (PUBSUB SHARDNUMSUB). */
  shardSubscribers(channel: string): number;
  /** SPUBLISH: delivers to the shard channel's subscribers; returns how many received it. */
  publishShard(channel: string, message: Buffer): number;
  /** Patterns with at least one subscriber. */
  readonly patternCount: number;
  /** Subscribers of a channel (PUBSUB NUMSUB). */
  subscribers(channel: string): number;
  /**
   * Delivers a message to channel and pattern subscribers; returns how many received it. A
   * string message is latin1 (one char per byte, like keys).
   */
  publish(channel: string, message: Buffer | string): number;
}

/** Client-side caching's table sizes (INFO). */
export interface TrackingStats {
  /** Clients with tracking on. */
  readonly clients: number;
  /** Keys remembered for default-mode clients. */
  readonly keys: number;
  /** Client ids stored over all those keys. */
  readonly items: number;
  /** BCAST prefixes. */
  readonly prefixes: number;
}

/** CLIENT PAUSE's kinds: only commands that may write (or publish), or every command. */
export type PauseKind = 'write' | 'all';

/** The AOF's state, for INFO persistence. */
export interface AofStatus {
  /** Logging (appendonly yes); false for a BGREWRITEAOF run with the AOF off. */
  readonly enabled: boolean;
  readonly rewriteInProgress: boolean;
  /** A rewrite waits for a BGSAVE to end. */
  readonly scheduled: boolean;
  readonly rewrites: number;
  readonly lastRewriteStatus: 'ok' | 'err';
  /** Rewrites that failed since the last success. */
  readonly consecutiveFailures: number;
  /** Duration of the last rewrite in seconds, -1 before the first. */
  readonly lastRewriteSeconds: number;
  /** Bytes of the base and incr files. */
  readonly size: number;
  /** Bytes of the base file after the last rewrite. */
  readonly baseSize: number;
}

/** Persistence as commands see it. */
export interface Persistence {
  /** Changes since start (Redis's `server.dirty`): a command that raised it is logged. */
  readonly dirty: number;
  /** Counts changes made without `Db.set`/`Db.delete` (FLUSHALL counts the keys it removed). */
  addDirty(n: number): void;
  /** FLUSHDB, FLUSHALL, SWAPDB: what the AOF tracked per key is no longer valid. */
  datasetReplaced(): void;
  /** The AOF when one is open. */
  readonly aof: AofStatus | null;
  /** RDB saves: BGSAVE, save points, SHUTDOWN's save, LASTSAVE, INFO persistence (`persist/bgsave.ts`). */
  readonly rdb: RdbSaves;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds slept before each write of the AOF (the suite's way to widen a race). */
  aofFlushSleepUs: number;
  /** BGREWRITEAOF: 'scheduled' while a BGSAVE runs; throws when a rewrite is already running. */
  rewriteAof(): 'started' | 'scheduled';
  /**
   * DEBUG LOADAOF: writes out and fsyncs what is logged, empties every database and replays the
   * AOF; throws a `CommandError` when no AOF is open.
   */
  reloadAof(): void;
}

/** Process-level facts for INFO and LASTSAVE. */
export interface ServerInfo {
  /** Start time (ms since the epoch). */
  readonly startedAt: number;
  /** The TCP port listened on (0 when only a unix socket). */
  readonly tcpPort: number;
  /** The dataset memory estimate (bytes), refreshed by {@link ServerInfo.measureMemory}. */
  readonly usedMemory: number;
  measureMemory(): void;
}

/** A FUNCTION library as FUNCTION LIST shows it. */
export interface LibraryView {
  readonly name: string;
  readonly code: Buffer;
  readonly functions: readonly { readonly name: string; readonly description: string | null; readonly flags: number }[];
}

/** Lua scripting as commands see it (EVAL, SCRIPT, FCALL, FUNCTION; `scripting/`). */
export interface Scripting {
  /** EVAL, EVALSHA, EVAL_RO, EVALSHA_RO with the command's argv: runs the script and replies. */
  eval(ctx: CommandContext, argv: Buffer[], bySha: boolean, readonly: boolean): void;
  /** SCRIPT LOAD: compiles and caches `body`; returns its SHA1. */
  loadScript(body: Buffer): string;
  /** SCRIPT EXISTS of one SHA1 (any case). */
  scriptExists(sha: string): boolean;
  /**
   * The flags of one EVAL-family call (Redis's evalGetCommandFlags): a script whose shebang
   * declares flags replaces `commandFlags`' write/denyoom/stale/may_replicate with what it
   * declared; otherwise (no shebang, EVALSHA of an unknown script) `commandFlags` stand.
   */
  evalFlags(argv: readonly Buffer[], bySha: boolean, commandFlags: number): number;
  /** The same for FCALL/FCALL_RO: the called function's flags decide. */
  fcallFlags(argv: readonly Buffer[], commandFlags: number): number;
  /** SCRIPT FLUSH: forgets the scripts and starts a new interpreter. */
  flushScripts(): void;
  /** SCRIPT KILL (`isEval`) or FUNCTION KILL; throws NOTBUSY, UNKILLABLE or BUSY. */
  kill(isEval: boolean): void;
  /** FCALL, FCALL_RO with the command's argv. */
  fcall(ctx: CommandContext, argv: Buffer[], readonly: boolean): void;
  /** FUNCTION LOAD [REPLACE]: returns the library's name. */
  loadLibrary(code: Buffer, replace: boolean): string;
  /** FUNCTION DELETE; throws `Library not found`. */
  deleteLibrary(name: string): void;
  /** FUNCTION FLUSH. */
  flushLibraries(): void;
  /** FUNCTION LIST: the libraries whose name matches `pattern` (every one when null). */
  libraries(pattern: string | null): readonly LibraryView[];
  /** FUNCTION DUMP's payload. */
  dumpLibraries(): Buffer;
  /** FUNCTION RESTORE: all the payload's libraries or none. */
  restoreLibraries(payload: Buffer, policy: 'flush' | 'append' | 'replace'): void;
  /**
   * Loading a dataset (an RDB file's FUNCTION2 records, in order): every library's code, or on
   * an error (thrown, Redis's text) none of them. `flush` replaces the libraries there
   * (DEBUG RELOAD), `append` fails on a name already there (NOFLUSH), `replace` replaces those
   * (NOFLUSH MERGE). Never refused over maxmemory, unlike FUNCTION LOAD and RESTORE.
   */
  loadLibraries(codes: readonly Buffer[], policy: 'flush' | 'append' | 'replace'): void;
  /** FUNCTION STATS: the script running now (null when none is busy). */
  readonly busyScript: { readonly name: string; readonly command: readonly string[]; readonly durationMs: number } | null;
  /** FUNCTION STATS / INFO: how many libraries and functions there are. */
  readonly libraryCount: number;
  readonly functionCount: number;
  /** INFO memory: bytes of the functions' interpreter. */
  readonly functionsMemory: number;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call the commands scripts may not. */
  denyScriptsDisabled: boolean;
  /** INFO memory: number_of_cached_scripts. */
  readonly cachedScripts: number;
  /** INFO memory: bytes of the EVAL interpreter (used_memory_lua). */
  readonly evalMemory: number;
  /** INFO memory: bytes of the cached script bodies. */
  readonly scriptsMemory: number;
}

/** What a MIGRATE exchange sends once the connection to the target is ready. */
export interface MigrateRequest {
  /** The bytes to send (RESP commands). */
  readonly bytes: readonly Buffer[];
  /** How many reply lines to read (one per command sent). */
  readonly replies: number;
}

/**
 * How a MIGRATE exchange ended: `unreachable` when the connect failed or timed out; otherwise the
 * reply lines read (without CRLF) and, when fewer than asked came, what failed (`writing` while
 * sending, `reading` afterwards) and whether that was the timeout.
 */
export type MigrateOutcome =
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'answered'; readonly lines: readonly string[]; readonly failure: 'writing' | 'reading' | null; readonly timedOut: boolean };

/** MIGRATE's connections to other servers, cached per `host:port` (Redis's migrate socket cache). */
export interface MigrateLinks {
  /**
   * Runs one exchange on the connection to `host:port`, dialing it first (within `timeoutMs`);
   * exchanges with one target run one after the other. `prepare` gets the database the target
   * has selected (null when unknown) and returns what to send; `done` gets the outcome, and may
   * call {@link MigrateLinks.selected} or {@link MigrateLinks.close} before the next exchange.
   * `timeoutMs` also bounds each wait for progress while sending and reading.
   */
  exchange(host: string, port: string, timeoutMs: number, prepare: (selectedDb: string | null) => MigrateRequest, done: (outcome: MigrateOutcome) => void): void;
  /** Records the database the target has selected (null: unknown, SELECT again next time). */
  selected(host: string, port: string, db: string | null): void;
  /** Closes and forgets the connection (after a socket error): the next exchange dials again. */
  close(host: string, port: string): void;
  /** Connections cached now (INFO `migrate_cached_sockets`). */
  readonly cached: number;
}

/** The server as commands see it. */
export interface ServerContext {
  /** The current time in ms, cached per batch of events like Redis's `server.mstime`. */
  now(): number;
  /** All databases (SELECT, SWAPDB, COPY … DB). */
  readonly dbs: readonly Db[];
  /** The settings, read-only: CONFIG SET goes through {@link ServerContext.configure}. */
  readonly config: Readonly<Config>;
  /**
   * True while the AOF is replayed (Redis's server.loading): keys do not expire, and an expiry
   * in the past is set rather than deleting the key, so the replay rebuilds what was logged.
   */
  readonly loading: boolean;
  /**
   * CONFIG SET: applies every `[name, value]` or none (throws the first error), then makes the
   * running server follow (parsers' limits, AOF on/off). `allowProtected`: the client may set
   * protected parameters (dir, dbfilename; see `enable-protected-configs`).
   */
  configure(settings: readonly (readonly [name: string, value: string])[], allowProtected?: boolean): void;
  /** CONFIG RESETSTAT: zeroes the INFO counters (stats, commandstats, errorstats). */
  resetStats(): void;
  /**
   * CONFIG REWRITE (`forceAll`: DEBUG CONFIG-REWRITE-FORCE-ALL, defaults written too); throws
   * a `CommandError` when the server runs without a config file or the write fails.
   */
  rewriteConfig(forceAll: boolean): void;
  /** INFO commandstats / errorstats counters. */
  readonly commandStats: CommandStats;
  /** SLOWLOG's entries. */
  readonly slowlog: SlowLog;
  /** LATENCY's events. */
  readonly latency: LatencyMonitor;
  /** DEBUG SET-ACTIVE-EXPIRE: false stops the background expiry cycle (lazy expiry stays). */
  activeExpire: boolean;
  /** DEBUG PAUSE-CRON: true stops the periodic jobs (active expiry, the tracking table's limit). */
  cronPaused: boolean;
  readonly stats: Stats;
  /** Per-type hooks (COPY, OBJECT ENCODING). */
  readonly typeOps: TypeOpsTable;
  /**
   * A command deleted the value `e` (DEL, UNLINK, FLUSHDB, FLUSHALL): a big one (more than 64
   * allocations to free, Redis's LAZYFREE_THRESHOLD) stops counting in the memory estimate now,
   * and, when `lazily` (UNLINK, ASYNC), counts as lazily freed, as Redis frees it in the background.
   */
  valueDeleted(e: Entry, lazily: boolean): void;
  /** The command table (COMMAND). */
  readonly commands: ReadonlyMap<string, CommandDef>;
  /** Connected clients by id. */
  readonly clients: ReadonlyMap<number, ClientView>;
  /** How many clients are in a blocking command. */
  readonly blockedClients: number;
  readonly pubsub: PubSubView;
  /** Client-side caching (INFO). */
  readonly tracking: TrackingStats;
  /**
   * CLIENT PAUSE: until `untilMs` (absolute), postpones the commands of `kind`; a pause already
   * in force keeps the later end and the stricter kind.
   */
  pauseClients(untilMs: number, kind: PauseKind): void;
  /** CLIENT UNPAUSE: postponed commands run again. */
  unpauseClients(): void;
  /**
   * CLIENT UNBLOCK: ends the blocking command of client `id` as if it timed out, or with the
   * UNBLOCKED error; false when that client is not in a blocking command.
   */
  unblockClient(id: number, withError: boolean): boolean;
  /**
   * Marks the WATCHers of every key of `db` that exists there (or in `alsoIn`) as touched:
   * FLUSHDB, FLUSHALL, SWAPDB.
   */
  touchAllWatched(db: Db, alsoIn?: Db): void;
  /**
   * SWAPDB: signals ready the keys of `db` that clients block on and that hold a value now
   * (Redis's scanDatabaseForReadyKeys: the blocked keys are visited, not the whole keyspace).
   */
  signalWaitedKeys(db: Db): void;
  readonly persistence: Persistence;
  readonly info: ServerInfo;
  readonly scripting: Scripting;
  /** The server's log (Redis's serverLog): what a command reports besides its reply, e.g. why a RESTORE payload is corrupt. */
  readonly log: { warn(msg: string): void };
  /** Replication: SYNC/PSYNC, REPLCONF, REPLICAOF, WAIT, ROLE, INFO replication. */
  readonly replication: ReplicationView;
  /** ACL users, rules and log (ACL, AUTH). */
  readonly acl: AclView;
  /** MIGRATE's connections to target servers. */
  readonly migrateLinks: MigrateLinks;
  /** DEBUG REPLYBUFFER's settings. */
  readonly replyBuffers: ReplyBufferSettings;
  /** SHUTDOWN: asks the transport to stop. */
  shutdown(): void;
}

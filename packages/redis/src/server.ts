/**
 * The Redis server without its transport: the dispatch loop (Redis's `processCommand` and
 * `call`: the checks before a command, in `command-gate.ts`, then MULTI queuing, pauses, the
 * call and its propagation), the clients, and the {@link ServerContext} commands run against.
 * The other concerns have their own files: transactions (`multi.ts`), blocking (`blocked.ts`),
 * pub/sub (`pubsub.ts`), active expiry (`expire.ts`) and the rest of the per-tick work
 * (`cron.ts`), memory and eviction (`evict.ts`), the AOF (`aof.ts`, `aof-control.ts`),
 * command-name lookup (`command-lookup.ts`), per-call statistics (`call-record.ts`), settings
 * applied at run time (`live-config.ts`). `listen.ts` connects the
 * server to the nevio reactor; tests can also feed it bytes directly.
 *
 * @packageDocumentation
 */
import { Acl } from './acl';
import { defaults } from '@nevio/core';
import { Aof } from './aof';
import { RdbSaves } from './persist/bgsave';
import { Blocking, type BlockingHost } from './blocked';
import { Monitors, isScriptCommand } from './monitor';
import { Replication } from './replication';
import { ClientPause, POSTPONED, type PauseHost } from './pause';
import { SUSPENDED, type SuspendHost } from './suspend';
import { MigrateLinkCache } from './migrate-links';
import { ReplyBuffers } from './reply-buffer';
import { checkBatchOutput, OutputLimits } from './obuf-limits';
import { Tracking, type TrackingHost } from './tracking';
import { Client } from './client';
import {
  CMD_ADMIN,
  CMD_SKIP_MONITOR,
  CLIENT_SLAVE,
  CMD_WRITE,
  CommandError,
  type CommandDef,
  type PauseKind,
  type Persistence,
  type ServerContext,
  type ServerInfo,
  type Stats,
  type Entry,
  type TypeOpsTable,
} from './command';
import { buildCommandTable } from './commands';
import { recordCall, slowlogPush } from './call-record';
import { reloadAof, rewriteAof } from './aof-control';
import { applyLiveSetting, configureAtomically, followAccessTracking, rewriteServerConfig } from './live-config';
import { CommandLookup } from './command-lookup';
import { CommandGate } from './command-gate';
import type { Config } from './config';
import { CommandStats, statName } from './cmdstats';
import { runReplicaCommand } from './replication/replica-guard';
import { LatencyMonitor } from './latency';
import { SlowLog } from './slowlog';
import { Memory, type EvictionHost } from './evict';
import { Db, type KeyspaceHooks } from './keyspace';
import { DEFAULT_SAMPLES, KEY_OVERHEAD } from './memory-sample';
import { NOTIFY_EVICTED, NOTIFY_EXPIRED, publishKeyspaceEvent } from './notify';
import { Transactions, type MultiHost } from './multi';
import { ProtocolError } from './parser';
import { PubSub, type PubSubHost } from './pubsub';
import { ReplyStreams } from './streams';
import type { Sink } from './reply';
import { ScriptingEngine } from './scripting';
import { stringOps } from './stringvalue';
import { typeOps } from './types';

export type { Stats } from './command';

/** Where the server reports what it cannot answer to a client, and what it does in the background (`log.ts`). */
export interface ServerLog {
  /** What the server does in the background (saves); optional, so a log of warnings only fits. */
  notice?(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Commands MONITOR does not show after they ran (admin, skip_monitor: scripts are shown before). */
const NOT_MONITORED = CMD_SKIP_MONITOR | CMD_ADMIN;
/** Replies one batch may produce before the rest of a client's pipeline waits (the reactor's high watermark). */
export const OUTPUT_PAUSE_BYTES = defaults.writeHighWatermark;
/** Values that take more allocations than this to free are freed in the background by Redis (LAZYFREE_THRESHOLD). */
const LAZYFREE_THRESHOLD = 64;
/** What MULTI runs at once instead of queuing. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** True when a CLIENT PAUSE postponed the client's last command. */
function isPostponed(c: Client): boolean {
  return c.blocked !== null && c.blocked.spec === POSTPONED;
}

export class RedisServer
  implements ServerContext, Persistence, ServerInfo, KeyspaceHooks, MultiHost, BlockingHost, PubSubHost, EvictionHost, TrackingHost, PauseHost, SuspendHost
{
  readonly dbs: Db[] = [];
  readonly clients = new Map<number, Client>();
  readonly typeOps: TypeOpsTable = { ...typeOps, string: stringOps };
  readonly stats: Stats = { totalConnections: 0, totalCommands: 0, expiredKeys: 0, evictedKeys: 0, rejectedConnections: 0, pubsubMessages: 0, lazyfreedObjects: 0, forks: 0 };
  readonly startedAt = Date.now();
  /** Changes since start (Redis's server.dirty): a command that raised it is logged to the AOF. */
  dirty = 0;
  aof: Aof | null = null;
  /** Set by SHUTDOWN and signals; `listen.ts` stops the reactor. */
  onShutdown: (() => void) | null = null;
  /** The address actually listened on, for INFO and the banner. */
  tcpPort = 0;
  /** Set when TLS listens: loads the tls-* settings' files again (CONFIG SET of one of them). */
  reloadTls: (() => Promise<void>) | undefined = undefined;
  /**
   * CONFIG SET port: listens on the new port's addresses, then closes the old port's (listen.ts);
   * throws live-config.ts's SettingNotApplied and keeps the old listeners when one cannot be opened.
   */
  movePort: ((port: number) => void) | undefined = undefined;
  readonly multi: Transactions;
  readonly blocking: Blocking;
  readonly streams: ReplyStreams;
  readonly pubsub: PubSub;
  readonly memory: Memory;
  readonly persistence: Persistence = this;
  aofFlushSleepUs = 0;
  /** BGSAVE, save points, LASTSAVE (`persist/bgsave.ts`). */
  readonly rdb: RdbSaves = new RdbSaves(this);
  readonly info: ServerInfo = this;
  /** `notify-keyspace-events` as `NOTIFY_*` bits: 0 (the default) makes every event one test. */
  notifyFlags = 0;
  readonly tracking: Tracking;
  readonly pause: ClientPause;
  readonly monitors = new Monitors();
  /** `client-output-buffer-limit`, per client class. */
  readonly outputLimits = new OutputLimits();
  /** DEBUG REPLYBUFFER's settings and the resizing of CLIENT LIST's `rbs`. */
  readonly replyBuffers = new ReplyBuffers();
  /** MIGRATE's cached connections to target servers. */
  readonly migrateLinks = new MigrateLinkCache();
  /** Replication, both roles: the replicas and stream of a master, the link of a replica. */
  readonly replication: Replication;
  /** The client whose input is being processed (or who is being served), null otherwise. */
  current: Client | null = null;
  /** Nesting of call() (EXEC runs its commands inside): > 0 while a command runs. */
  private callDepth = 0;
  /** The bytes processInput is parsing (argv views point into them), null outside it. */
  private input: Buffer | null = null;
  /** `tracking-table-max-keys`, kept as a number for the check before each command. */
  trackingMaxKeys = 0;
  readonly scripting: ScriptingEngine;
  /** Users and permissions; before any client exists (every client starts as its default user). */
  readonly acl: Acl;
  /** While a script runs (also between its slices once busy), time stands still for it. */
  timeFrozen = false;

  private nowMs = Date.now();
  private nextClientId = 1;
  private readonly names: CommandLookup;
  /** processCommand's checks before a command runs (`command-gate.ts`). */
  private readonly gate = new CommandGate(this);
  private readonly flushQueue: Client[] = [];

  constructor(
    readonly config: Config,
    readonly log: ServerLog = { warn: (m) => console.warn(m), error: (m) => console.error(m) },
    readonly commands: ReadonlyMap<string, CommandDef> = buildCommandTable(),
  ) {
    this.acl = new Acl(this, commands);
    this.acl.loadAtStartup();
    for (let i = 0; i < config.databases; i++) this.dbs.push(new Db(i, this));
    this.multi = new Transactions(config.databases, this);
    this.blocking = new Blocking(config.databases, this);
    this.streams = new ReplyStreams(this);
    this.pubsub = new PubSub(this);
    this.memory = new Memory(this);
    followAccessTracking(this.config);
    this.tracking = new Tracking(this);
    this.pause = new ClientPause(this);
    applyLiveSetting(this, 'notify-keyspace-events');
    applyLiveSetting(this, 'tracking-table-max-keys');
    applyLiveSetting(this, 'client-output-buffer-limit');
    this.scripting = new ScriptingEngine(this);
    this.names = new CommandLookup(this.commands);
    this.replication = new Replication(this);
    this.replication.updateGuard();
  }

  now(): number {
    return this.nowMs;
  }

  /**
   * `performance.now()` at the end of the command that ran last, which is where the next one
   * starts: a command costs one clock read instead of two (a read costs ~45 ns on this VM, about
   * 2.5% of a pipelined SET). Reset at every batch, so the time between batches is never counted.
   */
  private commandClock = 0;

  /** Refreshes the cached clocks; called at the start of each batch of events. */
  updateTime(): void {
    if (!this.timeFrozen) this.nowMs = Date.now();
    this.commandClock = performance.now();
  }

  // --- keyspace hooks ---

  touched(db: Db, key: string): void {
    this.keyChanged(db, key, this.current);
  }

  /**
   * Redis's signalModifiedKey and dirty++, for one changed key (`by` the client whose command
   * changed it, null for expiry): WATCH, the AOF's key tracking, client-side caching.
   */
  private keyChanged(db: Db, key: string, by: Client | null): void {
    this.dirty++;
    if (this.blocking.count !== 0) this.blocking.changed(db, key);
    this.multi.touched(db, key);
    if (this.tracking.clients !== 0) this.tracking.invalidate(key, by);
  }

  cleared(): void {
    this.tracking.flushed();
  }

  /** Under CLIENT PAUSE, and on a replica (its master's DELs expire keys), nothing is deleted. */
  get expiryObeysMaster(): boolean {
    return this.loading || (this.current !== null && this.current === this.replication.masterClient);
  }

  get expiryOnWrite(): boolean {
    return this.pause.kind === null && this.replication.feedsLocalWrites;
  }

  get expiryPaused(): boolean {
    return this.loading || this.pause.kind !== null || this.replication.masterHost !== null;
  }

  get loading(): boolean {
    return this.aof?.loading === true;
  }

  get inCommand(): boolean {
    return this.callDepth > 0;
  }

  ready(db: Db, key: string): void {
    this.blocking.ready(db, key);
  }

  expired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    this.feed(db.index, ['DEL', key]);
    if ((this.notifyFlags & NOTIFY_EXPIRED) !== 0) this.notify(NOTIFY_EXPIRED, 'expired', key, db);
    this.keyChanged(db, key, null);
  }

  evicted(db: Db, key: string): void {
    this.feed(db.index, ['DEL', key]);
    this.stats.evictedKeys++;
    if ((this.notifyFlags & NOTIFY_EVICTED) !== 0) this.notify(NOTIFY_EVICTED, 'evicted', key, db);
  }

  /** Publishes a keyspace event when `notify-keyspace-events` enables its class. */
  notify(type: number, event: string, key: string, db: Db): void {
    const flags = this.notifyFlags;
    if ((flags & type) === 0) return;
    publishKeyspaceEvent((channel, message) => this.pubsub.publish(channel, message), flags, event, key, db.index);
  }

  // --- clients ---

  /**
   * Creates the state of a new connection (`conn` null for internal clients; `listed` puts one
   * in the client table anyway, as the master's link is).
   */
  newClient(conn: Client['conn'], listed = conn !== null): Client {
    const c = new Client(this.nextClientId++, this, conn);
    if (listed) {
      this.clients.set(c.id, c);
      this.stats.totalConnections++;
    }
    return c;
  }

  /** The client a script runs its commands as: not connected, its replies go to `sink`. */
  newScriptClient(sink: Sink): Client {
    return new Client(this.nextClientId++, this, null, sink);
  }

  /** Releases everything a departing client holds: subscriptions, watches, blocking. */
  freeClient(c: Client): void {
    this.scripting.clientGone(c);
    if (c.blocked !== null) {
      if (c.blocked.spec === POSTPONED) this.pause.forget(c);
      // A suspended command still finishes (MIGRATE deletes what the target took); its reply is dropped.
      else if (c.blocked.spec !== SUSPENDED) this.blocking.unblock(c);
    }
    this.streams.stop(c);
    this.multi.unwatchAll(c);
    this.pubsub.unsubscribeAll(c);
    this.tracking.disable(c);
    this.monitors.clients.delete(c);
    this.replication.detach(c.id);
    if (this.current === c) this.current = null;
    c.out.discard();
    c.parser.reset();
    this.clients.delete(c.id);
  }

  isConnected(c: Client): boolean {
    return this.clients.get(c.id) === c;
  }

  attachedReplicas(): readonly { readonly clientId: number }[] {
    return this.replication.replicas.attached;
  }

  backlogSize(): number {
    return this.replication.backlog?.size ?? 0;
  }

  isReplica(c: Client): boolean {
    return (c.replicationRole & CLIENT_SLAVE) !== 0;
  }

  overOutputLimit(c: Client): string | null {
    return this.outputLimits.check(c, 'pubsub', this.nowMs);
  }

  /** Disconnects a client now (CLIENT KILL, idle timeout). */
  killClient(c: Client): void {
    this.freeClient(c);
    c.closing = true;
    c.conn?.close();
  }

  dropClient(c: Client, reason: string): void {
    this.log.warn(reason);
    this.killClient(c);
  }

  get blockedClients(): number {
    return this.blocking.count + this.pause.count;
  }

  /** Called by a Reply when it gets its first bytes since the last flush. */
  needsFlush(c: Client): void {
    this.flushQueue.push(c);
  }

  /**
   * Ends a batch: the AOF is written (and fsynced under `always`) first, then every client with
   * replies hands them to its connection, so nothing is acknowledged before it is logged.
   */
  flush(): void {
    if (this.aof !== null) this.aof.endBatch();
    if (this.tracking.clients !== 0) this.tracking.broadcast();
    const q = this.flushQueue;
    for (let i = 0; i < q.length; i++) q[i].out.flush();
    if (this.outputLimits.normalLimited || this.outputLimits.replicaLimited) checkBatchOutput(this, q);
    q.length = 0;
  }

  // --- dispatch ---

  /**
   * Parses and runs the commands in `data`; returns how many bytes were consumed. Stops early
   * when the client blocks or is closing; the rest is presented again later.
   */
  processInput(c: Client, data: Buffer): number {
    const len = data.length;
    const parser = c.parser;
    let pos = 0;
    this.current = c;
    this.input = data;
    // Past OUTPUT_PAUSE_BYTES of replies in this batch the rest of the pipeline waits for the
    // output to drain (listen.ts resumes it), so that a pipeline of GETs of big values cannot
    // queue gigabytes.
    while (pos < len && c.blocked === null && c.streaming === null && !c.closing && c.out.backlog < OUTPUT_PAUSE_BYTES) {
      let end: number;
      try {
        end = parser.parse(data, pos);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        c.reply.error(`ERR Protocol error: ${err.message}`);
        c.closing = true;
        this.current = this.input = null;
        return len;
      }
      if (end < 0) {
        pos = parser.consumed;
        if (len - pos + parser.held > this.config['client-query-buffer-limit']) {
          this.log.warn(`Closing client id=${c.id} that reached max query buffer length`);
          c.closing = true;
          this.current = this.input = null;
          return len;
        }
        break;
      }
      pos = end;
      const argv = parser.argv;
      if (argv.length === 0) continue;
      let def: CommandDef | undefined;
      if (parser.nameStart >= 0) {
        const named = this.names.find(data, parser.nameStart, parser.nameEnd);
        if (named !== undefined) {
          def = named.def;
          argv[0] = named.name;
        } else argv[0] = data.subarray(parser.nameStart, parser.nameEnd);
      } else def = this.lookup(argv[0]);
      this.execute(c, argv, def);
      // CLIENT REPLY SKIP and CLIENT CACHING last exactly one command (not one postponed by a pause).
      if ((c.replyMode | c.tracking) !== 0 && !isPostponed(c)) c.commandDone(def === undefined ? '' : def.name);
    }
    this.current = null;
    this.input = null;
    return pos;
  }

  /** argv[0] as `c` sent it (ACL LOG's AUTH), or its canonical name. */
  commandNameAsSent(c: Client): string {
    const p = c.parser;
    if (this.input === null || this.current !== c || c.inExec || p.nameStart < 0) return c.lastCommand;
    return this.input.latin1Slice(p.nameStart, p.nameEnd);
  }

  /** argv[0] as the client sent it (MONITOR shows it so), when it is still in the input. */
  sentName(c: Client, argv: Buffer[]): Buffer[] {
    const p = c.parser;
    if (this.input === null || this.current !== c || c.inExec || p.nameStart < 0) return argv;
    const shown = argv.slice();
    shown[0] = this.input.subarray(p.nameStart, p.nameEnd);
    return shown;
  }

  /** Looks a command up by name, case-insensitively. */
  lookup(name: Buffer): CommandDef | undefined {
    return this.names.find(name, 0, name.length)?.def;
  }

  /** Runs one command the way Redis's processCommand does: every check, then the call. */
  execute(c: Client, argv: Buffer[], def = this.lookup(argv[0])): void {
    if ((c.replicationRole & CLIENT_SLAVE) !== 0) return runReplicaCommand(this, c, argv, def, () => this.executeChecked(c, argv, def));
    this.executeChecked(c, argv, def);
  }

  private executeChecked(c: Client, argv: Buffer[], def: CommandDef | undefined): void {
    c.lastInteraction = this.nowMs;
    if (!this.gate.admits(c, argv, def)) return;
    if (this.tracking.clients !== 0) this.tracking.limit(this.trackingMaxKeys);
    // Queued and postponed commands keep their name as sent, for MONITOR.
    if (this.pause.kind !== null && this.pause.mustWait(c, def, argv) && !this.pause.expired()) return this.pause.postpone(c, def, this.sentName(c, argv));
    if (c.multi !== null && !NOT_QUEUED.has(def.name)) return this.multi.queue(c, c.multi, def, this.sentName(c, argv));
    this.call(c, def, argv);
    // Not under a busy script (its EVAL returned between slices): its pushes are served at its end.
    if (this.blocking.pending && this.scripting.runner.running === null) this.blocking.serve();
  }

  valueDeleted(e: Entry, lazily: boolean): void {
    const ops = this.typeOps[e.type];
    if ((ops?.freeEffort?.(e.value) ?? 1) <= LAZYFREE_THRESHOLD) return;
    if (lazily) this.stats.lazyfreedObjects++;
  }

  clientBuffers(): number {
    let bytes = 0;
    for (const c of this.clients.values()) {
      if (c.conn !== null && !this.isReplica(c)) bytes += c.conn.inboundBuffered + c.conn.outboundBuffered + c.out.backlog;
    }
    return bytes;
  }

  entryBytes(key: string, e: Entry): number {
    const ops = this.typeOps[e.type];
    return KEY_OVERHEAD + key.length + (ops === undefined ? 0 : ops.memory(e.value, DEFAULT_SAMPLES));
  }

  blockedDone(c: Client, argv: readonly Buffer[], usec: number): void {
    slowlogPush(this, c, argv, usec);
  }

  execDenied(c: Client, def: CommandDef, argv: Buffer[], queued: number): string | null {
    return this.acl.deniedInExec(c, def, argv, queued);
  }

  /** Runs a command and logs it to the AOF if it changed the dataset. */
  call(c: Client, def: CommandDef, argv: Buffer[]): void {
    const dirtyBefore = this.dirty;
    const replBefore = this.replication.offset;
    const db = c.db;
    c.propagated = null;
    // Set before running, as Redis does, so CLIENT LIST shows itself; a container's subcommand
    // is named as in Redis 7 (client|list).
    const name = statName(def.name, argv);
    c.lastCommand = name;
    const started = this.commandClock;
    let failed = false;
    // Scripts are shown before the commands they run (Redis's evalCommand feeds MONITOR first).
    if (this.monitors.size !== 0 && isScriptCommand(def.name)) this.monitors.feed(c, def.name, this.sentName(c, argv));
    this.callDepth++;
    try {
      def.run(c, argv);
    } catch (err) {
      failed = true;
      if (!(err instanceof CommandError) || err.counted) this.commandStats.error(err instanceof CommandError ? err.message : 'ERR');
      if (err instanceof CommandError) c.reply.error(err.message);
      else {
        this.log.error(`'${def.name}' failed: ${(err as Error)?.stack ?? String(err)}`);
        c.reply.error(`ERR internal error in '${def.name}'`);
      }
    }
    const ended = performance.now();
    this.commandClock = ended;
    this.callDepth--;
    if (this.monitors.size !== 0 && (def.flags & NOT_MONITORED) === 0) this.monitors.feed(c, def.name, this.sentName(c, argv));
    if (this.tracking.clients !== 0) this.tracking.commandRan(c, def, argv, this.current, this.callDepth === 0);
    // EXEC and scripts ran other commands meanwhile: the name is theirs again (commandstats, CLIENT LIST).
    c.lastCommand = name;
    recordCall(this, c, def, argv, Math.round((ended - started) * 1000), failed);
    this.stats.totalCommands++;
    if ((this.aof !== null || this.replication.feeds) && c.logsWrites) {
      // `run` may have called propagate(), which TypeScript cannot see.
      const propagated = c.propagated as (Buffer | string)[][] | null;
      if (propagated !== null) {
        for (const p of propagated) this.feed(db.index, p);
      } else if (this.dirty !== dirtyBefore && (def.flags & CMD_WRITE) !== 0) {
        this.feed(db.index, argv);
      }
    }
    c.propagated = null;
    // What WAIT waits for: the stream up to this client's last propagated change.
    if (this.replication.offset !== replBefore) c.replOffset = this.replication.offset;
  }

  // --- what commands reach (ServerContext) ---

  configure(settings: readonly (readonly [name: string, value: string])[], allowProtected = false): void {
    configureAtomically(this, settings, allowProtected);
  }

  readonly commandStats = new CommandStats();
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();

  resetStats(): void {
    this.commandStats.reset();
    const s = this.stats;
    s.totalCommands = s.expiredKeys = s.evictedKeys = s.rejectedConnections = s.pubsubMessages = s.lazyfreedObjects = s.forks = 0;
    for (const db of this.dbs) db.hits = db.misses = 0;
    const sync = this.replication.syncStats;
    sync.full = sync.partialOk = sync.partialErr = 0;
  }

  rewriteConfig(forceAll: boolean): void {
    rewriteServerConfig(this, forceAll);
  }

  activeExpire = true;
  cronPaused = false;

  pauseClients(untilMs: number, kind: PauseKind): void {
    this.pause.pause(untilMs, kind);
  }

  unpauseClients(): void {
    this.pause.unpause();
  }

  /** Runs a command a pause postponed, then lets the client's later input be read. */
  resume(c: Client, def: CommandDef, argv: Buffer[]): void {
    this.current = c;
    this.execute(c, argv, def);
    if (!isPostponed(c)) {
      if ((c.replyMode | c.tracking) !== 0) c.commandDone(def.name);
      if (c.conn !== null && !c.conn.closed) c.conn.wake();
    }
    this.current = null;
  }

  /** Turning replica: every blocked client gets UNBLOCKED and is closed (Redis's disconnectAllBlockedClients). */
  disconnectBlockedClients(): void {
    for (const c of this.clients.values()) {
      if (c.blocked === null || c.blocked.spec === POSTPONED || c.blocked.spec === SUSPENDED) continue;
      this.blocking.end(c, 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      c.closeAfterReply();
    }
  }

  unblockClient(id: number, withError: boolean): boolean {
    const c = this.clients.get(id);
    if (c === undefined || c.blocked === null || c.blocked.spec === POSTPONED || c.blocked.spec === SUSPENDED) return false;
    return this.blocking.end(c, withError ? 'UNBLOCKED client unblocked via CLIENT UNBLOCK' : null);
  }

  /** Blocked clients are served as their own command: NOLOOP and deferred invalidations. */
  enterCommand(c: Client): Client | null {
    const outer = this.current;
    this.current = c;
    this.callDepth++;
    return outer;
  }

  /** The end of {@link RedisServer.enterCommand}. */
  leaveCommand(c: Client, outer: Client | null): void {
    this.callDepth--;
    if (this.callDepth === 0 && this.tracking.hasPending) this.tracking.sendPending(c);
    this.current = outer;
  }

  touchAllWatched(db: Db, alsoIn?: Db): void {
    this.multi.touchAll(db, alsoIn);
    if (this.blocking.count !== 0) this.blocking.changedAll(db);
  }

  signalWaitedKeys(db: Db): void {
    this.blocking.readyAll(db);
  }

  get channels(): ReadonlyMap<string, ReadonlySet<Client>> {
    return this.pubsub.channels;
  }

  /** Counts one PUBLISH (INFO stats). */
  countMessage(): void {
    this.stats.pubsubMessages++;
  }

  // --- persistence ---

  /** Propagates a change: to the AOF, when one is open, and to the replicas, when attached. */
  feed(dbIndex: number, argv: readonly (Buffer | string)[]): void {
    if (this.aof !== null) this.aof.feed(dbIndex, argv);
    this.replication.feed(dbIndex, argv);
  }

  beginTransaction(): void {
    this.aof?.beginTransaction();
    this.replication.beginTransaction();
  }

  endTransaction(): void {
    this.aof?.endTransaction();
    this.replication.endTransaction();
  }

  get aofRewriting(): boolean {
    return this.aof?.rewriteInProgress === true;
  }

  addDirty(n: number): void {
    this.dirty += n;
  }

  detachedDb(index: number): Db {
    return new Db(index, this);
  }

  datasetReplaced(): void {
    // Nothing to do for the AOF: its rewrite is a copy-on-write snapshot, which FLUSHALL and
    // SWAPDB leave intact (Db.clear, Db.swapWith).
  }

  rewriteAof(): 'started' | 'scheduled' {
    return rewriteAof(this);
  }

  reloadAof(): void {
    reloadAof(this);
  }

  // --- memory, expiry, timeouts ---

  get usedMemory(): number {
    return this.memory.used;
  }

  /** Refreshes {@link RedisServer.usedMemory} (evict.ts: the keyspace's estimate and the clients' buffers). */
  measureMemory(): void {
    this.memory.measureAll();
  }

  /** Asks the transport to stop (SHUTDOWN). */
  shutdown(): void {
    if (this.onShutdown !== null) this.onShutdown();
  }
}

/**
 * Replication (Redis's replication.c), both roles:
 * - as a master, the stream of changes (`stream.ts`) goes into the backlog (`backlog.ts`) and to
 *   the replicas attached with SYNC/PSYNC (`replicas.ts`, `sync.ts`: full sync with a snapshot,
 *   or `+CONTINUE` from the backlog), which acknowledge offsets (REPLCONF ACK: WAIT in `wait.ts`,
 *   `min-replicas-to-write`);
 * - as a replica (REPLICAOF / `replicaof`), a dialed connection to the master (`link.ts`: the
 *   PSYNC2 handshake, the RDB transfer in both forms) whose stream is applied as the master's
 *   client (`apply.ts`) and proxied, byte for byte, into our own backlog and to our replicas.
 * The replication ids (`ids.ts`) and offsets follow PSYNC2, so a promoted replica's replicas
 * continue with it. INFO replication and ROLE are in `info.ts`.
 *
 * @packageDocumentation
 */
import type { Client } from '../client';
import { CMD_LOADING, CMD_NO_ASYNC_LOADING, CMD_STALE, CMD_WRITE, CommandError, callFlags, showSetting, type CommandContext, type CommandDef, type Reply } from '../command';
import { applySetting } from '../config';
import { Backlog } from './backlog';
import { DiskSyncs } from './disk-sync';
import type { LoadingState } from './diskless-load';
import { DisklessSyncs } from './diskless-sync';
import type { ReplicationHost } from './host';
import { ReplIds } from './ids';
import { MasterLink } from './link';
import { Replicas, type ReplicaState } from './replicas';
import { StreamEncoder, type Arg } from './stream';
import { pendingSyncsCron, replconf, sync, type PendingSync } from './sync';
import { AckWaiters } from './wait';
import { ReplicaKeysWithExpire } from './replica-keys';
import { replicationInfo, roleReply } from './info';

const READONLY_ERROR = "READONLY You can't write against a read only replica.";
const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';
const MASTERDOWN_ERROR = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
const NOREPLICAS_ERROR = 'NOREPLICAS Not enough good replicas to write.';
const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/** What commands see of replication (SYNC, PSYNC, REPLCONF, REPLICAOF, WAIT, ROLE, INFO). */
export interface ReplicationView {
  /** True while this server follows a master (REPLICAOF). */
  readonly isReplica: boolean;
  /** A diskless load in progress (INFO loading / async_loading), or null. */
  readonly loadingState: LoadingState | null;
  /** SYNC / PSYNC replid offset: attaches the client as a replica. */
  sync(ctx: CommandContext, argv: Buffer[]): void;
  /** REPLCONF option value …. */
  replconf(ctx: CommandContext, argv: Buffer[]): void;
  /** REPLICAOF host port (`host` null: NO ONE). */
  replicaOf(ctx: CommandContext, host: string | null, port: number): void;
  /** WAIT numreplicas timeout. */
  wait(ctx: CommandContext, replicas: number, timeoutMs: number): void;
  /** ROLE's reply. */
  role(reply: Reply): void;
  /** INFO replication's fields. */
  info(): [string, string | number][];
  /** INFO stats: sync_full, sync_partial_ok, sync_partial_err. */
  readonly syncStats: { readonly full: number; readonly partialOk: number; readonly partialErr: number };
  /** DEBUG CHANGE-REPL-ID. */
  changeReplId(): void;
  /**
   * The replication state an RDB file written now carries (Redis's rdbPopulateSaveInfo): a
   * master with a backlog, or a replica with a history; undefined otherwise.
   */
  saveInfo(): { streamDb: number; replId: string; offset: number } | undefined;
  /** Re-reads what decides whether commands are checked (a save's outcome changed). */
  updateGuard(): void;
  /**
   * A command for the replicas only, not the AOF: PUBLISH and SPUBLISH, which Redis propagates
   * with PROPAGATE_REPL so that a replica's subscribers get the master's messages, and DEBUG
   * REPLICATE (`dbIndex` -1: in whatever database the stream is).
   */
  replicate(dbIndex: number, argv: readonly Arg[]): void;
}

export class Replication implements ReplicationView {
  readonly ids = new ReplIds();
  /** Created with the first replica (or the first sync as a replica), then kept. */
  backlog: Backlog | null = null;
  /** master_repl_offset. */
  offset = 0;
  readonly replicas = new Replicas();
  readonly encoder = new StreamEncoder((bytes) => this.broadcast(bytes));
  readonly waiters: AckWaiters;
  readonly syncStats = { full: 0, partialOk: 0, partialErr: 0 };
  /** Full syncs through the RDB file (`repl-diskless-sync no`). */
  readonly diskSyncs = new DiskSyncs(this);
  readonly disklessSyncs = new DisklessSyncs(this);
  /** Replicas waiting for a diskless sync to start (`repl-diskless-sync-delay`). */
  readonly pendingSyncs: PendingSync[] = [];
  /** Keys our own clients wrote with a TTL while we are a writable replica. */
  readonly ownKeys: ReplicaKeysWithExpire;
  /** REPLICAOF's master, null when this server is a master. */
  masterHost: string | null = null;
  masterPort = 0;
  /** The connection to the master (replica only). */
  link: MasterLink | null = null;
  /**
   * The database the master's stream has selected at our offset (replica only): kept across
   * links, as Redis's cached master, since a +CONTINUE does not select it again.
   */
  streamDb = 0;
  /**
   * True when commands must pass {@link Replication.refuse} (a replica, or
   * `min-replicas-to-write` set): one test per command otherwise.
   */
  guarded = false;
  /** A replica with `replica-read-only no`: its clients' writes are seen ({@link Replication.feeds}). */
  private writableReplica = false;
  /** The history a start-up RDB file gave a replica, applied once {@link Replication.start} follows the master. */
  private restored: { replId: string; offset: number; streamDb: number } | null = null;

  /** True on a writable replica (`replica-read-only no`). */
  get feedsLocalWrites(): boolean {
    return this.writableReplica;
  }
  /** A GETACK is scheduled for the end of the batch. */
  private ackRequested = false;
  /** When the master's replicas were last pinged (ms). */
  private lastPing = 0;
  private lastCron = 0;

  constructor(readonly host: ReplicationHost) {
    this.ownKeys = new ReplicaKeysWithExpire(host);
    this.waiters = new AckWaiters(
      (offset) => this.replicas.acked(offset),
      (id, spec) => host.clients.get(id)?.blocked?.spec === spec,
      (id) => {
        host.unblockClient(id, false);
      },
    );
  }

  /** A setting of the replication family, as CONFIG GET shows it. */
  setting(name: string): string {
    return showSetting(this.host.config, name);
  }

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  /** True when the server propagates its own changes (a master with a backlog). */
  get active(): boolean {
    return this.backlog !== null && this.masterHost === null;
  }

  /**
   * True when the server must hand its writes to {@link Replication.feed}: a master with a
   * backlog, or a writable replica (which remembers its own keys with a TTL).
   */
  get feeds(): boolean {
    return this.writableReplica || this.active;
  }

  /** The client the master's stream runs as (replica only, while linked). */
  get masterClient(): Client | null {
    return this.link?.client ?? null;
  }

  /** Creates the backlog if there is none (a first replica): a new history starts. */
  ensureBacklog(): Backlog {
    if (this.backlog === null) {
      this.ids.change();
      this.ids.clearSecond();
      this.backlog = new Backlog(Number(this.setting('repl-backlog-size')), this.offset);
    }
    return this.backlog;
  }

  /** Stream bytes: into the backlog, and to every attached replica. */
  broadcast(bytes: Uint8Array): void {
    const backlog = this.backlog;
    if (backlog === null) return;
    backlog.append(bytes);
    this.offset = backlog.offset;
    this.replicas.send(bytes);
  }

  // --- the master's stream (the server propagates through these) ---

  feed(dbIndex: number, argv: readonly Arg[]): void {
    // The DELs of our own keys' expiry stay local, as a replica's writes do.
    if (this.ownKeys.expiring) return;
    if (this.active) this.encoder.feed(dbIndex, argv);
    else if (this.masterHost !== null && this.host.current !== null && this.host.current !== this.masterClient) this.ownKeys.written(dbIndex, argv);
  }

  replicate(dbIndex: number, argv: readonly Arg[]): void {
    if (this.active) this.encoder.feed(dbIndex, argv);
  }

  beginTransaction(): void {
    if (this.active) this.encoder.beginTransaction();
  }

  endTransaction(): void {
    // A transaction that made us a replica (MULTI … REPLICAOF … EXEC) is not propagated, as in Redis.
    if (this.active) this.encoder.endTransaction();
    else this.encoder.discardTransaction();
  }

  // --- commands ---

  sync(ctx: CommandContext, argv: Buffer[]): void {
    sync(this, ctx, argv);
  }

  replconf(ctx: CommandContext, argv: Buffer[]): void {
    replconf(this, ctx, argv);
  }

  wait(ctx: CommandContext, replicas: number, timeoutMs: number): void {
    if (this.masterHost !== null) {
      throw new CommandError(
        'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
      );
    }
    const offset = this.host.clients.get(ctx.client.id)?.replOffset ?? 0;
    const before = this.waiters.size;
    this.waiters.wait(ctx, replicas, timeoutMs, offset);
    // A client blocked: the replicas are asked for an ACK once the batch is done, once for all
    // the WAITs of the batch (Redis's beforeSleep), outside the command so the WAIT's own
    // offset does not include the GETACK.
    if (this.waiters.size > before && !this.ackRequested) {
      this.ackRequested = true;
      queueMicrotask(() => this.requestAcks());
    }
  }

  /** Sends REPLCONF GETACK * to the replicas. */
  private requestAcks(): void {
    this.ackRequested = false;
    if (!this.active || this.replicas.attached.length === 0) return;
    this.encoder.feed(-1, ['REPLCONF', 'GETACK', '*']);
    this.host.flush();
  }

  /** Attaches a replica (after its snapshot or its +CONTINUE) to the stream. */
  attach(r: ReplicaState, out: Reply): void {
    // The first replica starts the ping period: it is not pinged right after its sync.
    if (this.replicas.attached.length === 0) this.lastPing = Date.now();
    this.replicas.attach(r, out, this.host.now());
  }

  /** A replica acknowledged an offset: WAITs may be satisfied. */
  acked(): void {
    this.waiters.check();
  }

  replicaOf(ctx: CommandContext, host: string | null, port: number): void {
    if (host === null) {
      if (this.masterHost !== null) {
        this.host.log.warn(`MASTER MODE enabled (user request from id=${ctx.client.id})`);
        this.becomeMaster();
      }
      return ctx.reply.ok();
    }
    if (this.replicas.attachedAs(ctx.client.id) !== undefined) throw new CommandError('ERR Command is not valid when client is a replica.');
    if (this.masterHost !== null && this.masterHost.toLowerCase() === host.toLowerCase() && this.masterPort === port) {
      return ctx.reply.simple('OK Already connected to specified master');
    }
    this.follow(host, port);
    ctx.reply.ok();
  }

  /** Becomes (or switches to being) a replica of host:port. */
  follow(host: string, port: number): void {
    const wasMaster = this.masterHost === null;
    this.link?.close();
    this.link = null;
    this.masterHost = host;
    this.masterPort = port;
    this.recordSetting();
    // A pop served later here would repeat one the new master's stream carries (issue #2473).
    this.host.disconnectBlockedClients();
    // A master turning replica PSYNCs with its own history: the new master may have been one
    // of its replicas and continue it (Redis's replicationCacheMasterUsingMyself). A promoted
    // master's stream starts with SELECT; until then its client is in database 0.
    if (wasMaster) {
      this.encoder.lastDb = -1;
      this.streamDb = 0;
    }
    this.link = new MasterLink(this, host, port);
    this.updateGuard();
    this.link.connect();
  }

  /** REPLICAOF NO ONE: the history continues under a new id, the old one valid up to here. */
  becomeMaster(): void {
    this.link?.close();
    this.link = null;
    this.masterHost = null;
    this.masterPort = 0;
    this.recordSetting();
    this.ids.shift(this.offset);
    // Keys are expired by the active cycle again.
    this.ownKeys.clear();
    // Our replicas must learn the new id: they reconnect and continue with +CONTINUE.
    this.disconnectReplicas();
    // repl-backlog-ttl counts from the promotion, not from when we last had replicas.
    this.replicas.noneSince = Date.now();
    this.encoder.lastDb = -1;
    this.updateGuard();
  }

  /** Keeps `replicaof` (CONFIG GET, CONFIG REWRITE) in step with the role. */
  private recordSetting(): void {
    const values = this.masterHost === null ? ['no', 'one'] : [this.masterHost, String(this.masterPort)];
    applySetting(this.host.config, 'replicaof', values, true);
  }

  /** Closes every replica's connection (they reconnect and resync). */
  disconnectReplicas(): void {
    for (const r of this.replicas.attached.slice()) {
      const c = this.host.clients.get(r.clientId);
      if (c !== undefined) this.host.killClient(c);
      this.replicas.forget(r.clientId);
    }
    this.diskSyncs.replicaGone();
    this.disklessSyncs.replicaGone();
  }

  /** A client went away (a replica, or our master's client: CLIENT KILL TYPE master). */
  detach(clientId: number): void {
    this.replicas.forget(clientId);
    this.diskSyncs.replicaGone();
    this.disklessSyncs.replicaGone();
    if (this.link !== null && this.link.client?.id === clientId) this.link.clientKilled();
  }

  role(reply: Reply): void {
    roleReply(this, reply);
  }

  info(): [string, string | number][] {
    return replicationInfo(this);
  }

  changeReplId(): void {
    this.ids.change();
  }

  /** Re-reads the settings that decide whether commands are checked. */
  updateGuard(): void {
    this.guarded = this.masterHost !== null || Number(this.setting('min-replicas-to-write')) > 0 || this.host.persistence.rdb.deniesWrites;
    this.writableReplica = this.masterHost !== null && this.setting('replica-read-only') === 'no';
  }

  /** CONFIG SET of a replication setting. */
  configChanged(name: string): void {
    if (name === 'repl-backlog-size') this.backlog?.resize(Number(this.setting(name)));
    this.updateGuard();
  }

  /**
   * Why `def` may not run now (Redis's processCommand): writes to a read-only replica, commands
   * without the stale flag while the link is down and `replica-serve-stale-data` is no, writes
   * without enough good replicas. Null when it may. The master's own client always may.
   */
  refuse(c: Client, def: CommandDef, argv: readonly Buffer[]): string | null {
    if (c === this.masterClient) return null;
    // A script's flags decide whether EVAL/FCALL writes (a shebang without no-writes does), as
    // Redis's getCommandFlags.
    const write = (callFlags(def, c, argv) & CMD_WRITE) !== 0 || (def.name === 'exec' && c.multi !== null && c.multi.some((q) => (q.def.flags & CMD_WRITE) !== 0));
    const refusedWrite = write ? this.refuseWrite() : null;
    if (refusedWrite !== null || this.masterHost === null) return refusedWrite;
    const linked = this.link !== null && this.link.state === 'connected';
    // EXEC is stale-safe only when every command it runs is (Redis's cmd_inv_flags).
    const stale = def.name === 'exec' ? c.multi === null || c.multi.every((q) => (q.def.flags & CMD_STALE) !== 0) : (def.flags & CMD_STALE) !== 0;
    if (!linked && !stale && this.setting('replica-serve-stale-data') === 'no') return MASTERDOWN_ERROR;
    const loading = this.loadingState;
    if (loading === 'loading') {
      // EXEC may run only when every command it runs may (Redis's cmd_inv_flags).
      const allowed = def.name === 'exec' ? c.multi === null || c.multi.every((q) => (q.def.flags & CMD_LOADING) !== 0) : (def.flags & CMD_LOADING) !== 0;
      if (!allowed) return LOADING_ERROR;
    } else if (loading === 'async_loading' && (def.flags & CMD_NO_ASYNC_LOADING) !== 0) return LOADING_ERROR;
    return null;
  }

  /** A diskless load in progress (INFO loading / async_loading), or null. */
  get loadingState(): LoadingState | null {
    return this.link?.loadingState ?? null;
  }

  /**
   * Why a write may not run now: a read-only replica (READONLY), or a master without
   * `min-replicas-to-write` good replicas (NOREPLICAS). For a client's command ({@link refuse})
   * and for a write inside a script (Redis's scriptVerifyWriteCommandAllow).
   */
  refuseWrite(): string | null {
    if (this.masterHost === null && this.host.persistence.rdb.deniesWrites) return MISCONF_ERROR;
    if (this.masterHost !== null) return this.setting('replica-read-only') === 'yes' ? READONLY_ERROR : null;
    const min = Number(this.setting('min-replicas-to-write'));
    const lag = Number(this.setting('min-replicas-max-lag'));
    return min > 0 && lag > 0 && this.replicas.good(this.host.now(), lag) < min ? NOREPLICAS_ERROR : null;
  }

  /** Once per tick: the link's reconnects and ACKs, pings to the replicas, timeouts. */
  cron(): void {
    const now = Date.now();
    if (now - this.lastCron < 1000) return;
    this.lastCron = now;
    this.link?.cron(now);
    if (this.masterHost !== null) this.expireOwnKeys();
    pendingSyncsCron(this, this.host.now());
    this.diskSyncs.keepAlive();
    this.disklessSyncs.cron(now);
    if (!this.active) return;
    if (this.backlogExpired(now)) return;
    const period = Number(this.setting('repl-ping-replica-period')) * 1000;
    if (this.replicas.attached.length !== 0 && now - this.lastPing >= period) {
      this.lastPing = now;
      // Outside any database: no SELECT (Redis feeds it with dictid -1).
      this.encoder.feed(-1, ['PING']);
    }
    const timeout = Number(this.setting('repl-timeout')) * 1000;
    for (const r of this.replicas.attached.slice()) {
      // A replica in its full sync sends no ACKs yet (Redis times those out by their writes).
      if (r.preSync || r.phase !== 'online' || now - r.ackTime <= timeout) continue;
      this.host.log.warn(`Disconnecting timedout replica (streaming sync): ${r.peer}`);
      const c = this.host.clients.get(r.clientId);
      if (c !== undefined) this.host.killClient(c);
    }
  }

  /**
   * `repl-backlog-ttl`: a master without replicas for that long frees its backlog (a replica
   * keeps its own, for the PSYNCs it must answer once promoted). The history gets a new id, as in
   * Redis: the offset no longer advances, so the old id would let a replica continue from a
   * point that is not ours any more.
   */
  private backlogExpired(now: number): boolean {
    const ttl = Number(this.setting('repl-backlog-ttl'));
    if (ttl === 0 || this.replicas.attached.length !== 0 || this.pendingSyncs.length !== 0) return false;
    if (now - this.replicas.noneSince <= ttl * 1000) return false;
    this.ids.change();
    this.ids.clearSecond();
    this.backlog = null;
    this.host.log.warn(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    return true;
  }

  /**
   * Deletes our own expired keys: the dataset deletes expired keys on lookup only on a master,
   * so for the duration of the sweep the server reads as one (the DELs are not propagated).
   */
  private expireOwnKeys(): void {
    this.ownKeys.expire((run) => {
      const host = this.masterHost;
      this.masterHost = null;
      try {
        run();
      } finally {
        this.masterHost = host;
      }
    });
  }

  saveInfo(): { streamDb: number; replId: string; offset: number } | undefined {
    if (this.masterHost === null) {
      if (this.backlog === null) return undefined;
      // No write since the last full sync (no SELECT yet): 0 is safe, the next write selects.
      return { streamDb: Math.max(0, this.encoder.lastDb), replId: this.ids.replid, offset: this.offset };
    }
    if (this.backlog === null && this.offset === 0) return undefined;
    return { streamDb: this.streamDb, replId: this.ids.replid, offset: this.offset };
  }

  /**
   * At start-up, after the RDB file loaded (Redis's loadDataFromDisk): a file with repl-id,
   * repl-offset and repl-stream-db lets the history go on. A replica continues it as its own
   * (its first PSYNC asks for offset + 1); a master keeps it as its secondary id, valid up to
   * offset + 1, with a backlog from there, so that its replicas continue after its restart. The
   * keys of the file that had expired are deleted by the master: their DELs (`expired`) go into
   * that backlog, as Redis feeds them while loading.
   */
  restoreFromRdb(aux: ReadonlyMap<string, Buffer>, expired: readonly (readonly [number, string])[]): void {
    const replId = aux.get('repl-id')?.toString('latin1') ?? '';
    const offset = Number(aux.get('repl-offset')?.toString('latin1'));
    const streamDb = Number(aux.get('repl-stream-db')?.toString('latin1'));
    if (!/^[0-9a-f]{40}$/.test(replId) || !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(streamDb) || streamDb < 0) return;
    if (this.setting('replicaof') !== '') {
      this.restored = { replId, offset, streamDb };
      return;
    }
    this.ids.replid2 = replId;
    this.ids.secondOffset = offset + 1;
    this.ids.change();
    this.offset = offset;
    this.backlog = new Backlog(Number(this.setting('repl-backlog-size')), offset);
    this.replicas.noneSince = Date.now();
    const del = this.setting('lazyfree-lazy-expire') === 'yes' ? 'UNLINK' : 'DEL';
    for (const [db, key] of expired) this.encoder.feed(db, [del, key]);
  }

  /** At startup: `replicaof` from the config file or command line. */
  start(): void {
    const text = this.setting('replicaof');
    if (text === '') return;
    const [host, port] = text.split(' ');
    this.follow(host, Number(port));
    const restored = this.restored;
    this.restored = null;
    if (restored !== null) {
      // Redis's cached master made from the file: the link's PSYNC continues this history.
      this.ids.replid = restored.replId;
      this.offset = restored.offset;
      this.streamDb = restored.streamDb;
    }
  }

  /** The server stops: the link closes. */
  stop(): void {
    this.link?.close();
    this.link = null;
  }
}

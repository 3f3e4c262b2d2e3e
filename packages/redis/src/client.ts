/**
 * Per-connection state. A {@link Client} is also the {@link CommandContext} of the commands it
 * runs (and its {@link ClientState}), so running a command allocates no context object.
 *
 * @packageDocumentation
 */
import type { Conn } from '@nevio/core';
import type { BlockedState } from './blocked';
import {
  CLIENT_BLOCKED,
  CLIENT_CLOSE_AFTER_REPLY,
  CLIENT_DIRTY_CAS,
  CLIENT_MONITOR,
  CLIENT_MULTI,
  CLIENT_NO_EVICT,
  CLIENT_PUBSUB,
  CLIENT_SCRIPT,
  CLIENT_TRACKING_CACHING,
  CLIENT_UNIX_SOCKET,
  type BlockSpec,
  type ClientState,
  type CommandContext,
  type ReplyPiece,
  type Suspension,
} from './command';
import type { AclUser } from './acl';
import { suspendClient } from './suspend';
import type { Db } from './keyspace';
import type { QueuedCommand } from './multi';
import { RespParser } from './parser';
import { Reply, type Sink } from './reply';
import type { RedisServer } from './server';

/** Redis's CLIENT_REPLY_OFF: every reply is dropped until CLIENT REPLY ON. */
const REPLY_OFF = 1 << 0;
/** CLIENT REPLY SKIP was just run: the next command's reply is dropped. */
const REPLY_SKIP_NEXT = 1 << 1;
/** The reply of the command being run is dropped. */
const REPLY_SKIP = 1 << 2;

export class Client implements CommandContext, ClientState {
  /** The connection's replies: pushes always go here, command replies unless silenced. */
  readonly out: Reply;
  /** Where the running command replies: {@link Client.out}, or a sink under CLIENT REPLY OFF/SKIP. */
  reply: Reply;
  /** REPLY_* bits (CLIENT REPLY); 0 almost always, so the per-command check is one test. */
  replyMode = 0;
  /** CLIENT_TRACKING_* bits; 0 when tracking is off. */
  tracking = 0;
  /** CLIENT TRACKING REDIRECT's client id (0: none). */
  trackingRedirect = 0;
  /** BCAST prefixes; null outside BCAST mode. */
  trackingPrefixes: Set<string> | null = null;
  /** Shard channels (SSUBSCRIBE). */
  readonly shardChannels = new Set<string>();
  /** MONITOR was run. */
  monitoring = false;
  /** CLIENT NO-EVICT ON. */
  noEvict = false;
  private silenced: Reply | null = null;
  readonly parser = new RespParser();
  readonly client: ClientState = this;
  db: Db;
  name = '';
  /** The ACL user the client runs as (the default user until AUTH). */
  user: AclUser;
  /**
   * Redis's `c->authenticated`: AUTH succeeded, or the default user needed no password when the
   * client connected. A client without it may still run commands while the default user needs
   * no password (the dispatcher asks `acl.authRequired` then).
   */
  authenticated: boolean;
  /** Queued commands while in MULTI; null outside. */
  multi: QueuedCommand[] | null = null;
  /** A command failed to queue: EXEC must answer EXECABORT. */
  multiError = false;
  /** A WATCHed key was touched: EXEC must answer nil. */
  dirtyCas = false;
  /** WATCHed keys, as `[db, key]`. */
  watched: [Db, string][] = [];
  inExec = false;
  /** AOF replay and other internal clients: no network, never blocks. */
  readonly internal: boolean;
  /** The client of scripts' redis.call (it has a reply sink of its own). */
  readonly script: boolean;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  blocked: BlockedState | null = null;
  /** The producer of a reply being streamed (see `stream`); null otherwise. */
  streaming: ReplyPiece | null = null;
  /** Set by QUIT, CLIENT KILL and protocol errors: close after the pending output. */
  closing = false;
  /** What the running command asked to log instead of itself (see `propagate`). */
  propagated: (Buffer | string)[][] | null = null;
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  /** When its output went over its class's soft `client-output-buffer-limit` (ms), 0 while under. */
  softLimitSince = 0;
  /**
   * Pending output bytes the output limits do not count: a full sync's snapshot, which Redis
   * sends outside the replica's output buffer. Only ever lowered, as the snapshot drains.
   */
  outputExempt = 0;
  /** Its writes are logged to the AOF (a script's client stops after redis.set_repl(REPL_NONE)). */
  logsWrites = true;
  /** The replication offset right after its last command that was propagated (WAIT's target). */
  replOffset = 0;
  /** CLIENT_SLAVE (a replica attached) or CLIENT_MASTER (our master's link), else 0. */
  replicationRole = 0;
  /** See {@link ClientView.linkAddr}: CLIENT LIST and CLIENT KILL addr of our master's client. */
  linkAddr: { readonly remote: string; readonly local: string } | null = null;

  constructor(
    readonly id: number,
    readonly server: RedisServer,
    readonly conn: Conn<Client> | null,
    sink?: Sink,
  ) {
    this.db = server.dbs[0];
    this.user = server.acl.defaultUser;
    this.authenticated = !server.acl.authRequired;
    this.parser.authRequired = !this.authenticated;
    this.parser.maxBulk = server.config['proto-max-bulk-len'];
    this.internal = conn === null;
    this.script = sink !== undefined;
    this.createdAt = this.lastInteraction = server.now();
    // A script's client (`sink` given) reads each reply itself: no flush at the end of the batch.
    this.out = this.reply =
      sink !== undefined
        ? new Reply(sink)
        : new Reply(
            conn === null ? () => {} : (chunk) => conn.write(chunk),
            () => server.needsFlush(this),
          );
  }

  get replyBufferSize(): number {
    return this.out.bufferSize;
  }

  get replyBufferPeak(): number {
    return this.out.bufferPeak;
  }

  get pushReply(): Reply {
    return this.out;
  }

  get canBlock(): boolean {
    return !this.inExec && !this.internal;
  }

  get subscribed(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0;
  }

  get protocol(): 2 | 3 {
    return this.out.proto;
  }

  get flags(): number {
    return (
      (this.subscribed ? CLIENT_PUBSUB : 0) |
      (this.multi !== null ? CLIENT_MULTI : 0) |
      (this.blocked !== null ? CLIENT_BLOCKED : 0) |
      (this.dirtyCas ? CLIENT_DIRTY_CAS : 0) |
      this.tracking |
      (this.monitoring ? CLIENT_MONITOR : 0) |
      (this.noEvict ? CLIENT_NO_EVICT : 0) |
      this.replicationRole |
      (this.closing ? CLIENT_CLOSE_AFTER_REPLY : 0) |
      (this.conn !== null && this.conn.localAddr.network.startsWith('unix') ? CLIENT_UNIX_SOCKET : 0) |
      (this.script ? CLIENT_SCRIPT : 0)
    );
  }

  get queued(): number {
    return this.multi === null ? -1 : this.multi.length;
  }

  get inMulti(): boolean {
    return this.multi !== null;
  }

  block(spec: BlockSpec): void {
    this.server.blocking.block(this, spec);
  }

  suspend(keys: readonly string[]): Suspension {
    return suspendClient(this.server, this, keys);
  }

  stream(next: ReplyPiece): void {
    this.server.streams.start(this, next);
  }

  propagate(argv: readonly (Buffer | string)[]): void {
    (this.propagated ??= []).push(argv.slice());
  }

  notify(type: number, event: string, key: string, db: Db = this.db): void {
    const server = this.server;
    if ((server.notifyFlags & type) !== 0) server.notify(type, event, key, db);
  }

  setName(name: string): void {
    this.name = name;
  }

  select(index: number): void {
    this.db = this.server.dbs[index];
  }

  setProtocol(proto: 2 | 3): void {
    this.out.proto = proto;
    this.reply.proto = proto;
  }

  setReplyMode(mode: 'on' | 'off' | 'skip'): void {
    if (mode === 'on') this.replyMode = 0;
    else if (mode === 'off') this.replyMode |= REPLY_OFF;
    else if ((this.replyMode & REPLY_OFF) === 0) this.replyMode |= REPLY_SKIP_NEXT;
    this.routeReplies();
  }

  /**
   * After each command (the server calls it when {@link Client.replyMode} or the tracking
   * CACHING bit is set): SKIP silences exactly the command after CLIENT REPLY SKIP, and CLIENT
   * CACHING applies to the one command after it (`name` the command just run).
   */
  commandDone(name: string): void {
    if (this.replyMode !== 0) {
      let mode = this.replyMode & ~REPLY_SKIP;
      if ((mode & REPLY_SKIP_NEXT) !== 0) mode = (mode & ~REPLY_SKIP_NEXT) | REPLY_SKIP;
      this.replyMode = mode;
      this.routeReplies();
    }
    if ((this.tracking & CLIENT_TRACKING_CACHING) !== 0 && this.multi === null && name !== 'client') this.tracking &= ~CLIENT_TRACKING_CACHING;
  }

  /** Points {@link Client.reply} at the connection, or at a sink while replies are silenced. */
  private routeReplies(): void {
    if ((this.replyMode & (REPLY_OFF | REPLY_SKIP)) === 0) {
      this.reply = this.out;
      return;
    }
    if (this.silenced === null) this.silenced = new Reply(() => {});
    this.silenced.proto = this.out.proto;
    this.silenced.discard();
    this.reply = this.silenced;
  }

  enableTracking(redirect: number, options: number, prefixes: readonly string[]): void {
    this.server.tracking.enable(this, redirect, options, prefixes);
  }

  disableTracking(): void {
    this.server.tracking.disable(this);
  }

  setTrackingCaching(): void {
    this.tracking |= CLIENT_TRACKING_CACHING;
  }

  setNoEvict(on: boolean): void {
    this.noEvict = on;
  }

  startMonitor(): void {
    this.monitoring = true;
    this.server.monitors.clients.add(this);
  }

  stopMonitor(): void {
    this.monitoring = false;
    this.server.monitors.clients.delete(this);
  }

  /** An internal client (the AOF's replay): authenticated, and allowed everything. */
  authenticate(): void {
    this.user = this.server.acl.internalUser;
    this.authenticated = true;
    this.parser.authRequired = false;
  }

  login(user: string, password: Buffer): boolean {
    if (!this.server.acl.login(this, user, password)) return false;
    this.parser.authRequired = false;
    return true;
  }

  deauthenticate(): void {
    this.user = this.server.acl.defaultUser;
    this.authenticated = !this.server.acl.authRequired;
    this.parser.authRequired = !this.authenticated;
  }

  mayReadEveryKey(argv: readonly Buffer[]): boolean {
    if (this.user.unrestricted) return true;
    const def = this.server.lookup(argv[0]);
    return def !== undefined && this.server.acl.mayReadEveryKey(this.user, def, argv);
  }

  closeAfterReply(): void {
    this.closing = true;
  }

  kill(): void {
    this.server.killClient(this);
  }

  subscribe(name: string, pattern: boolean): void {
    this.server.pubsub.subscribe(this, name, pattern);
  }

  unsubscribe(name: string, pattern: boolean): boolean {
    return this.server.pubsub.unsubscribe(this, name, pattern);
  }

  subscribeShard(name: string): void {
    this.server.pubsub.subscribeShard(this, name);
  }

  unsubscribeShard(name: string): boolean {
    return this.server.pubsub.unsubscribeShard(this, name);
  }

  beginMulti(): void {
    this.multi = [];
  }

  discardMulti(): void {
    this.server.multi.discard(this);
  }

  exec(): void {
    this.server.multi.exec(this);
  }

  watch(key: string): void {
    this.server.multi.watch(this, key);
  }

  unwatch(): void {
    this.server.multi.unwatchAll(this);
  }
}

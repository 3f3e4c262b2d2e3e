/**
 * Per-connection state. A {@link Client} is also the {@link CommandContext} of the commands it
 * runs (and its {@link ClientState}), so running a command allocates no context object.
 *
 * @packageDocumentation
 */
import type { Conn } from '@nevio/core';
import type { BlockedState } from './blocked';
import { CLIENT_BLOCKED, CLIENT_DIRTY_CAS, CLIENT_MULTI, CLIENT_PUBSUB, type BlockSpec, type ClientState, type CommandContext, type ReplyPiece } from './command';
import type { Db } from './keyspace';
import type { QueuedCommand } from './multi';
import { RespParser } from './parser';
import { Reply } from './reply';
import type { RedisServer } from './server';

export class Client implements CommandContext, ClientState {
  readonly reply: Reply;
  readonly parser = new RespParser();
  readonly client: ClientState = this;
  db: Db;
  name = '';
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

  constructor(
    readonly id: number,
    readonly server: RedisServer,
    readonly conn: Conn<Client> | null,
  ) {
    this.db = server.dbs[0];
    this.authenticated = server.config.requirepass === '';
    this.parser.authRequired = !this.authenticated;
    this.parser.maxBulk = server.config['proto-max-bulk-len'];
    this.internal = conn === null;
    this.createdAt = this.lastInteraction = server.now();
    this.reply = new Reply(
      conn === null ? () => {} : (chunk) => conn.write(chunk),
      () => server.needsFlush(this),
    );
  }

  get canBlock(): boolean {
    return !this.inExec && !this.internal;
  }

  get subscribed(): boolean {
    return this.channels.size + this.patterns.size > 0;
  }

  get protocol(): 2 | 3 {
    return this.reply.proto;
  }

  get flags(): number {
    return (
      (this.subscribed ? CLIENT_PUBSUB : 0) |
      (this.multi !== null ? CLIENT_MULTI : 0) |
      (this.blocked !== null ? CLIENT_BLOCKED : 0) |
      (this.dirtyCas ? CLIENT_DIRTY_CAS : 0)
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

  stream(next: ReplyPiece): void {
    this.server.streams.start(this, next);
  }

  propagate(argv: readonly (Buffer | string)[]): void {
    (this.propagated ??= []).push(argv.slice());
  }

  setName(name: string): void {
    this.name = name;
  }

  select(index: number): void {
    this.db = this.server.dbs[index];
  }

  setProtocol(proto: 2 | 3): void {
    this.reply.proto = proto;
  }

  authenticate(): void {
    this.authenticated = true;
    this.parser.authRequired = false;
  }

  deauthenticate(): void {
    if (this.server.config.requirepass === '') return;
    this.authenticated = false;
    this.parser.authRequired = true;
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

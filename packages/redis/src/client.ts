/**
 * Per-connection state. A {@link Client} is also the {@link CommandContext} of the commands it
 * runs, so running a command allocates no context object.
 *
 * @packageDocumentation
 */
import type { Conn } from '@nevio/core';
import type { BlockSpec, ClientHandle, CommandContext, CommandDef } from './command';
import type { Db } from './keyspace';
import { RespParser } from './parser';
import { Reply } from './reply';
import type { RedisServer } from './server';

/** A command queued by MULTI, with its arguments copied out of the read buffer. */
export interface QueuedCommand {
  def: CommandDef;
  argv: Buffer[];
}

/** A client waiting in BLPOP & co. */
export interface BlockedState {
  spec: BlockSpec;
  db: Db;
  timer: NodeJS.Timeout | null;
}

export class Client implements CommandContext, ClientHandle {
  readonly reply: Reply;
  readonly parser = new RespParser();
  readonly client: ClientHandle = this;
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

  /** True while subscribed to a channel or pattern (RESP2 restricts the commands then). */
  get subscribed(): boolean {
    return this.channels.size + this.patterns.size > 0;
  }

  block(spec: BlockSpec): void {
    this.server.blockClient(this, spec);
  }

  propagate(argv: readonly (Buffer | string)[]): void {
    (this.propagated ??= []).push(argv.slice());
  }
}

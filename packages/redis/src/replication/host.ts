/**
 * What replication needs from the server (`server.ts` implements it): the dataset, the clients,
 * running commands as the master's client, and handing replies to the connections.
 *
 * @packageDocumentation
 */
import type { Client } from '../client';
import type { CommandDef, ServerContext } from '../command';
import type { Config } from '../config';
import type { Db } from '../keyspace';

/** The server as replication sees it (a snapshot reads and fills it as commands see it). */
export interface ReplicationHost extends ServerContext {
  readonly config: Config;
  readonly log: { warn(msg: string): void; error(msg: string): void };
  readonly clients: ReadonlyMap<number, Client>;
  /** The port this server listens on (REPLCONF listening-port). */
  readonly tcpPort: number;
  /** The client whose command runs (set while the master's stream is applied). */
  current: Client | null;
  /** A client without a connection (the master's client), `listed` in the client table. */
  newClient(conn: null, listed: boolean): Client;
  /** Releases what a client holds and takes it out of the client table. */
  freeClient(c: Client): void;
  lookup(name: Buffer): CommandDef | undefined;
  /** Runs one command with every check, as if the client had sent it. */
  execute(c: Client, argv: Buffer[], def?: CommandDef): void;
  /** Refreshes the cached clock (events outside a batch: dialed connections, timers). */
  updateTime(): void;
  /** Hands the replies written so far to the connections (and writes the AOF). */
  flush(): void;
  now(): number;
  /** Ends client `id`'s blocking command with its timeout reply (WAIT's count). */
  unblockClient(id: number, withError: boolean): boolean;
  /** Becoming a replica: clients in blocking commands are answered UNBLOCKED and closed. */
  disconnectBlockedClients(): void;
  /** Disconnects a client now. */
  killClient(c: Client): void;
  /** FLUSHALL's effects on WATCH and blocked clients, before a full sync replaces the data. */
  touchAllWatched(db: Db): void;
  /** The AOF's tracking of keys is no longer valid (the dataset was replaced). */
  datasetReplaced(): void;
  /** An empty database outside the server's (a diskless load fills it, then swaps it in). */
  detachedDb(index: number): Db;
}

/**
 * A replica's connection to its master (Redis's connectWithMaster and syncWithMaster), dialed on
 * the reactor. The PSYNC2 handshake: PING; then, in one write, AUTH (`masteruser`/`masterauth`),
 * REPLCONF listening-port, REPLCONF ip-address (`replica-announce-ip`), REPLCONF capa eof capa
 * psync2; then PSYNC with our replication id and offset. `+CONTINUE` goes on with the stream from
 * our offset (a new id in it means the master was promoted: ours becomes the secondary);
 * `+FULLRESYNC <id> <offset>` sends the RDB (`transfer.ts`), which replaces the dataset. Then the
 * stream is applied (`apply.ts`), REPLCONF ACK goes out every second and on GETACK, and a link
 * silent for `repl-timeout` is dropped. A lost link is dialed again a second later.
 *
 * @packageDocumentation
 */
import { dial, type Conn, type TlsOptions } from '@nevio/core';
import { replicationTls } from '../tls';
import type { Client } from '../client';
import { CLIENT_MASTER, addressString } from '../command';
import { ProtocolError } from '../parser';
import { StreamApplier } from './apply';
import { Backlog } from './backlog';
import { DisklessLoad, type LoadingState } from './diskless-load';
import type { Replication } from './index';
import { loadSnapshot } from './snapshot';
import { encodeCommand } from './stream';
import { RdbTransfer } from './transfer';

/** Redis's repl_state, as ROLE names it: connect, connecting, handshake, sync, connected. */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** Errors to PING that still let the handshake go on (AUTH comes next). */
const PING_ERRORS_ACCEPTED = ['-NOAUTH', '-NOPERM', '-ERR operation not permitted'];

/** What a handshake reply is checked for. */
type Step = (line: string) => void;

export class MasterLink {
  state: LinkState = 'connect';
  /** The master's client (commands of the stream run as it) while connected. */
  client: Client | null = null;
  /** When the master last sent bytes (ms since the epoch). */
  lastIo = 0;
  /** When the link went down (ms since the epoch); 0 while it never was up. */
  downSince = 0;
  /** The payload being received during a full sync. */
  transfer: RdbTransfer | null = null;
  /** The payload being loaded as it arrives (a diskless load), or null. */
  private load: DisklessLoad | null = null;
  private conn: Conn | null = null;
  private closed = false;
  private applier: StreamApplier | null = null;
  /** Handshake replies not yet complete, and the checks of the replies still expected. */
  private lines = '';
  private steps: Step[] = [];
  private fullSync: { replid: string; offset: number } | null = null;
  private stateSince = Date.now();

  constructor(
    private readonly repl: Replication,
    readonly host: string,
    readonly port: number,
  ) {}

  /** The offset applied from the master (slave_repl_offset). */
  get offset(): number {
    return this.applier?.offset ?? this.repl.offset;
  }

  /** The offset read from the master (slave_read_repl_offset). */
  get readOffset(): number {
    return this.applier?.readOffset ?? this.repl.offset;
  }

  private setState(state: LinkState): void {
    this.state = state;
    this.stateSince = Date.now();
  }

  /** Dials the master. */
  connect(): void {
    if (this.closed || this.state !== 'connect') return;
    this.setState('connecting');
    const address = this.host.includes(':') ? `tcp://[${this.host}]:${this.port}` : `tcp://${this.host}:${this.port}`;
    const timeout = Number(this.repl.setting('repl-timeout')) * 1000;
    let tls: TlsOptions | undefined;
    if (this.repl.setting('tls-replication') === 'yes') {
      try {
        tls = replicationTls(this.repl.host.config);
      } catch (error) {
        this.repl.host.log.warn(`Unable to connect to MASTER over TLS: ${(error as Error).message}`);
        this.lost();
        return;
      }
    }
    dial(
      address,
      {
        react: (conn, data) => this.received(conn, data),
        closed: (conn) => {
          if (conn === this.conn) this.lost();
        },
      },
      { timeout, ...(tls !== undefined ? { tls } : {}) },
    ).then(
      (conn) => {
        if (this.closed) return conn.close();
        this.conn = conn;
        this.lastIo = Date.now();
        this.setState('handshake');
        this.steps = [(line) => this.pong(line)];
        conn.write(encodeCommand(['PING']));
      },
      (err: Error) => {
        this.repl.host.log.warn(`Error condition on socket for SYNC: ${err.message}`);
        this.lost();
      },
    );
  }

  /** Stops following this master (REPLICAOF of another, NO ONE, shutdown). */
  close(): void {
    this.closed = true;
    const conn = this.conn;
    this.lost();
    conn?.close();
  }

  /** CLIENT KILL of the master's client: the link is dropped (and dialed again). */
  clientKilled(): void {
    this.keepStreamDb();
    this.client = null;
    this.fail('the master client was killed');
  }

  /** The connection closed or failed: the next cron dials again. */
  private lost(): void {
    if (this.state === 'connected') this.downSince = Date.now();
    this.conn = null;
    this.keepStreamDb();
    const client = this.client;
    this.client = null;
    if (client !== null) this.repl.host.freeClient(client);
    this.applier = null;
    if (this.load !== null) {
      // A diskless load cut short: what it loaded goes, our data stays (Redis's swapdb backup).
      this.load.stop();
      this.load = null;
      this.repl.host.log.warn(`Internal error in RDB reading offset ${this.transfer?.read ?? 0}, function at nevio's stream loader -> Unexpected EOF reading RDB file`);
      this.repl.host.log.warn('Failed trying to load the MASTER synchronization DB from socket, discarding the partial load');
    }
    this.transfer = null;
    this.fullSync = null;
    this.lines = '';
    this.steps = [];
    if (!this.closed) this.setState('connect');
  }

  /**
   * Remembers the database the master's client has selected at our offset (Redis keeps it in the
   * cached master): the master resumes a +CONTINUE without selecting it again.
   */
  private keepStreamDb(): void {
    if (this.client !== null) this.repl.streamDb = this.client.db.index;
  }

  /** Drops the link (it is dialed again by the cron). */
  private fail(why: string): void {
    this.repl.host.log.warn(`Replication with MASTER ${this.host}:${this.port}: ${why}`);
    const conn = this.conn;
    this.lost();
    conn?.close();
  }

  /** Once a second: reconnect, acknowledge, time out. */
  cron(now: number): void {
    if (this.closed) return;
    if (this.state === 'connect') return this.connect();
    const timeout = Number(this.repl.setting('repl-timeout')) * 1000;
    if (this.state === 'connected') {
      if (now - this.lastIo > timeout) return this.fail('MASTER timeout: no data nor PING received');
      this.sendAck();
    } else if (this.state === 'sync') {
      if (this.transfer !== null && now - this.transfer.lastIo > timeout) this.fail('Timeout receiving bulk data from MASTER');
    } else if (now - Math.max(this.stateSince, this.lastIo) > timeout) {
      // The master's newlines while it prepares our sync keep the handshake alive, as in Redis.
      this.fail('Timeout connecting to the MASTER');
    }
  }

  /** REPLCONF ACK <applied offset>. */
  sendAck(): void {
    if (this.state !== 'connected' || this.conn === null) return;
    this.conn.write(encodeCommand(['REPLCONF', 'ACK', String(this.offset)]));
  }

  private received(conn: Conn, data: Buffer): void {
    if (conn !== this.conn) return void conn.close();
    this.lastIo = Date.now();
    const host = this.repl.host;
    host.updateTime();
    try {
      let pos = 0;
      if (this.state === 'handshake') pos = this.handshake(data);
      if (this.state === 'sync' && pos < data.length) pos = this.receivePayload(data, pos);
      if (this.state === 'connected' && this.applier !== null && pos < data.length) {
        const used = this.applier.apply(data, pos);
        if (used < data.length) conn.discard(used);
      }
    } catch (err) {
      // A malformed stream, a bad handshake reply, an RDB that does not load: the link is
      // dropped and dialed again, as Redis does.
      if (!(err instanceof Error)) throw err;
      this.fail(err instanceof ProtocolError ? `Protocol error from MASTER: ${err.message}` : err.message);
    }
    host.flush();
  }

  /** Reads handshake reply lines from `data`; returns where the bytes after them start. */
  private handshake(data: Buffer): number {
    let pos = 0;
    while (this.state === 'handshake' && pos < data.length) {
      const nl = data.indexOf(10, pos);
      const end = nl < 0 ? data.length : nl;
      this.lines += data.latin1Slice(pos, end);
      pos = end;
      if (nl < 0) break;
      pos++;
      const line = this.lines.endsWith('\r') ? this.lines.slice(0, -1) : this.lines;
      this.lines = '';
      // Masters send bare newlines to keep the link alive while a reply is pending.
      if (line === '') continue;
      const step = this.steps.shift();
      if (step === undefined) throw new Error(`unexpected reply from MASTER during the handshake: '${line}'`);
      step(line);
    }
    return pos;
  }

  private pong(line: string): void {
    if (line[0] === '-' && !PING_ERRORS_ACCEPTED.some((p) => line.startsWith(p))) throw new Error(`Error reply to PING from master: '${line}'`);
    const repl = this.repl;
    const parts: Buffer[] = [];
    const steps: Step[] = [];
    const auth = repl.setting('masterauth');
    if (auth !== '') {
      const user = repl.setting('masteruser');
      parts.push(encodeCommand(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]));
      steps.push((reply) => {
        if (reply[0] === '-') throw new Error(`Unable to AUTH to MASTER: ${reply}`);
      });
    }
    const announcedPort = Number(repl.setting('replica-announce-port'));
    parts.push(encodeCommand(['REPLCONF', 'listening-port', String(announcedPort !== 0 ? announcedPort : repl.host.tcpPort)]));
    // Errors to REPLCONF are not fatal: old masters do not know every option.
    const ignore: Step = () => undefined;
    steps.push(ignore);
    const ip = repl.setting('replica-announce-ip');
    if (ip !== '') {
      parts.push(encodeCommand(['REPLCONF', 'ip-address', ip]));
      steps.push(ignore);
    }
    parts.push(encodeCommand(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    steps.push(() => this.psync());
    this.steps = steps;
    this.conn?.write(Buffer.concat(parts));
  }

  /** PSYNC <our id> <our offset + 1>, or `? -1` when we have no history yet. */
  private psync(): void {
    const repl = this.repl;
    const fresh = repl.backlog === null && repl.offset === 0;
    this.conn?.write(encodeCommand(fresh ? ['PSYNC', '?', '-1'] : ['PSYNC', repl.ids.replid, String(repl.offset + 1)]));
    this.steps = [(line) => this.psyncReply(line)];
  }

  private psyncReply(line: string): void {
    const repl = this.repl;
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, offset] = line.split(' ');
      if (replid === undefined || replid.length !== 40 || !/^\d+$/.test(offset ?? '')) throw new Error(`Master replied with wrong +FULLRESYNC syntax: '${line}'`);
      this.fullSync = { replid, offset: Number(offset) };
      this.transfer = new RdbTransfer(() => this.startDisklessLoad(replid));
      this.setState('sync');
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const replid = line.slice('+CONTINUE'.length).trim();
      // The master's history has a new id (it was promoted): ours goes on as the secondary one.
      if (replid.length === 40 && replid !== repl.ids.replid) {
        repl.ids.shift(repl.offset, replid);
        repl.disconnectReplicas();
      }
      repl.backlog ??= new Backlog(Number(repl.setting('repl-backlog-size')), repl.offset);
      this.online();
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) throw new Error(`Master is currently unable to PSYNC but should be in the future: ${line}`);
    throw new Error(`Unexpected reply to PSYNC from master: ${line}`);
  }

  /** What clients see of a diskless load in progress (INFO loading / async_loading), or null. */
  get loadingState(): LoadingState | null {
    return this.load?.state ?? null;
  }

  /**
   * The payload is the EOF form: with `repl-diskless-load swapdb` (or `on-empty-db` and no
   * data), the consumer that loads it as it arrives; null keeps it for a load at its end.
   */
  private startDisklessLoad(replid: string): ((chunk: Buffer) => void) | null {
    const repl = this.repl;
    const host = repl.host;
    const mode = repl.setting('repl-diskless-load');
    if (mode === 'disabled' || (mode === 'on-empty-db' && host.dbs.some((db) => db.size !== 0))) return null;
    // The old data is a point of the same history: it is served meanwhile (Redis 7.0's async loading).
    const state = mode === 'swapdb' && replid === repl.ids.replid ? 'async_loading' : 'loading';
    const load = new DisklessLoad(host, state, (hold) => (hold ? this.conn?.pause() : this.conn?.resume()));
    this.load = load;
    host.log.warn(`MASTER <-> REPLICA sync: Loading DB in memory${state === 'async_loading' ? ' (async loading)' : ''}`);
    return (chunk) => load.feed(chunk);
  }

  /** Our replicas go (they follow a history about to be replaced) and our databases are emptied. */
  private flushOldData(): void {
    const repl = this.repl;
    const host = repl.host;
    repl.disconnectReplicas();
    host.log.warn('MASTER <-> REPLICA sync: Flushing old data');
    for (const db of host.dbs) {
      host.touchAllWatched(db);
      db.clear();
    }
    host.datasetReplaced();
    repl.ownKeys.clear();
  }

  private receivePayload(data: Buffer, start: number): number {
    const done = this.transfer!.push(data, start);
    if (done === null) return data.length;
    const sync = this.fullSync!;
    const repl = this.repl;
    const host = repl.host;
    if (this.load !== null) {
      const load = this.load;
      load.finish(() => this.flushOldData());
      this.load = null;
    } else {
      this.flushOldData();
      host.log.warn('MASTER <-> REPLICA sync: Loading DB in memory');
      loadSnapshot(host, done.payload);
    }
    repl.ids.replid = sync.replid;
    repl.ids.clearSecond();
    repl.offset = sync.offset;
    // The master selects a database before its first command after a snapshot.
    repl.streamDb = 0;
    if (repl.backlog === null) repl.backlog = new Backlog(Number(repl.setting('repl-backlog-size')), sync.offset);
    else repl.backlog.reset(sync.offset);
    this.transfer = null;
    this.fullSync = null;
    this.online();
    host.log.warn('MASTER <-> REPLICA sync: Finished with success');
    // The first ACK at once: a master that sent the RDB diskless starts the stream on it.
    this.sendAck();
    return done.rest;
  }

  /** The link is up: the master's client applies the stream from our offset. */
  private online(): void {
    const repl = this.repl;
    const host = repl.host;
    const client = host.newClient(null, true);
    client.authenticate();
    client.replicationRole = CLIENT_MASTER;
    client.select(repl.streamDb);
    // CLIENT LIST and CLIENT KILL <master ip:port> see the link's addresses, as in Redis.
    if (this.conn !== null) client.linkAddr = { remote: addressString(this.conn.remoteAddr), local: addressString(this.conn.localAddr) };
    this.client = client;
    this.applier = new StreamApplier(host, client, repl.offset, (bytes) => repl.broadcast(bytes));
    this.downSince = 0;
    this.setState('connected');
  }
}

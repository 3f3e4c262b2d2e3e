/**
 * A diskless full sync (`repl-diskless-sync yes` to replicas with `capa eof`), as Redis's
 * rdbSaveToSlavesSockets: one background save (the fork-less snapshot of `persist/`, so
 * `rdb-key-save-delay`, `rdb_bgsave_in_progress` and killing its stand-in process apply) whose
 * bytes go to every replica that waited for it, framed as `$EOF:<40 random chars>\r\n`, the file,
 * and the mark again. The replicas are in `wait_bgsave` meanwhile, the stream from the offset
 * the snapshot starts at held for each; at the end they are online, and the held stream follows
 * their first REPLCONF ACK (Redis's repl_start_cmd_stream_on_ack: a replica reads nothing past
 * the mark before it has loaded the file). Replicas that come while it runs wait for the next.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { StreamOutput } from '../persist/output';
import { auxFields } from '../rdb/dataset';
import type { Replication } from './index';
import type { ReplicaState } from './replicas';
import { EOF_MARK_SIZE } from './transfer';
import type { PendingSync } from './sync';

/**
 * The transfer waits while a replica has this much of it not yet taken by its socket: the
 * slowest replica paces it, as the pipe to Redis's child does, and the master does not hold
 * the whole file in memory for it.
 */
const TRANSFER_AHEAD_BYTES = 1 << 20;

/** One running transfer. */
interface Transfer {
  readonly members: ReplicaState[];
  readonly mark: Buffer;
  /** Per replica: its unsent bytes at the last look, and since when they have not gone down (ms). */
  readonly progress: Map<ReplicaState, { unsent: number; since: number }>;
}

/** The diskless syncs of one master (one at a time, as Redis has one child). */
export class DisklessSyncs {
  private current: Transfer | null = null;
  private flushScheduled = false;

  constructor(private readonly repl: Replication) {}

  /**
   * Starts one transfer for the replicas `waiting`; false when none can start now (a save, an
   * AOF rewrite or another transfer runs): they keep waiting.
   */
  begin(waiting: readonly PendingSync[]): boolean {
    const repl = this.repl;
    const host = repl.host;
    const saves = host.persistence.rdb;
    if (this.current !== null || !saves.free) return false;
    const backlog = repl.ensureBacklog();
    const replid = repl.ids.replid;
    const offset = backlog.offset;
    const transfer: Transfer = { members: [], mark: Buffer.from(randomBytes(EOF_MARK_SIZE / 2).toString('hex'), 'latin1'), progress: new Map() };
    const eofLine = Buffer.from(`$EOF:${transfer.mark.toString('latin1')}\r\n`, 'latin1');
    for (const p of waiting) {
      const r = repl.replicas.of(p.id, '');
      if (p.psync) p.out.raw(Buffer.from(`+FULLRESYNC ${replid} ${offset}\r\n`, 'latin1'));
      p.out.raw(eofLine);
      repl.attach(r, p.out);
      r.phase = 'wait_bgsave';
      r.held = [];
      transfer.members.push(r);
      host.log.warn(`Starting BGSAVE for SYNC with target: replicas sockets (replica ${r.peer}:${r.listeningPort})`);
    }
    // The file names the database the stream is in; the stream after it starts with a SELECT.
    const aux = auxFields(host, { streamDb: Math.max(0, repl.encoder.lastDb), replId: replid, offset });
    repl.encoder.lastDb = -1;
    this.current = transfer;
    const output = new StreamOutput(
      (chunk) => this.send(transfer, chunk),
      () => this.receivers(transfer).some((r) => this.unsent(r) > TRANSFER_AHEAD_BYTES),
    );
    saves.startToReplicas(output, aux);
    void saves.whenDone().then((ok) => this.finished(ok, transfer));
    this.scheduleFlush();
    return true;
  }

  /** A replica's first REPLCONF ACK after its transfer: the stream held for it follows. */
  acknowledged(r: ReplicaState): void {
    if (r.held === null || r.phase !== 'online') return;
    for (const b of r.held) r.out!.relay(b);
    r.held = null;
    this.repl.host.log.warn(`Synchronization with replica ${r.peer}:${r.listeningPort} succeeded`);
  }

  /** A replica went away: the transfer stops once nobody receives it (Redis kills its child then). */
  replicaGone(): void {
    const transfer = this.current;
    if (transfer === null || this.receivers(transfer).length !== 0) return;
    this.current = null;
    this.repl.host.log.warn('Diskless rdb transfer, last replica dropped, killing fork child.');
    this.repl.host.persistence.rdb.abort('no replica receives it any more');
  }

  /**
   * Once a second: a replica whose socket has taken nothing of the transfer for `repl-timeout`
   * seconds is disconnected (Redis: "Disconnecting timedout replica (full sync)").
   */
  cron(now: number): void {
    const transfer = this.current;
    if (transfer === null) return;
    const timeout = Number(this.repl.setting('repl-timeout')) * 1000;
    for (const r of this.receivers(transfer)) {
      const unsent = this.unsent(r);
      const last = transfer.progress.get(r);
      if (last === undefined || unsent === 0 || unsent < last.unsent) {
        transfer.progress.set(r, { unsent, since: now });
        continue;
      }
      if (now - last.since <= timeout) continue;
      this.repl.host.log.warn(`Disconnecting timedout replica (full sync): ${r.peer}:${r.listeningPort}`);
      const c = this.repl.host.clients.get(r.clientId);
      if (c !== undefined) this.repl.host.killClient(c);
    }
  }

  /** Bytes written for replica `r` that its socket has not taken yet. */
  private unsent(r: ReplicaState): number {
    const c = this.repl.host.clients.get(r.clientId);
    if (c === undefined) return 0;
    return c.out.backlog + (c.conn?.outboundBuffered ?? 0);
  }

  /** The members still attached to this master. */
  private receivers(transfer: Transfer): ReplicaState[] {
    return transfer.members.filter((r) => this.repl.replicas.attachedAs(r.clientId) === r);
  }

  private send(transfer: Transfer, chunk: Buffer): void {
    for (const r of this.receivers(transfer)) {
      r.out!.raw(chunk);
      // client-output-buffer-limit replica counts the stream, not the snapshot.
      const c = this.repl.host.clients.get(r.clientId);
      if (c !== undefined) c.outputExempt += chunk.length;
    }
    this.scheduleFlush();
  }

  /**
   * The snapshot's bytes are handed on between the clients' commands (its slices) or inside one
   * (a key copied before it changes): they leave with the next flush, not in the middle of a batch.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.repl.host.flush();
    });
  }

  private finished(ok: boolean, transfer: Transfer): void {
    if (this.current !== transfer) return;
    this.current = null;
    const repl = this.repl;
    const host = repl.host;
    const receivers = this.receivers(transfer);
    if (ok) host.log.warn(`Diskless rdb transfer, done reading from pipe, ${receivers.length} replicas still up.`);
    for (const r of receivers) {
      if (!ok) {
        // updateSlavesWaitingBgsave on an error: the replica is dropped and syncs again.
        r.held = null;
        repl.replicas.forget(r.clientId);
        const c = host.clients.get(r.clientId);
        if (c !== undefined) host.killClient(c);
        continue;
      }
      r.out!.raw(transfer.mark);
      const c = host.clients.get(r.clientId);
      if (c !== undefined) c.outputExempt += transfer.mark.length;
      r.phase = 'online';
      r.ackTime = host.now();
      host.log.warn(`Streamed RDB transfer with replica ${r.peer}:${r.listeningPort} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`);
    }
    this.scheduleFlush();
  }
}

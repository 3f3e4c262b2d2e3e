/**
 * The master's side of its replicas (Redis's server.slaves): what each said with REPLCONF
 * (listening port, address, capabilities, acknowledged offset), their state, the stream fan-out,
 * and the counts WAIT and `min-replicas-to-write` use.
 *
 * @packageDocumentation
 */
import type { Reply } from '../reply';

/** REPLCONF capa eof: reads an RDB sent with an EOF mark (diskless). */
export const CAPA_EOF = 1 << 0;
/** REPLCONF capa psync2: understands `+CONTINUE <replid>`. */
export const CAPA_PSYNC2 = 1 << 1;

/** A replica's state as INFO shows it (Redis's replstateToString). */
export type ReplicaPhase = 'wait_bgsave' | 'send_bulk' | 'online';

/** One replica (or a client that has sent REPLCONF and may become one). */
export interface ReplicaState {
  readonly clientId: number;
  /** Where its stream goes; null until SYNC/PSYNC. */
  out: Reply | null;
  phase: ReplicaPhase | null;
  /** REPLCONF listening-port (0 until given). */
  listeningPort: number;
  /** REPLCONF ip-address, or null: the connection's peer address is shown. */
  ipAddress: string | null;
  /** The peer address of its connection. */
  readonly peer: string;
  /** CAPA_* bits. */
  capa: number;
  /** The offset it acknowledged with REPLCONF ACK (repl_ack_off). */
  ackOffset: number;
  /** When it last acknowledged (ms since the epoch; repl_ack_time). */
  ackTime: number;
  /** Attached with SYNC (no REPLCONF ACKs expected, no +FULLRESYNC line). */
  preSync: boolean;
  /** The stream held for it while its disk sync's file is written (`disk-sync.ts`); null otherwise. */
  held: Buffer[] | null;
}

export class Replicas {
  /** Clients that sent REPLCONF or SYNC/PSYNC, by client id. */
  private readonly byClient = new Map<number, ReplicaState>();
  /** The attached replicas (SYNC/PSYNC done), in the order they attached. */
  readonly attached: ReplicaState[] = [];
  /** When the last attached replica went away (ms since the epoch; Redis's repl_no_slaves_since). */
  noneSince = Date.now();

  /** The state of client `clientId`, created at its first REPLCONF. */
  of(clientId: number, peer: string): ReplicaState {
    let r = this.byClient.get(clientId);
    if (r === undefined) {
      r = { clientId, out: null, phase: null, listeningPort: 0, ipAddress: null, peer, capa: 0, ackOffset: 0, ackTime: 0, preSync: false, held: null };
      this.byClient.set(clientId, r);
    }
    return r;
  }

  /** The replica state of an attached client, or undefined. */
  attachedAs(clientId: number): ReplicaState | undefined {
    const r = this.byClient.get(clientId);
    return r !== undefined && r.phase !== null ? r : undefined;
  }

  attach(r: ReplicaState, out: Reply, nowMs: number): void {
    r.out = out;
    r.phase = 'online';
    r.ackTime = nowMs;
    this.attached.push(r);
  }

  /** Client `clientId` went away. */
  forget(clientId: number): void {
    const r = this.byClient.get(clientId);
    if (r === undefined) return;
    this.byClient.delete(clientId);
    const i = this.attached.indexOf(r);
    if (i < 0) return;
    this.attached.splice(i, 1);
    if (this.attached.length === 0) this.noneSince = Date.now();
  }

  /** Stream bytes to every attached replica. */
  send(bytes: Uint8Array): void {
    for (const r of this.attached) {
      if (r.held !== null) r.held.push(Buffer.from(bytes));
      else r.out!.relay(bytes);
    }
  }

  /** How many online replicas acknowledged `offset` (Redis's replicationCountAcksByOffset). */
  acked(offset: number): number {
    let n = 0;
    for (const r of this.attached) if (r.phase === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** Online replicas whose last ACK is at most `maxLagSeconds` old (min-replicas-max-lag). */
  good(nowMs: number, maxLagSeconds: number): number {
    let n = 0;
    for (const r of this.attached) if (r.phase === 'online' && Math.floor((nowMs - r.ackTime) / 1000) <= maxLagSeconds) n++;
    return n;
  }
}

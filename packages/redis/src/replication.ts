/**
 * The replication stream (Redis's replicationFeedSlaves, for a replica attached with SYNC or
 * PSYNC): every change the server propagates — what the AOF logs — is sent to the attached
 * replicas as RESP commands, with SELECT when the database changes. A transaction's changes are
 * wrapped in MULTI/EXEC only when there are several (Redis 7's propagatePendingCommands: one
 * command is atomic already; none sends nothing).
 *
 * A replica receives the dataset as an RDB file (the snapshot the server passes in, made by
 * `rdb/dataset.ts` at attach time) and then the stream.
 *
 * @packageDocumentation
 */
import type { Reply } from './reply';

type Arg = Buffer | string;


/** What commands see of the replication stream. */
export interface ReplicationView {
  /** Number of attached replicas (INFO connected_slaves). */
  readonly replicas: number;
  /**
   * SYNC / PSYNC: sends `reply`'s client the snapshot (after `preamble`, e.g. PSYNC's
   * +FULLRESYNC line) and from then on the stream.
   */
  attach(reply: Reply, preamble?: string): void;
}

export class ReplicationFeed implements ReplicationView {
  private readonly attached = new Set<Reply>();
  private lastDb = -1;
  /** Inside EXEC: the propagated commands, sent when the transaction ends. */
  private pending: [number, readonly Arg[]][] | null = null;

  /** `snapshot`: the dataset as an RDB file, in pieces (made synchronously, when a replica attaches). */
  constructor(private readonly snapshot: () => readonly Buffer[]) {}

  /** True when a replica listens (the dispatcher's test before propagating). */
  get active(): boolean {
    return this.attached.size !== 0;
  }

  get replicas(): number {
    return this.attached.size;
  }

  attach(reply: Reply, preamble = ''): void {
    const rdb = this.snapshot();
    const length = rdb.reduce((n, piece) => n + piece.length, 0);
    reply.raw(Buffer.from(`${preamble}$${length}\r\n`, 'latin1'));
    for (const piece of rdb) reply.raw(piece);
    this.attached.add(reply);
    // A new replica knows no selected database: the next command starts with SELECT.
    this.lastDb = -1;
  }

  /** A replica's connection went away. */
  detach(reply: Reply): void {
    this.attached.delete(reply);
  }

  beginTransaction(): void {
    if (this.active) this.pending = [];
  }

  endTransaction(): void {
    const pending = this.pending;
    this.pending = null;
    if (pending === null || pending.length === 0) return;
    if (pending.length === 1) return this.send(pending[0][0], pending[0][1]);
    this.send(pending[0][0], ['MULTI']);
    for (const [db, argv] of pending) this.send(db, argv);
    this.send(this.lastDb, ['EXEC']);
  }

  /** One propagated command, in database `dbIndex`. */
  feed(dbIndex: number, argv: readonly Arg[]): void {
    if (!this.active) return;
    if (this.pending !== null) this.pending.push([dbIndex, argv.map((a) => (typeof a === 'string' ? a : Buffer.from(a)))]);
    else this.send(dbIndex, argv);
  }

  private send(dbIndex: number, argv: readonly Arg[]): void {
    if (dbIndex !== this.lastDb) {
      this.lastDb = dbIndex;
      this.send(dbIndex, ['SELECT', String(dbIndex)]);
    }
    let head = `*${argv.length}\r\n`;
    const parts: Buffer[] = [];
    for (const a of argv) {
      const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
      parts.push(Buffer.from(`${head}$${b.length}\r\n`, 'latin1'), b, CRLF);
      head = '';
    }
    const bytes = Buffer.concat(parts);
    for (const r of this.attached) r.raw(bytes);
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

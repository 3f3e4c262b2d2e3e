/**
 * The master's replication stream as bytes (Redis's replicationFeedSlaves): every change the
 * server propagates — what the AOF logs — as a RESP command, with SELECT when the database
 * changes. A transaction's changes are wrapped in MULTI/EXEC only when there are several (Redis
 * 7's propagatePendingCommands: one command is atomic already; none sends nothing).
 *
 * @packageDocumentation
 */

/** One argument of a propagated command (strings are latin1: one char per byte, like keys). */
export type Arg = Buffer | string;

const CRLF = Buffer.from('\r\n', 'latin1');

/** A command as RESP bytes (a multibulk of bulk strings). */
export function encodeCommand(argv: readonly Arg[]): Buffer {
  let head = `*${argv.length}\r\n`;
  const parts: Buffer[] = [];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`${head}$${b.length}\r\n`, 'latin1'), b, CRLF);
    head = '';
  }
  return Buffer.concat(parts);
}

/** Turns propagated commands into stream bytes, handed to `out`. */
export class StreamEncoder {
  /** The database the stream last selected (-1: the next command starts with SELECT). */
  lastDb = -1;
  /** Inside EXEC or a script: the propagated commands, sent when the unit ends. */
  private pending: [number, Buffer | readonly Arg[]][] | null = null;

  constructor(private readonly out: (bytes: Buffer) => void) {}

  beginTransaction(): void {
    this.pending = [];
  }

  /** Drops the unit being collected (the server stopped being a master in the middle of it). */
  discardTransaction(): void {
    this.pending = null;
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

  /**
   * One propagated command in database `dbIndex`; -1 for commands outside any database (PING,
   * REPLCONF GETACK), which never cause a SELECT.
   */
  feed(dbIndex: number, argv: readonly Arg[]): void {
    // The argv Buffers may be views into a read buffer that is reused before the unit ends.
    if (this.pending !== null) this.pending.push([dbIndex, encodeCommand(argv)]);
    else this.send(dbIndex, argv);
  }

  private send(dbIndex: number, argv: Buffer | readonly Arg[]): void {
    if (dbIndex >= 0 && dbIndex !== this.lastDb) {
      this.lastDb = dbIndex;
      this.out(encodeCommand(['SELECT', String(dbIndex)]));
    }
    this.out(Buffer.isBuffer(argv) ? argv : encodeCommand(argv));
  }
}

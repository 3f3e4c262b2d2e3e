/**
 * Applying the master's stream on a replica (Redis's processInputBuffer for the master client):
 * each command runs as the master's client, whose replies are dropped; the offset advances by
 * each complete command's bytes (reploff), a transaction's only at its EXEC, so REPLCONF ACK and
 * PSYNC report exactly what was applied;
 * the applied bytes go, unchanged, into our backlog and to our own replicas, which therefore see
 * the master's offsets.
 *
 * @packageDocumentation
 */
import type { Client } from '../client';
import type { ReplicationHost } from './host';

export class StreamApplier {
  /** The offset of the last complete command applied (reploff). */
  offset: number;
  /** Bytes read from the master (read_reploff), complete commands or not. */
  readOffset: number;
  /** Bytes read past {@link StreamApplier.offset} (an unfinished command or transaction), proxied once it is applied. */
  private carry: Buffer[] = [];
  private carryLength = 0;

  constructor(
    private readonly host: ReplicationHost,
    readonly client: Client,
    offset: number,
    /** Receives the applied bytes (our backlog and replicas). */
    private readonly proxy: (bytes: Buffer) => void,
  ) {
    this.offset = this.readOffset = offset;
  }

  /**
   * Applies the complete commands of `data` from `start`; returns how far `data` was consumed
   * (the rest is presented again with the next bytes). Throws the parser's `ProtocolError`
   * for bytes that are not RESP commands.
   */
  apply(data: Buffer, start: number): number {
    const host = this.host;
    const c = this.client;
    const parser = c.parser;
    // Offset of data[0] as counted from the last applied command.
    const base = this.offset + this.carryLength - start;
    let pos = start;
    let boundary = start;
    host.current = c;
    try {
      while (pos < data.length) {
        const end = parser.parse(data, pos);
        if (end < 0) {
          pos = parser.consumed;
          break;
        }
        pos = end;
        const argv = parser.argv;
        if (argv.length !== 0) {
          if (parser.nameStart >= 0) argv[0] = data.subarray(parser.nameStart, parser.nameEnd);
          const def = host.lookup(argv[0]);
          if (def !== undefined) argv[0] = Buffer.from(def.name, 'latin1');
          const errors = host.commandStats.totalErrors;
          host.execute(c, argv, def);
          if (host.commandStats.totalErrors > errors) this.errorToMaster(def?.name ?? '<unknown>');
          // The master's client gets no replies (REPLCONF ACK is written to the link directly).
          c.out.discard();
          c.reply.discard();
        }
        // Inside MULTI nothing is applied until EXEC: if the link breaks first, the queued
        // commands are lost with the client, and the master resends them from this offset.
        if (c.multi !== null) continue;
        boundary = end;
        this.offset = base + end;
      }
    } finally {
      host.current = null;
    }
    this.readOffset = base + pos;
    this.forward(data, start, boundary, pos);
    return pos;
  }

  /**
   * A command of the stream answered with an error (Redis's afterErrorReply for the master
   * client): the datasets may have diverged, which is logged and counted.
   */
  private errorToMaster(command: string): void {
    const stats = this.host.commandStats;
    stats.unexpectedErrors++;
    // Redis quotes at most 4096 bytes of the error.
    const error = stats.lastError.slice(0, 4096);
    this.host.log.warn(`== CRITICAL == This replica is sending an error to its master: '${error}' after processing the command '${command}'`);
  }

  /** Proxies the bytes applied in this call; keeps those of an unfinished command or transaction. */
  private forward(data: Buffer, start: number, boundary: number, consumed: number): void {
    if (boundary > start) {
      const parts = this.carry;
      parts.push(data.subarray(start, boundary));
      // A copy: `data` is the reactor's buffer, valid only during this call.
      this.proxy(parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts));
      this.carry = [];
      this.carryLength = 0;
    }
    if (consumed > boundary) {
      this.carry.push(Buffer.from(data.subarray(boundary, consumed)));
      this.carryLength += consumed - boundary;
    }
  }
}

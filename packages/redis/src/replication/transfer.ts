/**
 * Receiving a full sync's RDB payload (Redis's readSyncBulkPayload): after `+FULLRESYNC` the
 * master may send bare newlines (keep-alives while it prepares the snapshot), then either
 * `$<length>\r\n` and that many bytes (disk-based sync), or `$EOF:<40-byte mark>\r\n`, the
 * bytes, and the mark again (diskless sync, length unknown in advance). The EOF form may be
 * handed on as it arrives instead of kept (a diskless load, `diskless-load.ts`): the last 40
 * bytes are held back until more come, since they may be the mark.
 *
 * @packageDocumentation
 */

/** The length of the diskless end mark (Redis's RDB_EOF_MARK_SIZE). */
export const EOF_MARK_SIZE = 40;
/** A header line longer than this is not a bulk header (Redis reads it into a 256-byte buffer). */
const MAX_HEADER = 256;

/** One payload being received. */
export class RdbTransfer {
  /** The announced length; -1 until the header arrived or for the EOF form. */
  size = -1;
  /** Bytes of payload received so far. */
  read = 0;
  /** When bytes last arrived (ms since the epoch). */
  lastIo = Date.now();
  private mark: Buffer | null = null;
  private header = '';
  private headerDone = false;
  private chunks: Buffer[] = [];
  /** Where an EOF-form payload goes as it arrives; null: it is kept and returned whole. */
  private consume: ((chunk: Buffer) => void) | null = null;
  /** The last bytes received and not handed on (they may be the mark). */
  private tailHeld = Buffer.alloc(0);

  /**
   * @param streamTo asked once when the payload turns out to be the EOF form: the consumer of
   *   its bytes, or null to keep them.
   */
  constructor(private readonly streamTo?: () => ((chunk: Buffer) => void) | null) {}

  /** The payload goes to a consumer as it arrives. */
  get streamed(): boolean {
    return this.consume !== null;
  }

  /**
   * Takes the bytes `data[start..]`; returns null while the payload is incomplete, otherwise the
   * payload (empty when {@link RdbTransfer.streamed}) and where in `data` the bytes after it
   * start. Throws on a malformed header.
   */
  push(data: Buffer, start: number): { payload: Buffer; rest: number } | null {
    this.lastIo = Date.now();
    let pos = start;
    while (!this.headerDone && pos < data.length) {
      const nl = data.indexOf(10, pos);
      const end = nl < 0 ? data.length : nl;
      this.header += data.latin1Slice(pos, end);
      if (this.header.length > MAX_HEADER) throw new Error('bad protocol from MASTER: header line too long');
      pos = end;
      if (nl < 0) return null;
      pos++;
      const line = this.header.endsWith('\r') ? this.header.slice(0, -1) : this.header;
      this.header = '';
      // A keep-alive newline.
      if (line === '') continue;
      if (line[0] === '-') throw new Error(`MASTER aborted replication with an error: ${line.slice(1)}`);
      if (line[0] !== '$') throw new Error(`bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      if (line.startsWith('$EOF:') && line.length === 5 + EOF_MARK_SIZE) {
        this.mark = Buffer.from(line.slice(5), 'latin1');
        this.consume = this.streamTo?.() ?? null;
      } else if (/^\$\d+$/.test(line)) this.size = Number(line.slice(1));
      else throw new Error(`bad bulk length from MASTER: '${line}'`);
      this.headerDone = true;
    }
    if (!this.headerDone) return null;
    if (this.mark === null) {
      const take = Math.min(this.size - this.read, data.length - pos);
      if (take > 0) this.chunks.push(Buffer.from(data.subarray(pos, pos + take)));
      this.read += take;
      if (this.read < this.size) return null;
      return { payload: Buffer.concat(this.chunks, this.size), rest: pos + take };
    }
    if (this.consume !== null) return this.handOn(data, pos);
    if (pos < data.length) this.chunks.push(Buffer.from(data.subarray(pos)));
    this.read += data.length - pos;
    // Nothing follows the mark until we acknowledge (Redis starts the stream after the first ACK),
    // so the mark is at the end of what arrived.
    if (this.read < EOF_MARK_SIZE || !this.tail().equals(this.mark)) return null;
    const all = Buffer.concat(this.chunks, this.read);
    return { payload: all.subarray(0, all.length - EOF_MARK_SIZE), rest: data.length };
  }

  /** The streamed form: all but the last {@link EOF_MARK_SIZE} bytes go to the consumer. */
  private handOn(data: Buffer, pos: number): { payload: Buffer; rest: number } | null {
    this.read += data.length - pos;
    const joined = Buffer.concat([this.tailHeld, data.subarray(pos)]);
    const keep = Math.min(EOF_MARK_SIZE, joined.length);
    if (joined.length > keep) this.consume!(joined.subarray(0, joined.length - keep));
    // A copy: `data` is the connection's buffer, reused once this returns.
    this.tailHeld = Buffer.from(joined.subarray(joined.length - keep));
    if (!this.tailHeld.equals(this.mark!)) return null;
    return { payload: Buffer.alloc(0), rest: data.length };
  }

  /** The last {@link EOF_MARK_SIZE} bytes received (without joining every chunk each time). */
  private tail(): Buffer {
    const parts: Buffer[] = [];
    let need = EOF_MARK_SIZE;
    for (let i = this.chunks.length - 1; i >= 0 && need > 0; i--) {
      const chunk = this.chunks[i];
      const part = chunk.subarray(Math.max(0, chunk.length - need));
      parts.unshift(part);
      need -= part.length;
    }
    return Buffer.concat(parts);
  }
}

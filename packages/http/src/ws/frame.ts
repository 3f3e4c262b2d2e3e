/**
 * RFC 6455 frames as a client sends them: an incremental parser that reads headers, checks every
 * frame-level rule, unmasks the payload in place and hands it on as views of the read buffer.
 */

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** RFC 6455 §7.4.1 status codes this layer sends itself. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_INVALID_DATA = 1007;
export const CLOSE_TOO_BIG = 1009;

/** A control frame's payload limit (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/**
 * A peer broke the protocol; `code` is the close code it gets (1002 protocol error, 1007 invalid
 * UTF-8, 1009 too big).
 */
export class WebSocketError extends Error {
  constructor(
    message: string,
    /** The close status sent to the peer. */
    readonly closeCode: number,
  ) {
    super(message);
    this.name = 'WebSocketError';
  }
}

/** Where the parser delivers frames. Payload views are valid only during the call. */
export interface FrameSink {
  /** A frame's header has been read; `length` payload bytes follow (possibly 0). */
  frameStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void;
  /** The next unmasked part of the current frame's payload. */
  framePayload(chunk: Buffer): void;
  /** The current frame is complete. */
  frameEnd(): void;
  /** The stream broke a rule: the parser has stopped. */
  frameError(error: WebSocketError): void;
}

/** Whether a close code may appear in a Close frame (RFC 6455 §7.4, IANA's registry for 1012-1014). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** XORs `data` with the 4-byte `mask`, starting at byte `phase` of the mask. In place. */
export function unmask(data: Buffer, mask: Buffer, phase: number): void {
  const n = data.length;
  const m0 = mask[phase & 3];
  const m1 = mask[(phase + 1) & 3];
  const m2 = mask[(phase + 2) & 3];
  const m3 = mask[(phase + 3) & 3];
  let i = 0;
  // Four bytes per step: a quarter of the loop's index arithmetic on a 16 MiB payload.
  for (const end = n - 3; i < end; i += 4) {
    data[i] ^= m0;
    data[i + 1] ^= m1;
    data[i + 2] ^= m2;
    data[i + 3] ^= m3;
  }
  for (let k = 0; i < n; i++, k++) data[i] ^= mask[(phase + k) & 3];
}

/** Largest header: 2 bytes, an 8-byte length, a 4-byte mask. */
const MAX_HEADER = 14;

/**
 * Parses the client-to-server byte stream. Each {@link FrameParser.push} takes one read; a header
 * split across reads is held (at most 14 bytes), payloads are never copied here: they are
 * unmasked in the read buffer and passed on as views.
 */
export class FrameParser {
  private readonly header = Buffer.alloc(MAX_HEADER);
  private held = 0;
  private readonly mask = Buffer.alloc(4);
  private maskPhase = 0;
  /** Payload bytes of the current frame still to come; -1 between frames. */
  private remaining = -1;
  /** A data message was started with FIN clear: only continuations (and control frames) may follow. */
  private fragmented = false;
  private stopped = false;

  constructor(
    private readonly sink: FrameSink,
    /** Largest frame payload accepted, in bytes; a larger one is refused with 1009. */
    private readonly maxPayload: number,
    /** permessage-deflate was negotiated: RSV1 marks a compressed message. */
    private readonly deflate: boolean,
  ) {}

  /** Stops parsing: nothing more is delivered (the connection is closing). */
  stop(): void {
    this.stopped = true;
  }

  /** Parses one read. */
  push(data: Buffer): void {
    const n = data.length;
    let off = 0;
    while (off < n && !this.stopped) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - off);
        const chunk = data.subarray(off, off + take);
        unmask(chunk, this.mask, this.maskPhase);
        this.maskPhase = (this.maskPhase + take) & 3;
        this.remaining -= take;
        off += take;
        this.sink.framePayload(chunk);
        if (this.remaining === 0 && !this.stopped) this.endFrame();
        continue;
      }
      if (this.held === 0) {
        // The usual case: the whole header is in this read.
        const size = n - off >= 2 ? headerSize(data[off + 1]) : 0;
        if (size > 0 && n - off >= size) {
          off += size;
          this.readHeader(data, off - size);
          continue;
        }
      }
      off += this.holdHeader(data, off);
    }
  }

  /** Copies header bytes into `header` until it is complete; returns how many it took. */
  private holdHeader(data: Buffer, off: number): number {
    let took = 0;
    const n = data.length;
    while (this.held < 2 && off + took < n) this.header[this.held++] = data[off + took++];
    if (this.held < 2) return took;
    const size = headerSize(this.header[1]);
    const copy = Math.min(size - this.held, n - off - took);
    data.copy(this.header, this.held, off + took, off + took + copy);
    this.held += copy;
    took += copy;
    if (this.held === size) {
      this.held = 0;
      this.readHeader(this.header, 0);
    }
    return took;
  }

  private readHeader(h: Buffer, at: number): void {
    const b0 = h[at];
    const b1 = h[at + 1];
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x30) !== 0) return this.fail('RSV2 and RSV3 must be clear', CLOSE_PROTOCOL_ERROR);
    if ((b1 & 0x80) === 0) return this.fail('a client frame must be masked', CLOSE_PROTOCOL_ERROR);
    const control = (opcode & 0x08) !== 0;
    if (control) {
      if (opcode > OP_PONG) return this.fail(`unknown opcode ${opcode}`, CLOSE_PROTOCOL_ERROR);
      if (!fin) return this.fail('a control frame must not be fragmented', CLOSE_PROTOCOL_ERROR);
      if (rsv1) return this.fail('RSV1 must be clear on a control frame', CLOSE_PROTOCOL_ERROR);
    } else if (opcode === OP_CONTINUATION) {
      if (!this.fragmented) return this.fail('a continuation frame without a message to continue', CLOSE_PROTOCOL_ERROR);
      if (rsv1) return this.fail('RSV1 must be clear on a continuation frame', CLOSE_PROTOCOL_ERROR);
    } else if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (this.fragmented) return this.fail('a new message before the fragmented one ended', CLOSE_PROTOCOL_ERROR);
      if (rsv1 && !this.deflate) return this.fail('RSV1 set without permessage-deflate', CLOSE_PROTOCOL_ERROR);
    } else {
      return this.fail(`unknown opcode ${opcode}`, CLOSE_PROTOCOL_ERROR);
    }
    let length = b1 & 0x7f;
    let p = at + 2;
    if (length === 126) {
      length = h.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      const high = h.readUInt32BE(p);
      if (high >= 0x80000000) return this.fail('the most significant bit of a 64-bit length must be 0', CLOSE_PROTOCOL_ERROR);
      // Past 2^53 the number is inexact, and far past any payload limit anyway.
      length = high > 0x1fffff ? Infinity : high * 2 ** 32 + h.readUInt32BE(p + 4);
      p += 8;
    }
    if (control && length > MAX_CONTROL_PAYLOAD) return this.fail(`a control frame of ${length} bytes (at most 125)`, CLOSE_PROTOCOL_ERROR);
    if (length > this.maxPayload) return this.fail(`a frame of ${length} bytes exceeds maxPayload (${this.maxPayload})`, CLOSE_TOO_BIG);
    h.copy(this.mask, 0, p, p + 4);
    this.maskPhase = 0;
    if (!control) this.fragmented = !fin;
    this.remaining = length;
    this.sink.frameStart(opcode, fin, rsv1, length);
    if (length === 0 && !this.stopped) this.endFrame();
  }

  private endFrame(): void {
    this.remaining = -1;
    this.sink.frameEnd();
  }

  private fail(message: string, code: number): void {
    this.stopped = true;
    this.sink.frameError(new WebSocketError(message, code));
  }
}

/** The header size announced by its second byte (client frames carry a 4-byte mask). */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}

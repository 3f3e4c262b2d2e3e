import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { UpgradeSocket } from '../upgrade';
import { type DeflateParams, deflateMessage, inflateMessage } from './deflate';
import {
  CLOSE_ABNORMAL,
  CLOSE_INVALID_DATA,
  CLOSE_NO_STATUS,
  CLOSE_PROTOCOL_ERROR,
  CLOSE_TOO_BIG,
  FrameParser,
  type FrameSink,
  isValidCloseCode,
  MAX_CONTROL_PAYLOAD,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  WebSocketError,
} from './frame';
import { writeFrame } from './writer';

const EMPTY = Buffer.alloc(0);

/** Options of {@link WebSocket.send}. */
export interface SendOptions {
  /** Send a binary message (default for a Buffer) or a text one (default for a string). */
  binary?: boolean;
  /** With permessage-deflate, compress this message (default `true`; messages under the threshold never are). */
  compress?: boolean;
  /**
   * `false` sends this as a fragment of a message that the next `send` continues; the message
   * ends with the first `send` whose `fin` is not `false`. Fragmented messages are not compressed.
   */
  fin?: boolean;
}

/** The settings one connection runs with (resolved by {@link WebSocketServer}). */
export interface WebSocketSettings {
  readonly maxPayload: number;
  readonly closeTimeout: number;
}

/**
 * One WebSocket connection (RFC 6455), the server's end. Its events follow the `ws` package's:
 * `message` `(data: Buffer, isBinary: boolean)`, `close` `(code: number, reason: Buffer)`,
 * `ping`/`pong` `(data: Buffer)`, `drain`, and `error` `(WebSocketError)` when the client broke
 * the protocol (emitted only if listened to: the connection is closed with the error's code in
 * any case).
 *
 * Backpressure: {@link WebSocket.send} returns `false` once the connection's pending output
 * passes the server's `writeHighWatermark` (1 MiB by default); wait for `drain`. The core stops
 * reading from the client meanwhile, so an echo that ignores the return value stays bounded
 * too. {@link WebSocket.pause} stops reading when the application itself falls behind.
 */
export class WebSocket extends EventEmitter implements FrameSink {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** 1 (open), 2 (closing: a Close frame was sent or received) or 3 (closed). */
  readyState = WebSocket.OPEN;
  /** @internal Something arrived since the last keep-alive check. */
  alive = true;

  private readonly parser: FrameParser;
  private inControl = false;
  private frameFin = false;
  private readonly control = Buffer.alloc(MAX_CONTROL_PAYLOAD);
  private controlOpcode = 0;
  private controlLength = 0;
  private messageOpcode = 0;
  private compressed = false;
  /** A single-frame uncompressed message goes straight into a buffer of its size. */
  private whole: Buffer | null = null;
  private wholeFill = 0;
  private parts: Buffer[] = [];
  private messageLength = 0;
  private sendingFragments = false;
  private closeSent = false;
  private closeReceived = false;
  private closeCode = CLOSE_ABNORMAL;
  private closeReason = EMPTY;
  private closeTimer: NodeJS.Timeout | undefined;

  /** @internal Made by {@link WebSocketServer.handleUpgrade}. */
  constructor(
    /** The connection underneath (addresses, `outboundBuffered`). */
    readonly socket: UpgradeSocket,
    private readonly settings: WebSocketSettings,
    private readonly deflate: DeflateParams | null,
    /** The subprotocol agreed on, or `''`. */
    readonly protocol: string,
  ) {
    super();
    this.parser = new FrameParser(this, settings.maxPayload, deflate !== null);
    socket.ondata = (data) => this.parser.push(data);
    socket.ondrain = () => this.emit('drain');
    // The client half-closed without a Close frame: nothing more will come, so finish.
    socket.onend = () => socket.end();
    socket.onclose = () => this.onSocketClose();
  }

  /** The negotiated `Sec-WebSocket-Extensions` (`''` without permessage-deflate). */
  get extensions(): string {
    return this.deflate?.response ?? '';
  }

  /** Bytes queued for the client and not yet taken by the kernel. */
  get bufferedAmount(): number {
    return this.socket.outboundBuffered;
  }

  /** @internal Parses the bytes that came with the handshake request. */
  start(head: Buffer): void {
    if (head.length > 0) this.parser.push(head);
  }

  /**
   * Sends a message (or, with `fin: false`, a fragment of one). Returns `false` when the
   * output is above the high watermark (wait for `drain`) or the connection is closing (then
   * nothing is sent: see `readyState`).
   */
  send(data: string | Uint8Array, options?: SendOptions): boolean {
    if (this.closeSent || this.readyState !== WebSocket.OPEN) return false;
    const binary = options?.binary ?? typeof data !== 'string';
    const fin = options?.fin !== false;
    const opcode = this.sendingFragments ? OP_CONTINUATION : binary ? OP_BINARY : OP_TEXT;
    this.sendingFragments = !fin;
    const deflate = this.deflate;
    if (deflate !== null && fin && opcode !== OP_CONTINUATION && options?.compress !== false) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (bytes.length >= deflate.threshold) return writeFrame(this.socket, opcode, true, true, deflateMessage(deflate, bytes));
    }
    return writeFrame(this.socket, opcode, fin, false, data);
  }

  /** Sends a Ping (at most 125 bytes of data); the client answers with a Pong (`pong` event). */
  ping(data: string | Uint8Array = EMPTY): void {
    this.sendControl(OP_PING, data);
  }

  /** Sends an unsolicited Pong (Pings are answered automatically). */
  pong(data: string | Uint8Array = EMPTY): void {
    this.sendControl(OP_PONG, data);
  }

  private sendControl(opcode: number, data: string | Uint8Array): void {
    const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (length > MAX_CONTROL_PAYLOAD) throw new RangeError(`a control frame carries at most 125 bytes, not ${length}`);
    if (!this.closeSent && this.readyState === WebSocket.OPEN) writeFrame(this.socket, opcode, true, false, data);
  }

  /**
   * Starts the closing handshake: sends a Close frame with `code` (1000, 1001-1003, 1007-1014 or
   * 3000-4999; none sends an empty Close) and `reason` (at most 123 bytes of UTF-8), then
   * closes the connection when the client answers, or after `closeTimeout`.
   */
  close(code?: number, reason: string | Buffer = EMPTY): void {
    if (code !== undefined && !isValidCloseCode(code)) throw new RangeError(`invalid close code ${code}`);
    const why = typeof reason === 'string' ? Buffer.from(reason) : reason;
    if (why.length > MAX_CONTROL_PAYLOAD - 2) throw new RangeError(`a close reason has at most 123 bytes, not ${why.length}`);
    if (why.length > 0 && code === undefined) throw new TypeError('a close reason needs a code');
    if (this.readyState !== WebSocket.OPEN || this.closeSent) return;
    this.sendClose(code, why);
    this.readyState = WebSocket.CLOSING;
    if (this.closeReceived) {
      this.socket.end();
    } else {
      this.closeTimer = setTimeout(() => this.socket.end(), this.settings.closeTimeout);
      this.closeTimer.unref();
    }
  }

  /** Closes the connection without a closing handshake (pending output is still written). */
  terminate(): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSING;
    this.parser.stop();
    this.socket.end();
  }

  /** Stops reading from the client (messages already read are still delivered). */
  pause(): void {
    this.socket.pause();
  }

  /** Reads again after {@link WebSocket.pause}. */
  resume(): void {
    this.socket.resume();
  }

  private sendClose(code: number | undefined, reason: Buffer): void {
    this.closeSent = true;
    if (code === undefined) {
      writeFrame(this.socket, OP_CLOSE, true, false, EMPTY);
      return;
    }
    const payload = Buffer.allocUnsafe(2 + reason.length);
    payload.writeUInt16BE(code, 0);
    reason.copy(payload, 2);
    writeFrame(this.socket, OP_CLOSE, true, false, payload);
  }

  /** @internal */
  frameStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void {
    this.alive = true;
    if (opcode >= OP_CLOSE) {
      this.inControl = true;
      this.controlOpcode = opcode;
      this.controlLength = 0;
      return;
    }
    this.frameFin = fin;
    if (opcode !== OP_CONTINUATION) {
      this.messageOpcode = opcode;
      this.compressed = rsv1;
      this.messageLength = 0;
      if (fin && !rsv1) {
        this.whole = Buffer.allocUnsafe(length);
        this.wholeFill = 0;
      }
    }
    this.messageLength += length;
    if (this.messageLength > this.settings.maxPayload) {
      this.fail(new WebSocketError(`a message of more than ${this.settings.maxPayload} bytes (maxPayload)`, CLOSE_TOO_BIG));
    }
  }

  /** @internal */
  framePayload(chunk: Buffer): void {
    if (this.inControl) {
      chunk.copy(this.control, this.controlLength);
      this.controlLength += chunk.length;
    } else if (this.whole !== null) {
      chunk.copy(this.whole, this.wholeFill);
      this.wholeFill += chunk.length;
    } else {
      this.parts.push(Buffer.from(chunk));
    }
  }

  /** @internal */
  frameEnd(): void {
    if (this.inControl) {
      this.inControl = false;
      this.onControl(this.controlOpcode, this.control.subarray(0, this.controlLength));
    } else if (this.frameFin) {
      this.onMessage();
    }
  }

  /** @internal */
  frameError(error: WebSocketError): void {
    this.fail(error);
  }

  private onMessage(): void {
    let data: Buffer;
    if (this.whole !== null) {
      data = this.whole;
      this.whole = null;
    } else {
      const parts = this.parts;
      this.parts = [];
      if (this.compressed) {
        try {
          data = inflateMessage(parts, this.settings.maxPayload);
        } catch (error) {
          const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
          this.fail(tooBig
            ? new WebSocketError(`a message inflating to more than ${this.settings.maxPayload} bytes (maxPayload)`, CLOSE_TOO_BIG)
            : new WebSocketError(`invalid compressed data: ${(error as Error).message}`, CLOSE_INVALID_DATA));
          return;
        }
      } else {
        data = parts.length === 1 ? parts[0] : Buffer.concat(parts, this.messageLength);
      }
    }
    const text = this.messageOpcode === OP_TEXT;
    if (text && !isUtf8(data)) {
      this.fail(new WebSocketError('a text message that is not valid UTF-8', CLOSE_INVALID_DATA));
      return;
    }
    this.emit('message', data, !text);
  }

  private onControl(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      if (!this.closeSent) writeFrame(this.socket, OP_PONG, true, false, payload);
      this.emit('ping', Buffer.from(payload));
    } else if (opcode === OP_PONG) {
      this.emit('pong', Buffer.from(payload));
    } else {
      this.onClose(payload);
    }
  }

  private onClose(payload: Buffer): void {
    if (payload.length === 1) return this.fail(new WebSocketError('a Close frame with a 1-byte body', CLOSE_PROTOCOL_ERROR));
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : CLOSE_NO_STATUS;
    if (payload.length >= 2 && !isValidCloseCode(code)) return this.fail(new WebSocketError(`invalid close code ${code}`, CLOSE_PROTOCOL_ERROR));
    const reason = payload.length > 2 ? Buffer.from(payload.subarray(2)) : EMPTY;
    if (!isUtf8(reason)) return this.fail(new WebSocketError('a close reason that is not valid UTF-8', CLOSE_INVALID_DATA));
    this.closeReceived = true;
    this.closeCode = code;
    this.closeReason = reason;
    this.parser.stop();
    // Echo the code (RFC 6455 §5.5.1); the server then closes the TCP connection first (§7.1.1).
    if (!this.closeSent) this.sendClose(code === CLOSE_NO_STATUS ? undefined : code, EMPTY);
    this.readyState = WebSocket.CLOSING;
    this.socket.end();
  }

  /** Fails the connection (RFC 6455 §7.1.7): a Close frame with the error's code, then the end. */
  private fail(error: WebSocketError): void {
    this.parser.stop();
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (this.readyState === WebSocket.CLOSED) return;
    if (!this.closeSent) {
      // The reason is for people reading traces; it must fit a control frame.
      let reason = Buffer.from(error.message);
      if (reason.length > MAX_CONTROL_PAYLOAD - 2) reason = reason.subarray(0, MAX_CONTROL_PAYLOAD - 2);
      if (!isUtf8(reason)) reason = EMPTY;
      this.sendClose(error.closeCode, reason);
      this.closeCode = error.closeCode;
    }
    this.readyState = WebSocket.CLOSING;
    this.socket.end();
  }

  private onSocketClose(): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    this.parser.stop();
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.whole = null;
    this.parts = [];
    this.emit('close', this.closeCode, this.closeReason);
  }
}

/** The events of a {@link WebSocket}, typed. */
export interface WebSocket {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'drain', listener: () => void): this;
  on(event: 'error', listener: (error: WebSocketError) => void): this;
  once(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
  once(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  once(event: 'drain', listener: () => void): this;
  once(event: 'error', listener: (error: WebSocketError) => void): this;
}

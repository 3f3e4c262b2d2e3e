import type { Addr, Output, TlsInfo } from '@nevio/core';
import type { Request } from './request';

/** The part of a nevio connection an upgraded protocol drives (a nevio `Conn` in production). */
export interface UpgradeWire {
  write(data: Output): unknown;
  close(): void;
  pause(): void;
  resume(): void;
  readonly outboundBuffered: number;
  readonly remoteAddr?: Addr;
  readonly localAddr?: Addr;
  readonly tls?: TlsInfo;
}

/**
 * A connection handed over by an `upgrade` listener (see {@link HttpServer.on}): from here on its
 * bytes belong to the new protocol (WebSocket, ...). Reads arrive in {@link UpgradeSocket.ondata},
 * one call per read, as views valid only during the call (copy what you keep), the same contract
 * as nevio's `react`.
 */
export class UpgradeSocket {
  /** Called with each read. The buffer is reused after the call returns. */
  ondata: ((data: Buffer) => void) | null = null;
  /** Output fell to the low watermark after passing the high one: write more. */
  ondrain: (() => void) | null = null;
  /** The client finished sending (FIN); the connection stays open for writing until closed. */
  onend: (() => void) | null = null;
  /** The connection is gone. */
  onclose: (() => void) | null = null;
  /** Whether the connection is closed. */
  closed = false;
  private readonly high: number;
  private readonly checkEvery: number;
  /** Bytes written since the pending output was last asked for. */
  private unchecked = 0;
  /** The output was above the high watermark when last asked (until the next `drained`). */
  private over = false;

  /** @internal */
  constructor(
    private readonly wire: UpgradeWire,
    highWatermark: number,
  ) {
    this.high = highWatermark;
    this.checkEvery = highWatermark / 16;
  }

  /** The client's address, as Node's `socket.remoteAddress`. */
  get remoteAddress(): string | undefined {
    return this.wire.remoteAddr?.address;
  }

  /** The client's port. */
  get remotePort(): number | undefined {
    return this.wire.remoteAddr?.port;
  }

  /** The server's port. */
  get localPort(): number | undefined {
    return this.wire.localAddr?.port;
  }

  /** Whether the connection is TLS. */
  get encrypted(): boolean {
    return this.wire.tls !== undefined;
  }

  /** Bytes queued and not yet written to the socket. */
  get outboundBuffered(): number {
    return this.wire.outboundBuffered;
  }

  /**
   * Queues `data`. Returns `false` when the output is above the high watermark (or the connection
   * is closed): wait for {@link UpgradeSocket.ondrain} before writing more. The pending output
   * is asked of the reactor once per 1/16 of the watermark written (64 KiB by default), not on
   * every write: a native call per 64-byte WebSocket message cost more than the check is worth.
   */
  write(data: Output): boolean {
    if (this.closed) return false;
    this.wire.write(data);
    this.unchecked += data.length;
    if (this.unchecked < this.checkEvery) return !this.over;
    this.unchecked = 0;
    this.over = this.wire.outboundBuffered > this.high;
    return !this.over;
  }

  /** Closes the connection once pending output is written. */
  end(): void {
    if (!this.closed) this.wire.close();
  }

  /** Stops reading (backpressure towards the client). */
  pause(): void {
    if (!this.closed) this.wire.pause();
  }

  /** Reads again after {@link UpgradeSocket.pause}. */
  resume(): void {
    if (!this.closed) this.wire.resume();
  }

  /** @internal The core's `drained`: output fell to the low watermark. */
  drained(): void {
    this.over = false;
    this.unchecked = 0;
    this.ondrain?.();
  }

  /** @internal */
  closedByPeer(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/**
 * Takes over a connection whose request asked for `Upgrade` (and `Connection: upgrade`). `head`
 * holds the bytes the client sent after the request (a copy, the listener's to keep). Without a
 * listener, such a request goes to the request handler like any other and the connection closes
 * after its response, as in Node's http.
 */
export type UpgradeListener = (req: Request, socket: UpgradeSocket, head: Buffer) => void;

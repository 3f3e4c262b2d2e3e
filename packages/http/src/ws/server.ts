import { EventEmitter } from 'node:events';
import type { Request } from '../request';
import type { UpgradeSocket } from '../upgrade';
import type { PerMessageDeflateOptions } from './deflate';
import { CLOSE_GOING_AWAY } from './frame';
import { handshake, type ProtocolChooser } from './handshake';
import { WebSocket, type WebSocketSettings } from './websocket';

/** Options of {@link WebSocketServer}. */
export interface WebSocketOptions {
  /**
   * Largest message (and frame) accepted, in bytes, after decompression; a larger one closes the
   * connection with 1009. Default 64 MiB: a 16 MiB message with room to spare, a quarter of the
   * core's `maxInbound`.
   */
  maxPayload?: number;
  /**
   * Offer permessage-deflate (RFC 7692) to clients that ask for it: `true` for the defaults, or
   * its parameters. Default `false`, as `ws`. Agreements are always without context takeover.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Chooses the subprotocol among those a client offers (`Sec-WebSocket-Protocol`). Default: none. */
  handleProtocols?: ProtocolChooser;
  /**
   * Milliseconds between keep-alive checks: a connection that sent nothing since the last check
   * is pinged, and one that stayed silent through a whole interval after a ping is closed.
   * Default 0: off.
   */
  keepAlive?: number;
  /** Milliseconds {@link WebSocket.close} waits for the client's Close before closing anyway. Default 5 s. */
  closeTimeout?: number;
}

function positive(name: string, value: number | undefined, fallback: number, zero = false): number {
  if (value === undefined) return fallback;
  if (!(value > 0 || (zero && value === 0)) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Accepts WebSocket connections handed over by an HTTP server's `upgrade` listener, like the
 * `ws` package's `WebSocketServer` with `noServer: true`.
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ perMessageDeflate: true });
 * const server = createServer((req, res) => res.end('hello'));
 * server.on('upgrade', (req, socket, head) => {
 *   wss.handleUpgrade(req, socket, head, (ws) => {
 *     ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
 *   });
 * });
 * await server.listen('tcp://127.0.0.1:8080');
 * ```
 */
export class WebSocketServer extends EventEmitter {
  /** The open connections. */
  readonly clients = new Set<WebSocket>();
  private readonly settings: WebSocketSettings;
  private readonly deflate: PerMessageDeflateOptions | null;
  private readonly handleProtocols: ProtocolChooser | undefined;
  private readonly keepAlive: number;
  private sweep: NodeJS.Timeout | undefined;

  constructor(options: WebSocketOptions = {}) {
    super();
    const maxPayload = positive('maxPayload', options.maxPayload, 64 << 20);
    this.settings = { maxPayload, closeTimeout: positive('closeTimeout', options.closeTimeout, 5_000) };
    const deflate = options.perMessageDeflate ?? false;
    this.deflate = deflate === false ? null : deflate === true ? {} : deflate;
    this.handleProtocols = options.handleProtocols;
    this.keepAlive = positive('keepAlive', options.keepAlive, 0, true);
  }

  /**
   * Completes the opening handshake on a connection from `server.on('upgrade')` and calls
   * `onOpen` (or emits `connection`) with the {@link WebSocket}; `head` is the listener's third
   * argument. A request that is not a valid handshake is answered with 400 (426 for another
   * protocol version) and closed.
   */
  handleUpgrade(req: Request, socket: UpgradeSocket, head: Buffer, onOpen?: (ws: WebSocket, req: Request) => void): void {
    const result = handshake(req, this.deflate, this.handleProtocols);
    socket.write(result.response);
    if (!result.ok) {
      socket.end();
      return;
    }
    const ws = new WebSocket(socket, this.settings, result.deflate, result.protocol);
    this.clients.add(ws);
    ws.once('close', () => {
      this.clients.delete(ws);
      if (this.clients.size === 0) this.stopSweep();
    });
    if (this.keepAlive > 0 && this.sweep === undefined) {
      this.sweep = setInterval(() => this.checkAlive(), this.keepAlive);
      this.sweep.unref();
    }
    if (onOpen !== undefined) onOpen(ws, req);
    else this.emit('connection', ws, req);
    ws.start(head);
  }

  /** Closes every connection with 1001 (going away). */
  close(): void {
    for (const ws of this.clients) ws.close(CLOSE_GOING_AWAY);
    this.stopSweep();
  }

  private checkAlive(): void {
    for (const ws of this.clients) {
      if (!ws.alive) {
        ws.terminate();
      } else {
        ws.alive = false;
        ws.ping();
      }
    }
  }

  private stopSweep(): void {
    if (this.sweep !== undefined) clearInterval(this.sweep);
    this.sweep = undefined;
  }
}

/** The events of a {@link WebSocketServer}, typed. */
export interface WebSocketServer {
  on(event: 'connection', listener: (ws: WebSocket, req: Request) => void): this;
}

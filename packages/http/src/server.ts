import { type Addr, AddressError, type AddressInput, type Conn, defaults, type Events, type Options, parseAddress, serve, type Server, type TlsOptions } from '@nevio/core';
import { clock } from './clock';
import { type Handler, HttpConnection, type Settings } from './connection';
import type { Request } from './request';
import type { UpgradeListener } from './upgrade';

/**
 * Options of {@link createServer}. Every option of nevio's `serve` (watermarks, `reusePort`,
 * multicore settings, `logger`, ...) is passed through to it.
 */
export interface HttpOptions extends Options {
  /** Largest request line + header block, in bytes; larger ones get 431. Default 16 KiB. */
  maxHeaderSize?: number;
  /** Most header fields per request; more get 431. Default 100. */
  maxHeaders?: number;
  /** Largest request body in bytes; larger ones get 413. `Infinity` for no limit. Default 8 MiB. */
  maxBodySize?: number;
  /**
   * Call the handler as soon as a request's headers are in, and deliver the body as it arrives
   * (`for await (const chunk of req)`). By default the handler runs once the whole body is in.
   */
  streamBody?: boolean;
  /** Milliseconds a client may take to send a complete header block (slowloris). Default 10 s. */
  headersTimeout?: number;
  /**
   * Milliseconds a client may take to send a request body once its header block is in (slow
   * uploads, slowloris on the body); then it gets 408 and the connection is closed. Time the
   * server spends not reading, because a streaming handler has not consumed what came, does not
   * count. Default 300 s, like Node's `requestTimeout`.
   */
  bodyTimeout?: number;
  /** Milliseconds an idle keep-alive connection is kept open. Default 5 s. */
  keepAliveTimeout?: number;
  /**
   * Called when a handler throws or rejects (the client gets a 500, or the connection is cut if
   * the response had started). Default: `logger.error`.
   */
  onError?(error: Error, req: Request | null): void;
}

/** A listening HTTP server, as resolved by {@link HttpServer.listen}. */
export interface ListeningServer {
  /** The bound addresses (with the ports the kernel picked for port 0). */
  readonly addrs: readonly Addr[];
  /** The first bound address, e.g. `tcp://127.0.0.1:43123`. */
  readonly addr: Addr;
  /** The first bound port. */
  readonly port: number;
  /** Open connections. */
  countConnections(): number;
  /** Stops accepting, finishes pending output, closes every connection, then resolves. */
  stop(): Promise<void>;
  /** Same as {@link ListeningServer.stop}. */
  close(): Promise<void>;
  /** Resolves when the server has stopped, whoever stopped it. */
  readonly done: Promise<void>;
  /** Replaces the TLS certificate (and settings) of its HTTPS addresses; see nevio's `Server.reloadTls`. */
  reloadTls(tls: TlsOptions): Promise<void>;
  /**
   * This event loop's index: 0 on the main thread, 1… in the worker threads that the
   * `multicore` / `numEventLoop` options start (each runs the main module, and so this `listen`,
   * again). Print banners and install signal handlers only on loop 0.
   */
  readonly loopIndex: number;
  /** How many event loops serve. */
  readonly loops: number;
}

const HTTP_OPTION_KEYS = [
  'maxHeaderSize',
  'maxHeaders',
  'maxBodySize',
  'streamBody',
  'headersTimeout',
  'bodyTimeout',
  'keepAliveTimeout',
  'onError',
] as const;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** A limit the parser counts in int32 offsets. */
function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1)) {
    throw new RangeError(`${name} must be a whole number from 1 to 2^31-1, got ${value}`);
  }
  return value;
}

/** An HTTP/1.1 server that has not started listening yet. */
export class HttpServer {
  private readonly settings: Settings;
  private readonly coreOptions: Options;

  /** @internal Use {@link createServer}. */
  constructor(handler: Handler, options: HttpOptions) {
    const logger = options.logger ?? console;
    const maxBodySize = positive('maxBodySize', options.maxBodySize, 8 << 20);
    const high = options.writeHighWatermark ?? defaults.writeHighWatermark;
    this.settings = {
      handler,
      maxHeaderSize: limit('maxHeaderSize', options.maxHeaderSize, 16 * 1024),
      maxHeaders: limit('maxHeaders', options.maxHeaders, 100),
      maxBodySize: Number.isFinite(maxBodySize) ? maxBodySize : -1,
      streamBody: options.streamBody ?? false,
      headersTimeout: positive('headersTimeout', options.headersTimeout, 10_000),
      bodyTimeout: positive('bodyTimeout', options.bodyTimeout, 300_000),
      keepAliveTimeout: positive('keepAliveTimeout', options.keepAliveTimeout, 5_000),
      // Resolved as serve resolves them, so that responses wait exactly while the core does not read.
      writeHighWatermark: high,
      writeLowWatermark: options.writeLowWatermark ?? Math.min(defaults.writeLowWatermark, high),
      fixed: { status: 0, body: '', bodyLength: 0, generation: -1, bytes: Buffer.alloc(0) },
      parsers: [],
      onError: options.onError ?? ((error) => logger.error(`@nevio/http: handler failed: ${error.stack ?? error.message}`)),
      upgrade: null,
    };
    const core: Record<string, unknown> = { ...options };
    for (const key of HTTP_OPTION_KEYS) delete core[key];
    // A client may send its request and then FIN at once (curl -T with --no-keepalive, netcat,
    // load balancers' health checks): the answer, possibly from an async handler, is still owed.
    this.coreOptions = { ...(core as Options), allowHalfOpen: true };
  }

  /**
   * Takes over connections whose request asks for a protocol upgrade (`Upgrade: websocket` with
   * `Connection: Upgrade`), as Node's `server.on('upgrade', (req, socket, head) => ...)`: such
   * requests go to `listener` instead of the handler, with an {@link UpgradeSocket} for the
   * connection and the bytes the client sent after the request. Set it before `listen`.
   *
   * @example
   * ```ts
   * server.on('upgrade', (req, socket, head) => {
   *   socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
   *   socket.ondata = (data) => socket.write(Buffer.from(data));
   * });
   * ```
   */
  on(event: 'upgrade', listener: UpgradeListener): this {
    if (event !== 'upgrade') throw new TypeError(`unknown event: ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('the upgrade listener must be a function');
    this.settings.upgrade = listener;
    return this;
  }

  /**
   * Starts listening on `addr` (a nevio address such as `tcp://127.0.0.1:8080`, a bare port
   * `8080` for the same, `tcp://:0` (every interface, a free port) or `unix:///tmp/http.sock`, or
   * several).
   *
   * @throws {@link AddressError} for a `udp://` address: HTTP/1.1 needs a byte stream, and a
   *   datagram listener would drop every request silently.
   */
  async listen(addr: AddressInput | readonly AddressInput[]): Promise<ListeningServer> {
    const addrs: readonly AddressInput[] = typeof addr === 'string' || typeof addr === 'number' ? [addr] : addr;
    for (const one of addrs) {
      const parsed = parseAddress(one);
      if (parsed.network.startsWith('udp')) throw new AddressError('HTTP needs a stream (tcp or unix), not udp', parsed.input);
    }
    const settings = this.settings;
    const connections = new Set<HttpConnection>();
    // Timeouts are checked by one sweep per server (per loop), often enough for the shortest.
    const shortest = Math.min(settings.headersTimeout, settings.bodyTimeout, settings.keepAliveTimeout);
    const sweepMs = Math.max(10, Math.min(1000, shortest / 4));
    let sweep: NodeJS.Timeout | undefined;

    const events: Events<HttpConnection> = {
      opened(conn: Conn<HttpConnection>) {
        const http = new HttpConnection(conn, settings);
        conn.context = http;
        connections.add(http);
      },
      react(conn: Conn<HttpConnection>, data: Buffer) {
        conn.context?.onData(data);
      },
      drained(conn: Conn<HttpConnection>) {
        conn.context?.onDrained();
      },
      end(conn: Conn<HttpConnection>) {
        conn.context?.onPeerEnd();
      },
      closed(conn: Conn<HttpConnection>) {
        const http = conn.context;
        if (http === undefined) return;
        connections.delete(http);
        http.onClosed();
      },
      shutdown() {
        if (sweep !== undefined) clearInterval(sweep);
        sweep = undefined;
        clock.release();
      },
    };

    clock.acquire();
    let server: Server;
    try {
      server = await serve(events, addr, this.coreOptions);
    } catch (error) {
      clock.release();
      throw error;
    }
    sweep = setInterval(() => {
      const now = clock.update();
      for (const http of connections) http.checkTimeouts(now);
    }, sweepMs);
    sweep.unref();

    return {
      addrs: server.addrs,
      addr: server.addrs[0],
      port: server.addrs[0].port,
      countConnections: () => server.countConnections(),
      stop: () => server.stop(),
      close: () => server.stop(),
      done: server.done,
      reloadTls: (tls) => server.reloadTls(tls),
      loopIndex: server.loopIndex,
      loops: server.loops,
    };
  }
}

/**
 * Creates an HTTP/1.1 server that calls `handler(req, res)` for every request.
 *
 * @example
 * ```ts
 * const server = await createServer((req, res) => res.end('Hello, World!')).listen('tcp://127.0.0.1:8080');
 * console.log(`listening on ${server.addr}`);
 * ```
 */
export function createServer(handler: Handler, options: HttpOptions = {}): HttpServer {
  return new HttpServer(handler, options);
}

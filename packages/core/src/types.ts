import type { Socket } from 'node:net';
import type { BackendChoice, BackendError, BackendName } from './backend';
import type { AddressInput } from './address';
import type { TlsInfo, TlsOptions } from './tls';

/**
 * What the reactor should do with a connection (or the whole server) after an event handler returns.
 */
export enum Action {
  /** Carry on. */
  None = 0,
  /** Close this connection once its pending output has been written. */
  Close = 1,
  /** Stop the whole server gracefully (same as {@link Server.stop}). */
  Shutdown = 2,
  /**
   * Take the socket out of the reactor and hand it to the application as a Node `net.Socket`
   * through {@link Events.detached}. Pending output is written to the socket first and unread
   * input is pushed back into it, so no byte is lost.
   */
  Detach = 3,
}

/** Bytes to send: a Buffer/Uint8Array is copied, a string is encoded as UTF-8. */
export type Output = Uint8Array | string;

/**
 * What `opened` and `react` may return: nothing, an {@link Action}, some output, or both.
 * Returning output is the same as calling {@link Conn.write} with it.
 */
export type ReactResult = void | undefined | Action | Output | { out?: Output; action?: Action };

/**
 * A connection's address that any thread can use: plain data, safe to `postMessage` to a worker
 * thread, for {@link remoteWrite}, {@link remoteWake} and {@link remoteClose}.
 */
export interface ConnHandle {
  /** The process-wide id of the event loop that owns the connection. */
  readonly reactor: number;
  /** The connection's id within that loop. */
  readonly id: number;
}

/** How the accepting loop spreads new connections over the loops. */
export type LoadBalancing = 'round-robin' | 'least-connections' | 'source-addr-hash' | 'random';

/** A transport address, as given to `serve` and as reported for each connection. */
export interface Addr {
  /** `tcp`, `tcp4`, `tcp6`, `udp`, `udp4`, `udp6` or `unix`. */
  readonly network: Network;
  /** IP address (without brackets) or, for `unix`, the socket path. */
  readonly address: string;
  /** Port number; 0 for `unix`. */
  readonly port: number;
  /** `tcp://127.0.0.1:5000`, `tcp6://[::1]:5000`, `unix:///tmp/x.sock`. */
  toString(): string;
}

/** The transports nevio listens on. */
export type Network = 'tcp' | 'tcp4' | 'tcp6' | 'udp' | 'udp4' | 'udp6' | 'unix';

/**
 * One connection (or, for UDP, one datagram's sender) owned by the reactor.
 *
 * @typeParam C - the type of the user slot {@link Conn.context}.
 */
export interface Conn<C = unknown> {
  /** Unique among the server's open connections; may be reused after the connection closes. */
  readonly id: number;
  /** The local end (the listener's address). */
  readonly localAddr: Addr;
  /** The peer; for UDP, the datagram's sender. */
  readonly remoteAddr: Addr;
  /**
   * The socket's file descriptor while the connection is open, -1 once it is closed (unless read
   * before) and for UDP senders. For listings such as Redis's `CLIENT LIST fd=`: reading or
   * writing it behind the reactor's back breaks the connection.
   */
  readonly fd: number;
  /** Index into {@link Server.addrs} of the listener this connection came in on; -1 for a dialed one. */
  readonly listenerIndex: number;
  /** True for a connection made by {@link dial}, false for an accepted one (and UDP senders). */
  readonly outbound: boolean;
  /**
   * What a TLS connection negotiated (protocol, cipher, ALPN, SNI name, the peer's certificate);
   * undefined for a plain one. `opened` runs after the handshake, so it is known there already.
   */
  readonly tls: TlsInfo | undefined;
  /** This connection's address for other threads (see {@link remoteWrite}). */
  readonly handle: ConnHandle;
  /** A slot for the application's per-connection state. */
  context: C | undefined;
  /** True once the connection is closed or detached; writes are then rejected. */
  readonly closed: boolean;
  /** Unread inbound bytes after the read cursor (only meaningful inside `react`). */
  readonly inboundBuffered: number;
  /** Bytes queued for this connection that the kernel has not taken yet. */
  readonly outboundBuffered: number;
  /**
   * A view of the next `n` unread bytes (all of them when `n` is omitted) without consuming them.
   * Views are only valid until the handler returns: copy what you keep.
   */
  peek(n?: number): Buffer;
  /** A view of the next `n` unread bytes (all when omitted), consuming them. */
  next(n?: number): Buffer;
  /** Consumes `n` unread bytes (all when omitted); returns how many were discarded. */
  discard(n?: number): number;
  /**
   * Queues output. Inside an event handler it is written after the current batch of events, in
   * one `write`/`writev` per connection; outside one (after an `await`, in a timer) it is written
   * at once. Returns false, dropping the bytes, when the connection is closed or closing.
   */
  write(data: Output): boolean;
  /**
   * Writes from anywhere, at any time later (after an `await`, a timer, a worker's reply). `cb` is
   * called once the bytes have been handed to the socket or queued, or with an error if the
   * connection has closed.
   */
  asyncWrite(data: Output, cb?: (err?: Error) => void): void;
  /** Makes the reactor call `react` again for this connection with no new data. */
  wake(): void;
  /** Closes the connection after its pending output has been written. */
  close(): void;
  /**
   * Half-closes: sends FIN once the pending output is written, and goes on reading (the peer may
   * still answer), as Go's `CloseWrite` and Node's `socket.end()`. Later writes are refused. The
   * connection closes at the peer's FIN, or, with {@link Options.allowHalfOpen}, when `close()`
   * is called. A proxy uses it to pass a FIN on. Nothing for UDP.
   */
  closeWrite(): void;
  /**
   * Stops reading from the connection (the application's own backpressure, e.g. while a request
   * body is being consumed slowly); `resume()` reads again. Bytes keep arriving in the kernel's
   * buffer, and then the peer's.
   */
  pause(): void;
  /** Reads again after {@link Conn.pause}. */
  resume(): void;
  /** Turns Nagle's algorithm off (`true`, the default) or on. TCP only. */
  setNoDelay(noDelay: boolean): void;
  /** Enables TCP keep-alive probes after `initialDelayMs` of idleness, or disables them. */
  setKeepAlive(enable: boolean, initialDelayMs?: number): void;
}

/**
 * The callbacks of a server. Every one is optional. They run on Node's main thread, inside Node's
 * event loop: promises and timers they schedule run after the current batch, as usual.
 *
 * @typeParam C - the type of {@link Conn.context}.
 */
export interface Events<C = unknown> {
  /** The server is listening on every address; `server.addrs` has the bound ports. */
  serving?(server: Server): Action | void;
  /** A stream connection was accepted. May return a greeting and/or an action. */
  opened?(conn: Conn<C>): ReactResult;
  /**
   * Bytes arrived. `data` is a view of every unread byte of the connection (what an earlier call
   * left unconsumed followed by what just arrived); it is only valid until the handler returns.
   *
   * By default everything in `data` is consumed when the handler returns. A handler that parses
   * frames calls {@link Conn.next} / {@link Conn.discard} (or {@link Conn.peek}) instead: from the
   * first such call on, exactly the bytes before the read cursor are consumed, and the rest are
   * kept and handed over again, followed by new bytes, on the next call.
   *
   * For UDP it is called once per datagram, with `conn.remoteAddr` the sender; output goes back
   * to the sender.
   */
  react?(conn: Conn<C>, data: Buffer): ReactResult;
  /**
   * With {@link Options.allowHalfOpen}: the peer finished sending (FIN) but can still receive.
   * Write what you owe it, then `conn.close()`. Without this handler the connection is closed
   * once its pending output is written.
   */
  end?(conn: Conn<C>): Action | void;
  /** The stream connection closed; `err` is set when it closed because of an error. */
  closed?(conn: Conn<C>, err?: Error): Action | void;
  /** The connection left the reactor after {@link Action.Detach}; the socket is now yours. */
  detached?(conn: Conn<C>, socket: Socket): Action | void;
  /**
   * Called right after `serving` and then again after each returned delay (milliseconds).
   * Returning nothing stops the ticker.
   */
  tick?(): number | { delay: number; action?: Action } | void;
  /** Called for each connection with output queued in a batch, just before it is written. */
  preWrite?(conn: Conn<C>): void;
  /**
   * The connection's pending output fell to `writeLowWatermark` after exceeding
   * `writeHighWatermark`: a writer that stopped producing can go on (like a stream's `drain`).
   */
  drained?(conn: Conn<C>): void;
  /** The server has stopped: every listener and connection is closed. */
  shutdown?(server: Server): void;
  /**
   * A handler threw, or a connection failed. The connection concerned (if any) is closed; the
   * server stays up. Without this handler, errors go to `options.logger`.
   */
  error?(err: Error, conn?: Conn<C>): void;
}

/**
 * The callbacks of a dialed connection ({@link dial}): those of {@link Events} that concern one
 * connection. `opened` runs once the connection is established, before `dial`'s promise resolves.
 */
export type DialEvents<C = unknown> = Pick<Events<C>, 'opened' | 'react' | 'end' | 'closed' | 'detached' | 'preWrite' | 'drained' | 'error'>;

/** Options of {@link dial}. */
export interface DialOptions<C = unknown> {
  /**
   * Milliseconds the connect may take before it fails with `ETIMEDOUT`; 0 waits as long as the
   * kernel does (minutes for an unanswered TCP SYN). Default {@link Defaults.dialTimeout} (30 s).
   */
  timeout?: number;
  /** The initial {@link Conn.context}, set before `opened` runs. */
  context?: C;
  /**
   * Speak TLS (also implied by a `tls://` address): the connection opens, and `dial` resolves,
   * once the handshake has completed and the server's certificate verified against `tls.ca`
   * (default: Node's root certificates) for `tls.servername` (default: the host dialed). A
   * failed handshake rejects with a {@link TlsError}. The options object is read once and its
   * native context reused by later dials given the same object.
   */
  tls?: TlsOptions;
}

/** Where nevio reports errors it cannot hand to an `error` event. */
export interface Logger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
}

/** Options of {@link serve}. The numeric defaults are exported as {@link defaults}. */
export interface Options {
  /** SO_REUSEADDR on listeners. Default `true`. */
  reuseAddr?: boolean;
  /** TCP_NODELAY on accepted connections. Default `true`. */
  tcpNoDelay?: boolean;
  /** TCP keep-alive idle time in milliseconds for accepted connections; 0 (default) = off. */
  tcpKeepAlive?: number;
  /** listen(2) backlog. Default 511. */
  backlog?: number;
  /** Largest single read per connection per wakeup (the starvation budget). Default 64 KiB. */
  readChunk?: number;
  /**
   * When a connection's pending output exceeds this many bytes the reactor stops reading from
   * it, until the output drains below {@link Options.writeLowWatermark}. Default 1 MiB.
   */
  writeHighWatermark?: number;
  /** See {@link Options.writeHighWatermark}. Default 256 KiB. */
  writeLowWatermark?: number;
  /**
   * Keep a connection open for writing after the peer's FIN and report it with the `end` event
   * (for protocols whose answers may come after the client stopped sending, like HTTP with
   * async handlers). Default `false`: the connection closes once its pending output is written.
   */
  allowHalfOpen?: boolean;
  /** Unconsumed input beyond this many bytes closes the connection with `ENOBUFS`. Default 256 MiB. */
  maxInbound?: number;
  /** Milliseconds {@link Server.stop} waits for output to drain before closing connections anyway. Default 10 s. */
  stopTimeout?: number;
  /**
   * Milliseconds a closed connection waits for the peer's FIN once its output is written and its
   * own FIN sent, reading and dropping whatever the peer still sends: closing a socket with input
   * unread makes the kernel answer with RST, which destroys output still in flight. Default 5 s.
   * Connections closed by {@link Server.stop} wait up to `stopTimeout` instead.
   */
  lingerTimeout?: number;
  /** Where errors without an `error` handler go. Default: `console`. */
  logger?: Logger;
  /**
   * Run one event loop per CPU core (`os.availableParallelism()`). See {@link Options.numEventLoop}.
   */
  multicore?: boolean;
  /**
   * Number of event loops. Loop 0 runs on the main thread and accepts; the others run in worker
   * threads, each of which loads the program's main module again (like Node's `cluster`), so its
   * `serve` call joins as a loop with the same handlers. Each loop has its own JavaScript heap:
   * share state through a database, `SharedArrayBuffer`s or messages, not module variables.
   */
  numEventLoop?: number;
  /** How loop 0 spreads accepted connections over the loops. Default `round-robin`. */
  lb?: LoadBalancing;
  /**
   * With several loops on Linux: every loop opens its own listeners with SO_REUSEPORT and the
   * kernel spreads connections (and UDP datagrams) instead of loop 0. Elsewhere (BSD, macOS, whose
   * SO_REUSEPORT does not balance) loop 0 accepts and hands connections over as without it.
   */
  reusePort?: boolean;
  /** The module worker-thread loops load; default: the program's main module. */
  workerModule?: string;
  /**
   * Every TCP and unix listener reads a PROXY protocol header (HAProxy's v1 text or v2 binary)
   * first on each connection from a trusted peer ({@link Options.proxyTrusted}), before
   * `opened` runs, and reports the client it names as `conn.remoteAddr` (and the address the
   * client connected to as `conn.localAddr`). A malformed header closes that connection with a
   * `ProxyProtocolError`. Peers that are not trusted are served as plain connections, their
   * own address stands, and a header they send is ordinary data. One listener: the address
   * query `?proxyprotocol=true`. Default `false`.
   */
  proxyProtocol?: boolean;
  /**
   * Whose PROXY headers are believed: IP addresses, CIDR networks (`10.0.0.0/8`), and `unix`
   * for unix-socket peers. Default: loopback (`127.0.0.0/8`, `::1/128`).
   */
  proxyTrusted?: readonly string[];
  /**
   * The reactor's I/O mechanism: `epoll` (Linux) / `kqueue` (macOS, BSD), `io_uring` (Linux with
   * io_uring allowed, on an addon built with liburing), or `auto`: io_uring where it works,
   * otherwise the readiness poller with one warning saying why (an old kernel,
   * `kernel.io_uring_disabled`, a seccomp profile, RLIMIT_MEMLOCK). A forced `io_uring` that
   * cannot work makes `serve` throw a {@link BackendError} naming the reason. Default: the
   * environment variable `NEVIO_BACKEND`, else the readiness poller. {@link Server.backend}
   * tells which one runs.
   */
  backend?: BackendChoice;
  /** Exit the process with code 1 when a worker loop dies. Default `false`: report it and go on. */
  exitOnLoopError?: boolean;
  /**
   * Certificates and TLS settings for the addresses that speak TLS (`tls://host:port`, or a
   * `?tls=true` query). The handshake runs in the reactor; `opened` runs once it has completed.
   * A client that fails it (plaintext, a bad certificate, no ClientHello within
   * `handshakeTimeout`) is closed and reported to the `error` event as a {@link TlsError}.
   * {@link Server.reloadTls} replaces them without a restart.
   */
  tls?: TlsOptions;
}

/** A running server, as resolved by {@link serve}. */
export interface Server {
  /** The listening addresses, with the ports the kernel picked for port 0. */
  readonly addrs: readonly Addr[];
  /** Open stream connections, over every loop. */
  countConnections(): number;
  /**
   * Stops gracefully: stops accepting and presenting input, writes every connection's pending
   * output, sends FIN and closes each connection at the peer's FIN (or after `lingerTimeout`),
   * calls `shutdown`, then resolves. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
  /** Resolves when the server has stopped, whoever stopped it. */
  readonly done: Promise<void>;
  /** This loop's index: 0 on the main thread, 1… in worker-thread loops. */
  readonly loopIndex: number;
  /** How many event loops serve (1 unless `multicore`/`numEventLoop`). */
  readonly loops: number;
  /** The I/O mechanism this loop's reactor runs on (see {@link Options.backend}). */
  readonly backend: BackendName;
  /** Open connections per loop, indexed by loop. */
  loopConnections(): number[];
  /**
   * Replaces the TLS settings (typically a renewed certificate and key) of every TLS address on
   * every loop, without a restart: new handshakes use them, connections already open keep
   * theirs, and session tickets issued before stay valid. Rejects, leaving the old settings in
   * place, when the new ones do not load (a key that does not match its certificate...).
   */
  reloadTls(tls: TlsOptions): Promise<void>;
  /**
   * Opens one more listener while serving, synchronously, so that a caller can answer at once
   * whether it worked (Redis's CONFIG SET port). `address` is written as for {@link serve}, with
   * an IP address or no host (there is no name lookup here); a TLS address uses the server's TLS
   * settings. Only on a server with one loop.
   *
   * @returns the listener's address (the port the kernel picked for port 0), also added to
   *   {@link Server.addrs}.
   * @throws {@link AddressError} for an address that cannot be parsed or names a host,
   *   {@link SystemCallError} when it cannot be opened (`EADDRINUSE`...), and a `NevioError`
   *   (`ERR_NEVIO_OPTIONS`) on a server with several loops, one that is stopping, or a TLS address
   *   on a server without TLS settings.
   */
  listen(address: AddressInput): Addr;
  /**
   * Closes the listener at `addr` (one of {@link Server.addrs}) and removes it from there; the
   * connections it accepted stay open. False when `addr` is not a listener of this server.
   */
  closeListener(addr: Addr): boolean;
}

/**
 * The compiled reactor. This is @nevio/core's private interface to the native code; applications
 * use @nevio/core. Layouts of `records` and `ops` (four int32 per entry) are defined in
 * src/protocol.h and exported as {@link constants}.
 */
export interface ReactorOptions {
  readChunk?: number;
  writeHighWatermark?: number;
  writeLowWatermark?: number;
  maxInbound?: number;
  keepAliveSeconds?: number;
  noDelay?: boolean;
  allowHalfOpen?: boolean;
  /** Milliseconds a closed connection waits for the peer's FIN after sending its own. */
  lingerTimeout?: number;
  /**
   * The poller's mechanism: this OS's readiness poller ({@link backend}, the default) or
   * `io_uring` (Linux builds with liburing). `io_uring` where {@link uringUnavailable} names a
   * reason throws an error with code `ERR_NEVIO_BACKEND` and that `reason`.
   */
  backend?: 'epoll' | 'kqueue' | 'io_uring';
}

/** [family (4, 6, or 0 for unix), address, port] */
export type Endpoint = [number, string, number];

export declare class Reactor {
  constructor(onBatch: (count: number) => number, options?: ReactorOptions);
  readonly records: Int32Array;
  readonly ops: Int32Array;
  readonly readBuffer: Buffer;
  readonly stage: Buffer;
  listen(
    transport: 'tcp' | 'udp' | 'unix',
    host: string,
    port: number,
    family: 0 | 4 | 6,
    path: string,
    backlog: number,
    reuseAddr: boolean,
    reusePort: boolean,
  ): number;
  listenerAddress(listener: number): Endpoint;
  /** Closes a listener (its index stays taken; its connections stay open); false if it was not open. */
  unlisten(listener: number): boolean;
  start(): void;
  flush(ops: number): void;
  write(id: number, data: Uint8Array): number;
  close(id: number): boolean;
  /** Half-close: FIN after the pending output; input is still presented. False if not open. */
  closeWrite(id: number): boolean;
  detach(id: number): [number, Buffer | null] | null;
  inbound(id: number): Buffer | null;
  outbound(id: number): number;
  setReading(id: number, on: boolean): boolean;
  setNoDelay(id: number, on: boolean): void;
  setKeepAlive(id: number, on: boolean, seconds: number): void;
  localAddress(id: number): Endpoint;
  remoteAddress(id: number): Endpoint;
  /** The connection's socket descriptor; throws EBADF for an id that is not open. */
  descriptor(id: number): number;
  datagramSender(payloadOffset: number): Buffer;
  describeSender(sender: Buffer): Endpoint;
  sendTo(listener: number, sender: Buffer, data: Uint8Array): number;
  wake(id: number): void;
  stop(): void;
  closeAll(): void;
  destroy(): void;
  count(): number;
  /** The mechanism this reactor's poller runs on. */
  backend(): 'epoll' | 'kqueue' | 'io_uring';
  /**
   * Starts a nonblocking connect to `ip`:`port`, or to the unix socket `path` when it is not
   * empty; returns the connection's id. An `open` record (listener `constants.outbound`) or a
   * `closed` record (syscall `connect`) reports the outcome. Throws a system error when the
   * connect fails at once.
   */
  dial(ip: string, port: number, path: string): number;
  /** Ends a connect still in progress with `errno` (a `closed` record follows); false if not connecting. */
  abort(id: number, errno: number): boolean;
  /** Whether the started reactor keeps the process alive (default true). */
  keepProcessAlive(on: boolean): void;
  /** The listener's new connections speak TLS with this server context (null: plain again). */
  setListenerTls(listener: number, context: TlsContext | null): void;
  /**
   * Makes a dial still connecting a TLS one (a client context): `servername` is sent as SNI and
   * must be named by the server's certificate (empty: no check); `session` resumes one exported
   * by `tlsSession`. False if the connection is not connecting.
   */
  secureDial(id: number, context: TlsContext, servername: string, session: Uint8Array | null): boolean;
  /** What the connection's TLS session negotiated; null for a plain, closed or handshaking one. */
  tlsInfo(id: number): NativeTlsInfo | null;
  /** The session to resume a later dial with (DER), or null. */
  tlsSession(id: number): Buffer | null;
  /** Why a connection closed with the `tls` syscall code: taken once; null if not known. */
  tlsFailure(id: number): [reason: string, verifyError: string | null, family: number, address: string, port: number] | null;
}

/** A peer certificate as the reactor describes it. */
export interface NativeCertificate {
  /** RFC 2253 form, e.g. `CN=localhost,O=nevio`. */
  readonly subject: string;
  readonly issuer: string;
  /** As OpenSSL prints it: `Dec  2 03:51:11 2026 GMT`. */
  readonly validFrom: string;
  readonly validTo: string;
  /** SHA-256 of the DER, colon-separated uppercase hex (Node's `fingerprint256`). */
  readonly fingerprint256: string;
  /** The certificate, DER. */
  readonly raw: Buffer;
}

/** What a TLS connection negotiated, as the reactor describes it (`@nevio/core`'s TlsInfo adds the session). */
export interface NativeTlsInfo {
  /** `TLSv1.3` or `TLSv1.2`. */
  readonly protocol: string;
  /** OpenSSL's name of the cipher, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly cipher: string | null;
  /** The ALPN protocol agreed on, or null. */
  readonly alpn: string | null;
  /** The SNI name the client sent (server side) or asked for (client side), or null. */
  readonly servername: string | null;
  /** The handshake resumed an earlier session (a ticket). */
  readonly sessionReused: boolean;
  /** The peer sent a certificate and it verified. */
  readonly authorized: boolean;
  /** Why not, when not `authorized`: `no peer certificate`, `certificate has expired`... */
  readonly authorizationError: string | null;
  /** The peer's certificate, or null when it sent none. */
  readonly peerCertificate: NativeCertificate | null;
}

/** The native half of a TLS configuration (see `@nevio/core`'s TlsOptions for the meaning). */
export interface TlsContextOptions {
  server?: boolean;
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  passphrase?: string;
  ca?: string | Uint8Array;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
  alpn?: readonly string[];
  /** 0x0303 (TLS 1.2) or 0x0304 (TLS 1.3). */
  minVersion?: number;
  maxVersion?: number;
  ciphers?: string;
  ciphersuites?: string;
  sni?: readonly { name: string; cert: string | Uint8Array; key: string | Uint8Array; passphrase?: string }[];
  /** 80 bytes: ticket name, HMAC and AES keys. */
  ticketKeys?: Uint8Array;
  /** Seconds. */
  sessionTimeout?: number;
  /** Milliseconds. */
  handshakeTimeout?: number;
}

/** An OpenSSL context (Node's own OpenSSL) built from PEM text; throws an Error naming what is wrong. */
export declare class TlsContext {
  constructor(options: TlsContextOptions);
}

/** `epoll` or `kqueue`. */
export declare const backend: string;
/**
 * Empty when an io_uring reactor can be opened here; otherwise why not, in one line naming the
 * failing call and its likely cause (no liburing at build time, the kernel, kernel.io_uring_disabled,
 * a seccomp filter, RLIMIT_MEMLOCK).
 */
export declare function uringUnavailable(): string;

/** The kinds of `records` entries (reactor → JavaScript). */
export interface RecordKinds {
  /** id: connection, a: listener index */
  readonly open: number;
  /** id: connection, a: offset in `readBuffer`, b: length */
  readonly data: number;
  /** id: connection, b: length of its inbound buffer (fetch it with `inbound`) */
  readonly inbound: number;
  /** id: connection, b: length of its inbound buffer */
  readonly wake: number;
  /** id: connection, a: errno (0: closed cleanly), b: syscall code */
  readonly closed: number;
  /** id: listener index, a: payload offset (sender address `addressSlot` bytes before), b: length */
  readonly datagram: number;
  /** every connection is closed after `stop` */
  readonly stopped: number;
  /** id: listener index (-1: the poller), a: errno, b: syscall code */
  readonly error: number;
  /** id: connection; its pending output fell to the low watermark after exceeding the high one */
  readonly drained: number;
  /** id: connection; the peer finished sending (half-open mode) */
  readonly end: number;
}

/** The kinds of `ops` entries (JavaScript → reactor). */
export interface OpKinds {
  /** id: connection, a: offset in `stage`, b: length */
  readonly write: number;
  /** id: connection; closes once its output is written */
  readonly close: number;
  /** id: connection, a: bytes of the presented data the handler consumed */
  readonly consume: number;
  /** id: connection; sends FIN once its output is written and goes on reading */
  readonly closeWrite: number;
}

/** The reactor's option defaults (`@nevio/core` re-exports them in its `defaults`). */
export type NativeDefaults = Readonly<
  Record<'backlog' | 'readChunk' | 'writeHighWatermark' | 'writeLowWatermark' | 'maxInbound' | 'lingerTimeout', number>
>;

/** What JavaScript and the reactor agree on, defined once in src/protocol.h. Deeply frozen. */
export interface Constants {
  readonly record: RecordKinds;
  readonly op: OpKinds;
  /** System call names by the syscall code of `closed` and `error` records (0: none). */
  readonly syscalls: readonly string[];
  /** `setBalancer` algorithms by name. */
  readonly balance: { readonly [name in 'round-robin' | 'least-connections' | 'source-addr-hash' | 'random']: 0 | 1 | 2 | 3 };
  readonly defaults: NativeDefaults;
  /** int32 words per record and per op. */
  readonly recordWords: number;
  /** `id & slotMask` is the connection's slot: dense, reused after close. */
  readonly slotMask: number;
  /** Connection ids are non-negative and below `2 ** idBits` (int32). */
  readonly idBits: number;
  /** Bytes of a UDP sender's address stored before each datagram payload. */
  readonly addressSlot: number;
  /** The largest `readChunk` a reactor accepts. */
  readonly maxReadChunk: number;
  /** The listener index in the `open` record of a dialed connection. */
  readonly outbound: number;
}

export declare const constants: Constants;

export declare interface Reactor {
  /** The reactor's process-wide id, valid from any thread. */
  registryId(): number;
  /** Spreads accepted connections over these reactors: 0 round-robin, 1 least-connections, 2 source-addr-hash, 3 random. */
  setBalancer(reactorIds: number[], algorithm: 0 | 1 | 2 | 3): void;
}

/** Thread-safe: queues a write for connection `id` of reactor `reactorId`; false if that reactor is gone. */
export declare function postWrite(reactorId: number, id: number, data: Uint8Array): boolean;
/** Thread-safe: makes reactor `reactorId` run `react` again for connection `id`. */
export declare function postWake(reactorId: number, id: number): boolean;
/** Thread-safe: closes connection `id` of reactor `reactorId` after its pending output. */
export declare function postClose(reactorId: number, id: number): boolean;
/** Open connections of reactor `reactorId`, or -1 if it is gone. Thread-safe. */
export declare function liveConnections(reactorId: number): number;

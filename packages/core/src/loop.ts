import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { constants, Reactor } from '@nevio/native';
import type { TlsContext } from '@nevio/native';
import { DatagramConn, StreamConn } from './conn';
import { makeAddr } from './address';
import { DialError, errnoName, HandlerError, NevioError, systemError } from './errors';
import { TlsError, tlsErrorCode } from './tls-error';
import { parseProxyHeader, ProxyProtocolError } from './proxy-protocol';
import { Listeners } from './listeners';
import { Action } from './types';
import type { Conn, Events, Logger, Network, Output, ReactResult } from './types';

// The batch protocol's numbers, defined once in packages/native/src/protocol.h.
const { syscalls: SYSCALLS, slotMask: SLOT_MASK, recordWords: RECORD_WORDS, outbound: OUTBOUND } = constants;
const {
  open: RECORD_OPEN,
  data: RECORD_DATA,
  inbound: RECORD_INBOUND,
  wake: RECORD_WAKE,
  closed: RECORD_CLOSED,
  datagram: RECORD_DATAGRAM,
  stopped: RECORD_STOPPED,
  error: RECORD_ERROR,
  drained: RECORD_DRAINED,
  end: RECORD_END,
} = constants.record;
const { write: OP_WRITE, close: OP_CLOSE, consume: OP_CONSUME, closeWrite: OP_CLOSE_WRITE } = constants.op;
// Outputs larger than this skip the stage buffer and are handed to the reactor directly.
const LARGE_OUTPUT = 256 * 1024;

const ETIMEDOUT = osConstants.errno.ETIMEDOUT;
const ENOMEM = osConstants.errno.ENOMEM;
const EPROTO = osConstants.errno.EPROTO;
/** The syscall code of a close caused by the TLS session (protocol.h's kCallTls). */
const CALL_TLS = SYSCALLS.indexOf('tls');

/** How a dial speaks TLS: its native client context, the name to verify, a session to resume. */
export interface DialTls {
  readonly context: TlsContext;
  readonly servername: string;
  readonly session: Uint8Array | undefined;
}

/** A dial whose connect is in progress, by the reactor's id for the connection. */
interface PendingDial {
  readonly events: Events<any>;
  readonly network: Network;
  /** The address as dialed, for errors. */
  readonly address: string;
  readonly context: unknown;
  readonly timer: NodeJS.Timeout | undefined;
  readonly secure: boolean;
  resolve(conn: StreamConn): void;
  reject(error: Error): void;
}

/** Where a dial goes, resolved: an IP literal and port, or a unix socket path. */
export interface DialTarget {
  readonly network: Network;
  readonly ip: string;
  readonly port: number;
  readonly path: string;
  /** The address as the caller wrote it. */
  readonly address: string;
}

/**
 * One event loop: a native reactor and the JavaScript half of its batch protocol. The reactor
 * calls {@link Loop.dispatch} once per round with every event of the round; handlers' output is
 * copied into the shared stage buffer and described by ops, which the reactor applies when
 * dispatch returns.
 */
export class Loop {
  readonly reactor: Reactor;
  /** The reactor's process-wide id (see {@link ConnHandle}). */
  readonly registryId: number;
  /**
   * Added to the reactor's connection ids, which are per reactor and below `2 ** idBits`, to make
   * `conn.id` unique over the loops of a server: the loop's index sits above the reactor's bits.
   */
  readonly connIdBase: number;
  private readonly records: Int32Array;
  private readonly ops: Int32Array;
  private readonly readBuffer: Buffer;
  private readonly stage: Buffer;
  private readonly maxOps: number;
  private readonly conns: (StreamConn | undefined)[] = [];
  /** The listeners, by the reactor's listener index. */
  readonly listeners: Listeners;
  private opCount = 0;
  private stageOffset = 0;
  private dispatching = false;
  private readonly preWritePending = new Set<StreamConn>();
  private readonly dials = new Map<number, PendingDial>();
  private lastLogged = new Map<string, number>();

  constructor(
    loopIndex: number,
    private readonly events: Events<any>,
    private readonly logger: Logger,
    options: ConstructorParameters<typeof Reactor>[1],
    private readonly onShutdownAction: () => void,
    private readonly onStopped: () => void,
    /**
     * A loop with no server, made for dialing: it keeps the process alive only while it has
     * connections (or connects in progress), like Node's own sockets.
     */
    private readonly dialOnly = false,
  ) {
    this.reactor = new Reactor((count) => this.dispatch(count), options);
    this.registryId = this.reactor.registryId();
    this.listeners = new Listeners(this.reactor);
    this.connIdBase = loopIndex * 2 ** constants.idBits;
    this.records = this.reactor.records;
    this.ops = this.reactor.ops;
    this.readBuffer = this.reactor.readBuffer;
    this.stage = this.reactor.stage;
    this.maxOps = this.ops.length / RECORD_WORDS;
  }

  count(): number {
    return this.reactor.count();
  }

  /** Every event of one round. Returns how many ops are staged for the reactor to apply. */
  private dispatch(count: number): number {
    this.dispatching = true;
    this.opCount = 0;
    this.stageOffset = 0;
    const records = this.records;
    for (let i = 0; i < count; i++) {
      const base = i * RECORD_WORDS;
      const kind = records[base];
      const id = records[base + 1];
      const a = records[base + 2];
      const b = records[base + 3];
      switch (kind) {
        case RECORD_DATA: {
          const conn = this.conns[id & SLOT_MASK];
          if (conn !== undefined && conn.nativeId === id) this.react(conn, this.readBuffer.subarray(a, a + b));
          break;
        }
        case RECORD_INBOUND:
        case RECORD_WAKE: {
          const conn = this.conns[id & SLOT_MASK];
          if (conn !== undefined && conn.nativeId === id) this.react(conn, this.reactor.inbound(id) ?? EMPTY);
          break;
        }
        case RECORD_OPEN:
          this.open(id, a);
          break;
        case RECORD_CLOSED:
          this.closed(id, a, b);
          break;
        case RECORD_DATAGRAM:
          this.datagram(id, a, b);
          break;
        case RECORD_ERROR:
          this.reportError(systemError(SYSCALLS[b], a, id >= 0 ? this.listeners.at(id)?.addr.toString() : undefined));
          break;
        case RECORD_STOPPED:
          this.onStopped();
          break;
        case RECORD_DRAINED:
          this.drained(id);
          break;
        case RECORD_END:
          this.ended(id);
          break;
      }
    }
    if (this.preWritePending.size > 0) this.runPreWrite();
    this.dispatching = false;
    if (this.dialOnly) this.keepAliveWhileBusy();
    return this.opCount;
  }

  /**
   * Starts connecting to `target`; resolves with the connection once it is established and its
   * `opened` handler has run, or rejects with a {@link DialError}.
   */
  dial(target: DialTarget, events: Events<any>, timeoutMs: number, context: unknown, tls?: DialTls): Promise<StreamConn> {
    let id: number;
    try {
      id = this.reactor.dial(target.ip, target.port, target.path);
    } catch (error) {
      const e = error as { syscall?: string; errno?: number };
      if (typeof e.errno !== 'number') throw error;
      return Promise.reject(new DialError(e.errno, errnoName(e.errno), target.address, e.syscall));
    }
    if (tls !== undefined && !this.reactor.secureDial(id, tls.context, tls.servername, tls.session ?? null)) {
      this.reactor.abort(id, ENOMEM);
      return Promise.reject(new DialError(ENOMEM, errnoName(ENOMEM), target.address, 'tls'));
    }
    const secure = tls !== undefined;
    const promise = new Promise<StreamConn>((resolve, reject) => {
      // The timeout covers the connect; the handshake after it has its own (TlsOptions.handshakeTimeout).
      const timer = timeoutMs > 0 ? setTimeout(() => this.reactor.abort(id, ETIMEDOUT), timeoutMs) : undefined;
      this.dials.set(id, { events, network: target.network, address: target.address, context, timer, secure, resolve, reject });
    });
    if (this.dialOnly) this.keepAliveWhileBusy();
    return promise;
  }

  private keepAliveWhileBusy(): void {
    this.reactor.keepProcessAlive(this.reactor.count() > 0 || this.dials.size > 0);
  }

  private open(id: number, listenerIndex: number): void {
    let conn: StreamConn;
    let dialed: PendingDial | undefined;
    if (listenerIndex === OUTBOUND) {
      dialed = this.dials.get(id);
      if (dialed === undefined) return;
      this.dials.delete(id);
      clearTimeout(dialed.timer);
      conn = new StreamConn(this, id, -1, dialed.events, dialed.network, true, dialed.secure);
      conn.context = dialed.context;
    } else {
      const listener = this.listeners.at(listenerIndex);
      conn = new StreamConn(this, id, listenerIndex, this.events, listener?.network ?? 'tcp', false, listener?.tls ?? false);
      const trust = listener?.proxy;
      if (trust !== undefined) {
        const [family, address] = this.reactor.remoteAddress(id);
        if (trust.trusts(family, address)) {
          // `opened` waits for the header: it names the client the handlers should see.
          conn.proxyPending = true;
          this.conns[id & SLOT_MASK] = conn;
          return;
        }
      }
    }
    this.conns[id & SLOT_MASK] = conn;
    this.runOpened(conn);
    // Resolved after `opened`, so the caller's code after `await dial()` sees it has run.
    dialed?.resolve(conn);
  }

  private runOpened(conn: StreamConn): void {
    const events = conn.events;
    const opened = events.opened;
    if (opened === undefined) return;
    try {
      const result = opened.call(events, conn);
      if (result !== undefined) this.apply(conn, result, undefined);
    } catch (error) {
      this.handlerFailed(conn, 'opened', error);
    }
  }

  /**
   * Reads the PROXY header at the start of `data`: its length, or -1 when the connection waits
   * for more bytes (none are consumed) or was closed for a malformed header.
   */
  private proxyHeader(conn: StreamConn, data: Buffer): number {
    let header;
    try {
      header = parseProxyHeader(data);
    } catch (error) {
      if (!(error instanceof ProxyProtocolError)) throw error;
      conn.proxyPending = false;
      conn.closeError = error;
      this.reportError(error, conn);
      conn.close();
      return -1;
    }
    if (header === undefined) {
      this.pushOp(OP_CONSUME, conn.nativeId, 0, 0);
      return -1;
    }
    conn.proxyPending = false;
    const { source, destination } = header;
    if (source !== undefined && destination !== undefined) {
      const network = this.listeners.at(conn.listenerIndex)?.network ?? 'tcp';
      const networkOf = (family: number): Network => (family === 0 ? 'unix' : network === 'unix' ? `tcp${family}` as Network : network);
      conn.setProxiedAddresses(
        makeAddr(networkOf(source.family), source.family, source.address, source.port),
        makeAddr(networkOf(destination.family), destination.family, destination.address, destination.port),
      );
    }
    this.runOpened(conn);
    return header.length;
  }

  private react(conn: StreamConn, data: Buffer): void {
    let skipped = 0;
    if (conn.proxyPending) {
      skipped = this.proxyHeader(conn, data);
      if (skipped < 0) return;
      data = data.subarray(skipped);
      // `opened` may have closed it; an empty rest is consumed with the header.
      if (data.length === 0 || conn.closing) return;
    }
    const events = conn.events;
    const react = events.react;
    conn.data = data;
    conn.cursor = 0;
    conn.cursorUsed = false;
    try {
      const result = react === undefined ? undefined : react.call(events, conn, data);
      if (conn.cursorUsed && conn.cursor < data.length) this.pushOp(OP_CONSUME, conn.nativeId, skipped + conn.cursor, 0);
      if (result !== undefined) this.apply(conn, result, data);
    } catch (error) {
      this.handlerFailed(conn, 'react', error);
    }
    conn.data = undefined;
  }

  private closed(id: number, errno: number, call: number): void {
    const dialed = this.dials.get(id);
    if (dialed !== undefined) {
      // The connect failed, timed out or was cancelled: the dial's promise rejects, no handler runs.
      this.dials.delete(id);
      clearTimeout(dialed.timer);
      dialed.reject(
        call === CALL_TLS ? this.tlsError(id, errno, dialed.address) : new DialError(errno, errnoName(errno), dialed.address, SYSCALLS[call] || 'connect'),
      );
      return;
    }
    const conn = this.conns[id & SLOT_MASK];
    if (conn === undefined || conn.nativeId !== id) {
      // A TLS client that never opened: its handshake failed. Reported (the logger's is rate
      // limited), since a certificate problem shows up nowhere else.
      if (call === CALL_TLS) this.reportError(this.tlsError(id, errno, undefined));
      return;
    }
    this.conns[id & SLOT_MASK] = undefined;
    conn.isClosed = true;
    this.preWritePending.delete(conn);
    // Closed while its PROXY header was awaited: `opened` never ran, so neither does `closed`.
    if (conn.proxyPending) return;
    const events = conn.events;
    const closed = events.closed;
    if (closed === undefined) return;
    const error =
      call === CALL_TLS ? this.tlsError(id, errno, undefined) : errno !== 0 ? systemError(SYSCALLS[call] || 'close', errno) : conn.closeError;
    try {
      const action = closed.call(events, conn, error);
      if (action === Action.Shutdown) this.onShutdownAction();
    } catch (thrown) {
      this.reportError(new HandlerError('closed', thrown), conn);
    }
  }

  /** The {@link TlsError} for connection `id`, closed with the `tls` syscall code and `errno`. */
  private tlsError(id: number, errno: number, dialed: string | undefined): TlsError {
    const note = this.reactor.tlsFailure(id);
    const reason = note?.[0] ?? 'TLS failure';
    const verifyError = note?.[1] ?? undefined;
    // EPROTO stands for "the protocol failed"; other errnos are the socket's own or the timeout.
    const socketErrno = errno !== EPROTO ? errno : undefined;
    const code = errno === ETIMEDOUT ? 'ERR_TLS_HANDSHAKE_TIMEOUT' : socketErrno !== undefined ? errnoName(errno) : tlsErrorCode(reason);
    const peer = note !== null && note[2] !== 0 ? makeAddr('tcp', note[2], note[3], note[4]).toString() : undefined;
    return new TlsError(reason, verifyError, socketErrno, code, dialed ?? peer);
  }

  private ended(id: number): void {
    const conn = this.conns[id & SLOT_MASK];
    if (conn === undefined || conn.nativeId !== id) return;
    const handler = conn.events.end;
    if (handler === undefined) {
      conn.close();
      return;
    }
    try {
      const action = handler.call(conn.events, conn);
      if (action !== undefined) this.apply(conn, action, undefined);
    } catch (error) {
      this.handlerFailed(conn, 'end', error);
    }
  }

  private drained(id: number): void {
    const conn = this.conns[id & SLOT_MASK];
    if (conn === undefined || conn.nativeId !== id) return;
    const handler = conn.events.drained;
    if (handler === undefined) return;
    try {
      handler.call(conn.events, conn);
    } catch (error) {
      this.handlerFailed(conn, 'drained', error);
    }
  }

  private datagram(listenerIndex: number, offset: number, length: number): void {
    const react = this.events.react;
    if (react === undefined) return;
    const conn = new DatagramConn(this, listenerIndex, this.reactor.datagramSender(offset));
    const data = this.readBuffer.subarray(offset, offset + length);
    conn.data = data;
    try {
      const result = react.call(this.events, conn, data);
      if (result !== undefined) this.apply(conn, result, data);
    } catch (error) {
      this.reportError(new HandlerError('react', error), conn);
    }
    conn.data = undefined;
  }

  /** Carries out what a handler returned. */
  private apply(conn: Conn, result: ReactResult, data: Buffer | undefined): void {
    let action: Action | undefined;
    if (typeof result === 'number') {
      action = result;
    } else if (typeof result === 'string' || result instanceof Uint8Array) {
      conn.write(result);
    } else if (result !== null && typeof result === 'object') {
      if (result.out !== undefined) conn.write(result.out);
      action = result.action;
    }
    switch (action) {
      case Action.Close:
        conn.close();
        break;
      case Action.Shutdown:
        this.onShutdownAction();
        break;
      case Action.Detach:
        if (conn instanceof StreamConn) this.detach(conn, data);
        break;
    }
  }

  write(conn: StreamConn, data: Output): void {
    if (!this.dispatching) {
      // Outside a batch there is nothing to coalesce with: write now.
      const pending = this.reactor.write(conn.nativeId, typeof data === 'string' ? Buffer.from(data) : data);
      if (pending < 0) conn.closing = true;
      return;
    }
    if (conn.wantsPreWrite) this.preWritePending.add(conn);
    const stage = this.stage;
    if (typeof data === 'string') {
      // A UTF-16 code unit never needs more than 3 bytes in UTF-8.
      if (data.length * 3 > stage.length - this.stageOffset) {
        if (data.length * 3 > LARGE_OUTPUT) {
          this.writeDirect(conn, Buffer.from(data));
          return;
        }
        this.flushStage();
      }
      const n = stage.write(data, this.stageOffset);
      this.pushOp(OP_WRITE, conn.nativeId, this.stageOffset, n);
      this.stageOffset += n;
      return;
    }
    const n = data.length;
    if (n > stage.length - this.stageOffset) {
      if (n > LARGE_OUTPUT) {
        this.writeDirect(conn, data);
        return;
      }
      this.flushStage();
    }
    stage.set(data, this.stageOffset);
    this.pushOp(OP_WRITE, conn.nativeId, this.stageOffset, n);
    this.stageOffset += n;
  }

  /** A large output: what is staged goes first, then the reactor copies this one itself. */
  private writeDirect(conn: StreamConn, data: Uint8Array): void {
    this.flushStage();
    if (this.reactor.write(conn.nativeId, data) < 0) conn.closing = true;
  }

  close(conn: StreamConn): void {
    if (this.dispatching) {
      this.pushOp(OP_CLOSE, conn.nativeId, 0, 0);
    } else {
      this.reactor.close(conn.nativeId);
    }
  }

  closeWrite(conn: StreamConn): void {
    if (this.dispatching) {
      this.pushOp(OP_CLOSE_WRITE, conn.nativeId, 0, 0);
    } else {
      this.reactor.closeWrite(conn.nativeId);
    }
  }

  private pushOp(kind: number, id: number, a: number, b: number): void {
    if (this.opCount === this.maxOps) this.flushStage();
    const base = this.opCount * RECORD_WORDS;
    const ops = this.ops;
    ops[base] = kind;
    ops[base + 1] = id;
    ops[base + 2] = a;
    ops[base + 3] = b;
    this.opCount++;
  }

  /** Has the reactor apply the ops staged so far, freeing the stage buffer. */
  private flushStage(): void {
    if (this.opCount > 0) this.reactor.flush(this.opCount);
    this.opCount = 0;
    this.stageOffset = 0;
  }

  private detach(conn: StreamConn, data: Buffer | undefined): void {
    if (conn.tls !== undefined) {
      // Its socket carries records only the reactor's session can read.
      this.handlerFailed(conn, 'react', new NevioError('a TLS connection cannot be detached', 'ERR_NEVIO_TLS_DETACH'));
      return;
    }
    // Input the handler did not consume goes back into the socket, ahead of anything unread.
    const unread = data !== undefined && conn.cursorUsed && conn.cursor < data.length
      ? Buffer.from(data.subarray(conn.cursor))
      : undefined;
    if (data !== undefined) conn.cursor = data.length;
    this.flushStage();
    const detached = this.reactor.detach(conn.nativeId);
    this.conns[conn.nativeId & SLOT_MASK] = undefined;
    conn.isClosed = true;
    this.preWritePending.delete(conn);
    if (detached === null) return;
    const [fd, pendingOutput] = detached;
    const socket = new Socket({ fd, readable: true, writable: true });
    if (pendingOutput !== null) socket.write(pendingOutput);
    if (unread !== undefined) socket.unshift(unread);
    const handler = conn.events.detached;
    if (handler === undefined) {
      socket.destroy();
      return;
    }
    try {
      const action = handler.call(conn.events, conn, socket);
      if (action === Action.Shutdown) this.onShutdownAction();
    } catch (error) {
      this.reportError(new HandlerError('detached', error), conn);
    }
  }

  private runPreWrite(): void {
    for (const conn of this.preWritePending) {
      try {
        conn.events.preWrite?.call(conn.events, conn);
      } catch (error) {
        this.reportError(new HandlerError('preWrite', error), conn);
      }
    }
    this.preWritePending.clear();
  }

  private handlerFailed(conn: StreamConn, event: string, thrown: unknown): void {
    const error = new HandlerError(event, thrown);
    conn.closeError = error;
    this.reportError(error, conn);
    conn.close();
  }

  /** Hands an error to the `error` event, or to the logger (at most once a second per kind). */
  reportError(error: Error, conn?: Conn): void {
    const events = conn instanceof StreamConn ? conn.events : this.events;
    const handler = events.error;
    if (handler !== undefined) {
      try {
        handler.call(events, error, conn);
        return;
      } catch (thrown) {
        error = new HandlerError('error', thrown);
      }
    }
    const key = (error as { code?: string }).code ?? error.name;
    const now = Date.now();
    if ((this.lastLogged.get(key) ?? 0) + 1000 > now) return;
    this.lastLogged.set(key, now);
    this.logger.error(`nevio: ${error.message}`);
  }

  /** Every open stream connection (for graceful stop bookkeeping and tests). */
  openConnections(): StreamConn[] {
    return this.conns.filter((c): c is StreamConn => c !== undefined);
  }
}

const EMPTY = Buffer.alloc(0);


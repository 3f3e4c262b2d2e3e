import { makeAddr } from './address';
import { ClosedError } from './errors';
import type { Loop } from './loop';
import type { Addr, Conn, ConnHandle, Events, Network, Output } from './types';
import { tlsInfo } from './tls';
import type { TlsInfo } from './tls';

const NO_ADDRESS = makeAddr('tcp', 4, '', 0);

/**
 * The read cursor over the data of the `react` call in progress, shared by both kinds of
 * connection: `peek`/`next`/`discard` move through `data`, and the loop reads `cursor` back.
 */
abstract class InboundCursor {
  data: Buffer | undefined = undefined;
  cursor = 0;
  /** Set by any cursor call: from then on only the bytes before the cursor count as consumed. */
  cursorUsed = false;

  get inboundBuffered(): number {
    return this.data === undefined ? 0 : this.data.length - this.cursor;
  }

  peek(n?: number): Buffer {
    this.cursorUsed = true;
    const data = this.data;
    if (data === undefined) return EMPTY;
    const end = n === undefined ? data.length : Math.min(data.length, this.cursor + Math.max(0, n));
    return data.subarray(this.cursor, end);
  }

  next(n?: number): Buffer {
    const view = this.peek(n);
    this.cursor += view.length;
    return view;
  }

  discard(n?: number): number {
    return this.next(n).length;
  }
}

/** A stream connection (TCP or unix) owned by a {@link Loop}. */
export class StreamConn<C = unknown> extends InboundCursor implements Conn<C> {
  context: C | undefined = undefined;
  /** Set once the reactor reported the close (or the socket was detached). */
  isClosed = false;
  /** Close requested; output still draining. */
  closing = false;
  /** A PROXY protocol header is expected before anything else (see Loop.react). */
  proxyPending = false;
  /** closeWrite() was called: FIN goes (or went) out after the pending output; reading goes on. */
  writeClosed = false;
  /** Why the connection is being closed by nevio itself (a handler threw), for `closed`. */
  closeError: Error | undefined = undefined;

  /** Unique over the server's loops (see {@link Loop.connIdBase}). */
  readonly id: number;
  private local: Addr | undefined = undefined;
  private remote: Addr | undefined = undefined;
  /** The socket descriptor, read once on first use. */
  private descriptor: number | undefined = undefined;

  /** Whether the handlers have a `preWrite` (checked on every write, so read once). */
  readonly wantsPreWrite: boolean;
  private tlsDescription: TlsInfo | undefined = undefined;

  constructor(
    private readonly loop: Loop,
    /** The reactor's id for the connection: what records, ops and handles carry. */
    readonly nativeId: number,
    /** The listener it came in on; -1 for a dialed connection. */
    readonly listenerIndex: number,
    /** The handlers of this connection: the server's, or those given to `dial`. */
    readonly events: Events<any>,
    /** `tcp`, `tcp4`, `tcp6` or `unix`: what its addresses are reported as. */
    private readonly network: Network,
    readonly outbound: boolean,
    /** The connection speaks TLS (its listener's or its dial's). */
    private readonly secure = false,
  ) {
    super();
    this.id = loop.connIdBase + nativeId;
    this.wantsPreWrite = typeof events.preWrite === 'function';
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Described once, while open; after the close only if read before. */
  get tls(): TlsInfo | undefined {
    if (!this.secure) return undefined;
    if (this.tlsDescription === undefined && !this.isClosed) {
      const reactor = this.loop.reactor;
      const native = reactor.tlsInfo(this.nativeId);
      const id = this.nativeId;
      if (native !== null) this.tlsDescription = tlsInfo(native, () => (this.isClosed ? null : reactor.tlsSession(id)));
    }
    return this.tlsDescription;
  }

  get handle(): ConnHandle {
    return { reactor: this.loop.registryId, id: this.nativeId };
  }

  get localAddr(): Addr {
    if (this.local === undefined && !this.isClosed) this.local = this.describe('local');
    return this.local ?? NO_ADDRESS;
  }

  /** The peer. Read it while the connection is open: after the close it is only known if read before. */
  get remoteAddr(): Addr {
    if (this.remote === undefined && !this.isClosed) this.remote = this.describe('remote');
    return this.remote ?? NO_ADDRESS;
  }

  private describe(end: 'local' | 'remote'): Addr {
    const reactor = this.loop.reactor;
    const [family, address, port] = end === 'local' ? reactor.localAddress(this.nativeId) : reactor.remoteAddress(this.nativeId);
    return makeAddr(this.network, family, address, port);
  }

  /** What a PROXY protocol header named: the addresses reported from now on. */
  setProxiedAddresses(remote: Addr, local: Addr): void {
    this.remote = remote;
    this.local = local;
  }

  get fd(): number {
    if (this.descriptor === undefined && !this.isClosed) this.descriptor = this.loop.reactor.descriptor(this.nativeId);
    return this.descriptor ?? -1;
  }

  get outboundBuffered(): number {
    return this.isClosed ? 0 : Math.max(0, this.loop.reactor.outbound(this.nativeId));
  }

  write(data: Output): boolean {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError(`conn.write takes a string or a Uint8Array, not ${data === null ? 'null' : typeof data}`);
    }
    if (this.isClosed || this.closing || this.writeClosed) return false;
    this.loop.write(this, data);
    return true;
  }

  asyncWrite(data: Output, cb?: (err?: Error) => void): void {
    const accepted = this.write(data);
    if (cb !== undefined) {
      queueMicrotask(() => cb(accepted ? undefined : new ClosedError(`connection ${this.id}`)));
    }
  }

  wake(): void {
    if (!this.isClosed) this.loop.reactor.wake(this.nativeId);
  }

  close(): void {
    if (this.isClosed || this.closing) return;
    this.closing = true;
    this.loop.close(this);
  }

  closeWrite(): void {
    if (this.isClosed || this.closing || this.writeClosed) return;
    this.writeClosed = true;
    this.loop.closeWrite(this);
  }

  pause(): void {
    if (!this.isClosed) this.loop.reactor.setReading(this.nativeId, false);
  }

  resume(): void {
    if (!this.isClosed) this.loop.reactor.setReading(this.nativeId, true);
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.isClosed) this.loop.reactor.setNoDelay(this.nativeId, noDelay);
  }

  setKeepAlive(enable: boolean, initialDelayMs = 0): void {
    if (!this.isClosed) this.loop.reactor.setKeepAlive(this.nativeId, enable, Math.ceil(initialDelayMs / 1000));
  }
}

/** The sender of one UDP datagram; output goes back to it. */
export class DatagramConn<C = unknown> extends InboundCursor implements Conn<C> {
  context: C | undefined = undefined;
  readonly closed = false;
  readonly outbound = false;
  readonly tls = undefined;
  readonly outboundBuffered = 0;
  private remote: Addr | undefined = undefined;

  constructor(
    private readonly loop: Loop,
    readonly listenerIndex: number,
    private readonly sender: Buffer,
  ) {
    super();
  }

  /** Datagram senders have no connection; the id is always -1. */
  get id(): number {
    return -1;
  }

  get handle(): ConnHandle {
    return { reactor: this.loop.registryId, id: -1 };
  }

  get localAddr(): Addr {
    return this.loop.listeners.get(this.listenerIndex).addr;
  }

  /** A datagram's sender has no socket of its own. */
  get fd(): number {
    return -1;
  }

  get remoteAddr(): Addr {
    if (this.remote === undefined) {
      const [family, address, port] = this.loop.reactor.describeSender(this.sender);
      this.remote = makeAddr(this.loop.listeners.get(this.listenerIndex).network, family, address, port);
    }
    return this.remote;
  }

  /** Sends one datagram back to the sender. */
  write(data: Output): boolean {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    this.loop.reactor.sendTo(this.listenerIndex, this.sender, bytes);
    return true;
  }

  asyncWrite(data: Output, cb?: (err?: Error) => void): void {
    let failure: Error | undefined;
    try {
      this.write(data);
    } catch (error) {
      failure = error as Error;
    }
    if (cb !== undefined) queueMicrotask(() => cb(failure));
  }

  wake(): void {}
  close(): void {}
  closeWrite(): void {}
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}
}

const EMPTY = Buffer.alloc(0);

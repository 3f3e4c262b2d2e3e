import { defaults, type Addr, type Output } from '@nevio/core';
import { clock, statusLine, STATUS_TEXT } from './clock';
import {
  BODY_INTS,
  BODY_LENGTH,
  BODY_START,
  FIELD_INTS,
  FLAG_EXPECT_CONTINUE,
  FLAG_KEEP_ALIVE,
  FLAG_UPGRADE,
  HEAD_FIELDS,
  HEAD_FIXED,
  type NativeParser,
  OUT_CONSUME,
  OUT_PHASE,
  OUT_SLACK,
  OUT_USED,
  Parser,
  PHASE_BODY,
  PHASE_HEADERS,
  PROLOGUE,
  RECORD_BODY,
  RECORD_END,
  RECORD_HEAD,
  STATUS_STOP,
} from './native';
import { BodyError, endReact, Request, type SocketInfo } from './request';
import { type FixedResponse, Response, type ResponseSink } from './response';
import { type UpgradeListener, UpgradeSocket, type UpgradeWire } from './upgrade';

/** A request handler. It may answer synchronously or return a promise; an error it throws gets a 500. */
export type Handler = (req: Request, res: Response) => void | Promise<void>;

/** The part of a nevio connection the HTTP layer uses (a fake of it drives the unit tests). */
export interface Wire extends UpgradeWire {
  write(data: Output): unknown;
  /** Closes once pending output is written. */
  close(): void;
  /** Consumes `n` bytes of the current read; the rest come back with the next one. */
  discard(n: number): number;
  /** Stops reading from the socket (a streamed body is arriving faster than it is consumed). */
  pause(): void;
  resume(): void;
  readonly outboundBuffered: number;
}

/** The resolved settings of one server, shared by its connections. */
export interface Settings {
  readonly handler: Handler;
  readonly maxHeaderSize: number;
  readonly maxHeaders: number;
  /** -1 for no limit. */
  readonly maxBodySize: number;
  readonly streamBody: boolean;
  readonly headersTimeout: number;
  /** Milliseconds from a request's header block to the end of its body, not counting time the server stopped reading. */
  readonly bodyTimeout: number;
  readonly keepAliveTimeout: number;
  readonly writeHighWatermark: number;
  readonly writeLowWatermark: number;
  readonly fixed: FixedResponse;
  /** Parsers of closed connections, reused: creating the native object costs more than a reset. */
  readonly parsers: NativeParser[];
  readonly onError: (error: Error, req: Request | null) => void;
  /** The `upgrade` listener, if any (set by `HttpServer.on('upgrade')`). */
  upgrade: UpgradeListener | null;
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
// Streamed request-body bytes a handler may leave unread before the connection stops reading:
// four of the core's default reads (64 KiB), so a consumer that keeps up never sees a pause, and
// one that does not costs at most this plus the read in progress.
const BODY_BUFFER_LIMIT = 4 * defaults.readChunk;

// The parser's output, shared by every connection: a react call uses it and is done with it
// before any other runs. Sized for the worst case of the buffer at hand (see parser.cc), in
// powers of two so that it grows a few times at most.
let out = new Int32Array(0);
function outFor(length: number): Int32Array {
  if (out.length < length + OUT_SLACK) out = new Int32Array(2 ** Math.ceil(Math.log2(length + OUT_SLACK)));
  return out;
}

const PARSER_POOL_MAX = 1024;

/**
 * One HTTP connection: parses what arrives, runs the handler for each request, and writes the
 * responses in request order (pipelining), holding back those that finish early.
 */
export class HttpConnection implements ResponseSink {
  closed = false;
  /** No more input is parsed: the connection is on its way out. */
  private closing = false;
  private readonly parser: NativeParser;
  /** The oldest unanswered response (its output goes straight out) and the newest. */
  private head: Response | null = null;
  private tail: Response | null = null;
  /** The request whose body is still arriving. */
  private current: Request | null = null;
  /** A request whose client waits for `100 Continue` until the responses before it are out. */
  private continueFor: Request | null = null;
  private phase = 0;
  private headersSince = 0;
  private idleSince = clock.now;
  private bodySince = 0;
  /**
   * The core stopped reading because output passed the high watermark; its `drained` event
   * clears this. Writers wait for that event rather than for the first byte to leave.
   */
  private outputBlocked = false;
  private drainWaiters: Array<{ res: Response; resolve: () => void }> | null = null;
  /** Reading is paused because the current streamed body is not being consumed. */
  private readPaused = false;
  /** The client finished sending: close once every response owed is out. */
  private peerEnded = false;
  private pausedAt = 0;
  /** An upgrade request waiting for the parser to stop at the end of it. */
  private pendingUpgrade: Request | null = null;
  /** The protocol that took the connection over; HTTP is done with it. */
  private upgraded: UpgradeSocket | null = null;
  private socketInfo: SocketInfo | undefined;

  constructor(
    private readonly wire: Wire,
    private readonly settings: Settings,
  ) {
    const pooled = settings.parsers.pop();
    if (pooled !== undefined) {
      pooled.reset();
      this.parser = pooled;
    } else {
      this.parser = new Parser(settings.maxHeaderSize, settings.maxHeaders, settings.maxBodySize);
    }
  }

  /** The addresses of the connection, made on first use (`req.socket`). */
  get socket(): SocketInfo {
    if (this.socketInfo !== undefined) return this.socketInfo;
    // A unix socket has no address or port to show, as in Node.
    const ip = (a: Addr | undefined): Addr | undefined => (a?.network === 'unix' ? undefined : a);
    const remote = ip(this.wire.remoteAddr);
    const local = ip(this.wire.localAddr);
    return (this.socketInfo = {
      remoteAddress: remote?.address,
      remotePort: remote?.port,
      localAddress: local?.address,
      localPort: local?.port,
      encrypted: this.wire.tls !== undefined,
    });
  }

  get streamBody(): boolean {
    return this.settings.streamBody;
  }

  get fixed(): FixedResponse {
    return this.settings.fixed;
  }

  /** Handles one read: everything unread on the connection. */
  onData(data: Buffer): void {
    if (this.closing) {
      this.upgraded?.ondata?.(data);
      return;
    }
    const rec = outFor(data.length);
    const status = this.parser.execute(data, rec);
    const used = rec[OUT_USED];
    const consume = rec[OUT_CONSUME];
    const phase = rec[OUT_PHASE];
    let sawHead = false;
    let i = PROLOGUE;
    while (i < used && !this.closing) {
      const kind = rec[i];
      if (kind === RECORD_HEAD) {
        sawHead = true;
        i = this.onHead(data, rec, i);
      } else if (kind === RECORD_BODY) {
        this.current?.push(data, rec[i + BODY_START], rec[i + BODY_LENGTH]);
        i += BODY_INTS;
      } else if (kind === RECORD_END) {
        this.onEnd();
        i += 1;
      } else {
        throw new Error(`@nevio/http: unknown parser record ${kind}`);
      }
    }
    if (!this.closing) {
      if (status < 0) this.reject(-status, this.parser.errorReason());
      else if (status === STATUS_STOP) {
        this.closing = true;
        if (this.pendingUpgrade !== null) this.upgrade(this.pendingUpgrade, data, consume);
      }
      else if (consume < data.length) this.wire.discard(consume);
    }
    if (phase === PHASE_HEADERS && (this.phase !== PHASE_HEADERS || sawHead)) this.headersSince = clock.now;
    this.phase = phase;
    // Without streaming, the handler waits for the whole body (bounded by maxBodySize): no reader to wait for.
    const current = this.current;
    if (current !== null && this.settings.streamBody && current.bodyUnread > BODY_BUFFER_LIMIT && !this.closing) this.pauseReading();
    // Whatever outlives this call must stop pointing into `data`.
    for (let res = this.head; res !== null; res = res.next) res.request?.detach();
    this.current?.detach();
    endReact();
  }

  private onHead(data: Buffer, rec: Int32Array, i: number): number {
    const req = new Request(this, data, rec, i);
    const flags = req.flags;
    req.close = (flags & FLAG_KEEP_ALIVE) === 0 || (flags & FLAG_UPGRADE) !== 0;
    const next = i + HEAD_FIXED + FIELD_INTS * rec[i + HEAD_FIELDS];
    if (next < rec[OUT_USED] && rec[next] === RECORD_END && !this.settings.streamBody) {
      // A complete request without a body (most of them): straight to the handler. Not passing
      // through `this.current` spares a store of a new object into an old one per request.
      req.finish();
      this.dispatch(req);
      return next + 1;
    }
    this.current = req;
    this.bodySince = clock.now;
    if ((flags & FLAG_EXPECT_CONTINUE) !== 0 && req.http11) {
      if (this.head === null) this.wire.write(CONTINUE);
      else this.continueFor = req;
    }
    if (this.settings.streamBody) this.dispatch(req);
    return next;
  }

  private onEnd(): void {
    const req = this.current;
    if (req === null) return;
    this.current = null;
    req.finish();
    if (!this.settings.streamBody) this.dispatch(req);
  }

  private dispatch(req: Request): void {
    if ((req.flags & FLAG_UPGRADE) !== 0 && this.settings.upgrade !== null && req.method !== 'CONNECT') {
      this.pendingUpgrade = req;
      return;
    }
    const res = new Response(this, req);
    if (this.tail === null) this.head = res;
    else this.tail.next = res;
    this.tail = res;
    let result: void | Promise<void>;
    try {
      result = this.settings.handler(req, res);
    } catch (error) {
      this.handlerFailed(res, error);
      return;
    }
    if (result !== undefined && typeof result.then === 'function') {
      result.then(undefined, (error: unknown) => this.handlerFailed(res, error));
    }
  }

  /** Hands the connection to the `upgrade` listener, with the bytes after the request. */
  private upgrade(req: Request, data: Buffer, at: number): void {
    this.pendingUpgrade = null;
    const listener = this.settings.upgrade;
    if (listener === null) return;
    const socket = new UpgradeSocket(this.wire, this.settings.writeHighWatermark);
    this.upgraded = socket;
    req.detach();
    try {
      listener(req, socket, Buffer.from(data.subarray(at)));
    } catch (error) {
      this.settings.onError(error instanceof Error ? error : new Error(String(error)), req);
      this.wire.close();
    }
  }

  private handlerFailed(res: Response, error: unknown): void {
    this.settings.onError(error instanceof Error ? error : new Error(String(error)), res.request);
    // Ended already (a compressed body may still be flushing): the response stands.
    if (res.writableEnded) return;
    if (!res.started) {
      res.fail(500);
    } else {
      // Part of the response is out: the only honest end is to cut the connection. Its 'close'
      // comes now: the connection is gone once the queue ahead of it is written.
      res.closed();
      res.close = true;
      res.done = true;
      this.finished(res);
    }
  }

  /** The input is malformed, over a limit or too slow: answer `status` after the earlier responses, then close. */
  private reject(status: number, reason: string): void {
    this.closing = true;
    const req = this.current;
    this.current = null;
    if (req !== null) {
      req.abort(new BodyError(`the request was rejected: ${reason}`, 'ERR_NEVIO_HTTP_BODY'));
      const answered = this.tail !== null && this.tail.request === req ? this.tail : null;
      if (answered !== null && !answered.done) {
        if (answered.started) {
          answered.close = true;
          answered.done = true;
          this.finished(answered);
          return;
        }
        // The handler (streaming the body) has sent nothing yet: the error takes its place.
        answered.done = true;
        this.finished(answered);
      }
    }
    const res = new Response(this, null);
    if (this.tail === null) this.head = res;
    else this.tail.next = res;
    this.tail = res;
    res.status(status).end(`${STATUS_TEXT[status] ?? 'Bad Request'}\n`);
  }

  send(res: Response, data: Output): void {
    if (this.closed) return;
    if (res === this.head) {
      this.wire.write(data);
    } else {
      (res.held ??= []).push(data);
      res.heldBytes += typeof data === 'string' ? data.length : data.length;
    }
  }

  finished(res: Response): void {
    const req = this.current;
    if (req !== null && res.request === req && !this.closing) {
      // Answered before its body was read (only possible when streaming): the rest of the body is
      // read and dropped to reach the next request, as Node's http does.
      req.dump();
      this.resumeReading();
    }
    if (res === this.head) this.advance();
  }

  /** Moves past every finished response at the head of the queue, releasing held output. */
  private advance(): void {
    let res = this.head;
    while (res !== null && res.done) {
      if (res.close) {
        this.head = this.tail = null;
        this.closing = true;
        this.wire.close();
        return;
      }
      res = res.next;
      if (res !== null) {
        if (this.continueFor !== null && res.request === this.continueFor) this.sendContinue();
        const held = res.held;
        if (held !== null) {
          res.held = null;
          res.heldBytes = 0;
          for (const data of held) this.wire.write(data);
        }
      }
    }
    this.head = res;
    if (res === null) {
      this.tail = null;
      this.idleSince = clock.now;
      if (this.peerEnded) {
        this.closing = true;
        this.wire.close();
        return;
      }
      if (this.continueFor !== null && this.continueFor === this.current) this.sendContinue();
    }
    // A response waiting in drain() with its output held back may go on now that it is first.
    if (this.drainWaiters !== null) this.wakeDrainWaiters();
  }

  private sendContinue(): void {
    this.continueFor = null;
    this.wire.write(CONTINUE);
  }

  congested(res: Response): boolean {
    if (this.closed) return false;
    if (res !== this.head) return res.heldBytes > this.settings.writeHighWatermark;
    if (!this.outputBlocked && this.wire.outboundBuffered > this.settings.writeHighWatermark) this.outputBlocked = true;
    return this.outputBlocked;
  }

  drain(res: Response): Promise<void> {
    if (this.closed || !this.blocked(res)) return Promise.resolve();
    return new Promise<void>((resolve) => (this.drainWaiters ??= []).push({ res, resolve }));
  }

  /**
   * Whether `res` must wait: the head response until the core's `drained` event (the core only
   * sends one after pausing past the high watermark, so that is the only state worth waiting
   * in); a later one until it becomes the head, if it has held back more than the low watermark.
   */
  private blocked(res: Response): boolean {
    if (res !== this.head) return res.heldBytes > this.settings.writeLowWatermark;
    return this.congested(res);
  }

  /** The core's `drained` event: output fell to the low watermark after passing the high one. */
  /** The client sent FIN: what it asked for is answered, then the connection closes. */
  onPeerEnd(): void {
    if (this.upgraded !== null) {
      this.upgraded.onend?.();
      return;
    }
    this.peerEnded = true;
    // A request cut off mid-way can never complete.
    if (this.current !== null) this.closing = true;
    if (this.head === null) this.wire.close();
  }

  onDrained(): void {
    this.upgraded?.drained();
    this.outputBlocked = false;
    if (this.drainWaiters !== null) this.wakeDrainWaiters();
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    for (const waiter of waiters) {
      if (!this.closed && this.blocked(waiter.res)) (this.drainWaiters ??= []).push(waiter);
      else waiter.resolve();
    }
  }

  /** A streamed body's consumer took what was buffered: read more. */
  bodyRead(req: Request): void {
    if (req === this.current) this.resumeReading();
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.pausedAt = Date.now();
    this.wire.pause();
  }

  private resumeReading(): void {
    if (!this.readPaused || this.closed) return;
    this.readPaused = false;
    // The time the server was not reading is not the client's delay.
    this.bodySince += Date.now() - this.pausedAt;
    this.wire.resume();
  }

  /** Closes the connection if it has waited too long for a header block, a body or a new request. */
  checkTimeouts(now: number): void {
    if (this.closing) return;
    if (this.phase === PHASE_HEADERS) {
      if (now - this.headersSince >= this.settings.headersTimeout) this.timeOut(true);
    } else if (this.phase === PHASE_BODY) {
      if (!this.readPaused && now - this.bodySince >= this.settings.bodyTimeout) {
        this.reject(408, `the body did not arrive within ${this.settings.bodyTimeout} ms`);
      }
    } else if (this.head === null && this.current === null) {
      if (now - this.idleSince >= this.settings.keepAliveTimeout) this.timeOut(false);
    }
  }

  private timeOut(inHeaders: boolean): void {
    this.closing = true;
    if (inHeaders && this.head === null) {
      this.wire.write(`${statusLine(408)}${clock.dateLine}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    }
    this.wire.close();
  }

  /** The connection is gone (either side closed it). */
  onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.upgraded?.closedByPeer();
    const aborted = new BodyError('the connection closed before the request body was complete', 'ERR_NEVIO_HTTP_ABORTED');
    this.current?.abort(aborted);
    this.current = null;
    for (let res = this.head; res !== null; res = res.next) {
      res.request?.abort(aborted);
      res.closed();
    }
    this.head = this.tail = null;
    this.wakeDrainWaiters();
    if (this.settings.parsers.length < PARSER_POOL_MAX) this.settings.parsers.push(this.parser);
  }
}

import type { Output } from '@nevio/core';
import { clock, contentLengthLine, statusLine, STATUS_TEXT } from './clock';
import { compressStream, compressSync, MIN_COMPRESS_SIZE } from './compression';
import { applyHeaders, type HeadersInput, type HeaderValue } from './header-input';
import type { Request } from './request';
import type { Listener } from './lazy-emitter';
import { responseCoding } from './response-coding';
import { type ResponseEvent, ResponseExtra } from './response-extra';

export type { HeadersInput } from './header-input';
export type { ResponseEvent } from './response-extra';

/** What a response needs from its connection (implemented by the connection's pipeline). */
export interface ResponseSink {
  /** Writes now if `res` is the oldest unanswered response, otherwise holds the bytes back. */
  send(res: Response, data: Output): void;
  /** `res` has been ended. */
  finished(res: Response): void;
  /** Resolves once `res` may write again (see {@link Response.drain}). */
  drain(res: Response): Promise<void>;
  /** Whether more output for `res` should wait for {@link Response.drain}. */
  congested(res: Response): boolean;
  /** The connection is gone: output is dropped. */
  readonly closed: boolean;
  /** A cache for the one fixed response most handlers send over and over. */
  readonly fixed: FixedResponse;
}

/**
 * One prebuilt response: status line, Date, length and body, already encoded. Copying bytes into
 * the core's stage costs a fraction of encoding a string per response. A new Buffer replaces the
 * old one when anything changes (responses still held back may point at the old one).
 */
export interface FixedResponse {
  status: number;
  body: string;
  /** The body's length in bytes, measured once per cached body rather than once per response. */
  bodyLength: number;
  generation: number;
  bytes: Buffer;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_VALUE = /[\r\n\0]/;
const TEXT_PLAIN = 'Content-Type: text/plain; charset=utf-8\r\n';
const OCTET_STREAM = 'Content-Type: application/octet-stream\r\n';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_PLAIN_TYPE = 'text/plain; charset=utf-8';
const CHUNK_END = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/** A string chunk in `encoding` as bytes; UTF-8 stays a string, which the connection encodes itself. */
function encoded(chunk: string, encoding: BufferEncoding): Output {
  return encoding === 'utf8' || encoding === 'utf-8' ? chunk : Buffer.from(chunk, encoding);
}

/** Statuses that never carry a body (RFC 9110 6.4.1). */
function bodiless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}


/** Node's write callback: called once the chunk is handed on, with an error if the connection is gone. */
export type WriteCallback = (error?: Error | null) => void;

function connectionGone(): Error {
  return Object.assign(new Error('the connection closed before the response was written'), { code: 'ERR_STREAM_DESTROYED' });
}

/**
 * The answer to one request. Responses on a connection are written in request order, whatever
 * order their handlers finish in. `end` sends a response with a Content-Length; `write` streams
 * one with chunked encoding (or without framing, closing the connection, for HTTP/1.0 clients).
 */
export class Response {
  /** The status code to send; see {@link Response.status}. */
  statusCode = 200;
  /** @internal Set once the status line and headers are on their way. */
  started = false;
  /** @internal Set once ended. */
  done = false;
  /** @internal The next response in the connection's queue. */
  next: Response | null = null;
  /** @internal Output held back until the responses before this one are written. */
  held: Output[] | null = null;
  /** @internal Bytes in {@link Response.held}. */
  heldBytes = 0;
  /** @internal Close the connection after this response. */
  close: boolean;

  private names: string[] | null = null;
  private values: string[] | null = null;
  private chunked = false;
  private withoutBody = false;
  /** Body bytes sent by `write` and `end` (as they go on the wire: {@link Response.bodyBytes}). */
  private bodyCount = 0;
  /** What few responses use, made on first use: see {@link ResponseExtra}. */
  private extra: ResponseExtra | null = null;

  /** @internal */
  constructor(
    private readonly sink: ResponseSink,
    /** The request this answers; `null` for the error responses nevio sends itself. */
    readonly request: Request | null,
  ) {
    this.close = request === null || request.close;
  }

  private more(): ResponseExtra {
    return (this.extra ??= new ResponseExtra());
  }

  private get ending(): boolean {
    return this.extra !== null && this.extra.ending;
  }

  private get locked(): boolean {
    return this.extra !== null && this.extra.locked;
  }

  private get message(): string | undefined {
    return this.extra?.message;
  }

  private get encoder(): ResponseExtra['encoder'] {
    return this.extra === null ? null : this.extra.encoder;
  }

  /** Calls `listener` each time `event` is emitted (see {@link ResponseEvent}). */
  on(event: ResponseEvent, listener: Listener): this {
    this.more().on(event, listener);
    return this;
  }

  /** Like {@link Response.on}, for one call. */
  once(event: ResponseEvent, listener: Listener): this {
    this.more().once(event, listener);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  off(event: ResponseEvent, listener: Listener): this {
    this.extra?.off(event, listener);
    return this;
  }

  private emit(event: ResponseEvent): void {
    if (this.extra !== null && this.extra.listened) this.extra.emit(event);
  }

  /** Whether {@link Response.end} has been called. */
  get finished(): boolean {
    return this.done || this.ending;
  }

  /** Whether the headers are final: sent, or fixed by {@link Response.writeHead} (Node's `res.headersSent`). */
  get headersSent(): boolean {
    return this.started || this.locked;
  }

  /** Whether {@link Response.end} has been called (Node's `res.writableEnded`). */
  get writableEnded(): boolean {
    return this.done || this.ending;
  }

  /** Whether the whole response has been handed to the connection (Node's `res.writableFinished`). */
  get writableFinished(): boolean {
    return this.done;
  }

  /** The reason phrase sent with the status; defaults to the standard one (`OK`, `Not Found`, ...). */
  get statusMessage(): string {
    return this.message ?? STATUS_TEXT[this.statusCode] ?? 'Unknown';
  }

  set statusMessage(message: string) {
    if (FORBIDDEN_VALUE.test(message)) throw new TypeError('invalid status message');
    this.more().message = message;
  }

  /**
   * Node's `res.writeHead(status[, statusMessage][, headers])`: sets the status, an optional
   * reason phrase and headers (merged over those from {@link Response.setHeader}), and makes the
   * header set final. The head goes out with the first `write` or `end`.
   */
  writeHead(status: number, messageOrHeaders?: string | HeadersInput, headers?: HeadersInput): this {
    if (this.headersSent) throw new Error('cannot write the head twice or after the headers are sent');
    this.status(status);
    let fields = headers;
    if (typeof messageOrHeaders === 'string') this.statusMessage = messageOrHeaders;
    else fields = messageOrHeaders;
    if (fields !== undefined) applyHeaders(fields, this);
    this.more().locked = true;
    return this;
  }

  /** Adds a header field without replacing earlier ones with the same name (Node's `res.appendHeader`). */
  appendHeader(name: string, value: HeaderValue): this {
    const prior = this.rawValues(name);
    const added = Array.isArray(value) ? value.map(String) : [String(value)];
    return this.setHeader(name, prior.length === 0 ? added : [...prior, ...added]);
  }

  /** Every header set so far, by lower-case name: a string, or an array for a field set more than once. */
  getHeaders(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    for (const name of this.getHeaderNames()) {
      const values = this.rawValues(name);
      out[name] = values.length === 1 ? values[0] : values;
    }
    return out;
  }

  /** The lower-case names of the headers set so far. */
  getHeaderNames(): string[] {
    return this.names === null ? [] : [...new Set(this.names.map((n) => n.toLowerCase()))];
  }

  /** Whether `write` returned `false` and `'drain'` has not been emitted since (Node's `res.writableNeedDrain`). */
  get writableNeedDrain(): boolean {
    return this.extra !== null && this.extra.needDrain;
  }

  /**
   * Body bytes sent so far, as they go on the wire (compressed if {@link Response.compress} did,
   * without chunked framing); 0 for HEAD and for statuses without a body. An access log's size.
   */
  get bodyBytes(): number {
    return this.bodyCount;
  }

  /** @internal The connection is gone: 'close' for a response not yet ended (an ended one had it already). */
  closed(): void {
    this.encoder?.destroy();
    if (!this.done) this.emit('close');
  }

  private rawValues(name: string): string[] {
    if (this.names === null || this.values === null) return [];
    const lower = name.toLowerCase();
    const found: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (this.names[i].toLowerCase() === lower) found.push(this.values[i]);
    return found;
  }

  /** Whether the connection closed before the response could be sent. */
  get aborted(): boolean {
    return this.sink.closed && !this.done;
  }

  /** Sets the status code (100-999). Returns `this` for chaining. */
  status(code: number): this {
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`invalid HTTP status code: ${code}`);
    this.statusCode = code;
    return this;
  }

  /**
   * Sets a header field, replacing any earlier value (names are case-insensitive); an array sends
   * the field once per element. Throws a TypeError for names that are not tokens and values with
   * CR, LF or NUL (response splitting). `Content-Length` and `Transfer-Encoding` are managed by
   * nevio except that a Content-Length set before {@link Response.write} disables chunking.
   */
  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw new Error('cannot set headers after they are sent (or after writeHead)');
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name: ${JSON.stringify(name)}`);
    const list = Array.isArray(value) ? value.map(String) : [String(value)];
    for (const v of list) if (FORBIDDEN_VALUE.test(v)) throw new TypeError(`invalid value for header ${name}`);
    this.removeHeader(name);
    const names = (this.names ??= []);
    const values = (this.values ??= []);
    for (const v of list) {
      names.push(name);
      values.push(v);
    }
    if (name.length === 10 && name.toLowerCase() === 'connection' && list.some((v) => /\bclose\b/i.test(v))) {
      this.close = true;
    }
    return this;
  }

  /** The header's value (several values joined with `, `), or `undefined`. */
  getHeader(name: string): string | undefined {
    const found = this.rawValues(name);
    return found.length === 0 ? undefined : found.join(', ');
  }

  /** Whether the header has been set. */
  hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }

  /** Removes a header set earlier. */
  removeHeader(name: string): this {
    if (this.started) throw new Error('cannot remove headers after they are sent');
    if (this.names === null || this.values === null) return this;
    const lower = name.toLowerCase();
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.names[i].toLowerCase() === lower) {
        this.names.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
    return this;
  }

  /**
   * Streams a chunk of the body, sending the headers first, with Node's signatures:
   * `write(chunk[, encoding][, callback])`. A string chunk is encoded with `encoding` (default
   * UTF-8). Returns `false` when the client is not keeping up (the connection's output is above
   * the high watermark): wait for the `'drain'` event, or `await res.drain()`, before writing
   * more. `callback` runs once the chunk is handed to the connection (after that drain when
   * `write` returned `false`), with an error if the connection closed first.
   */
  write(chunk: Output, callback?: WriteCallback): boolean;
  write(chunk: Output, encoding: BufferEncoding, callback?: WriteCallback): boolean;
  write(chunk: Output, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    if (this.done || this.ending) throw new Error('write after end');
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const data = encoding !== undefined && typeof chunk === 'string' ? encoded(chunk, encoding) : chunk;
    if (!this.started) {
      if (this.extra !== null && this.extra.compressing) this.startEncoder();
      this.startStream();
    }
    // An encoder that holds more than its high watermark is as congested as the connection.
    let encoderFull = false;
    if (this.encoder !== null) {
      if (!this.withoutBody && data.length > 0) encoderFull = !this.encoder.write(data);
    } else {
      this.sendBody(data);
    }
    const flowing = !this.sink.congested(this) && !encoderFull;
    if (!flowing && !this.writableNeedDrain) {
      const extra = this.more();
      extra.needDrain = true;
      void this.waitDrain().then(() => {
        extra.needDrain = false;
        if (!this.sink.closed) this.emit('drain');
      });
    }
    if (done !== undefined) {
      if (flowing) process.nextTick(() => done(this.sink.closed ? connectionGone() : null));
      else void this.waitDrain().then(() => done(this.sink.closed ? connectionGone() : null));
    }
    return flowing;
  }

  /** Sends a part of the body, framed as the response is (chunked or not). */
  private sendBody(data: Output): void {
    const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (length === 0 || this.withoutBody) return;
    this.bodyCount += length;
    if (!this.chunked) {
      this.sink.send(this, data);
    } else if (typeof data === 'string') {
      this.sink.send(this, `${length.toString(16)}\r\n${data}\r\n`);
    } else {
      this.sink.send(this, `${length.toString(16)}\r\n`);
      this.sink.send(this, data);
      this.sink.send(this, CHUNK_END);
    }
  }

  /**
   * A {@link Response.compress}ed response starts streaming: its body goes through a zlib stream
   * when the client takes a coding and the type is compressible; the length is then unknown.
   */
  private startEncoder(): void {
    const coding = responseCoding(this.request, !bodiless(this.statusCode), this.getHeader('content-encoding'), this.getHeader('content-type'));
    if (coding === undefined) return;
    this.setHeader('Content-Encoding', coding);
    this.removeHeader('Content-Length');
    const encoder = compressStream(coding);
    encoder.on('data', (chunk: Buffer) => this.sendBody(chunk));
    encoder.on('end', () => {
      if (this.sink.closed) return;
      if (this.chunked) this.sink.send(this, LAST_CHUNK);
      this.complete(this.extra?.endCallback);
    });
    // Only a destroyed (connection closed) encoder fails; the response is gone with it.
    encoder.on('error', () => undefined);
    this.more().encoder = encoder;
  }

  /** Resolves when more may be written after {@link Response.write} returned `false` (or the client left). */
  drain(): Promise<void> {
    return this.waitDrain();
  }

  /** The encoder's drain (if it is full), then the connection's. */
  private waitDrain(): Promise<void> {
    const encoder = this.encoder;
    if (encoder === null || !encoder.writableNeedDrain) return this.sink.drain(this);
    return new Promise<void>((resolve) => {
      const go = (): void => {
        encoder.off('drain', go);
        encoder.off('close', go);
        resolve();
      };
      encoder.on('drain', go);
      // Destroyed with the connection: nothing to wait for.
      encoder.on('close', go);
    }).then(() => this.sink.drain(this));
  }

  /**
   * Finishes the response, with `body` as its last (or only) part, with Node's signatures:
   * `end([body][, encoding][, callback])`, `callback` running on `'finish'`. Without an earlier
   * `write`, the response gets a Content-Length; a string body defaults to
   * `text/plain; charset=utf-8`, a binary one to `application/octet-stream`. Calling it again
   * does nothing.
   */
  end(callback?: Listener): void;
  end(body: Output | undefined, callback?: Listener): void;
  end(body: Output | undefined, encoding: BufferEncoding, callback?: Listener): void;
  end(first?: Output | Listener, second?: BufferEncoding | Listener, third?: Listener): void {
    // Most handlers end a plain 200 with a string and nothing else: the fixed-response cache,
    // in a body small enough for V8 to inline into the handler.
    if (typeof first === 'string' && second === undefined && this.extra === null && this.names === null && !this.started && !this.done && !this.close && this.plain()) {
      this.sink.send(this, this.fixed(first));
      this.started = true;
      this.complete(undefined);
      return;
    }
    this.endGeneral(first, second, third);
  }

  /** Every other `end`: callbacks, encodings, headers set, compression, a stream to close. */
  private endGeneral(first?: Output | Listener, second?: BufferEncoding | Listener, third?: Listener): void {
    if (this.done || this.ending) return;
    const callback = typeof first === 'function' ? first : typeof second === 'function' ? second : third;
    const given = typeof first === 'function' ? undefined : first;
    let body = typeof second === 'string' && typeof given === 'string' ? encoded(given, second) : given;
    if (this.encoder !== null) {
      const extra = this.more();
      extra.ending = true;
      extra.endCallback = callback;
      if (body === undefined) this.encoder.end();
      else this.encoder.end(body);
      return;
    }
    if (this.extra !== null && this.extra.compressing && !this.started && body !== undefined) body = this.compressBody(body);
    if (this.started) {
      if (body !== undefined) this.write(body);
      if (this.chunked && !this.withoutBody) this.sink.send(this, LAST_CHUNK);
    } else if (typeof body === 'string' && this.names === null && !this.close && this.message === undefined && this.plain()) {
      this.sink.send(this, this.fixed(body));
      this.started = true;
    } else {
      const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      // An explicit Content-Length on an empty end() is a HEAD answer describing the GET body.
      const keepLength = body === undefined && this.hasHeader('content-length');
      const head = this.head(keepLength ? -2 : length, body === undefined ? '' : typeof body === 'string' ? TEXT_PLAIN : OCTET_STREAM);
      this.started = true;
      if (!this.withoutBody) this.bodyCount += length;
      if (this.withoutBody || body === undefined || length === 0) this.sink.send(this, head);
      else if (typeof body === 'string') this.sink.send(this, head + body);
      else {
        this.sink.send(this, head);
        this.sink.send(this, body);
      }
    }
    this.complete(callback);
  }

  /** The whole response is handed to the connection: 'finish', then 'close'. */
  private complete(callback: Listener | undefined): void {
    this.done = true;
    this.sink.finished(this);
    this.emit('finish');
    this.emit('close');
    callback?.();
  }

  /**
   * Compresses the body given to {@link Response.end} with brotli or gzip when the client's
   * Accept-Encoding takes one, the Content-Type is compressible (text, JSON, JavaScript, SVG,
   * ...; a string body without one is text) and the body has at least 1 KiB; adds
   * `Vary: Accept-Encoding` in any case. Call it before `write`/`end`. A body given whole to
   * `end` is compressed on the event loop's thread (brotli at quality 5, gzip at level 6: a few
   * milliseconds per megabyte) and sent with a Content-Length; a streamed one (`write`, whose
   * Content-Type must be set first) goes through a zlib stream, chunked, in the blocks zlib
   * outputs, and the response finishes once zlib has flushed. HEAD answers and responses that
   * already have a Content-Encoding are sent as they are.
   */
  compress(): this {
    if (this.headersSent) throw new Error('compress() must come before the headers are sent');
    this.more().compressing = true;
    const vary = this.getHeader('vary');
    if (vary === undefined) this.setHeader('Vary', 'Accept-Encoding');
    else if (!/(^|,)\s*(\*|accept-encoding)\s*(,|$)/i.test(vary)) this.setHeader('Vary', `${vary}, Accept-Encoding`);
    return this;
  }

  /** The body of a {@link Response.compress}ed response, encoded if it is worth it and the client takes it. */
  private compressBody(body: Output): Output {
    const type = this.getHeader('content-type') ?? (typeof body === 'string' ? TEXT_PLAIN_TYPE : undefined);
    const coding = responseCoding(this.request, !bodiless(this.statusCode), this.getHeader('content-encoding'), type);
    if (coding === undefined) return body;
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes.length < MIN_COMPRESS_SIZE) return body;
    // The type must survive: a string body would otherwise lose its text/plain default.
    if (type !== undefined) this.setHeader('Content-Type', type);
    this.setHeader('Content-Encoding', coding);
    return compressSync(bytes, coding);
  }

  /** Sends `value` as JSON (`application/json`), optionally with a status. */
  json(value: unknown, status?: number): void {
    if (status !== undefined) this.status(status);
    if (!this.hasHeader('content-type')) this.setHeader('Content-Type', JSON_TYPE);
    this.end(JSON.stringify(value) ?? 'null');
  }

  /** @internal Replaces whatever the handler prepared with an error response (nothing sent yet). */
  fail(status: number): void {
    this.names = null;
    this.values = null;
    if (this.extra !== null) {
      this.extra.message = undefined;
      this.extra.locked = false;
    }
    this.statusCode = status;
    this.close = true;
    this.end(`${STATUS_TEXT[status] ?? 'Error'}\n`);
  }

  /** A 200-class answer to a GET-like HTTP/1.1 request: the fixed-response cache applies. */
  private plain(): boolean {
    const request = this.request;
    return request !== null && request.method !== 'HEAD' && request.http11 && !bodiless(this.statusCode);
  }

  private fixed(body: string): Buffer {
    const cache = this.sink.fixed;
    if (cache.body !== body || cache.status !== this.statusCode || cache.generation !== clock.generation) {
      cache.body = body;
      cache.status = this.statusCode;
      cache.generation = clock.generation;
      cache.bodyLength = Buffer.byteLength(body);
      cache.bytes = Buffer.from(
        `${statusLine(this.statusCode)}${clock.dateLine}${TEXT_PLAIN}${contentLengthLine(cache.bodyLength)}\r\n${body}`,
      );
    }
    this.bodyCount = cache.bodyLength;
    return cache.bytes;
  }

  private startStream(): void {
    const http11 = this.request === null || this.request.http11;
    if (this.hasHeader('content-length')) {
      this.sink.send(this, this.head(-2, OCTET_STREAM));
    } else if (http11) {
      this.chunked = true;
      this.sink.send(this, this.head(-1, OCTET_STREAM));
    } else {
      // HTTP/1.0 has no chunked encoding: the end of the connection ends the body.
      this.close = true;
      this.sink.send(this, this.head(-2, OCTET_STREAM));
    }
    this.started = true;
  }

  /**
   * The status line and header block. `length` >= 0 sends it as Content-Length, -1 announces
   * chunked encoding, -2 sends neither (the caller set its own, or the body runs to the close).
   */
  private head(length: number, defaultType: string): string {
    const status = this.statusCode;
    const request = this.request;
    this.withoutBody = bodiless(status) || (request !== null && request.method === 'HEAD');
    const line = this.message === undefined ? statusLine(status) : `HTTP/1.1 ${status} ${this.message}\r\n`;
    let head = line + clock.dateLine;
    let hasType = false;
    if (this.names !== null && this.values !== null) {
      for (let i = 0; i < this.names.length; i++) {
        const name = this.names[i];
        const lower = name.toLowerCase();
        if (lower === 'content-type') hasType = true;
        else if (lower === 'transfer-encoding' || (lower === 'content-length' && length !== -2)) continue;
        else if (lower === 'connection') continue;
        head += `${name}: ${this.values[i]}\r\n`;
      }
    }
    if (!hasType && defaultType !== '' && !bodiless(status)) head += defaultType;
    if (!bodiless(status)) {
      if (length >= 0) head += contentLengthLine(length);
      else if (length === -1) head += 'Transfer-Encoding: chunked\r\n';
    }
    if (this.close) head += 'Connection: close\r\n';
    else if (request !== null && !request.http11) head += 'Connection: keep-alive\r\n';
    return head + '\r\n';
  }
}

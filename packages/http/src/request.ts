import { Readable } from 'node:stream';
import {
  FIELD_INTS,
  FIELD_NAME_LENGTH,
  FIELD_NAME_START,
  FIELD_VALUE_LENGTH,
  FIELD_VALUE_START,
  FLAG_CHUNKED,
  FLAG_CONTENT_LENGTH,
  HEAD_END,
  HEAD_FIELDS,
  HEAD_FIXED,
  HEAD_FLAGS,
  HEAD_LENGTH_HIGH,
  HEAD_LENGTH_LOW,
  HEAD_METHOD,
  HEAD_START,
  HEAD_URL_LENGTH,
  HEAD_URL_START,
  METHODS,
  VERSION_MAJOR_SHIFT,
  VERSION_MINOR_SHIFT,
} from './native';

/**
 * Counts `react` calls. A request that has not copied its header block reads it from the
 * connection's read buffer, which is only valid during the `react` call that parsed it.
 */
let reactGeneration = 0;

/** Marks the end of a `react` call: views into its data are no longer valid. */
export function endReact(): void {
  reactGeneration++;
}

const EMPTY = Buffer.alloc(0);

// Buffer#latin1Slice is what toString('latin1') calls after checking its arguments; header bytes
// are decoded often enough for the check to show. It is undocumented, hence the fallback.
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const latin1: (data: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function'
    ? (data, start, end) => (data as Latin1Buffer).latin1Slice(start, end)
    : (data, start, end) => data.toString('latin1', start, end);

/** Thrown by a request's header accessors once the bytes they would read are gone. */
export class RequestExpiredError extends Error {
  readonly code = 'ERR_NEVIO_HTTP_REQUEST_EXPIRED';
  constructor() {
    super(
      'the request was answered synchronously and its header bytes were released; read req.url/req.headers before res.end() returns control to nevio',
    );
    this.name = 'RequestExpiredError';
  }
}

/** The request's body could not be read to the end. */
export class BodyError extends Error {
  constructor(
    message: string,
    /** A stable code: `ERR_NEVIO_HTTP_ABORTED` (the connection closed) or `ERR_NEVIO_HTTP_BODY` (bad body). */
    readonly code: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * A request's header fields as Node's `req.headers`: a plain object with lower-case names.
 * Repeated fields are joined as Node joins them: `set-cookie` is an array, `cookie` is joined
 * with `; `, the fields that may appear once (see `SINGLE`) keep the first value, and the rest
 * are joined with `, `.
 */
export type IncomingHeaders = Record<string, string | string[] | undefined> & { 'set-cookie'?: string[] };

/** Fields Node keeps only the first of (its `matchKnownFields`): a second one is dropped. */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

function nodeHeaders(pairs: readonly string[]): IncomingHeaders {
  // Without a prototype, a field named `constructor` or `toString` is a field like any other (on
  // `{}` its first value would be joined onto Object's own); `__proto__` is dropped, as Node does.
  const out = Object.create(null) as IncomingHeaders;
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i].toLowerCase();
    if (name === '__proto__') continue;
    const value = pairs[i + 1];
    const prior = out[name];
    if (name === 'set-cookie') {
      if (Array.isArray(prior)) prior.push(value);
      else out[name] = [value];
    } else if (prior === undefined) {
      out[name] = value;
    } else if (!SINGLE.has(name)) {
      out[name] = `${prior as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  return out;
}

/** The connection a request came on, as far as Node's `req.socket` is usually read. */
export interface SocketInfo {
  /** The client's address (`undefined` on a unix socket). */
  readonly remoteAddress: string | undefined;
  /** The client's port. */
  readonly remotePort: number | undefined;
  /** The server's address. */
  readonly localAddress: string | undefined;
  /** The server's port. */
  readonly localPort: number | undefined;
  /** Whether the connection is TLS (HTTPS). */
  readonly encrypted: boolean;
}

/**
 * A request's path, query, header object and stream, made when first read. Outside the Request
 * so that a request stays as small as V8 builds inline: the Hello-World handler reads only
 * `url` and `method` (see ResponseExtra for what a larger object cost).
 */
class Derived {
  path: string | undefined = undefined;
  query: URLSearchParams | undefined = undefined;
  headers: IncomingHeaders | undefined = undefined;
  stream: Readable | undefined = undefined;
}

/** A request body being received. */
class BodyState {
  length = 0;
  parts: Buffer[] | undefined = undefined;
  /** Bytes in `parts`: received, not yet handed to the reader. */
  unread = 0;
  /** The response ended first: what still arrives is dropped. */
  dumped = false;
  failure: Error | undefined = undefined;
  wake: (() => void) | undefined = undefined;
  consumed = false;

  constructor(
    /** Preallocated for a known Content-Length; chunked bodies collect parts. */
    public buffer: Buffer | undefined,
  ) {}

  notify(): void {
    const wake = this.wake;
    if (wake !== undefined) {
      this.wake = undefined;
      wake();
    }
  }
}

/** What a request needs from its connection. */
export interface RequestOwner {
  /** Whether bodies are streamed (handler called once the headers are in). */
  readonly streamBody: boolean;
  /** The reader took every buffered body byte of `req`. */
  bodyRead(req: Request): void;
  /** The connection's addresses. */
  readonly socket: SocketInfo;
}

/**
 * An HTTP request. Its URL and headers are decoded from the connection's buffer only when read.
 * Handlers that answer synchronously should read what they need before returning; handlers that
 * return a promise (or keep `res` for later) may read everything at any time.
 *
 * The body is read with {@link Request.body}, {@link Request.text} or {@link Request.json}, or,
 * when the server streams bodies, chunk by chunk with `for await (const chunk of req)`.
 */
export class Request implements AsyncIterable<Buffer> {
  /** `GET`, `POST`, ... */
  readonly method: string;
  /** @internal */
  readonly flags: number;
  /** @internal Set when the response must close the connection. */
  close: boolean;

  // Header block: either a view into the read buffer (valid while `generation` is current) or
  // an owned copy. `rec[at]` is the first of FIELD_INTS ints per header field.
  private data: Buffer;
  private rec: Int32Array;
  private at: number;
  private readonly count: number;
  private urlStart: number;
  private readonly urlLen: number;
  private owned = false;
  private readonly generation = reactGeneration;

  private urlString: string | undefined;
  /** Views of the request few handlers ask for, made on first use: see {@link Derived}. */
  private derived: Derived | undefined;

  // Most requests have no body: its state is a separate object, made when needed.
  private state: BodyState | undefined;
  private ended = false;

  /** @internal */
  constructor(
    private readonly owner: RequestOwner,
    data: Buffer,
    rec: Int32Array,
    i: number,
  ) {
    this.method = METHODS[rec[i + HEAD_METHOD]] ?? 'UNKNOWN';
    this.flags = rec[i + HEAD_FLAGS];
    this.data = data;
    this.rec = rec;
    this.at = i + HEAD_FIXED;
    this.urlStart = rec[i + HEAD_URL_START];
    this.urlLen = rec[i + HEAD_URL_LENGTH];
    this.count = rec[i + HEAD_FIELDS];
    this.close = false;
    if ((this.flags & FLAG_CONTENT_LENGTH) !== 0) {
      this.contentLength = (rec[i + HEAD_LENGTH_LOW] >>> 0) + (rec[i + HEAD_LENGTH_HIGH] >>> 0) * 2 ** 32;
      // The parser enforces the body size limit, so a huge length only reaches here when bodies
      // are unlimited; those are collected in parts instead of one allocation.
      if (this.contentLength > 0 && this.contentLength <= 2 ** 31 && !owner.streamBody) {
        this.state = new BodyState(Buffer.allocUnsafe(this.contentLength));
      }
    }
  }

  /** The Content-Length the client announced, if it sent one. */
  readonly contentLength: number | undefined;

  /** @internal HTTP/1.1 or later (chunked encoding, keep-alive by default). */
  get http11(): boolean {
    return this.versionMajor > 1 || (this.versionMajor === 1 && this.versionMinor >= 1);
  }

  /** `1.1` or `1.0`. */
  get httpVersion(): string {
    return `${this.versionMajor}.${this.versionMinor}`;
  }

  private get versionMajor(): number {
    return (this.flags >> VERSION_MAJOR_SHIFT) & 0xff;
  }

  private get versionMinor(): number {
    return (this.flags >> VERSION_MINOR_SHIFT) & 0xff;
  }

  /** The request target as sent, e.g. `/search?q=nevio`. */
  get url(): string {
    let url = this.urlString;
    if (url === undefined) {
      const data = this.view();
      // The most requested URL of all gets a constant instead of a new string.
      url = this.urlLen === 1 && data[this.urlStart] === 0x2f ? '/' : latin1(data, this.urlStart, this.urlStart + this.urlLen);
      this.urlString = url;
    }
    return url;
  }

  private more(): Derived {
    return (this.derived ??= new Derived());
  }

  /** The URL without its query string. Percent-encoding is left as sent. */
  get path(): string {
    const derived = this.more();
    if (derived.path === undefined) {
      const url = this.url;
      const q = url.indexOf('?');
      derived.path = q < 0 ? url : url.slice(0, q);
    }
    return derived.path;
  }

  /** The decoded query string. */
  get query(): URLSearchParams {
    const derived = this.more();
    if (derived.query === undefined) {
      const url = this.url;
      const q = url.indexOf('?');
      derived.query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    }
    return derived.query;
  }

  /**
   * Every header field, as Node's `req.headers` (see {@link IncomingHeaders}). Built on first
   * use; {@link Request.header} reads one field without building it.
   */
  get headers(): IncomingHeaders {
    const derived = this.more();
    if (derived.headers === undefined) {
      const pairs: string[] = new Array<string>(this.count * 2);
      for (let h = 0; h < this.count; h++) {
        pairs[2 * h] = this.fieldName(h);
        pairs[2 * h + 1] = this.fieldValue(h);
      }
      derived.headers = nodeHeaders(pairs);
    }
    return derived.headers;
  }

  /** The connection's addresses, as Node's `req.socket` (also `req.connection`). */
  get socket(): SocketInfo {
    return this.owner.socket;
  }

  /** Same as {@link Request.socket}. */
  get connection(): SocketInfo {
    return this.owner.socket;
  }

  /**
   * The body as a Node `Readable`, made on first use (by this getter, `on`, `pipe`, ...): reading
   * from it pulls from the connection, so a slow consumer pauses the socket.
   */
  get readable(): Readable {
    const derived = this.more();
    return (derived.stream ??= Readable.from(this, { objectMode: false }));
  }

  /** Node's `req.on('data' | 'end' | 'error' | ...)`, through {@link Request.readable}. */
  on(...args: Parameters<Readable['on']>): this {
    this.readable.on(...args);
    return this;
  }

  /** Node's `req.once`, through {@link Request.readable}. */
  once(...args: Parameters<Readable['once']>): this {
    this.readable.once(...args);
    return this;
  }

  /** Node's `req.off`, through {@link Request.readable}. */
  off(...args: Parameters<Readable['off']>): this {
    this.readable.off(...args);
    return this;
  }

  /** Same as {@link Request.off}. */
  removeListener(...args: Parameters<Readable['off']>): this {
    return this.off(...args);
  }

  /** Pipes the body into `destination` with backpressure, as Node's `req.pipe`. */
  pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    return this.readable.pipe(destination, options);
  }

  /** Flowing mode (Node's `req.resume()`; with no listener, drains the body). */
  resume(): this {
    this.readable.resume();
    return this;
  }

  /** Stops `'data'` events, as Node's `req.pause()`. */
  pause(): this {
    this.readable.pause();
    return this;
  }

  /** Decodes `'data'` chunks as strings, as Node's `req.setEncoding`. */
  setEncoding(encoding: BufferEncoding): this {
    this.readable.setEncoding(encoding);
    return this;
  }

  /**
   * One header field's value (repeated fields joined with `, `), or `undefined`. `name` is
   * case-insensitive. Cheaper than {@link Request.headers} when only a few fields are needed.
   */
  header(name: string): string | undefined {
    const data = this.view();
    const rec = this.rec;
    const n = name.length;
    let found: string | undefined;
    for (let h = 0; h < this.count; h++) {
      const p = this.at + FIELD_INTS * h;
      if (rec[p + FIELD_NAME_LENGTH] !== n) continue;
      const start = rec[p + FIELD_NAME_START];
      let same = true;
      for (let k = 0; k < n; k++) {
        if (lowerAscii(data[start + k]) !== lowerAscii(name.charCodeAt(k))) {
          same = false;
          break;
        }
      }
      if (same) found = found === undefined ? this.fieldValue(h) : `${found}, ${this.fieldValue(h)}`;
    }
    return found;
  }

  /** The raw header fields as `[name, value, name, value, ...]`, names as sent. */
  get rawHeaders(): string[] {
    const pairs: string[] = [];
    for (let h = 0; h < this.count; h++) pairs.push(this.fieldName(h), this.fieldValue(h));
    return pairs;
  }

  /** Whether the request has a body (a Content-Length above 0 or chunked encoding). */
  get hasBody(): boolean {
    return (this.flags & FLAG_CHUNKED) !== 0 || (this.contentLength ?? 0) > 0;
  }

  /** The whole body. Rejects with a {@link BodyError} if the connection closes first. */
  body(): Promise<Buffer> {
    if (this.ended && !this.owner.streamBody) {
      try {
        return Promise.resolve(this.collected());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.collect();
  }

  /** The body decoded as UTF-8. */
  async text(): Promise<string> {
    return (await this.body()).toString('utf8');
  }

  /** The body parsed as JSON; rejects with a SyntaxError when it is not JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** The body chunk by chunk, as it arrives (when the server streams bodies) or in one piece. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const state = (this.state ??= new BodyState(undefined));
    if (state.consumed) throw new BodyError('the request body was already read', 'ERR_NEVIO_HTTP_BODY');
    state.consumed = true;
    for (;;) {
      const parts = state.parts;
      if (parts !== undefined && parts.length > 0) {
        state.parts = undefined;
        state.unread = 0;
        this.owner.bodyRead(this);
        for (const part of parts) yield part;
        continue;
      }
      if (state.buffer !== undefined && this.ended) {
        const whole = state.buffer.subarray(0, state.length);
        state.buffer = undefined;
        yield whole;
        continue;
      }
      if (state.failure !== undefined) throw state.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (state.wake = resolve));
    }
  }

  private async collect(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this) parts.push(part);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private collected(): Buffer {
    const state = this.state;
    if (state === undefined) return EMPTY;
    if (state.consumed) throw new BodyError('the request body was already read as a stream', 'ERR_NEVIO_HTTP_BODY');
    if (state.buffer !== undefined) return state.buffer.subarray(0, state.length);
    if (state.parts === undefined) return EMPTY;
    const whole = state.parts.length === 1 ? state.parts[0] : Buffer.concat(state.parts);
    state.parts = [whole];
    return whole;
  }

  /** @internal Body bytes `data[start, start + length)`, copied (the view is not ours to keep). */
  push(data: Buffer, start: number, length: number): void {
    const state = (this.state ??= new BodyState(undefined));
    if (state.dumped) return;
    const buffer = state.buffer;
    if (buffer !== undefined && state.length + length <= buffer.length) {
      data.copy(buffer, state.length, start, start + length);
    } else {
      (state.parts ??= []).push(Buffer.from(data.subarray(start, start + length)));
      state.unread += length;
    }
    state.length += length;
    state.notify();
  }

  /** @internal Streamed body bytes received and not yet taken by the reader. */
  get bodyUnread(): number {
    return this.state === undefined ? 0 : this.state.unread;
  }

  /** @internal The response is finished: drop the body instead of keeping it for a reader. */
  dump(): void {
    if (this.ended) return;
    const state = (this.state ??= new BodyState(undefined));
    state.dumped = true;
    state.parts = undefined;
    state.unread = 0;
    state.failure ??= new BodyError('the response ended before the request body was read', 'ERR_NEVIO_HTTP_BODY');
    state.notify();
  }

  /** @internal The body is complete. */
  finish(): void {
    this.ended = true;
    this.state?.notify();
  }

  /** @internal The body will never complete. */
  abort(error: Error): void {
    if (this.ended) return;
    const state = (this.state ??= new BodyState(undefined));
    state.failure = error;
    state.notify();
  }

  /**
   * @internal Copies the header block out of the read buffer so the request outlives the
   * `react` call that parsed it.
   */
  detach(): void {
    if (this.owned || this.generation !== reactGeneration) return;
    this.owned = true;
    const rec = this.rec;
    const first = this.at - HEAD_FIXED;
    const start = rec[first + HEAD_START];
    const end = rec[first + HEAD_END];
    const copy = new Int32Array(this.count * FIELD_INTS);
    for (let k = 0; k < copy.length; k += FIELD_INTS) {
      const p = this.at + k;
      copy[k + FIELD_NAME_START] = rec[p + FIELD_NAME_START] - start;
      copy[k + FIELD_NAME_LENGTH] = rec[p + FIELD_NAME_LENGTH];
      copy[k + FIELD_VALUE_START] = rec[p + FIELD_VALUE_START] - start;
      copy[k + FIELD_VALUE_LENGTH] = rec[p + FIELD_VALUE_LENGTH];
    }
    this.data = Buffer.from(this.data.subarray(start, end));
    this.rec = copy;
    this.at = 0;
    this.urlStart -= start;
  }

  private view(): Buffer {
    if (!this.owned && this.generation !== reactGeneration) throw new RequestExpiredError();
    return this.data;
  }

  private fieldName(h: number): string {
    const p = this.at + FIELD_INTS * h;
    const start = this.rec[p + FIELD_NAME_START];
    return latin1(this.view(), start, start + this.rec[p + FIELD_NAME_LENGTH]);
  }

  private fieldValue(h: number): string {
    const p = this.at + FIELD_INTS * h;
    const data = this.view();
    const start = this.rec[p + FIELD_VALUE_START];
    let end = start + this.rec[p + FIELD_VALUE_LENGTH];
    // llhttp leaves trailing whitespace in the value; it is not part of it (RFC 9110 5.5).
    while (end > start && (data[end - 1] === 0x20 || data[end - 1] === 0x09)) end--;
    return latin1(data, start, end);
  }
}

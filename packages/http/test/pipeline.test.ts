// The ordering logic of one connection, driven through a fake of the few Conn methods it uses.
// The same behaviours are exercised over real sockets in server.test.ts.
import type { Output } from '@nevio/core';
import { type Handler, HttpConnection, type Settings, type Wire } from '../src/connection';
import { parseResponses } from './helpers';

class FakeWire implements Wire {
  written = '';
  closed = false;
  kept = Buffer.alloc(0);
  outboundBuffered = 0;
  private consumed = -1;

  write(data: Output): void {
    if (this.closed) return;
    this.written += typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  }
  close(): void {
    this.closed = true;
  }
  discard(n: number): number {
    this.consumed = n;
    return n;
  }
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** Delivers bytes the way the core does: unconsumed bytes come back in front of new ones. */
  feed(http: HttpConnection, text: string): void {
    const data = Buffer.concat([this.kept, Buffer.from(text, 'latin1')]);
    this.consumed = -1;
    http.onData(data);
    this.kept = this.consumed < 0 ? Buffer.alloc(0) : Buffer.from(data.subarray(this.consumed));
  }
}

function settings(handler: Handler, overrides: Partial<Settings> = {}): Settings {
  return {
    handler,
    maxHeaderSize: 8192,
    maxHeaders: 100,
    maxBodySize: 1 << 20,
    streamBody: false,
    headersTimeout: 1000,
    bodyTimeout: 1000,
    keepAliveTimeout: 1000,
    writeHighWatermark: 1 << 20,
    writeLowWatermark: 1 << 18,
    fixed: { status: 0, body: '', bodyLength: 0, generation: -1, bytes: Buffer.alloc(0) },
    parsers: [],
    upgrade: null,
    onError: () => undefined,
    ...overrides,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HttpConnection pipeline', () => {
  test('answers pipelined requests in request order when handlers finish out of order', async () => {
    const pending = new Map<string, () => void>();
    const wire = new FakeWire();
    const http = new HttpConnection(
      wire,
      settings((req, res) => {
        const url = req.url;
        if (url === '/sync') {
          res.end('sync');
          return;
        }
        return new Promise<void>((resolve) => pending.set(url, resolve)).then(() => res.end(url));
      }),
    );
    wire.feed(http, 'GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /fast HTTP/1.1\r\nHost: t\r\n\r\nGET /sync HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(wire.written).toBe('');
    pending.get('/fast')!();
    await tick();
    expect(wire.written).toBe('');
    pending.get('/slow')!();
    await tick();
    expect(parseResponses(wire.written).map((r) => r.body)).toEqual(['/slow', '/fast', 'sync']);
    expect(wire.closed).toBe(false);
  });

  test('sends 400 after the responses already owed, then closes and ignores the rest', async () => {
    let finish: (() => void) | undefined;
    const wire = new FakeWire();
    const http = new HttpConnection(
      wire,
      settings((_req, res) => new Promise<void>((resolve) => (finish = resolve)).then(() => res.end('first'))),
    );
    wire.feed(http, 'GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n');
    expect(wire.written).toBe('');
    finish!();
    await tick();
    const responses = parseResponses(wire.written);
    expect(responses.map((r) => r.status)).toEqual([200, 400]);
    expect(responses[1].headers.connection).toBe('close');
    expect(wire.closed).toBe(true);
    wire.feed(http, 'GET /after HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(parseResponses(wire.written)).toHaveLength(2);
  });

  test('holds 100 Continue until the earlier responses are out', async () => {
    let finish: (() => void) | undefined;
    const wire = new FakeWire();
    const http = new HttpConnection(
      wire,
      settings(async (req, res) => {
        if (req.url === '/wait') await new Promise<void>((resolve) => (finish = resolve));
        res.end(req.url);
      }),
    );
    wire.feed(http, 'GET /wait HTTP/1.1\r\nHost: t\r\n\r\nPOST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    expect(wire.written).toBe('');
    finish!();
    await tick();
    expect(wire.written).toMatch(/\/wait\r?\n?HTTP\/1\.1 100 Continue\r\n\r\n$/);
    wire.feed(http, 'ok');
    await tick();
    expect(parseResponses(wire.written).map((r) => r.status)).toEqual([200, 100, 200]);
  });

  test('a handler that throws gets a 500 and the connection closes after it', async () => {
    const wire = new FakeWire();
    const errors: Error[] = [];
    const http = new HttpConnection(
      wire,
      settings(
        () => {
          throw new Error('boom');
        },
        { onError: (error) => errors.push(error) },
      ),
    );
    wire.feed(http, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(parseResponses(wire.written)[0].status).toBe(500);
    expect(wire.closed).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
  });

  test('request headers read after a synchronous answer fail loudly instead of reading freed bytes', () => {
    const wire = new FakeWire();
    let kept: { headers: unknown } | undefined;
    const http = new HttpConnection(
      wire,
      settings((req, res) => {
        kept = req;
        res.end('x');
      }),
    );
    wire.feed(http, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(() => kept!.headers).toThrow(/released/);
  });

  test('an unanswered request keeps its headers readable after the read that carried them', async () => {
    const wire = new FakeWire();
    const http = new HttpConnection(
      wire,
      settings(async (req, res) => {
        await tick();
        res.end(`${req.header('x-name')} ${req.headers.host} ${req.url}`);
      }),
    );
    wire.feed(http, 'GET /later?q=1 HTTP/1.1\r\nHost: h\r\nX-Name: n\r\n\r\n');
    // Overwrite the bytes the request was parsed from, as the core's next read would.
    wire.feed(http, 'GET /other HTTP/1.1\r\nHost: zzzzzzz\r\nX-Name: mmmm\r\n\r\n');
    await tick();
    await tick();
    expect(parseResponses(wire.written).map((r) => r.body)).toEqual(['n h /later?q=1', 'mmmm zzzzzzz /other']);
  });

  test('res.drain() resolves on the core drained event, not when the output merely shrinks', async () => {
    const wire = new FakeWire();
    let wrote: boolean | undefined;
    let resumed = false;
    const http = new HttpConnection(
      wire,
      settings(async (_req, res) => {
        wire.outboundBuffered = 2 << 20;
        wrote = res.write('x');
        await res.drain();
        resumed = true;
        res.end();
      }),
    );
    wire.feed(http, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(wrote).toBe(false);
    // The core pauses past the high watermark and says when it is back under the low one.
    wire.outboundBuffered = 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resumed).toBe(false);
    http.onDrained();
    await tick();
    expect(resumed).toBe(true);
    expect(wire.written).toMatch(/0\r\n\r\n$/);
  });

  test('res.drain() below the high watermark resolves at once (the core will send no drained event)', async () => {
    const wire = new FakeWire();
    let resumed = false;
    const http = new HttpConnection(
      wire,
      settings(async (_req, res) => {
        wire.outboundBuffered = 512 * 1024;
        res.write('x');
        await res.drain();
        resumed = true;
        res.end();
      }),
    );
    wire.feed(http, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await tick();
    expect(resumed).toBe(true);
  });

  test('a response holding back output waits in drain() until the responses before it are done', async () => {
    const wire = new FakeWire();
    let finishFirst: (() => void) | undefined;
    let resumed = false;
    const http = new HttpConnection(
      wire,
      settings(async (req, res) => {
        if (req.url === '/first') {
          await new Promise<void>((resolve) => (finishFirst = resolve));
          res.end('first');
          return;
        }
        if (!res.write(Buffer.alloc(2 << 20))) await res.drain();
        resumed = true;
        res.end();
      }),
    );
    wire.feed(http, 'GET /first HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\n');
    await tick();
    expect(resumed).toBe(false);
    finishFirst!();
    await tick();
    await tick();
    expect(resumed).toBe(true);
  });
});

// The llhttp binding on its own: record layout, requests split across reads, and the strict
// rejections that keep request smuggling out.
import {
  BODY_INTS,
  BODY_LENGTH,
  BODY_START,
  FIELD_INTS,
  FIELD_NAME_LENGTH,
  FIELD_NAME_START,
  HEAD_END,
  HEAD_FIELDS,
  HEAD_FIXED,
  HEAD_LENGTH_LOW,
  HEAD_METHOD,
  HEAD_START,
  HEAD_URL_LENGTH,
  HEAD_URL_START,
  METHODS,
  type NativeParser,
  OUT_CONSUME,
  OUT_SLACK,
  OUT_USED,
  Parser,
  PROLOGUE,
  RECORD_BODY,
  RECORD_END,
  RECORD_HEAD,
} from '../src/native';

interface Parsed {
  status: number;
  consumed: number;
  phase: number;
  requests: Array<{ method: number; url: string; headers: Array<[string, string]>; flags: number; length: number }>;
  body: string;
  ends: number;
  reason: string;
}

const out = new Int32Array(1 << 16);

function run(parser: NativeParser, input: string | Buffer): Parsed {
  const data = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const status = parser.execute(data, out);
  const result: Parsed = { status, consumed: out[1], phase: out[2], requests: [], body: '', ends: 0, reason: '' };
  let i = PROLOGUE;
  while (i < out[0]) {
    if (out[i] === RECORD_HEAD) {
      const headers: Array<[string, string]> = [];
      for (let h = 0; h < out[i + 9]; h++) {
        const p = i + HEAD_FIXED + 4 * h;
        headers.push([
          data.toString('latin1', out[p], out[p] + out[p + 1]),
          data.toString('latin1', out[p + 2], out[p + 2] + out[p + 3]),
        ]);
      }
      result.requests.push({
        method: out[i + 1],
        flags: out[i + 2],
        url: data.toString('latin1', out[i + 5], out[i + 5] + out[i + 6]),
        headers,
        length: out[i + 7],
      });
      i += HEAD_FIXED + 4 * out[i + 9];
    } else if (out[i] === RECORD_BODY) {
      result.body += data.toString('latin1', out[i + 1], out[i + 1] + out[i + 2]);
      i += 3;
    } else if (out[i] === RECORD_END) {
      result.ends++;
      i++;
    } else {
      throw new Error(`bad record ${out[i]}`);
    }
  }
  if (status < 0) result.reason = parser.errorReason();
  return result;
}

const fresh = (maxHeaderSize = 8192, maxHeaders = 100, maxBody = 1 << 20): NativeParser =>
  new Parser(maxHeaderSize, maxHeaders, maxBody);

describe('llhttp binding', () => {
  test('reports several pipelined requests from one buffer', () => {
    const r = run(
      fresh(),
      'GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Two: 2 \r\n\r\nPOST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: t\r\n\r\n',
    );
    expect(r.status).toBe(0);
    expect(r.requests.map((q) => q.url)).toEqual(['/a?x=1', '/b', '/c']);
    expect(r.requests[0].headers).toEqual([
      ['Host', 'h'],
      ['X-Two', '2 '],
    ]);
    expect(r.requests[1].length).toBe(3);
    expect(r.body).toBe('abc');
    expect(r.ends).toBe(3);
    expect(r.phase).toBe(0);
  });

  test('keeps an incomplete header block unconsumed and finishes it from the next buffer', () => {
    const parser = fresh();
    const whole = 'GET /x HTTP/1.1\r\nHost: y\r\n\r\nGET /split HTTP/1.1\r\nHo';
    const first = run(parser, whole);
    expect(first.requests.map((q) => q.url)).toEqual(['/x']);
    expect(first.phase).toBe(1);
    const kept = whole.slice(first.consumed);
    expect(kept).toBe('GET /split HTTP/1.1\r\nHo');
    const second = run(parser, `${kept}st: example\r\n\r\n`);
    expect(second.requests).toEqual([expect.objectContaining({ url: '/split', headers: [['Host', 'example']] })]);
  });

  test('parses a request delivered one byte per read', () => {
    const parser = fresh();
    const request = 'POST /byte HTTP/1.1\r\nHost: abc\r\nContent-Length: 5\r\n\r\nhello';
    let pending = '';
    const urls: string[] = [];
    let body = '';
    for (const ch of request) {
      pending += ch;
      const r = run(parser, pending);
      expect(r.status).toBe(0);
      urls.push(...r.requests.map((q) => q.url));
      body += r.body;
      pending = pending.slice(r.consumed);
    }
    expect(urls).toEqual(['/byte']);
    expect(body).toBe('hello');
  });

  test('decodes chunked bodies, with extensions and trailers', () => {
    const r = run(
      fresh(),
      'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n',
    );
    expect(r.status).toBe(0);
    expect(r.body).toBe('abcde');
    expect(r.ends).toBe(1);
  });

  test.each([
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ['duplicate differing Content-Length', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['a negative chunk size', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n'],
    ['an overflowing chunk size', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n'],
    ['an invalid header token', 'GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n'],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['a bare LF after the request line', 'GET / HTTP/1.1\nHost: x\r\n\r\n'],
    ['a bare LF after a header', 'GET / HTTP/1.1\r\nHost: x\n\r\n'],
    ['a bare LF ending the header block', 'GET / HTTP/1.1\r\nHost: x\r\n\n'],
    ['a bare LF in chunked framing', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n'],
    ['an obsolete line fold', 'GET / HTTP/1.1\r\nHost: t\r\nA: b\r\n c\r\n\r\n'],
  ])('rejects %s with 400', (_name, input) => {
    const r = run(fresh(), input);
    expect(r.status).toBe(-400);
    expect(r.reason).not.toBe('');
    expect(r.ends).toBe(0);
  });

  test('accepts an empty header value (and still checks the final CRLF)', () => {
    expect(run(fresh(), 'GET / HTTP/1.1\r\nHost: t\r\nA:\r\n\r\n').requests[0].headers).toEqual([['Host', 't'], ['A', '']]);
    expect(run(fresh(), 'GET / HTTP/1.1\r\nHost: t\r\nA:\r\n\n').status).toBe(-400);
  });

  test('431 for a header block over the limit, complete or not, and for too many fields', () => {
    const big = `GET / HTTP/1.1\r\nHost: t\r\nA: ${'x'.repeat(100)}\r\n\r\n`;
    expect(run(fresh(64), big).status).toBe(-431);
    expect(run(fresh(64), big.slice(0, 90)).status).toBe(-431);
    expect(run(fresh(8192, 2), 'GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n').status).toBe(-431);
    expect(run(fresh(8192, 4), 'GET / HTTP/1.1\r\nHost: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n').status).toBe(0);
  });

  test('413 for a Content-Length over the limit before any body byte, and for chunked bodies that grow past it', () => {
    expect(run(fresh(8192, 100, 10), 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n').status).toBe(-413);
    expect(run(fresh(8192, 100, 10), 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n').status).toBe(0);
    const chunked = 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n';
    expect(run(fresh(8192, 100, 10), chunked).status).toBe(-413);
    expect(run(fresh(8192, 100, -1), chunked).body).toBe('abcdefghijkl');
  });

  test('stops after a request that closes the connection', () => {
    const r = run(fresh(), 'GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(r.status).toBe(1);
    expect(r.requests.map((q) => q.url)).toEqual(['/1']);
    const c = run(fresh(), 'GET /1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGARBAGE');
    expect(c.status).toBe(1);
    expect(c.ends).toBe(1);
  });

  test('flags keep-alive, HTTP version and Expect: 100-continue', () => {
    const r = run(fresh(), 'POST / HTTP/1.1\r\nHost: t\r\nexpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx');
    const flags = r.requests[0].flags;
    expect(flags & 1).toBe(1);
    expect(flags & 8).toBe(8);
    expect((flags >> 16) & 0xff).toBe(1);
    expect((flags >> 8) & 0xff).toBe(1);
    const old = run(fresh(), 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n').requests[0].flags;
    expect(old & 1).toBe(1);
    expect((old >> 8) & 0xff).toBe(0);
  });

  test('an error is sticky until reset', () => {
    const parser = fresh();
    expect(run(parser, 'BAD\r\n\r\n').status).toBe(-400);
    expect(run(parser, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n').status).toBe(-400);
    parser.reset();
    expect(run(parser, 'GET / HTTP/1.1\r\nHost: t\r\n\r\n').requests).toHaveLength(1);
  });

  test('refuses an output array too small for the input', () => {
    expect(() => fresh().execute(Buffer.alloc(100), new Int32Array(50))).toThrow(/smaller than the buffer/);
  });

  test('the layout the addon exports describes the records it writes', () => {
    const first = 'GET /a HTTP/1.1\r\nHost: t\r\n\r\n';
    const text = `${first}PUT /u HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nM-Search: 1\r\n\r\nab`;
    const data = Buffer.from(text, 'latin1');
    const rec = new Int32Array(data.length + OUT_SLACK);
    expect(fresh().execute(data, rec)).toBe(0);
    expect(rec[OUT_CONSUME]).toBe(data.length);
    expect(rec[PROLOGUE + HEAD_FIXED + FIELD_INTS]).toBe(RECORD_END);
    // The second request: its head does not start at offset 0.
    const i = PROLOGUE + HEAD_FIXED + FIELD_INTS + 1;
    expect(rec[i]).toBe(RECORD_HEAD);
    expect(METHODS[rec[i + HEAD_METHOD]]).toBe('PUT');
    expect(data.toString('latin1', rec[i + HEAD_URL_START], rec[i + HEAD_URL_START] + rec[i + HEAD_URL_LENGTH])).toBe('/u');
    expect(rec[i + HEAD_START]).toBe(first.length);
    expect(data.toString('latin1', rec[i + HEAD_START], rec[i + HEAD_END])).toBe(text.slice(first.length, text.lastIndexOf('\r\n\r\n')));
    expect(rec[i + HEAD_LENGTH_LOW]).toBe(2);
    expect(rec[i + HEAD_FIELDS]).toBe(3);
    const field = i + HEAD_FIXED + 2 * FIELD_INTS;
    expect(data.toString('latin1', rec[field + FIELD_NAME_START], rec[field + FIELD_NAME_START] + rec[field + FIELD_NAME_LENGTH])).toBe('M-Search');
    const body = i + HEAD_FIXED + 3 * FIELD_INTS;
    expect(rec[body]).toBe(RECORD_BODY);
    expect(data.toString('latin1', rec[body + BODY_START], rec[body + BODY_START] + rec[body + BODY_LENGTH])).toBe('ab');
    expect(rec[body + BODY_INTS]).toBe(RECORD_END);
    expect(rec[OUT_USED]).toBe(body + BODY_INTS + 1);
    expect(METHODS).toContain('M-SEARCH');
  });

  test('out must hold the buffer length + OUT_SLACK ints', () => {
    const data = Buffer.from('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(fresh().execute(data, new Int32Array(data.length + OUT_SLACK))).toBe(0);
    expect(() => fresh().execute(data, new Int32Array(data.length + OUT_SLACK - 1))).toThrow(
      `execute: out is smaller than the buffer length + ${OUT_SLACK}`,
    );
  });

  test.each([
    [() => new Parser('8192' as unknown as number, 100, 1), TypeError, 'Parser: maxHeaderSize must be a number'],
    [() => new (Parser as unknown as new () => NativeParser)(), TypeError, 'Parser: maxHeaderSize must be a number'],
    [() => new Parser(8192, null as unknown as number, 1), TypeError, 'Parser: maxHeaders must be a number'],
    [() => new Parser(8192, 100, undefined as unknown as number), TypeError, 'Parser: maxBodySize must be a number'],
    [() => new Parser(0, 100, 1), RangeError, 'Parser: maxHeaderSize must be a whole number from 1 to 2^31-1'],
    [() => new Parser(Infinity, 100, 1), RangeError, 'Parser: maxHeaderSize must be a whole number from 1 to 2^31-1'],
    [() => new Parser(8192, 2.5, 1), RangeError, 'Parser: maxHeaders must be a whole number from 1 to 2^31-1'],
    [() => new Parser(8192, 100, NaN), RangeError, 'Parser: maxBodySize must not be NaN'],
    [() => fresh().execute('GET /' as unknown as Buffer, out), TypeError, 'execute: buffer must be a Buffer'],
    [() => fresh().execute(Buffer.alloc(1), new Uint32Array(64) as unknown as Int32Array), TypeError, 'execute: out must be an Int32Array'],
    [() => (fresh().execute as (data: Buffer) => number)(Buffer.alloc(1)), TypeError, 'execute: out must be an Int32Array'],
  ])('a bad argument is a typed error: %#', (call, type, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    // The addon's errors come from Node's realm, not the test's: compare by name, not instanceof.
    expect(thrown).toMatchObject({ name: type.name, message });
  });
});

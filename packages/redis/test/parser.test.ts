import { ProtocolError, RespParser, splitArgs } from '../src/parser';
import { inprocServer, resp } from './support/inproc';

/** Feeds `chunks` the way the reactor does and collects the parsed commands. */
function parseChunks(chunks: Buffer[], parser = new RespParser()): string[][] {
  const out: string[][] = [];
  let pending = Buffer.alloc(0);
  for (const chunk of chunks) {
    const data = Buffer.concat([pending, chunk]);
    let pos = 0;
    while (pos < data.length) {
      const end = parser.parse(data, pos);
      if (end < 0) {
        pos = parser.consumed;
        break;
      }
      pos = end;
      // The caller fills argv[0] from where the parser saw the name (as the server does).
      if (parser.nameStart >= 0) parser.argv[0] = data.subarray(parser.nameStart, parser.nameEnd);
      if (parser.argv.length > 0) out.push(parser.argv.map((a) => a.toString('latin1')));
    }
    pending = Buffer.from(data.subarray(pos));
  }
  return out;
}

describe('RespParser', () => {
  const stream = Buffer.concat([resp('SET', 'key', 'value'), Buffer.from('PING\r\n'), resp('GET', 'key'), Buffer.from('*0\r\n'), resp('ECHO', '')]);
  const expected = [['SET', 'key', 'value'], ['PING'], ['GET', 'key'], ['ECHO', '']];

  test('parses a pipelined stream in one read', () => {
    expect(parseChunks([stream])).toEqual(expected);
  });

  test('parses the same stream split at every possible position', () => {
    for (let i = 1; i < stream.length; i++) {
      expect(parseChunks([stream.subarray(0, i), stream.subarray(i)])).toEqual(expected);
    }
  });

  test('parses the stream fed one byte at a time', () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(parseChunks(bytes)).toEqual(expected);
  });

  test('a big bulk arriving in pieces is copied once, not re-presented', () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    const msg = resp('SET', 'k', big);
    const parser = new RespParser();
    const chunks: Buffer[] = [];
    for (let i = 0; i < msg.length; i += 65536) chunks.push(msg.subarray(i, i + 65536));
    let maxPending = 0;
    let pending = Buffer.alloc(0);
    let got: Buffer[] | null = null;
    for (const chunk of chunks) {
      const data = Buffer.concat([pending, chunk]);
      const end = parser.parse(data, 0);
      if (end >= 0) got = parser.argv;
      else pending = Buffer.from(data.subarray(parser.consumed));
      maxPending = Math.max(maxPending, pending.length);
    }
    expect(got).not.toBeNull();
    expect(got![2].equals(big)).toBe(true);
    expect(maxPending).toBeLessThan(65536);
  });

  test.each([
    ['*x\r\n', 'invalid multibulk length'],
    ['*3000000000\r\n', 'invalid multibulk length'],
    ['*1\r\nx3\r\n', "expected '$', got 'x'"],
    ['*1\r\n$-1\r\n', 'invalid bulk length'],
    ['*1\r\n$abc\r\n', 'invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'invalid bulk length'],
    ['SET "a b\r\n', 'unbalanced quotes in request'],
    ['SET "a"b\r\n', 'unbalanced quotes in request'],
  ])('rejects %j with %s', (input, message) => {
    const parser = new RespParser();
    expect(() => parser.parse(Buffer.from(input), 0)).toThrow(new ProtocolError(message));
  });

  test('too long lines without a line end are refused', () => {
    expect(() => new RespParser().parse(Buffer.alloc(70000, 'a'), 0)).toThrow('too big inline request');
    expect(() => new RespParser().parse(Buffer.concat([Buffer.from('*1'), Buffer.alloc(70000, '1')]), 0)).toThrow(
      'too big mbulk count string',
    );
    expect(() => new RespParser().parse(Buffer.concat([Buffer.from('*1\r\n$1'), Buffer.alloc(70000, '1')]), 0)).toThrow(
      'too big bulk count string',
    );
  });

  test('unauthenticated clients get Redis tighter limits', () => {
    const p = new RespParser();
    p.authRequired = true;
    expect(() => p.parse(Buffer.from('*11\r\n'), 0)).toThrow('unauthenticated multibulk length');
    expect(() => p.parse(Buffer.from('*1\r\n$16385\r\n'), 0)).toThrow('unauthenticated bulk length');
  });

  test('inline arguments follow sdssplitargs quoting', () => {
    const line = Buffer.from(`set "a\\x41\\n" 'it\\'s' plain  `);
    expect(splitArgs(line, 0, line.length)!.map((b) => b.toString('latin1'))).toEqual(['set', 'aA\n', "it's", 'plain']);
  });

  test('random and mutated streams never throw anything but ProtocolError', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = Buffer.from('*$\r\n0123456789-+abc "\'\\x');
    for (let round = 0; round < 3000; round++) {
      let buf: Buffer;
      if (round % 2 === 0) {
        buf = Buffer.from(Array.from({ length: rand(64) }, () => alphabet[rand(alphabet.length)]));
      } else {
        buf = Buffer.from(stream);
        for (let m = 0; m < 1 + rand(4); m++) buf[rand(buf.length)] = rand(256);
      }
      const parser = new RespParser();
      try {
        let pos = 0;
        for (let steps = 0; steps < 100 && pos < buf.length; steps++) {
          const end = parser.parse(buf, pos);
          if (end < 0) break;
          expect(end).toBeGreaterThan(pos);
          pos = end;
        }
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
    }
  });
});

describe('protocol errors through the server', () => {
  test('reply with the Redis text and close only that connection', () => {
    const { connect } = inprocServer();
    const a = connect();
    const b = connect();
    expect(a.send('PING\r\n*1\r\nx\r\n')).toBe("+PONG\r\n-ERR Protocol error: expected '$', got 'x'\r\n");
    expect(a.closed()).toBe(true);
    expect(b.send('PING\r\n')).toBe('+PONG\r\n');
    expect(b.closed()).toBe(false);
  });

  test('the query buffer limit closes a client that sends too much', () => {
    const { connect } = inprocServer({ 'client-query-buffer-limit': 1000 });
    const a = connect();
    a.send(Buffer.concat([Buffer.from('*2\r\n$3\r\nGET\r\n$5000\r\n'), Buffer.alloc(1500, 'x')]));
    expect(a.closed()).toBe(true);
  });
});

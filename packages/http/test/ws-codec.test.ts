// The frame parser on its own: frames split at every byte, each length encoding, mask phases
// carried across reads, and every frame-level rule refused with its close code.
import { FrameParser, type FrameSink, unmask, type WebSocketError } from '../src/ws/frame';
import { clientFrame } from './ws-frames';

interface Seen {
  frames: Array<{ opcode: number; fin: boolean; rsv1: boolean; length: number; payload: Buffer }>;
  error: WebSocketError | null;
}

function collect(maxPayload = 1 << 20, deflate = false): { parser: FrameParser; seen: Seen } {
  const seen: Seen = { frames: [], error: null };
  let parts: Buffer[] = [];
  const sink: FrameSink = {
    frameStart(opcode, fin, rsv1, length) {
      parts = [];
      seen.frames.push({ opcode, fin, rsv1, length, payload: Buffer.alloc(0) });
    },
    framePayload(chunk) {
      parts.push(Buffer.from(chunk));
    },
    frameEnd() {
      seen.frames[seen.frames.length - 1].payload = Buffer.concat(parts);
    },
    frameError(error) {
      seen.error = error;
    },
  };
  return { parser: new FrameParser(sink, maxPayload, deflate), seen };
}

test('frames split at every byte boundary come out whole, for each length encoding', () => {
  const payloads = [Buffer.alloc(0), Buffer.from('hi'), Buffer.alloc(125, 7), Buffer.alloc(126, 1), Buffer.alloc(70_000, 3)];
  for (const payload of payloads) {
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const wire = Buffer.concat([clientFrame(0x2, payload), clientFrame(0x9, 'p'), clientFrame(0x1, 'end')]);
    // Every split point for small frames; a stride for the 70 000-byte one.
    const step = wire.length > 1000 ? 997 : 1;
    for (let cut = 0; cut <= wire.length; cut += step) {
      const { parser, seen } = collect();
      parser.push(Buffer.from(wire.subarray(0, cut)));
      parser.push(Buffer.from(wire.subarray(cut)));
      expect(seen.error).toBeNull();
      expect(seen.frames.map((f) => [f.opcode, f.length])).toEqual([[2, payload.length], [9, 1], [1, 3]]);
      expect(seen.frames[0].payload.equals(payload)).toBe(true);
      expect(seen.frames[2].payload.toString()).toBe('end');
    }
  }
});

test('a frame fed one byte at a time (mask phase kept across reads)', () => {
  const payload = Buffer.from('the quick brown fox jumps over the lazy dog');
  const wire = clientFrame(0x1, payload, { lengthBytes: 8 });
  const { parser, seen } = collect();
  for (const byte of wire) parser.push(Buffer.from([byte]));
  expect(seen.frames).toHaveLength(1);
  expect(seen.frames[0].payload.toString()).toBe(payload.toString());
});

test('unmask at every phase matches a byte-by-byte XOR', () => {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  for (let phase = 0; phase < 4; phase++) {
    for (const n of [0, 1, 3, 4, 5, 17]) {
      const data = Buffer.from(Array.from({ length: n }, (_, i) => i * 7));
      const expected = Buffer.from(data.map((b, i) => b ^ mask[(phase + i) & 3]));
      unmask(data, mask, phase);
      expect(data.equals(expected)).toBe(true);
    }
  }
});

test('fragments and control frames in between', () => {
  const { parser, seen } = collect();
  parser.push(Buffer.concat([
    clientFrame(0x1, 'a', { fin: false }),
    clientFrame(0x9, 'ping'),
    clientFrame(0x0, 'b', { fin: false }),
    clientFrame(0x0, 'c'),
  ]));
  expect(seen.error).toBeNull();
  expect(seen.frames.map((f) => [f.opcode, f.fin, f.payload.toString()])).toEqual([
    [1, false, 'a'], [9, true, 'ping'], [0, false, 'b'], [0, true, 'c'],
  ]);
});

const refused: Array<[string, Buffer, number, RegExp]> = [
  ['an unmasked frame', clientFrame(0x1, 'x', { unmasked: true }), 1002, /masked/],
  ['RSV2', clientFrame(0x1, 'x', { rsv: 2 }), 1002, /RSV2/],
  ['RSV3', clientFrame(0x1, 'x', { rsv: 1 }), 1002, /RSV2 and RSV3/],
  ['RSV1 without deflate', clientFrame(0x1, 'x', { rsv: 4 }), 1002, /RSV1/],
  ['opcode 3', clientFrame(0x3, 'x'), 1002, /opcode 3/],
  ['opcode 0xb', clientFrame(0xb, 'x'), 1002, /opcode 11/],
  ['a 126-byte ping', clientFrame(0x9, Buffer.alloc(126)), 1002, /control frame of 126/],
  ['a fragmented ping', clientFrame(0x9, 'x', { fin: false }), 1002, /fragmented/],
  ['a continuation first', clientFrame(0x0, 'x'), 1002, /continuation/],
  ['a new message inside a fragmented one', Buffer.concat([clientFrame(0x1, 'a', { fin: false }), clientFrame(0x2, 'b')]), 1002, /new message/],
  ['a frame over maxPayload', clientFrame(0x2, Buffer.alloc(1025)), 1009, /maxPayload/],
];

test.each(refused)('%s is refused', (_name, wire, code, message) => {
  const { parser, seen } = collect(1024);
  parser.push(wire);
  expect(seen.error?.closeCode).toBe(code);
  expect(seen.error?.message).toMatch(message);
});

test('a 64-bit length with the top bit set is a protocol error, a huge one too big', () => {
  const top = Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]);
  const a = collect();
  a.parser.push(top);
  expect(a.seen.error?.closeCode).toBe(1002);
  const huge = Buffer.from([0x82, 0xff, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
  const b = collect();
  b.parser.push(huge);
  expect(b.seen.error?.closeCode).toBe(1009);
});

test('RSV1 is accepted on a first data frame with deflate, never on a continuation', () => {
  const ok = collect(1024, true);
  ok.parser.push(clientFrame(0x1, 'x', { rsv: 4 }));
  expect(ok.seen.error).toBeNull();
  expect(ok.seen.frames[0].rsv1).toBe(true);
  const bad = collect(1024, true);
  bad.parser.push(Buffer.concat([clientFrame(0x1, 'x', { fin: false }), clientFrame(0x0, 'y', { rsv: 4 })]));
  expect(bad.seen.error?.message).toMatch(/continuation/);
});

test('nothing is delivered after an error', () => {
  const { parser, seen } = collect();
  parser.push(Buffer.concat([clientFrame(0x3, 'x'), clientFrame(0x1, 'after')]));
  expect(seen.frames).toHaveLength(0);
});

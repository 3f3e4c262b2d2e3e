// The stream building blocks on their own: ID parsing at the limits, the ordered ID map against
// a sorted array, and the packed nodes' memory staying close to the bytes stored.
import { CommandError } from '../../src/errors';
import { IdMap } from '../../src/types/stream-index';
import { MAX_ID, UINT64_MAX, formatId, makeId, parseAddId, parseId, parseRangeBound, parseStrictId } from '../../src/types/stream-id';
import { Stream } from '../../src/types/stream-store';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('stream IDs', () => {
  it('parses like Redis: strtoull quirks, partial IDs, specials', () => {
    expect(formatId(parseId(b('5')))).toBe('5-0');
    expect(formatId(parseId(b('5'), UINT64_MAX))).toBe('5-18446744073709551615');
    expect(formatId(parseId(b('007-01')))).toBe('7-1');
    expect(formatId(parseId(b('+5-1')))).toBe('5-1');
    expect(formatId(parseId(b(' 5-1')))).toBe('5-1');
    expect(parseId(b('-'))).toBe(0n);
    expect(parseId(b('+'))).toBe(MAX_ID);
    expect(formatId(parseId(b('18446744073709551615-18446744073709551615')))).toBe('18446744073709551615-18446744073709551615');
    for (const bad of ['', '-5', '5-', '5--1', '1-2-3', 'x', '18446744073709551616', '5-x', '0x10', `${'1'.repeat(130)}`]) {
      expect(() => parseId(b(bad))).toThrow(CommandError);
    }
    expect(() => parseStrictId(b('-'))).toThrow(CommandError);
    expect(() => parseStrictId(b('+'))).toThrow(CommandError);
    expect(parseAddId(b('5-*'))).toEqual({ ms: 5n, seq: null });
    expect(() => parseStrictId(b('5-*'))).toThrow(CommandError);
  });

  it('exclusive range bounds step over the edge IDs or fail there', () => {
    expect(formatId(parseRangeBound(b('(5-1'), false))).toBe('5-2');
    expect(formatId(parseRangeBound(b('(5-18446744073709551615'), false))).toBe('6-0');
    expect(formatId(parseRangeBound(b('(6-0'), true))).toBe('5-18446744073709551615');
    expect(() => parseRangeBound(b('(0-0'), true)).toThrow('invalid end ID');
    expect(() => parseRangeBound(b('(18446744073709551615-18446744073709551615'), false)).toThrow('invalid start ID');
    expect(() => parseRangeBound(b('(-'), false)).toThrow('Invalid stream ID');
  });
});

describe('IdMap', () => {
  it('agrees with a sorted array under random inserts, deletes and lookups', () => {
    const m = new IdMap<number>();
    const ref = new Map<bigint, number>();
    let seed = 1;
    const rand = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (let step = 0; step < 20000; step++) {
      const k = BigInt(rand(3000));
      if (rand(3) === 0) {
        expect(m.delete(k)).toBe(ref.get(k));
        ref.delete(k);
      } else {
        expect(m.set(k, step)).toBe(!ref.has(k));
        ref.set(k, step);
      }
      if (step % 500 === 0) {
        const sorted = [...ref.keys()].sort((x, y) => (x < y ? -1 : 1));
        expect([...m.entries()].map(([key]) => key)).toEqual(sorted);
        const probe = BigInt(rand(3000));
        expect(m.ceil(probe)?.[0]).toBe(sorted.find((key) => key >= probe));
        expect(m.floor(probe)?.[0]).toBe([...sorted].reverse().find((key) => key <= probe));
        const desc: bigint[] = [];
        m.walk(probe, true, (key) => desc.push(key) < 5);
        expect(desc).toEqual([...sorted].reverse().filter((key) => key <= probe).slice(0, 5));
      }
    }
    expect(m.size).toBe(ref.size);
  });
});

describe('packed stream storage', () => {
  it('keeps about the field bytes per entry, not an object per field', () => {
    const s = new Stream();
    const limits = { maxBytes: 4096, maxEntries: 100 };
    const value = b('x'.repeat(20));
    const n = 100000;
    for (let i = 1; i <= n; i++) s.append(makeId(BigInt(1700000000000 + i), 0n), [b('temperature'), value, b('sensor'), b('a1')], limits);
    expect(s.length).toBe(n);
    // Values are 22 bytes; the field names are stored once per node: allow ~16 bytes of overhead.
    expect(s.memory() / n).toBeLessThan(22 + 16);
    expect(s.nodes.size).toBe(n / 100);
  });
});

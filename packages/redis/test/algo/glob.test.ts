// Glob matching: the iterative matcher against (1) a line-by-line model of Redis 7.0's recursive
// stringmatchlen_impl on random inputs, (2) redis-server itself through KEYS (case-sensitive) and
// COMMAND LIST FILTERBY PATTERN (nocase), and (3) step counts that prove the work is bounded.
import { globMatch, stringmatchlen, type MatchStats } from '../../src/glob';
import { reply, Rng, useRealRedis } from './support';

/**
 * Redis's recursive algorithm, modelled directly (C `char` is signed, the pattern is read past its
 * length as the NUL an sds ends with). Exponential, so only for small inputs.
 */
function reference(pat: Uint8Array, str: Uint8Array, nocase: boolean): boolean {
  const P = (i: number): number => (i < pat.length ? (pat[i] << 24) >> 24 : 0);
  const S = (i: number): number => (str[i] << 24) >> 24;
  const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
  const skip = { v: false };
  const impl = (p: number, plen: number, s: number, slen: number): boolean => {
    while (plen && slen) {
      switch (P(p)) {
        case 0x2a:
          while (plen && P(p + 1) === 0x2a) {
            p++;
            plen--;
          }
          if (plen === 1) return true;
          while (slen) {
            if (impl(p + 1, plen - 1, s, slen)) return true;
            if (skip.v) return false;
            s++;
            slen--;
          }
          skip.v = true;
          return false;
        case 0x3f:
          s++;
          slen--;
          break;
        case 0x5b: {
          p++;
          plen--;
          const not = P(p) === 0x5e;
          if (not) {
            p++;
            plen--;
          }
          let match = false;
          for (;;) {
            if (P(p) === 0x5c && plen >= 2) {
              p++;
              plen--;
              if (P(p) === S(s)) match = true;
            } else if (P(p) === 0x5d) {
              break;
            } else if (plen === 0) {
              p--;
              plen++;
              break;
            } else if (plen >= 3 && P(p + 1) === 0x2d) {
              let start = P(p);
              let end = P(p + 2);
              let c = S(s);
              if (start > end) [start, end] = [end, start];
              if (nocase) {
                start = lower(start);
                end = lower(end);
                c = lower(c);
              }
              p += 2;
              plen -= 2;
              if (c >= start && c <= end) match = true;
            } else if (nocase ? lower(P(p)) === lower(S(s)) : P(p) === S(s)) {
              match = true;
            }
            p++;
            plen--;
          }
          if (not) match = !match;
          if (!match) return false;
          s++;
          slen--;
          break;
        }
        default:
          // `\` escapes the next byte unless it is the last one, then it is a literal.
          if (P(p) === 0x5c && plen >= 2) {
            p++;
            plen--;
          }
          if (nocase ? lower(P(p)) !== lower(S(s)) : P(p) !== S(s)) return false;
          s++;
          slen--;
      }
      p++;
      plen--;
      if (slen === 0) {
        while (P(p) === 0x2a) {
          p++;
          plen--;
        }
        break;
      }
    }
    return plen === 0 && slen === 0;
  };
  return impl(0, pat.length, 0, str.length);
}

// Bytes that exercise every branch: the metacharacters, both cases, a range's neighbours, NUL,
// and bytes >= 0x80 (negative as C chars).
const SUBJECT = [0x61, 0x62, 0x41, 0x42, 0x7a, 0x5b, 0x5d, 0x5e, 0x2d, 0x5c, 0x2a, 0x3f, 0x00, 0x80, 0xff];
const PATTERN = [...SUBJECT, 0x2a, 0x2a, 0x3f, 0x5b, 0x5b, 0x5d, 0x2d, 0x5c];

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('stringmatchlen', () => {
  it('gives the same answer as a model of Redis 7.0 on 40,000 random pattern/subject pairs', () => {
    const rng = new Rng(0x5eed);
    const bad: string[] = [];
    for (let i = 0; i < 40000 && bad.length < 5; i++) {
      const pat = rng.bytes(rng.int(9), PATTERN);
      const str = rng.bytes(rng.int(8), SUBJECT);
      const nocase = (i & 1) === 1;
      const want = reference(pat, str, nocase);
      if (stringmatchlen(pat, str, nocase) !== want) bad.push(`${pat.toString('hex')} ${str.toString('hex')} nocase=${nocase} want ${want}`);
    }
    expect(bad).toEqual([]);
  });

  it.each([
    ['*', '', false],
    ['', '', true],
    ['a*', 'a', true],
    ['a*?', 'a', false],
    ['*a', 'a', true],
    ['[a-]', 'b', false],
    ['[a-]', ']', true],
    ['[a-]x', 'a', true],
    ['[^', 'q', true],
    ['[', 'q', false],
    ['\\', '\\', true],
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['[\\]]', ']', true],
    ['[]', 'a', false],
    ['[^]', 'a', true],
    ['[\x00-\xff]', '\x80', false],
    ['[\x00-\xff]', '\xff', true],
    ['[\x00-\xff]', '\x00', true],
  ])('%j against %j is %s (Redis quirks)', (pat, str, want) => {
    expect(stringmatchlen(bin(pat), bin(str))).toBe(want);
    expect(reference(bin(pat), bin(str), false)).toBe(want);
  });

  it('compares escaped class members exactly even with nocase, and folds only A-Z', () => {
    expect(stringmatchlen(bin('[\\A]'), bin('a'), true)).toBe(false);
    expect(stringmatchlen(bin('[A]'), bin('a'), true)).toBe(true);
    expect(stringmatchlen(bin('\\A'), bin('a'), true)).toBe(true);
    expect(stringmatchlen(bin('[A-z]'), bin('['), true)).toBe(false);
    expect(stringmatchlen(bin('[A-z]'), bin('['), false)).toBe(true);
    expect(stringmatchlen(bin('\xc0'), bin('\xe0'), true)).toBe(false);
  });
});

describe('stringmatchlen work bound (step counts, not time)', () => {
  const count = (pat: string, str: string): { matched: boolean; steps: number } => {
    const stats: MatchStats = { steps: 0 };
    const matched = stringmatchlen(bin(pat), bin(str), false, stats);
    return { matched, steps: stats.steps };
  };

  it('a*a*a*a*a*a*a*a*a*b against 10,000 a: no match in at most (|p|+1)(|s|+1) steps', () => {
    const pat = 'a*a*a*a*a*a*a*a*a*b';
    const str = 'a'.repeat(10000);
    const { matched, steps } = count(pat, str);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual((pat.length + 1) * (str.length + 1));
    // The line-by-line model does not finish this in any reasonable time; globMatch must agree.
    expect(globMatch(pat, str)).toBe(false);
  });

  it("the suite's nested-loop regression (20 stars, 40 a) is linear-ish and unmatched", () => {
    const pat = 'a*'.repeat(20) + 'b';
    const { matched, steps } = count(pat, 'a'.repeat(40));
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual((pat.length + 1) * 41);
  });

  it('work grows linearly with the subject for a fixed pattern', () => {
    const pat = '*a*b*c*d*e*f*g*h*zz';
    const small = count(pat, 'abcdefgh'.repeat(1000)).steps;
    const large = count(pat, 'abcdefgh'.repeat(10000)).steps;
    expect(large / small).toBeLessThan(11);
    expect(count('*x', 'a'.repeat(100000)).steps).toBeLessThanOrEqual(2 * 100001);
  });

  it('a long class is scanned once per attempt, still bounded by the product', () => {
    const pat = '*[' + 'bcdefghij'.repeat(50) + ']';
    const str = 'a'.repeat(2000);
    const { matched, steps } = count(pat, str);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual((pat.length + 1) * (str.length + 1));
  });
});

describe('globMatch (latin1 strings)', () => {
  it('treats a lone * as everything, the empty string too, like KEYS and SCAN', () => {
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('**', '')).toBe(false);
    expect(globMatch('h?llo', 'hello')).toBe(true);
  });

  it('agrees with stringmatchlen on random strings, with the pattern cache warm and cold', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 5000; i++) {
      const pat = rng.bytes(rng.int(8), PATTERN);
      if (pat.equals(bin('*'))) continue;
      for (let k = 0; k < 3; k++) {
        const str = rng.bytes(rng.int(600), SUBJECT);
        expect(globMatch(pat.toString('latin1'), str.toString('latin1'), (i & 1) === 1)).toBe(stringmatchlen(pat, str, (i & 1) === 1));
      }
    }
  });
});

describe('against redis-server', () => {
  const redis = useRealRedis();

  it('KEYS returns exactly the keys stringmatchlen accepts (300 random patterns over 400 keys)', async () => {
    const rng = new Rng(42);
    await reply(redis, ['flushall']);
    const keys = new Map<string, Buffer>();
    for (let i = 0; i < 400; i++) {
      const k = rng.bytes(rng.int(7), SUBJECT);
      keys.set(k.toString('hex'), k);
    }
    keys.set('', Buffer.alloc(0));
    for (const k of keys.values()) await reply(redis, ['set', k, '1']);
    const bad: string[] = [];
    // The quirks first (signed ranges, open classes, escapes), then random patterns.
    const quirks = ['[\x00-\xff]', '[\x80-\xff]*', '[a-]', '[^', '[', '*\\', '[\\]]*', '[]', '[^]', 'a*?', '?*a'].map(bin);
    for (let i = 0; i < 300; i++) {
      const pat = i < quirks.length ? quirks[i] : rng.bytes(1 + rng.int(7), PATTERN);
      const got = ((await reply(redis, ['keys', pat])) as Buffer[]).map((b) => b.toString('hex')).sort();
      const ours = [...keys.values()].filter((k) => (pat.equals(bin('*')) ? true : stringmatchlen(pat, k))).map((b) => b.toString('hex')).sort();
      if (JSON.stringify(got) !== JSON.stringify(ours)) bad.push(`pattern ${pat.toString('hex')}: redis ${got.length} keys, ours ${ours.length}`);
    }
    expect(bad).toEqual([]);
  });

  it('SCAN MATCH agrees with globMatch, including the suite`s nested-loop regression', async () => {
    await reply(redis, ['flushall']);
    await reply(redis, ['set', 'a'.repeat(40), '1']);
    await reply(redis, ['set', 'ab', '1']);
    for (const pat of ['a*'.repeat(20) + 'b', 'a*b', '*b', 'a?', '[a]*']) {
      const res = (await reply(redis, ['scan', '0', 'match', pat, 'count', '1000'])) as [Buffer, Buffer[]];
      const got = res[1].map((b) => b.toString('latin1')).sort();
      const ours = ['a'.repeat(40), 'ab'].filter((k) => globMatch(pat, k)).sort();
      expect(got).toEqual(ours);
    }
  });

  it('COMMAND LIST FILTERBY PATTERN (nocase) selects exactly what stringmatchlen(nocase) does', async () => {
    const names = ((await reply(redis, ['command', 'list'])) as Buffer[]).map((b) => b.toString('latin1'));
    expect(names.length).toBeGreaterThan(100);
    const rng = new Rng(99);
    const alphabet = [...'aeiosrtAEIOSRTxX|'].map((c) => c.charCodeAt(0)).concat([0x2a, 0x2a, 0x2a, 0x3f, 0x5b, 0x5d, 0x2d, 0x5e, 0x5c]);
    const bad: string[] = [];
    for (let i = 0; i < 200; i++) {
      const pat = rng.bytes(1 + rng.int(6), alphabet);
      const got = ((await reply(redis, ['command', 'list', 'filterby', 'pattern', pat])) as Buffer[]).map((b) => b.toString('latin1')).sort();
      const ours = names.filter((n) => stringmatchlen(pat, bin(n), true)).sort();
      if (JSON.stringify(got) !== JSON.stringify(ours)) bad.push(`pattern ${pat.toString('latin1')}: redis ${got.join(',')} ours ${ours.join(',')}`);
    }
    expect(bad).toEqual([]);
  });
});

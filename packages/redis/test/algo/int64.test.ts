// Integer and double syntax against redis-server: INCRBY on a zero shows how string2ll reads an
// argument (the reply is the value, or the error), ZADD + ZSCORE how string2d reads a score.
import { INT64_MAX, INT64_MIN, ll2string, parseInt64, parseInt64Big, parseStrictDouble } from '../../src/algo/int64';
import { reply, Rng, useRealRedis, type RealRedis } from './support';

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

/** What redis-server makes of `s` as an integer argument: its value as text, or null. */
async function redisInt(r: RealRedis, s: Buffer): Promise<string | null> {
  await reply(r, ['set', 'k', '0']);
  const res = await reply(r, ['incrby', 'k', s]);
  if (typeof res === 'object' && res !== null && 'error' in res) {
    expect((res as { error: string }).error).toBe('ERR value is not an integer or out of range');
    return null;
  }
  return String(res);
}

/** What redis-server makes of `s` as a score: the double, or null when refused. */
async function redisDouble(r: RealRedis, s: Buffer): Promise<number | null> {
  await reply(r, ['del', 'z']);
  const res = await reply(r, ['zadd', 'z', s, 'm']);
  if (typeof res === 'object' && res !== null && 'error' in res) {
    expect((res as { error: string }).error).toBe('ERR value is not a valid float');
    return null;
  }
  const text = ((await reply(r, ['zscore', 'z', 'm'])) as Buffer).toString('latin1');
  return text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
}

function intCases(rng: Rng): Buffer[] {
  const fixed = [
    '0', '-0', '+1', '01', '-01', '00', ' 1', '1 ', '', '-', '1a', '1\x00', '12345678901234567890', '-1234567890123456789',
    '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '18446744073709551616',
    '99999999999999999999', '-99999999999999999999', '9007199254740993', '-9007199254740993', '999999999999999', '1000000000000000',
  ];
  const out = fixed.map(bin);
  for (let i = 0; i < 300; i++) out.push(bin(rng.i64().toString()));
  for (let i = 0; i < 300; i++) out.push(rng.bytes(1 + rng.int(21), [0x30, 0x31, 0x35, 0x39, 0x39, 0x2d, 0x2b, 0x20, 0x39, 0x32]));
  return out;
}

describe('parseInt64 (string2ll)', () => {
  it('returns safe numbers as number and larger int64 values as exact bigint', () => {
    expect(parseInt64(bin('9007199254740991'))).toBe(9007199254740991);
    expect(parseInt64(bin('9007199254740993'))).toBe(9007199254740993n);
    expect(parseInt64(bin('-9223372036854775808'))).toBe(INT64_MIN);
    expect(parseInt64(bin('9223372036854775807'))).toBe(INT64_MAX);
    expect(parseInt64Big(bin('42'))).toBe(42n);
    expect(parseInt64(bin('-0'))).toBeNull();
    expect(ll2string(-0)).toBe('0');
  });

  describe('against redis-server', () => {
    const redis = useRealRedis();

    it('accepts and refuses exactly what INCRBY does, with the same value (625 inputs)', async () => {
      const bad: string[] = [];
      for (const s of intCases(new Rng(11))) {
        const want = await redisInt(redis, s);
        const got = parseInt64(s);
        const text = got === null ? null : ll2string(got);
        if (text !== want) bad.push(`${JSON.stringify(s.toString('latin1'))}: redis ${want}, ours ${text}`);
      }
      expect(bad).toEqual([]);
    });
  });
});

function doubleCases(rng: Rng): Buffer[] {
  const fixed = [
    '1', '-1.5e3', '.5', '5.', '.', '+.5', '-.5e-3', '1e', '1e+', '1e5 ', ' 1', '', '+', '-', 'inf', '-inf', '+inf', 'INF', 'Infinity',
    '-infinity', 'infinit', 'nan', '-nan', 'NaN', 'nan(1)', '1e308', '1.7976931348623157e308', '1.7976931348623159e308', '1e309',
    '4.9e-324', '2.5e-324', '2.4703282292062328e-324', '2e-324', '1e-400', '0e999999', '-0', '0.000', '0x10', '0x1p-3', '0X.8',
    '0x', '0x.', '0x1p', '0x1P+3', '-0x1.8p1', '0x1p1024', '0x1.fffffffffffff8p1023', '0x1p-1074', '0x1p-1075', '0x1.8p-1075',
    '0x3p-1076', '0x0.0000000000001p-1022', '0xg', '1\x00', '00012.5', '1_0', '1e1.5', '123456789012345678901234567890',
    '0.1', '3.14159265358979323846264338327950288', '2.2250738585072011e-308', '2.2250738585072014e-308',
  ];
  const out = fixed.map(bin);
  const alphabet = [...'0123456789.e-+x'].map((c) => c.charCodeAt(0));
  for (let i = 0; i < 300; i++) out.push(rng.bytes(1 + rng.int(10), alphabet));
  for (let i = 0; i < 200; i++) {
    const mant = `${rng.int(1000000)}.${rng.int(1000000)}`;
    out.push(bin(`${rng.int(2) ? '-' : ''}${mant}e${rng.int(700) - 350}`));
  }
  for (let i = 0; i < 100; i++) out.push(bin(`0x${rng.u32().toString(16)}.${rng.u32().toString(16)}p${rng.int(2200) - 1100}`));
  return out;
}

describe('parseStrictDouble (string2d)', () => {
  it('parses the special forms', () => {
    expect(parseStrictDouble(bin('-inf'))).toBe(-Infinity);
    expect(parseStrictDouble(bin('0x1p-3'))).toBe(0.125);
    expect(parseStrictDouble(bin('1e-400'))).toBeNull();
    expect(parseStrictDouble(bin('4.9e-324'))).toBe(5e-324);
    expect(parseStrictDouble(bin('nan'))).toBeNull();
    // strtod keeps the sign of zero.
    expect(Object.is(parseStrictDouble(bin('-0')), -0)).toBe(true);
  });

  describe('against redis-server', () => {
    const redis = useRealRedis();

    it('accepts and refuses exactly what ZADD does, with the same value (660 inputs)', async () => {
      const bad: string[] = [];
      for (const s of doubleCases(new Rng(12))) {
        const want = await redisDouble(redis, s);
        const got = parseStrictDouble(s);
        // ±0 compare equal: a sorted set stores a -0 score as 0, whatever the parser returned.
        if (got !== want && !Object.is(got, want)) bad.push(`${JSON.stringify(s.toString('latin1'))}: redis ${want}, ours ${got}`);
      }
      expect(bad).toEqual([]);
    });
  });
});

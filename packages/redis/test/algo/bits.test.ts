// Bitmaps against redis-server: the same random commands on random values, each reply (or error
// text) and the resulting value compared byte for byte.
import { CommandError } from '../../src/errors';
import { bitfieldPlan, bitfieldRun } from '../../src/algo/bitfield';
import { bitcount, bitop, bitpos, getBit, parseBitOffset, parseBitop, parseBitposBit, parseBitValue, setBit } from '../../src/algo/bits';
import { reply, Rng, useRealRedis } from './support';

const MAX_BULK = 512 * 1024 * 1024; // proto-max-bulk-len's default

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Our answer in the shape the comparison uses: a value, or { error }. */
function ours(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    return { error: e.message };
  }
}

/** Normalises a reply (Buffers to latin1, integers to text) so both sides compare with toEqual. */
function norm(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return v;
}

function grow(buf: Buffer, len: number): Buffer {
  return buf.length >= len ? buf : Buffer.concat([buf, Buffer.alloc(len - buf.length)]);
}

const BYTES = [0x00, 0xff, 0x80, 0x01, 0x0f, 0xf0, 0x55, 0xaa, 0x7f, 0xfe, 0x10];

function indexArg(rng: Rng): string {
  const r = rng.int(20);
  if (r === 0) return rng.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x', '1.5', '', '+1', '-0']);
  if (r < 3) return String(rng.int(200) - 100);
  return String(rng.int(40) - 20);
}

const unitArg = (rng: Rng): string => rng.pick(['BIT', 'byte', 'Bit', 'BYTE', 'bits', '']);

describe('bitmaps against redis-server', () => {
  const redis = useRealRedis();
  const rng = new Rng(2024);
  const randomValue = (): Buffer => rng.bytes(rng.int(12), BYTES);

  it('BITCOUNT with BYTE and BIT ranges, negative indexes and bad arguments (3,000 cases)', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const v = randomValue();
      await reply(redis, ['set', 'k', v]);
      const n = rng.int(5);
      const args = n === 0 ? [] : n === 1 ? [indexArg(rng)] : n === 2 ? [indexArg(rng), indexArg(rng)] : [indexArg(rng), indexArg(rng), unitArg(rng)];
      if (n === 4) args.push('bit');
      const want = norm(await reply(redis, ['bitcount', 'k', ...args]));
      const got = norm(ours(() => bitcount(v, args.map(bin))));
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${v.toString('hex')} BITCOUNT ${args.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('BITPOS for 0 and 1, with and without an end, BYTE and BIT (4,000 cases)', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const v = randomValue();
      await reply(redis, ['set', 'k', v]);
      const bitArg = rng.int(30) === 0 ? rng.pick(['2', '-1', 'x']) : String(rng.int(2));
      const n = rng.int(5);
      const args = [indexArg(rng), indexArg(rng), unitArg(rng), 'bit'].slice(0, n);
      const want = norm(await reply(redis, ['bitpos', 'k', bitArg, ...args]));
      const got = norm(ours(() => bitpos(v, parseBitposBit(bin(bitArg)), args.map(bin))));
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${v.toString('hex')} BITPOS ${bitArg} ${args.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('BITOP AND/OR/XOR/NOT over unequal lengths and missing keys (1,500 cases)', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const name = rng.pick(['and', 'OR', 'Xor', 'not', 'NOT', 'nand']);
      const count = 1 + rng.int(4);
      const srcs: Buffer[] = [];
      const keys: string[] = [];
      await reply(redis, ['del', 'dest']);
      for (let k = 0; k < count; k++) {
        const key = `s${k}`;
        keys.push(key);
        if (rng.int(5) === 0) {
          await reply(redis, ['del', key]);
          srcs.push(Buffer.alloc(0));
        } else {
          const v = rng.bytes(rng.int(70), BYTES);
          await reply(redis, ['set', key, v]);
          srcs.push(v);
        }
      }
      const want = norm(await reply(redis, ['bitop', name, 'dest', ...keys]));
      const wantValue = norm(await reply(redis, ['get', 'dest']));
      let gotValue: unknown = null;
      const got = norm(
        ours(() => {
          const out = bitop(parseBitop(bin(name), keys.length), srcs);
          if (out.length > 0) gotValue = out.toString('latin1');
          return out.length;
        }),
      );
      if (JSON.stringify([want, wantValue]) !== JSON.stringify([got, gotValue])) bad.push(`BITOP ${name} ${srcs.map((s) => s.toString('hex')).join(' ')}: redis ${JSON.stringify([want, wantValue])} ours ${JSON.stringify([got, gotValue])}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('SETBIT and GETBIT, including offsets at and past the 512 MB limit (2,000 cases)', async () => {
    const bad: string[] = [];
    let v: Buffer = Buffer.alloc(0);
    await reply(redis, ['del', 'b']);
    for (let i = 0; i < 2000; i++) {
      const r = rng.int(40);
      const off = r === 0 ? rng.pick(['-1', '4294967296', '4294967295', 'x', '#3', '']) : String(rng.int(200));
      const val = rng.int(30) === 0 ? rng.pick(['2', '-1', 'x', '']) : String(rng.int(2));
      // SETBIT at 4294967295 would make Redis allocate 512 MB: only GETBIT goes there.
      const set = rng.int(2) === 0 && off !== '4294967295';
      const cmd = set ? ['setbit', 'b', off, val] : ['getbit', 'b', off];
      const want = norm(await reply(redis, cmd));
      const got = norm(
        ours(() => {
          const o = parseBitOffset(bin(off), MAX_BULK);
          if (!set) return getBit(v, o);
          const on = parseBitValue(bin(val));
          v = grow(v, Math.floor(o / 8) + 1);
          return setBit(v, o, on);
        }),
      );
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`${cmd.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(norm(await reply(redis, ['get', 'b']))).toBe(v.toString('latin1'));
  });

  const typeArg = (): string => {
    if (rng.int(25) === 0) return rng.pick(['u64', 'i65', 'i0', 'x8', 'u', 'i', 'U8', 'i08']);
    const signed = rng.int(2) === 0;
    const width = rng.int(4) === 0 ? rng.pick([1, 2, 31, 32, 33, 53, 54, 62, 63, 64]) : 1 + rng.int(signed ? 64 : 63);
    return `${signed ? 'i' : 'u'}${Math.min(width, signed ? 64 : 63)}`;
  };
  const offsetArg = (): string => {
    const r = rng.int(30);
    if (r === 0) return rng.pick(['-1', 'x', '#-1', '#x', '##1', '#2305843009213693952', '#1152921504606846976', '4294967296']);
    return rng.int(3) === 0 ? `#${rng.int(12)}` : String(rng.int(150));
  };
  const valueArg = (): string => {
    const r = rng.int(12);
    if (r === 0) return rng.pick(['9223372036854775807', '-9223372036854775808', 'x', '1.0', '9223372036854775808']);
    if (r < 4) return rng.i64().toString();
    if (r < 6) return String(rng.int(1 << 20) - (1 << 19));
    return String(rng.int(600) - 300);
  };

  it('BITFIELD GET/SET/INCRBY with every width and OVERFLOW mode, and BITFIELD_RO (2,500 commands)', async () => {
    const bad: string[] = [];
    let v: Buffer = Buffer.alloc(0);
    await reply(redis, ['del', 'f']);
    for (let i = 0; i < 2500; i++) {
      const args: string[] = [];
      const n = 1 + rng.int(5);
      for (let k = 0; k < n; k++) {
        const r = rng.int(10);
        if (r < 3) args.push('GET', typeArg(), offsetArg());
        else if (r < 6) args.push('SET', typeArg(), offsetArg(), valueArg());
        else if (r < 9) args.push('INCRBY', typeArg(), offsetArg(), valueArg());
        else args.push('OVERFLOW', rng.pick(['WRAP', 'sat', 'FAIL', 'fail', 'saturate']));
      }
      if (rng.int(40) === 0) args.push(rng.pick(['GET', 'set', 'bogus']));
      const ro = rng.int(8) === 0;
      const want = norm(await reply(redis, [ro ? 'bitfield_ro' : 'bitfield', 'f', ...args]));
      const got = norm(
        ours(() => {
          const plan = bitfieldPlan(args.map(bin), MAX_BULK, ro);
          v = grow(v, plan.growTo);
          return bitfieldRun(v, plan).replies;
        }),
      );
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`BITFIELD ${args.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(norm(await reply(redis, ['get', 'f']))).toBe(v.toString('latin1'));
  });

  it('BITFIELD SET and INCRBY at the int64 extremes, where the overflow check itself wraps', async () => {
    const bad: string[] = [];
    const extremes = ['-9223372036854775808', '-9223372036854775807', '-9223372036854775680', '-9223372036854775000', '9223372036854775807', '-1', '0', '1'];
    let v: Buffer = Buffer.alloc(0);
    await reply(redis, ['del', 'x']);
    for (const type of ['i1', 'i8', 'i32', 'i63', 'i64', 'u1', 'u8', 'u63']) {
      for (const mode of ['WRAP', 'SAT', 'FAIL']) {
        for (const value of extremes) {
          for (const op of ['SET', 'INCRBY']) {
            const args = ['OVERFLOW', mode, op, type, '3', value];
            const want = norm(await reply(redis, ['bitfield', 'x', ...args]));
            const plan = bitfieldPlan(args.map(bin), MAX_BULK);
            v = grow(v, plan.growTo);
            const got = norm(bitfieldRun(v, plan).replies);
            if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`BITFIELD ${args.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(norm(await reply(redis, ['get', 'x']))).toBe(v.toString('latin1'));
  });
});

describe('bitmaps (exact cases)', () => {
  it('BITPOS of a clear bit past an all-ones string depends on whether an end was given', () => {
    const ones = Buffer.from([0xff, 0xff]);
    expect(bitpos(ones, 0, [])).toBe(16);
    expect(bitpos(ones, 0, [bin('0')])).toBe(16);
    expect(bitpos(ones, 0, [bin('0'), bin('-1')])).toBe(-1);
    expect(bitpos(ones, 1, [bin('3'), bin('5'), bin('bit')])).toBe(3);
  });

  it('BITFIELD keeps 64-bit values exact', () => {
    const buf = Buffer.alloc(8);
    const plan = bitfieldPlan(['SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1'].map(bin), MAX_BULK);
    expect(bitfieldRun(buf, plan).replies).toEqual([0n, 9223372036854775807n, null]);
  });
});

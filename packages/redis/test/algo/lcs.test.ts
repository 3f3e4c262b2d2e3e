// LCS against redis-server: random string pairs over small alphabets (many ties and many
// ranges), every option combination, and the proto-max-bulk-len bound on the table.
import { CommandError } from '../../src/errors';
import { lcs, parseLcsOptions, type LcsResult } from '../../src/algo/lcs';
import { reply, Rng, useRealRedis } from './support';

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Our answer shaped like the RESP2 reply ioredis gives (a map is a flat array). */
function shape(r: LcsResult, withMatchLen: boolean): unknown {
  if (r.mode === 'string') return r.lcs.toString('latin1');
  if (r.mode === 'len') return String(r.len);
  const matches = r.matches.map((m) => {
    const item: unknown[] = [m.a.map(String), m.b.map(String)];
    if (withMatchLen) item.push(String(m.len));
    return item;
  });
  return ['matches', matches, 'len', String(r.len)];
}

function norm(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

function ours(a: Buffer, b: Buffer, args: string[], maxBulkLen: number): unknown {
  try {
    const opts = parseLcsOptions(args.map(bin));
    return shape(lcs(a, b, opts, maxBulkLen), opts.withMatchLen);
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    return { error: e.message };
  }
}

describe('LCS against redis-server', () => {
  const redis = useRealRedis();

  it('string, LEN and IDX (with MINMATCHLEN and WITHMATCHLEN) on 1,500 random pairs', async () => {
    const rng = new Rng(31337);
    const options = [[], ['LEN'], ['IDX'], ['idx', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '2'], ['IDX', 'minmatchlen', '3', 'WITHMATCHLEN'], ['WITHMATCHLEN'], ['IDX', 'LEN'], ['MINMATCHLEN'], ['MINMATCHLEN', 'x'], ['IDX', 'MINMATCHLEN', '-5', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '9223372036854775807'], ['foo']];
    const bad: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const alphabet = [0x61, 0x62, 0x63, 0x64].slice(0, 1 + rng.int(4));
      const a = rng.bytes(rng.int(40), alphabet);
      const b = rng.bytes(rng.int(40), alphabet);
      const args = rng.pick(options);
      await reply(redis, ['mset', 'a', a, 'b', b]);
      const want = norm(await reply(redis, ['lcs', 'a', 'b', ...args]));
      const got = ours(a, b, args, 512 * 1024 * 1024);
      if (JSON.stringify(want) !== JSON.stringify(got)) bad.push(`LCS ${a} ${b} ${args.join(' ')}: redis ${JSON.stringify(want)} ours ${JSON.stringify(got)}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('longer strings agree too: 300 x 280 (2-byte table cells) and 70,000 x 3', async () => {
    const rng = new Rng(5);
    for (const [la, lb] of [[300, 280], [70000, 3]]) {
      const a = rng.bytes(la, [0x61, 0x62, 0x63]);
      const b = rng.bytes(lb, [0x61, 0x62, 0x63]);
      await reply(redis, ['mset', 'a', a, 'b', b]);
      for (const args of [[], ['IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '2']]) {
        expect(ours(a, b, args, 512 * 1024 * 1024)).toEqual(norm(await reply(redis, ['lcs', 'a', 'b', ...args])));
      }
    }
  });

  it('refuses a table larger than proto-max-bulk-len exactly where Redis does', async () => {
    const oneMb = 1024 * 1024; // the smallest proto-max-bulk-len Redis accepts
    await reply(redis, ['config', 'set', 'proto-max-bulk-len', String(oneMb)]);
    try {
      // 512 x 512 cells of 4 bytes is exactly 1 MiB (allowed); one more row is over.
      for (const [la, lb] of [[511, 511], [512, 511], [1000, 10]]) {
        const a = Buffer.alloc(la, 0x61);
        const b = Buffer.alloc(lb, 0x61);
        await reply(redis, ['mset', 'a', a, 'b', b]);
        expect(ours(a, b, ['LEN'], oneMb)).toEqual(norm(await reply(redis, ['lcs', 'a', 'b', 'LEN'])));
      }
      expect(ours(Buffer.alloc(512, 0x61), Buffer.alloc(511), [], oneMb)).toEqual({ error: 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len' });
    } finally {
      await reply(redis, ['config', 'set', 'proto-max-bulk-len', String(512 * oneMb)]);
    }
  });
});

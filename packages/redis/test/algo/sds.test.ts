// GrowableBytes: bounded reallocation for the APPEND workload of issue 10 (counted, not timed),
// random APPEND/SETRANGE/growZero sequences against a copy-everything reference, and the same
// sequences and the proto-max-bulk-len bound against redis-server.
import { CommandError } from '../../src/errors';
import { checkStringLength, GrowableBytes, SDS_MAX_PREALLOC } from '../../src/algo/sds';
import { reply, Rng, useRealRedis } from './support';

describe('GrowableBytes', () => {
  it('10,240 appends of 10 KB: at most 24 reallocations and 3x the final size copied', () => {
    const s = new GrowableBytes();
    const chunk = Buffer.alloc(10 * 1024);
    for (let i = 0; i < 10240; i++) {
      chunk.fill(i & 0xff);
      s.append(chunk);
    }
    const final = 10240 * 10 * 1024;
    expect(s.length).toBe(final);
    expect(s.reallocations).toBeLessThanOrEqual(24);
    expect(s.copiedBytes).toBeLessThanOrEqual(3 * final);
    // Past 1 MiB the spare room is at most half the length that was needed at the last growth.
    expect(s.capacity).toBeLessThanOrEqual(1.5 * final);
    const v = s.view();
    for (const i of [0, 1, 255, 256, 5000, 10239]) expect(v[i * 10240 + 77]).toBe(i & 0xff);
  });

  it('doubles below 1 MiB like sds: 1,000 one-byte appends reallocate about log2(1000) times', () => {
    const s = new GrowableBytes(Buffer.from('x'));
    for (let i = 0; i < 1000; i++) s.append(Buffer.from('y'));
    expect(s.reallocations).toBeLessThanOrEqual(10);
    expect(s.view().toString()).toBe('x' + 'y'.repeat(1000));
  });

  it('matches a copy-everything reference over 20,000 random operations', () => {
    const rng = new Rng(77);
    const s = new GrowableBytes();
    let ref = Buffer.alloc(0);
    for (let i = 0; i < 20000; i++) {
      const r = rng.int(3);
      const bytes = rng.bytes(rng.int(40), [1, 2, 3, 0xff]);
      if (r === 0) {
        ref = Buffer.concat([ref, bytes]);
        expect(s.append(bytes)).toBe(ref.length);
      } else if (r === 1) {
        const off = rng.int(ref.length + 60);
        if (bytes.length > 0) {
          const grown = Buffer.concat([ref, Buffer.alloc(Math.max(0, off + bytes.length - ref.length))]);
          bytes.copy(grown, off);
          ref = grown;
        }
        expect(s.setRange(off, bytes)).toBe(ref.length);
      } else {
        const len = rng.int(ref.length + 30);
        if (len > ref.length) ref = Buffer.concat([ref, Buffer.alloc(len - ref.length)]);
        s.growZero(len);
      }
      if (i % 500 === 0 || i === 19999) expect(s.view().equals(ref)).toBe(true);
    }
  });
});

describe('against redis-server', () => {
  const redis = useRealRedis();

  it('APPEND and SETRANGE sequences give the same lengths and bytes (3,000 commands)', async () => {
    const rng = new Rng(3);
    const s = new GrowableBytes();
    await reply(redis, ['del', 'g']);
    for (let i = 0; i < 3000; i++) {
      const bytes = rng.bytes(rng.int(30), [0x61, 0x00, 0xfe]);
      if (rng.int(2) === 0) {
        expect(String(await reply(redis, ['append', 'g', bytes]))).toBe(String(s.append(bytes)));
      } else {
        const off = rng.int(s.length + 50);
        // SETRANGE of nothing on a missing key creates nothing; keep the key present.
        if (s.length === 0 && bytes.length === 0) continue;
        expect(String(await reply(redis, ['setrange', 'g', off, bytes]))).toBe(String(s.setRange(off, bytes)));
      }
    }
    expect((await reply(redis, ['get', 'g'])) as Buffer).toEqual(s.view());
  });

  it('checkStringLength refuses exactly what Redis refuses at proto-max-bulk-len', async () => {
    const max = SDS_MAX_PREALLOC; // Redis's smallest allowed proto-max-bulk-len
    const ours = (size: number, add: number): string | null => {
      try {
        checkStringLength(size, add, max);
        return null;
      } catch (e) {
        return (e as CommandError).message;
      }
    };
    await reply(redis, ['config', 'set', 'proto-max-bulk-len', String(max)]);
    try {
      for (const off of [max - 1, max, max + 5]) {
        await reply(redis, ['del', 'h']);
        const r = (await reply(redis, ['setrange', 'h', off, 'x'])) as { error?: string };
        expect(ours(off, 1)).toBe(r.error ?? null);
      }
      await reply(redis, ['set', 'h', Buffer.alloc(max - 2)]);
      for (const add of ['ab', 'abc']) {
        const r = (await reply(redis, ['append', 'h', add])) as { error?: string };
        expect(ours(max - 2, add.length)).toBe(r.error ?? null);
        if (r.error === undefined) await reply(redis, ['set', 'h', Buffer.alloc(max - 2)]);
      }
    } finally {
      await reply(redis, ['config', 'set', 'proto-max-bulk-len', String(512 * max)]);
    }
  });
});

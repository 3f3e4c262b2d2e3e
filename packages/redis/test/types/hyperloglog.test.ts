// HyperLogLog against redis-server: the same commands on both, every reply compared byte for byte,
// and the HLL strings themselves (GET) after every change, so the sparse and dense encodings,
// the promotion between them, the hash and the cached cardinality are Redis's exactly.
import { Rng } from '../algo/support';
import type { Arg } from './harness';
import { bulkPayload, cmds, itMatchesInBothProtocols, useGeoHllRig } from './geo-hll-rig';

const ctx = useGeoHllRig();

/** redis-server's value of `key`. */
async function fromRedis(key: string): Promise<Buffer> {
  return bulkPayload(await ctx.rig.redis.send(['GET', key]));
}

/** Random elements: empty, short text, binary, and long ones (past the hash's 8-byte blocks). */
function elements(rng: Rng, n: number): Buffer[] {
  const out: Buffer[] = [];
  const binary = Array.from({ length: 256 }, (_, i) => i);
  const text = Array.from('abcdefghijklmnopqrstuvwxyz0123456789', (c) => c.charCodeAt(0));
  for (let i = 0; i < n; i++) {
    const len = rng.pick([0, 1, 3, 7, 8, 9, 15, 16, 17, 40]);
    out.push(rng.bytes(len, rng.int(2) === 0 ? binary : text));
  }
  return out;
}

/** PFADDs of `batches` random batches into `key`, each followed by GET, PFCOUNT and GET. */
function growScript(rng: Rng, key: string, batches: number, perBatch: number): Arg[][] {
  const script: Arg[][] = [];
  for (let b = 0; b < batches; b++) {
    script.push(['PFADD', key, ...elements(rng, 1 + rng.int(perBatch))], ['GET', key]);
    if (rng.int(3) === 0) script.push(['PFCOUNT', key], ['GET', key], ['PFDEBUG', 'ENCODING', key]);
  }
  return script;
}

describe('HyperLogLog strings are byte-identical to redis-server', () => {
  it('grows sparse, promotes to dense at hll-sparse-max-bytes, and counts the same', async () => {
    const rng = new Rng(12);
    const script: Arg[][] = [['FLUSHALL'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']];
    script.push(...growScript(rng, 'h1', 400, 12));
    script.push(['PFDEBUG', 'ENCODING', 'h1'], ['PFCOUNT', 'h1'], ['GET', 'h1']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('follows other hll-sparse-max-bytes settings (0, 100, 20000)', async () => {
    const rng = new Rng(99);
    const script: Arg[][] = [['FLUSHALL']];
    for (const max of ['0', '100', '20000']) {
      script.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', max], ['DEL', 'h']);
      script.push(...growScript(rng, 'h', 60, 40));
    }
    script.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('sets the same registers for many single elements (hash and pattern length)', async () => {
    const script: Arg[][] = [['FLUSHALL']];
    for (let i = 0; i < 300; i++) script.push(['PFADD', 'one', `element:${i}`], ['PFDEBUG', 'DECODE', 'one']);
    script.push(['PFDEBUG', 'GETREG', 'one'], ['GET', 'one']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('merges like Redis (sparse, dense, missing sources, the destination included)', async () => {
    const rng = new Rng(7);
    const script: Arg[][] = [['FLUSHALL']];
    script.push(['PFADD', 'small', ...elements(rng, 20)], ['PFADD', 'small2', ...elements(rng, 30)]);
    script.push(['PFADD', 'big', ...elements(rng, 3000)]);
    script.push(['PFMERGE', 'm1', 'small', 'small2'], ['GET', 'm1'], ['PFCOUNT', 'm1'], ['GET', 'm1']);
    script.push(['PFMERGE', 'm2', 'small', 'big', 'nokey'], ['GET', 'm2'], ['PFCOUNT', 'm2']);
    script.push(['PFMERGE', 'small', 'small2'], ['GET', 'small']);
    script.push(['PFMERGE', 'small2', 'big'], ['GET', 'small2'], ['PFDEBUG', 'ENCODING', 'small2']);
    script.push(['PFMERGE', 'empty'], ['GET', 'empty'], ['PFMERGE', 'empty', 'nokey'], ['GET', 'empty']);
    script.push(['PFCOUNT', 'small', 'big', 'm1', 'nokey'], ['PFCOUNT', 'nokey', 'nokey2'], ['PFCOUNT', 'small', 'small']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('accepts an HLL string copied from redis-server, and it keeps evolving the same', async () => {
    const rng = new Rng(3);
    const setup: Arg[][] = [['FLUSHALL'], ['PFADD', 'src', ...elements(rng, 150)], ['PFADD', 'dsrc', ...elements(rng, 5000)]];
    expect(await ctx.rig.run(setup)).toEqual([]);
    for (const key of ['src', 'dsrc']) {
      const bytes = await fromRedis(key);
      expect(await ctx.rig.run([['SET', `copy:${key}`, bytes], ['PFCOUNT', `copy:${key}`], ['GET', `copy:${key}`], ['PFADD', `copy:${key}`, ...elements(rng, 100)], ['GET', `copy:${key}`]])).toEqual([]);
    }
  });
});

describe('HyperLogLog commands match redis-server', () => {
  itMatchesInBothProtocols(
    ctx,
    `
    flushall
    pfadd h
    exists h
    get h
    pfcount h
    get h
    pfadd h a b c
    pfadd h a b c
    pfadd h ''
    pfcount h
    pfcount h nokey
    pfcount nokey
    pfadd
    pfcount
    pfmerge
    pfdebug encoding
    pfdebug encoding h extra
    pfdebug nosuch h
    pfdebug encoding nokey
    pfdebug getreg nokey
    pfdebug decode h
    pfdebug todense h
    pfdebug todense h
    pfdebug decode h
    pfdebug encoding h
    pfcount h
    set str hello
    pfadd str a
    pfcount str
    pfcount h str
    pfmerge str h
    pfmerge h str
    pfdebug encoding str
    lpush list a
    pfadd list a
    pfcount list
    pfmerge h list
    set short HYLL
    pfcount short
    set int 12345678901234567
    pfcount int
    object encoding h
    strlen h
    `,
  );
});

describe('corrupted HLL strings get Redis answers and never crash', () => {
  it('detects the suite\'s corruptions (tail bytes, magic, encoding, dense length)', async () => {
    const script = cmds(`
      flushall
      pfadd hll a b c
      append hll hello
      pfcount hll
      pfadd hll d e f
      pfmerge m hll
      pfdebug getreg hll
      pfdebug decode hll
      del hll
      pfadd hll a b c
      setrange hll 0 0123
      pfcount hll
      pfadd hll x
      del hll
      pfadd hll a b c
      setrange hll 4 x
      pfcount hll
      pfdebug encoding hll
      del hll
      pfadd hll a b c
      pfdebug todense hll
      setrange hll 12303 x
      pfcount hll
      append hll x
      pfcount hll
    `);
    script.push(['DEL', 'hll'], ['PFADD', 'hll', 'a', 'b', 'c'], ['SETRANGE', 'hll', '4', Buffer.from([0])], ['PFCOUNT', 'hll'], ['PFADD', 'hll', 'z']);
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('checks that sparse runs cover exactly the 16384 registers (with the CVE-2025-32023 fix)', async () => {
    const header = Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1');
    const xzero = (n: number): Buffer => Buffer.from([((n - 1) >> 8) | 0x40, (n - 1) & 0xff]);
    const shapes = [
      [xzero(16384), Buffer.from([0x80])], // a VAL past the last register
      [xzero(16384), Buffer.from([0x00])], // a ZERO past it
      [xzero(16383), Buffer.from([0x81])], // a VAL run straddling the end
      [xzero(16000)], // too short
      [xzero(16383), Buffer.from([0x80]), xzero(100), Buffer.from([0x80])],
      [xzero(16000), xzero(16384)], // additions split an opcode reaching past the end
      [Buffer.from([0x7f])], // a truncated XZERO (its second byte is the terminator)
      [],
    ];
    const script: Arg[][] = [];
    for (const shape of shapes) {
      const value = Buffer.concat([header, ...shape]);
      script.push(['DEL', 'c', 'm'], ['SET', 'c', value], ['PFCOUNT', 'c'], ['PFCOUNT', 'c', 'nokey'], ['PFMERGE', 'm', 'c'], ['PFDEBUG', 'DECODE', 'c'], ['PFDEBUG', 'TODENSE', 'c']);
      script.push(['SET', 'c', value], ['PFADD', 'c', ...Array.from({ length: 30 }, (_, i) => `e${i}`)], ['GET', 'c'], ['PFCOUNT', 'c']);
    }
    expect(await ctx.rig.run(script)).toEqual([]);
  });

  it('answers randomly corrupted HLLs as redis-server does', async () => {
    const rng = new Rng(2024);
    const bad: string[] = [];
    for (let round = 0; round < 150; round++) {
      const script: Arg[][] = [['DEL', 'c', 'm'], ['PFADD', 'c', ...elements(rng, rng.int(round % 3 === 0 ? 3000 : 200))]];
      if (rng.int(4) === 0) script.push(['PFDEBUG', 'TODENSE', 'c']);
      script.push(['STRLEN', 'c']);
      bad.push(...(await ctx.rig.run(script)));
      const len = (await fromRedis('c')).length;
      script.length = 0;
      // Mostly the registers; sometimes the header (magic, encoding, cached cardinality).
      for (let k = 0; k < 1 + rng.int(3); k++) {
        const at = rng.int(4) === 0 ? rng.int(len) : 16 + rng.int(Math.max(1, len - 16));
        script.push(['SETRANGE', 'c', String(at), Buffer.from([rng.int(256)])]);
      }
      script.push(['PFCOUNT', 'c'], ['GET', 'c'], ['PFADD', 'c', ...elements(rng, 5)], ['GET', 'c'], ['PFCOUNT', 'c', 'nokey'], ['PFMERGE', 'm', 'c'], ['GET', 'm']);
      script.push(['PFDEBUG', 'DECODE', 'c'], ['PFDEBUG', 'TODENSE', 'c'], ['GET', 'c']);
      bad.push(...(await ctx.rig.run(script)));
    }
    expect(bad).toEqual([]);
    expect(await ctx.rig.run([['PING']])).toEqual([]);
  });
});

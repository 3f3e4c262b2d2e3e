// Random picks and SCAN over big hashes and sets (hash tables): picks read the collection by
// position, so a streamed reply must keep answering with what was there when it started even if
// another client empties the key meanwhile; SSCAN/HSCAN return every member present for the
// whole iteration while others are removed and added between pages.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';

let srv: RunningRedis;
let a: Redis;
let b: Redis;

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  a = new Redis({ port: srv.port, host: '127.0.0.1' });
  b = new Redis({ port: srv.port, host: '127.0.0.1' });
});

afterAll(async () => {
  a.disconnect();
  b.disconnect();
  await srv.stop();
});

/** `n` members named `prefix<i>`, added 1000 per SADD/HSET. */
async function fill(kind: 'set' | 'hash', key: string, prefix: string, n: number): Promise<void> {
  const p = a.pipeline();
  for (let i = 0; i < n; i += 1000) {
    const names = Array.from({ length: Math.min(1000, n - i) }, (_, j) => `${prefix}${i + j}`);
    if (kind === 'set') p.sadd(key, ...names);
    else p.hset(key, ...names.flatMap((f) => [f, `v:${f}`]));
  }
  await p.exec();
}

describe('streamed negative counts draw from what was there when they started', () => {
  test.each([
    // Count above the size: the pieces draw from a snapshot of the members.
    ['SRANDMEMBER over a snapshot of the members', 3000, 200000],
    // Count below the size: the picks are made up front.
    ['SRANDMEMBER over picks made up front', 300000, 5000],
  ])('%s', async (_name, size, count) => {
    await a.del('big');
    await fill('set', 'big', 'm', size);
    const reply = a.srandmember('big', -count);
    // Sent right behind it on another connection: runs between the reply's pieces.
    const deleted = b.del('big');
    const picks = await reply;
    expect(await deleted).toBe(1);
    expect(picks).toHaveLength(count);
    for (const m of picks) expect(m).toMatch(/^m\d+$/);
    expect(picks.every((m) => Number(m.slice(1)) < size)).toBe(true);
  });

  test('HRANDFIELD WITHVALUES pairs each field with its value', async () => {
    await a.del('bigh');
    await fill('hash', 'bigh', 'f', 2000);
    const reply = a.call('HRANDFIELD', 'bigh', '-30000', 'WITHVALUES') as Promise<string[]>;
    const deleted = b.del('bigh');
    const flat = await reply;
    expect(await deleted).toBe(1);
    expect(flat).toHaveLength(60000);
    for (let i = 0; i < flat.length; i += 2) expect(flat[i + 1]).toBe(`v:${flat[i]}`);
  });
});

test('positive counts are distinct, and SPOP removes exactly what it returns', async () => {
  await a.del('s');
  await fill('set', 's', 'm', 50000);
  const picks = await a.srandmember('s', 20000);
  expect(new Set(picks).size).toBe(20000);
  const popped = await a.spop('s', 30000);
  expect(new Set(popped).size).toBe(30000);
  expect(await a.scard('s')).toBe(20000);
  const left = new Set(await a.smembers('s'));
  for (const m of popped.slice(0, 1000)) expect(left.has(m)).toBe(false);
});

describe('SCAN guarantees under removals and additions', () => {
  async function scanAll(kind: 'set' | 'hash', key: string): Promise<Set<string>> {
    const seen = new Set<string>();
    let cursor = '0';
    let page = 0;
    do {
      const [next, items] = kind === 'set' ? await a.sscan(key, cursor, 'COUNT', 20) : await a.hscan(key, cursor, 'COUNT', 20);
      for (let i = 0; i < items.length; i += kind === 'set' ? 1 : 2) seen.add(items[i]);
      cursor = next;
      // Between pages: remove 30 of the others (from anywhere in the table) and add 10.
      const gone = Array.from({ length: 30 }, (_, j) => `drop:${(page * 30 + j) * 7 % 1500}`);
      const added = Array.from({ length: 10 }, (_, j) => `new:${page}:${j}`);
      if (kind === 'set') await b.pipeline().srem(key, ...gone).sadd(key, ...added).exec();
      else await b.pipeline().hdel(key, ...gone).hset(key, ...added.flatMap((f) => [f, '1'])).exec();
      page++;
    } while (cursor !== '0');
    return seen;
  }

  test.each(['set', 'hash'] as const)('%s: every member present throughout is returned', async (kind) => {
    const key = `scan-${kind}`;
    await a.del(key);
    await fill(kind, key, 'drop:', 1500);
    await fill(kind, key, 'keep:', 500);
    expect(await a.object('ENCODING', key)).toBe('hashtable');
    const seen = await scanAll(kind, key);
    const missing = Array.from({ length: 500 }, (_, i) => `keep:${i}`).filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
  });
});

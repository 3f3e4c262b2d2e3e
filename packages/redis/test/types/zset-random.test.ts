// ZRANDMEMBER's forms through a real server and client: the rank-picking paths (one member, a few
// picks with repetition, a few distinct picks out of many) and the snapshot paths (most or all of
// the set, streamed negative counts) must all return members of the set with their own scores.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { RawClient } from './harness';

const quiet = { warn: () => undefined, error: () => undefined };
let srv: RunningRedis;
let c: Redis;
const SIZE = 3000;
const scores = new Map<string, string>();

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  const args: (string | number)[] = [];
  for (let i = 0; i < SIZE; i++) {
    scores.set(`m${i}`, String(i * 1.5));
    args.push(i * 1.5, `m${i}`);
  }
  await c.zadd('big', ...args);
});

afterAll(async () => {
  c.disconnect();
  await srv.stop();
});

jest.setTimeout(30000);

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

describe('ZRANDMEMBER', () => {
  it('returns one member of the set, and every member eventually', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const m = (await c.zrandmember('big')) as string;
      expect(scores.has(m)).toBe(true);
      seen.add(m);
    }
    // 200 draws out of 3000 are nearly all distinct; a constant or stuck pick would not be.
    expect(seen.size).toBeGreaterThan(150);
  });

  it.each([5, 999, 1000, 2999, 3000, 5000])('gives min(count, size) distinct members with their scores for count %d', async (count) => {
    const flat = (await c.call('zrandmember', 'big', String(count), 'withscores')) as string[];
    const got = pairs(flat);
    expect(got.length).toBe(Math.min(count, SIZE));
    expect(new Set(got.map(([m]) => m)).size).toBe(got.length);
    for (const [m, s] of got) expect(scores.get(m)).toBe(s);
  });

  it.each([-1, -7, -1024, -1025, -5000])('gives |count| picks with repetition for count %d', async (count) => {
    const flat = (await c.call('zrandmember', 'big', String(count), 'withscores')) as string[];
    const got = pairs(flat);
    expect(got.length).toBe(-count);
    for (const [m, s] of got) expect(scores.get(m)).toBe(s);
    if (count <= -1024) expect(new Set(got.map(([m]) => m)).size).toBeLessThan(got.length);
  });

  it('nests the pairs in RESP3 (rank picks and snapshot picks alike)', async () => {
    const raw = await RawClient.connect(srv.port);
    await raw.send(['hello', '3']);
    for (const count of ['-3', '4', '2999']) {
      const reply = (await raw.send(['zrandmember', 'big', count, 'withscores'])).toString('latin1');
      const n = Math.abs(Number(count));
      // *n, then per pick: *2, the member, and the score as a RESP3 double.
      const pick = /\*2\r\n\$\d+\r\n(m\d+)\r\n,([^\r]+)\r\n/g;
      expect(reply.startsWith(`*${n}\r\n`)).toBe(true);
      const picks = [...reply.matchAll(pick)];
      expect(picks.length).toBe(n);
      for (const [, m, s] of picks) expect(Number(s)).toBe(Number(scores.get(m)));
    }
    raw.close();
  });

  it('answers a missing key with nil or an empty array', async () => {
    expect(await c.zrandmember('none')).toBeNull();
    expect(await c.call('zrandmember', 'none', '5')).toEqual([]);
    expect(await c.call('zrandmember', 'big', '0')).toEqual([]);
  });
});

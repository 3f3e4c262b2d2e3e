// Random-member counts against redis-server (errors and reply sizes), and the pick iterators'
// laziness, distinctness and spread.
import net from 'node:net';
import { CommandError } from '../../src/errors';
import { checkPairCount, parseRandCount, randomPicks } from '../../src/algo/random';
import { reply, Rng, useRealRedis } from './support';

const bin = (s: string): Buffer => Buffer.from(s, 'latin1');

function take(it: Iterator<number>, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const r = it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

const LARGE = 1000;

/** Our reply's first RESP line: the array header, or the error. */
function ours(size: number, countArg: string, pairs: boolean): string {
  try {
    const count = parseRandCount(bin(countArg));
    if (pairs) checkPairCount(count);
    const picks = randomPicks(size, count);
    // Redis drops the client of a reply this long (see firstLine).
    if (picks.length > BigInt(LARGE)) return 'dropped';
    // Drain small replies to check they end where their length says.
    expect(take(picks.indexes, LARGE + 1)).toHaveLength(Number(picks.length));
    return `*${(pairs ? 2n : 1n) * picks.length}`;
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    return `-${e.message}`;
  }
}

/**
 * redis-server's first reply line, read from a fresh connection that is then dropped, or
 * 'dropped' when Redis accepted a count near 2^63 and started that reply: the test server's
 * output limit (1 MB for normal clients) makes it close the connection before sending any of it.
 */
function firstLine(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: '127.0.0.1', port }, () => {
      sock.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    });
    let got = '';
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const eol = got.indexOf('\r\n');
      if (eol >= 0) {
        sock.destroy();
        resolve(got.slice(0, eol));
      }
    });
    sock.on('close', () => resolve(got === '' ? 'dropped' : got));
    sock.on('error', reject);
  });
}

describe('random counts against redis-server', () => {
  const redis = useRealRedis();
  const counts = ['0', '1', '-1', '3', '-3', '9', '10', '11', '-25', '100', '-9223372036854775808', '9223372036854775808', 'x', '1.5', '',
    '4611686018427387903', '4611686018427387904', '-4611686018427387903', '-4611686018427387904', '-9223372036854775807', '9223372036854775807'];

  beforeAll(async () => {
    await reply(redis, ['config', 'set', 'client-output-buffer-limit', 'normal 1mb 1mb 0']);
    await reply(redis, ['del', 's', 'h', 'z']);
    for (let i = 0; i < 10; i++) {
      await reply(redis, ['sadd', 's', `m${i}`]);
      await reply(redis, ['hset', 'h', `f${i}`, 'v']);
      await reply(redis, ['zadd', 'z', i, `m${i}`]);
    }
  });

  it.each([
    ['srandmember', 's', null],
    ['hrandfield', 'h', null],
    ['hrandfield', 'h', 'withvalues'],
    ['zrandmember', 'z', null],
    ['zrandmember', 'z', 'withscores'],
  ])('%s %s <count> %s: the same errors and reply lengths, up to 2^63 - 1', async (cmd, key, opt) => {
    const bad: string[] = [];
    for (const c of counts) {
      const want = await firstLine(redis.port, [cmd, key, c, ...(opt === null ? [] : [opt])]);
      const got = ours(10, c, opt !== null);
      if (want !== got) bad.push(`${cmd} ${key} ${c} ${opt ?? ''}: redis ${want}, ours ${got}`);
    }
    expect(bad).toEqual([]);
  });
});

describe('randomPicks', () => {
  it('a count of -(2^63 - 1) has an exact length and draws one random number per pick taken', () => {
    let draws = 0;
    const random = (): number => {
      draws++;
      return 0.5;
    };
    const picks = randomPicks(10, -9223372036854775807n, random);
    expect(picks.length).toBe(9223372036854775807n);
    expect(picks.repeats).toBe(true);
    // Nothing is drawn (or built) before the caller asks: the reply is produced as it is written.
    expect(draws).toBe(0);
    expect(take(picks.indexes, 5)).toEqual([5, 5, 5, 5, 5]);
    expect(draws).toBe(5);
  });

  it('positive counts give distinct picks, all of them when the count reaches the size', () => {
    const rng = new Rng(9);
    const random = (): number => rng.u32() / 2 ** 32;
    const bad: string[] = [];
    for (let t = 0; t < 2000; t++) {
      const size = 1 + rng.int(60);
      const count = 2 + rng.int(80);
      const picks = randomPicks(size, BigInt(count), random);
      const got = [...picks.indexes];
      const want = Math.min(size, count);
      if (picks.length !== BigInt(want) || got.length !== want || new Set(got).size !== want || got.some((i) => i < 0 || i >= size)) {
        bad.push(`size ${size} count ${count}: length ${picks.length}, picks ${got.join(',')}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('spreads picks evenly (both distinct strategies and repeats)', () => {
    const rng = new Rng(10);
    const random = (): number => rng.u32() / 2 ** 32;
    for (const [size, count] of [[30, -1], [30, 5], [30, 20]]) {
      const hits = new Array<number>(size).fill(0);
      const trials = 30000;
      for (let t = 0; t < trials; t++) for (const i of randomPicks(size, BigInt(count), random).indexes) hits[i]++;
      const expected = (trials * Math.abs(count)) / size;
      // Binomial spread: 6 standard deviations fails only on a real bias.
      const sigma = Math.sqrt(expected);
      for (const h of hits) expect(Math.abs(h - expected)).toBeLessThan(6 * sigma);
    }
  });
});

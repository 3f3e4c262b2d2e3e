// Values at the edges, compared with redis-server: LPOS RANK -9223372036854775808 (which Redis
// negates into itself), expiry times near INT64_MAX (exact, not rounded to a double), and
// notify-keyspace-events with `n` next to `A` (CONFIG GET drops it, the events still come).
import { bothServers, recordEventsWith } from './support/events';
import { RawClient } from './types/harness';

jest.setTimeout(30000);

const both = bothServers();

/** Runs `lines` on a fresh connection to `port`; returns the replies as text. */
async function run(port: number, lines: string[][]): Promise<string[]> {
  const c = await RawClient.connect(port);
  const out: string[] = [];
  for (const line of lines) out.push((await c.send(line)).toString('latin1'));
  c.close();
  return out;
}

async function same(lines: string[][]): Promise<string[]> {
  const theirs = await run(both.real.port, lines);
  const ours = await run(both.nevio.port, lines);
  expect(ours).toEqual(theirs);
  return ours;
}

test('LPOS RANK at the int64 edges', async () => {
  const replies = await same([
    ['DEL', 'l'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'a'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '1'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775808', 'COUNT', '2', 'MAXLEN', '3'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775807'],
    ['LPOS', 'l', 'a', 'RANK', '9223372036854775807', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775809'],
    ['LPOS', 'l', 'a', 'RANK', '-2', 'COUNT', '0'],
  ]);
  // Redis's answer: the last match, and with COUNT every match from the tail.
  expect(replies[2]).toBe(':5\r\n');
  expect(replies[4]).toBe('*3\r\n:5\r\n:3\r\n:0\r\n');
});

test('expiry times near INT64_MAX come back exactly', async () => {
  const lines = [
    ['SET', 'a', 'v'],
    ['PEXPIREAT', 'a', '9223372036854770000'],
    ['PEXPIRETIME', 'a'],
    ['EXPIRETIME', 'a'],
    ['SET', 'b', 'v', 'PXAT', '9223372036854775807'],
    ['PEXPIRETIME', 'b'],
    ['SET', 'c', 'v', 'EXAT', '9223372036854775'],
    ['PEXPIRETIME', 'c'],
    ['GETEX', 'c', 'PXAT', '9223372036854775806'],
    ['PEXPIRETIME', 'c'],
    ['RENAME', 'c', 'd'],
    ['PEXPIRETIME', 'd'],
    ['PEXPIREAT', 'a', '9223372036854775807', 'GT'],
    ['PEXPIRETIME', 'a'],
  ];
  const replies = await same(lines);
  expect(replies[2]).toBe(':9223372036854770000\r\n');
  expect(replies[5]).toBe(':9223372036854775807\r\n');
  // PTTL and TTL are relative to a clock: within a second of each other on both servers.
  const [theirs, ours] = [await run(both.real.port, [['PTTL', 'a'], ['TTL', 'a']]), await run(both.nevio.port, [['PTTL', 'a'], ['TTL', 'a']])];
  const big = (s: string): bigint => BigInt(s.slice(1, -2));
  const diff = big(theirs[0]) - big(ours[0]);
  expect(diff < 0n ? -diff : diff).toBeLessThan(5000n);
  // Exact: a double would be off by up to 1024 ms here, and never end in these digits.
  expect(big(ours[0]) + BigInt(Date.now())).toBeGreaterThan(9223372036854770000n - 5000n);
  const secs = big(theirs[1]) - big(ours[1]);
  expect(secs < 0n ? -secs : secs).toBeLessThanOrEqual(5n);
});

test('notify-keyspace-events KEAn shows AKE, as in Redis, and still raises `new` events', async () => {
  const config = await same([
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEAn'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Kn'],
    ['CONFIG', 'GET', 'notify-keyspace-events'],
  ]);
  expect(config[1]).toBe('*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n');
  const script = async (c: import('ioredis').default): Promise<void> => {
    await c.config('SET', 'notify-keyspace-events', 'KEAn');
    await c.set('fresh', '1');
  };
  const [theirs, ours] = [await recordEventsWith(both.real.port, script), await recordEventsWith(both.nevio.port, script)];
  expect(ours).toEqual(theirs);
  expect(ours).toContain('__keyevent@0__:new fresh');
});

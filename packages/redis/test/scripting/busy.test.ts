// Scripts that run for long: past busy-reply-threshold other clients get BUSY, SCRIPT KILL and
// FUNCTION KILL stop read-only scripts (even inside pcall), a script that wrote is UNKILLABLE and
// runs to its end, the caller's pipelined commands wait for it, and keys do not expire under it.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

jest.setTimeout(60000);

let redis: RunningRedis;
const clients: Redis[] = [];

function connect(): Redis {
  const c = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0, enableReadyCheck: false });
  clients.push(c);
  return c;
}

/** Retries `probe` until it resolves to true (the machine may be slow: generous). */
async function eventually(probe: () => Promise<boolean>, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
}

const isBusy = (c: Redis) => (): Promise<boolean> => c.ping().then(() => false, (e: Error) => e.message.startsWith('BUSY'));

beforeAll(async () => {
  redis = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], 'busy-reply-threshold': 50 }, { warn: () => {}, error: () => {} });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.stop();
});

test('SCRIPT KILL stops a busy read-only script, also when it loops inside pcall', async () => {
  const [a, b] = [connect(), connect()];
  for (const body of ['while true do end', "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end"]) {
    const running = a.eval(body, 0).then(
      () => 'returned',
      (e: Error) => e.message,
    );
    await eventually(isBusy(b));
    await expect(b.get('x')).rejects.toThrow(/^BUSY Redis is busy running a script. You can only call SCRIPT KILL/);
    await expect(b.function('kill')).rejects.toThrow(/^BUSY/);
    expect(await b.script('KILL')).toBe('OK');
    expect(await running).toMatch(/Script killed by user with SCRIPT KILL/);
    expect(await b.ping()).toBe('PONG');
  }
});

test('FUNCTION KILL stops a busy function; SCRIPT KILL may not', async () => {
  const [a, b] = [connect(), connect()];
  await b.function('load', 'REPLACE', "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while true do i = i + 1 end end)");
  const running = a.fcall('spin', 0).catch((e: Error) => e.message);
  await eventually(isBusy(b));
  const stats = (await b.function('stats')) as unknown[];
  expect(stats[0]).toBe('running_script');
  expect(stats[1]).toEqual(expect.arrayContaining(['name', 'spin', 'command', ['fcall', 'spin', '0']]));
  await expect(b.script('KILL')).rejects.toThrow(/^BUSY .*FUNCTION KILL/);
  expect(await b.function('kill')).toBe('OK');
  expect(await running).toMatch(/killed by user/);
});

test('a busy script that wrote cannot be killed and finishes; the caller pipeline waits; time is frozen', async () => {
  const [a, b] = [connect(), connect()];
  await b.set('short', 'v', 'PX', 300);
  // Writes, reads the key, spins for about 400 ms of its own time (longer on a loaded machine),
  // then reads the key again: it expired meanwhile on the clock, not for the script. (On a slow
  // machine the key may be gone already when the script starts: both reads then agree on 0.)
  const body =
    "redis.call('set', KEYS[1], 'y') local before = redis.call('exists', 'short') local n = 0 while n < 4e7 do n = n + 1 end return {before, redis.call('exists', 'short')}";
  const pipeline = a.pipeline().eval(body, 1, 'written').get('written').exec();
  await eventually(isBusy(b));
  await expect(b.script('KILL')).rejects.toThrow(/^UNKILLABLE/);
  const replies = (await pipeline) as [Error | null, unknown][];
  const [before, after] = replies[0][1] as [number, number];
  expect(after).toBe(before);
  expect(replies[1]).toEqual([null, 'y']);
  await eventually(async () => (await b.exists('short')) === 0);
});

test('an EXEC refused under a busy script discards the transaction with EXECABORT (none of it runs)', async () => {
  const [a, b, c] = [connect(), connect(), connect()];
  await c.set('xx', '1');
  await b.multi({ pipeline: false });
  expect(await b.incr('xx')).toBe('QUEUED');
  const running = a.eval('while true do end', 0).catch((e: Error) => e.message);
  await eventually(isBusy(c));
  await expect(b.exec()).rejects.toThrow(/^EXECABORT Transaction discarded because of: BUSY Redis is busy running a script/);
  expect(await c.script('KILL')).toBe('OK');
  expect(await running).toMatch(/Script killed by user/);
  expect(await c.get('xx')).toBe('1');
  // b left MULTI: a command runs at once instead of being queued.
  expect(await b.ping('asdf')).toBe('asdf');
});

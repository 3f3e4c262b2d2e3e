// Memory and lazy freeing as INFO shows them, next to redis-server: lazyfreed_objects after
// UNLINK of a value Redis frees in the background (a stream of 200 nodes, not one of one),
// FLUSHDB ASYNC and CONFIG RESETSTAT; a GETBIT after a SETBIT that went over maxmemory evicts
// first. Also: SLOWLOG shows the name as sent, and CLIENT LIST rbs follows Redis's resizing.
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { RawClient, RealRedis } from './types/harness';

jest.setTimeout(60000);

let nevio: RunningRedis;
let real: RealRedis;
const warnings: string[] = [];

beforeAll(async () => {
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, { notice: () => {}, warn: (m) => warnings.push(m), error: () => {} });
  real = await RealRedis.start();
});

afterAll(async () => {
  await nevio.stop();
  await real.stop();
});

/** INFO field `name` of the server on `port`. */
async function infoField(c: RawClient, name: string): Promise<number> {
  const text = (await c.send(['INFO', 'all'])).toString('latin1');
  const m = new RegExp(`\\r\\n${name}:(\\d+)`).exec(text);
  return m === null ? NaN : Number(m[1]);
}

/** Runs the lazyfree scenario of Redis's unit/lazyfree on `port`; returns lazyfreed_objects after each step. */
async function scenario(port: number): Promise<number[]> {
  const c = await RawClient.connect(port);
  const seen: number[] = [];
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 50 && (await infoField(c, 'lazyfree_pending_objects')) !== 0; i++) await new Promise((r) => setTimeout(r, 20));
  };
  await c.send(['FLUSHALL']);
  await c.send(['CONFIG', 'RESETSTAT']);
  await c.send(['CONFIG', 'SET', 'stream-node-max-entries', '5']);
  for (let j = 0; j < 1000; j++) await c.send(['XADD', 'stream', '*', j % 10 === 0 ? 'bar' : 'foo', String(j)]);
  await c.send(['XGROUP', 'CREATE', 'stream', 'g', '0']);
  await c.send(['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 'stream', '>']);
  await c.send(['UNLINK', 'stream']);
  await settle();
  seen.push(await infoField(c, 'lazyfreed_objects'));
  await c.send(['XADD', 'small', '*', 'a', 'b']);
  await c.send(['UNLINK', 'small']);
  await settle();
  seen.push(await infoField(c, 'lazyfreed_objects'));
  await c.send(['MSET', 'a', '1', 'b', '2', 'c', '3']);
  await c.send(['FLUSHDB', 'ASYNC']);
  await settle();
  seen.push(await infoField(c, 'lazyfreed_objects'));
  await c.send(['CONFIG', 'RESETSTAT']);
  seen.push(await infoField(c, 'lazyfreed_objects'));
  await c.send(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
  c.close();
  return seen;
}

test('lazyfreed_objects counts as in redis-server', async () => {
  const theirs = await scenario(real.port);
  expect(await scenario(nevio.port)).toEqual(theirs);
  expect(theirs).toEqual([1, 1, 4, 0]);
});

test('over maxmemory, any command evicts first: GETBIT after a big SETBIT', async () => {
  const c = await RawClient.connect(nevio.port);
  await c.send(['FLUSHALL']);
  const used = await infoField(c, 'used_memory');
  await c.send(['CONFIG', 'SET', 'maxmemory-policy', 'volatile-random']);
  await c.send(['CONFIG', 'SET', 'maxmemory', String(used + 100 * 1024)]);
  try {
    expect((await c.send(['SETEX', 'volatile', '10000', 'x'])).toString()).toBe('+OK\r\n');
    expect((await c.send(['SETBIT', 'big', '1600000', '0'])).toString()).toBe(':0\r\n');
    expect((await c.send(['GETBIT', 'big', '0'])).toString()).toBe(':0\r\n');
    expect((await c.send(['EXISTS', 'volatile'])).toString()).toBe(':0\r\n');
  } finally {
    await c.send(['CONFIG', 'SET', 'maxmemory', '0']);
    await c.send(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
    c.close();
  }
});

test('SLOWLOG shows the command name as the client sent it', async () => {
  const c = await RawClient.connect(nevio.port);
  await c.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  await c.send(['SLOWLOG', 'RESET']);
  await c.send(['INCRBYFLOAT', 'A', '1.0']);
  await c.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  const log = (await c.send(['SLOWLOG', 'GET', '1'])).toString('latin1');
  expect(log).toContain('$11\r\nINCRBYFLOAT\r\n');
  c.close();
});

test("CLIENT LIST rbs follows Redis's reply-buffer resizing (DEBUG REPLYBUFFER)", async () => {
  const admin = await RawClient.connect(nevio.port);
  const rbs = async (): Promise<number> => Number(/name=test_client .*rbs=(\d+)/.exec((await admin.send(['CLIENT', 'LIST'])).toString('latin1'))?.[1]);
  const until = async (ok: (n: number) => boolean, step: () => Promise<unknown>): Promise<number> => {
    let n = await rbs();
    for (let i = 0; i < 40 && !ok(n); i++) {
      await step();
      await new Promise((r) => setTimeout(r, 100));
      n = await rbs();
    }
    return n;
  };
  try {
    expect((await admin.send(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', '100'])).toString()).toBe('+OK\r\n');
    // A new client starts at 16 KB; read with resizing held, since on a loaded machine the
    // resize cron (every 100 ms here) may already have shrunk it by the time CLIENT LIST runs.
    await admin.send(['DEBUG', 'REPLYBUFFER', 'RESIZING', '0']);
    const tc = await RawClient.connect(nevio.port);
    await tc.send(['CLIENT', 'SETNAME', 'test_client']);
    expect(await rbs()).toBe(16384);
    await admin.send(['DEBUG', 'REPLYBUFFER', 'RESIZING', '1']);
    // Idle: down to its peak, at least 1 KB.
    expect(await until((n) => n >= 1024 && n < 2046, async () => {})).toBe(1024);
    await admin.send(['SET', 'bigval', 'x'.repeat(32768)]);
    await admin.send(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never']);
    // Busy with 32 KB replies: doubles back up to 16 KB, no further.
    expect(await until((n) => n >= 16384, () => tc.send(['GET', 'bigval']))).toBe(16384);
    expect((await admin.send(['DEBUG', 'REPLYBUFFER', 'RESIZING', '0'])).toString()).toBe('+OK\r\n');
    expect((await admin.send(['DEBUG', 'REPLYBUFFER', 'BOGUS', '0'])).toString()).toBe("-ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.\r\n");
    tc.close();
  } finally {
    await admin.send(['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'reset']);
    await admin.send(['DEBUG', 'REPLYBUFFER', 'RESIZING', '1']);
    admin.close();
  }
});

test('SLOWLOG takes a blocked command when it is served, not when it blocks', async () => {
  const c = await RawClient.connect(nevio.port);
  const blocked = await RawClient.connect(nevio.port);
  await c.send(['DEL', 'l']);
  await c.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  await c.send(['SLOWLOG', 'RESET']);
  const served = blocked.send(['BLPOP', 'l', '0']);
  await new Promise((r) => setTimeout(r, 50));
  await c.send(['MULTI']);
  await c.send(['LPUSH', 'l', 'foo']);
  await c.send(['SLOWLOG', 'RESET']);
  await c.send(['EXEC']);
  expect((await served).toString()).toBe('*2\r\n$1\r\nl\r\n$3\r\nfoo\r\n');
  await c.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  const log = (await c.send(['SLOWLOG', 'GET'])).toString('latin1');
  expect(log).toMatch(/\*3\r\n\$5\r\nBLPOP\r\n\$1\r\nl\r\n\$1\r\n0\r\n/);
  blocked.close();
  c.close();
});

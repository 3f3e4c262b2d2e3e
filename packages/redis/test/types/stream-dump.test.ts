// DUMP of a stream (RDB type 19) against redis-server 7.0: the same commands on both servers
// give byte-identical payloads (both with rdbcompression yes, the default: the listpacks are
// LZF-compressed alike); a payload goes from one server to the other and back with XINFO STREAM FULL
// equal; redis-server's deep check of restored listpacks (sanitize-dump-payload yes) accepts
// nevio's.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { RealRedis } from './harness';

const quiet = { warn: () => undefined, error: () => undefined };
let srv: RunningRedis;
let real: RealRedis;
let ours: Redis;
let theirs: Redis;

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  real = await RealRedis.start();
  ours = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  theirs = new Redis({ host: '127.0.0.1', port: real.port, maxRetriesPerRequest: 0 });
  await theirs.config('SET', 'sanitize-dump-payload', 'yes');
});
afterAll(async () => {
  ours.disconnect();
  theirs.disconnect();
  await real.stop();
  await srv.stop();
});
beforeEach(async () => {
  await ours.flushall();
  await theirs.flushall();
  for (const c of [ours, theirs]) await c.config('SET', 'stream-node-max-entries', '100', 'stream-node-max-bytes', '4096');
});
jest.setTimeout(60000);

type Cmd = (string | number)[];

async function both(cmds: Cmd[]): Promise<void> {
  for (const cmd of cmds) {
    const [name, ...args] = cmd.map(String);
    const a = await ours.call(name, ...args).catch((e: Error) => `error: ${e.message}`);
    const b = await theirs.call(name, ...args).catch((e: Error) => `error: ${e.message}`);
    expect([cmd, a]).toEqual([cmd, b]);
  }
}

/** XINFO STREAM FULL without the times (seen-time, delivery times), which differ by server. */
async function fullInfo(c: Redis, key: string): Promise<string> {
  const info = await c.xinfo('STREAM', key, 'FULL', 'COUNT', 0);
  return JSON.stringify(info).replace(/"seen-time",\d+/g, '"seen-time"').replace(/,\d{13},/g, ',');
}

const big = (n: number, c: string): string => c.repeat(n);

/** Streams whose layout covers every listpack element form and entry shape. */
const SHAPES: Record<string, Cmd[]> = {
  'same fields, integers and strings of every length class': Array.from({ length: 40 }, (_, i): Cmd => [
    'XADD', 's', `${1000 + i}-${i % 4}`, 'n', [0, 127, -1, 4095, -4096, 32767, -32768, 8388607, -8388608, 2 ** 31 - 1, -(2 ** 31), '9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', 'x', big(63, 'a'), big(64, 'b'), big(4095, 'c'), big(4096, 'd')][i % 21], 'v', i,
  ]),
  'different fields, deleted entries, negative sequence deltas': [
    ['XADD', 's', '5-9', 'a', '1', 'b', '2'],
    ['XADD', 's', '5-10', 'a', '1'],
    ['XADD', 's', '6-0', 'a', '3', 'b', '4'],
    ['XADD', 's', '6-1', 'c', 'x', 'd', 'y', 'e', 'z'],
    ['XADD', 's', '7-0', 'a', 'only'],
    ['XDEL', 's', '5-10', '6-1'],
    ['XADD', 's', '18446744073709551615-0', 'a', 'end'],
  ],
  'several nodes, partial trims, whole nodes deleted': [
    ['CONFIG', 'SET', 'stream-node-max-entries', '4'],
    ...Array.from({ length: 30 }, (_, i): Cmd => ['XADD', 's', `${i + 1}-0`, 'k', `v${i}`, ...(i % 5 === 0 ? ['extra', 'e'] : [])]),
    ['XTRIM', 's', 'MAXLEN', '23'],
    ['XDEL', 's', '13-0', '14-0', '15-0', '16-0', '20-0'],
    ['XTRIM', 's', 'MAXLEN', '~', '10'],
  ],
  'node split by stream-node-max-bytes': [
    ['CONFIG', 'SET', 'stream-node-max-bytes', '200'],
    ...Array.from({ length: 12 }, (_, i): Cmd => ['XADD', 's', `${i + 1}-1`, 'field', big(20 + i * 3, 'z')]),
    ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'],
  ],
  'empty stream made by MKSTREAM, then XSETID': [
    ['XGROUP', 'CREATE', 's', 'grp', '$', 'MKSTREAM'],
    ['XSETID', 's', '100-5', 'ENTRIESADDED', '7', 'MAXDELETEDID', '90-0'],
  ],
};

describe.each(Object.entries(SHAPES))('%s', (_name, cmds) => {
  it('gives the bytes redis-server gives, and each server restores the other one', async () => {
    await both(cmds);
    const mine = await ours.dumpBuffer('s');
    const real = await theirs.dumpBuffer('s');
    expect(mine.toString('hex')).toBe(real.toString('hex'));
    await theirs.restore('from-nevio', 0, mine);
    await ours.restore('from-redis', 0, real);
    const expected = await fullInfo(theirs, 's');
    expect(await fullInfo(theirs, 'from-nevio')).toBe(expected);
    expect(await fullInfo(ours, 's')).toBe(expected);
  });
});

it('writes groups, consumers and pending entries as redis-server does', async () => {
  const cmds: Cmd[] = [
    ...Array.from({ length: 20 }, (_, i): Cmd => ['XADD', 's', `${i + 1}-0`, 'job', `j${i}`]),
    ['XGROUP', 'CREATE', 's', 'workers', '0'],
    ['XGROUP', 'CREATE', 's', 'audit', '$'],
    ['XGROUP', 'CREATE', 's', 'late', '0', 'ENTRIESREAD', '3'],
    ['XREADGROUP', 'GROUP', 'workers', 'bob', 'COUNT', '3', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'workers', 'alice', 'COUNT', '4', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'late', 'zed', 'COUNT', '2', 'STREAMS', 's', '>'],
    ['XACK', 's', 'workers', '2-0', '5-0'],
    ['XGROUP', 'CREATECONSUMER', 's', 'workers', 'carol'],
    ['XGROUP', 'SETID', 's', 'audit', '10-0'],
  ];
  await both(cmds);
  // Times differ between the servers; the same payload restored keeps them, so nevio's DUMP of
  // redis-server's stream must reproduce redis-server's bytes exactly.
  const real = await theirs.dumpBuffer('s');
  await ours.restore('s2', 0, real);
  expect((await ours.dumpBuffer('s2')).toString('hex')).toBe(real.toString('hex'));
  // And the other way: what nevio built itself, in redis-server.
  await theirs.restore('from-nevio', 0, await ours.dumpBuffer('s'));
  expect(await fullInfo(theirs, 'from-nevio')).toBe(await fullInfo(ours, 's'));
  expect(await theirs.xinfo('GROUPS', 'from-nevio')).toEqual(await ours.xinfo('GROUPS', 's'));
  // Rows are [id, consumer, idle ms, deliveries]: the idle time moves between the two calls.
  const pending = async (c: Redis, key: string): Promise<unknown[]> =>
    ((await c.xpending(key, 'workers', '-', '+', 100)) as [string, string, number, number][]).map(([id, owner, , n]) => [id, owner, n]);
  expect(await pending(theirs, 'from-nevio')).toEqual(await pending(ours, 's'));
});

it('round-trips numeric group and consumer names and unknown read counters', async () => {
  await both([
    ['XADD', 's', '1-0', 'a', '1'],
    ['XADD', 's', '2-0', 'a', '2'],
    ['XADD', 's', '3-0', 'a', '3'],
    ['XDEL', 's', '2-0'],
    // Past a deleted entry Redis cannot count what the group read: entries-read -1 (nil).
    ['XGROUP', 'CREATE', 's', '12', '1-0'],
    ['XREADGROUP', 'GROUP', '12', '7', 'STREAMS', 's', '>'],
  ]);
  const mine = await ours.dumpBuffer('s');
  await theirs.restore('from-nevio', 0, mine);
  expect(await fullInfo(theirs, 'from-nevio')).toBe(await fullInfo(ours, 's'));
  expect(await theirs.xinfo('GROUPS', 'from-nevio')).toEqual(await ours.xinfo('GROUPS', 's'));
  await ours.restore('again', 0, mine);
  expect(await fullInfo(ours, 'again')).toBe(await fullInfo(ours, 's'));
});

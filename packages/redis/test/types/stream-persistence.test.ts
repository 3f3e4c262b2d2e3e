// Streams survive a restart through the AOF, as logged (generated IDs, `~` trims made exact,
// XREADGROUP as XCLAIMs) and after a rewrite (XADD + XSETID + XGROUP + XCLAIM), groups and PELs
// included; COPY, TYPE, OBJECT ENCODING, SCAN TYPE and DEBUG DIGEST-VALUE treat streams as Redis.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { RealRedis } from './harness';

const quiet = { notice: () => undefined, warn: () => undefined, error: () => undefined };
let dir: string;

async function start(): Promise<{ srv: RunningRedis; c: Redis }> {
  const srv = await startRedis(
    { ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir, 'stream-node-max-entries': 4, 'enable-debug-command': 'yes' },
    quiet,
  );
  const c = new Redis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 0 });
  return { srv, c };
}

/** Everything observable about a stream except times (idle, seen-time, delivery time). */
async function describeStream(c: Redis, key: string): Promise<unknown> {
  const info = (await c.xinfo('STREAM', key, 'FULL', 'COUNT', 0)) as unknown[];
  const strip = (v: unknown): unknown => {
    if (!Array.isArray(v)) return v;
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      // A rewrite re-adds the live entries only, so the node layout may change (as in Redis).
      if (v[i] === 'seen-time' || v[i] === 'radix-tree-keys' || v[i] === 'radix-tree-nodes') {
        i++;
        continue;
      }
      out.push(strip(v[i]));
    }
    return out;
  };
  // Pending rows are [id, consumer, delivery time, count] / [id, time, count]: drop the times.
  const noTimes = JSON.stringify(strip(info)).replace(/,\d{13},/g, ',');
  return { info: noTimes, groups: await c.xinfo('GROUPS', key) };
}

async function restart(srv: RunningRedis, c: Redis): Promise<{ srv: RunningRedis; c: Redis }> {
  c.disconnect();
  await srv.stop();
  return start();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-stream-aof-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
jest.setTimeout(30000);

it('restores streams, groups, consumers and pending entries, as logged and after a rewrite', async () => {
  let { srv, c } = await start();
  for (let i = 0; i < 20; i++) await c.xadd('s', '*', 'n', String(i), ...(i % 3 === 0 ? ['extra', 'x'] : []));
  await c.xadd('s', 'MAXLEN', '~', '10', '*', 'n', 'trimmed');
  await c.xtrim('s', 'MINID', '~', '0-1');
  const ids = ((await c.xrange('s', '-', '+')) as [string, string[]][]).map(([id]) => id);
  await c.xdel('s', ids[2]);
  await c.xgroup('CREATE', 's', 'g1', '0');
  await c.xgroup('CREATE', 's', 'g2', '$');
  await c.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 3, 'STREAMS', 's', '>');
  await c.xreadgroup('GROUP', 'g1', 'bob', 'NOACK', 'COUNT', 2, 'STREAMS', 's', '>');
  await c.xreadgroup('GROUP', 'g1', 'carol', 'COUNT', 2, 'STREAMS', 's', '>');
  await c.xack('s', 'g1', ids[0]);
  await c.xclaim('s', 'g1', 'dave', 0, ids[1]);
  await c.xgroup('CREATECONSUMER', 's', 'g2', 'idle-one');
  await c.xadd('empty', 'MAXLEN', '0', '5-5', 'a', 'b');
  await c.xgroup('CREATE', 'empty', 'eg', '$');
  const before = { s: await describeStream(c, 's'), empty: await describeStream(c, 'empty') };

  ({ srv, c } = await restart(srv, c));
  expect({ s: await describeStream(c, 's'), empty: await describeStream(c, 'empty') }).toEqual(before);

  await c.bgrewriteaof();
  for (let i = 0; i < 100 && /aof_rewrite_in_progress:1/.test(await c.info('persistence')); i++) await new Promise((r) => setTimeout(r, 20));
  ({ srv, c } = await restart(srv, c));
  expect({ s: await describeStream(c, 's'), empty: await describeStream(c, 'empty') }).toEqual(before);
  // New IDs continue after the restored last ID.
  const next = await c.xadd('s', '*', 'n', 'after');
  expect(next > ids[ids.length - 1]).toBe(true);
  c.disconnect();
  await srv.stop();
});

it('COPY is deep, TYPE / OBJECT ENCODING / SCAN TYPE know streams, DIGEST-VALUE equals redis-server', async () => {
  const { srv, c } = await start();
  try {
    await c.flushall();
    await c.xadd('d', '1-1', 'a', '1', 'b', '2');
    await c.xadd('d', '1-2', 'a', '3', 'b', '4');
    await c.xadd('d', '2-0', 'other', 'field');
    await c.xdel('d', '1-2');
    // redis-server 7.0.15 (started with --enable-debug-command yes) answers these for the same data.
    expect(await c.call('debug', 'digest-value', 'd')).toEqual(['b089db3d062f03130fa4122233eb6b331b403949']);
    expect(await c.call('debug', 'digest')).toBe('09b9e48c83fe4448e4e3884c6209e63262bbe71d');

    await c.xgroup('CREATE', 'd', 'g', '0');
    await c.xreadgroup('GROUP', 'g', 'x', 'STREAMS', 'd', '>');
    expect(await c.copy('d', 'd2')).toBe(1);
    await c.xack('d2', 'g', '1-1');
    await c.xadd('d2', '3-0', 'only', 'copy');
    expect(await c.xlen('d')).toBe(2);
    expect(((await c.xpending('d', 'g')) as unknown[])[0]).toBe(2);
    expect(((await c.xpending('d2', 'g')) as unknown[])[0]).toBe(1);
    expect(await c.type('d')).toBe('stream');
    expect(await c.object('ENCODING', 'd')).toBe('stream');
    // DUMP and RESTORE keep the stream with its group and pending entries (stream-dump.test.ts
    // compares the payloads with redis-server's).
    await c.restore('d3', 0, await c.dumpBuffer('d'));
    expect(await c.xrange('d3', '-', '+')).toEqual(await c.xrange('d', '-', '+'));
    expect(await c.xpending('d3', 'g')).toEqual(await c.xpending('d', 'g'));
    await c.del('d3');
    await c.set('plain', 'v');
    const [, keys] = await c.scan(0, 'TYPE', 'stream', 'COUNT', 100);
    expect(keys.sort()).toEqual(['d', 'd2']);
  } finally {
    c.disconnect();
    await srv.stop();
  }
});

it("RESTOREs redis-server's DUMP of a stream with groups (RDB type 19)", async () => {
  const { srv, c } = await start();
  const real = await RealRedis.start();
  const theirs = new Redis({ host: '127.0.0.1', port: real.port, maxRetriesPerRequest: 0 });
  try {
    await c.flushall();
    for (let i = 1; i <= 150; i++) await theirs.xadd('s', `${i}-${i % 3}`, 'n', String(i), ...(i % 7 === 0 ? ['odd', 'x'.repeat(i)] : []));
    await theirs.xdel('s', '5-2', '100-1');
    await theirs.xgroup('CREATE', 's', 'g', '0');
    await theirs.xreadgroup('GROUP', 'g', 'alice', 'COUNT', 3, 'STREAMS', 's', '>');
    await theirs.xreadgroup('GROUP', 'g', 'bob', 'COUNT', 2, 'STREAMS', 's', '>');
    await theirs.xgroup('CREATECONSUMER', 's', 'g', 'carol');
    const payload = await theirs.dumpBuffer('s');
    expect(await c.restore('s', 0, payload)).toBe('OK');
    expect(await c.xrange('s', '-', '+')).toEqual(await theirs.xrange('s', '-', '+'));
    expect(await c.xinfo('GROUPS', 's')).toEqual(await theirs.xinfo('GROUPS', 's'));
    expect(await c.xpending('s', 'g')).toEqual(await theirs.xpending('s', 'g'));
    const info = async (r: Redis): Promise<unknown[]> => ((await r.xinfo('STREAM', 's')) as unknown[]).filter((_v, i, a) => !String(a[i - (i % 2)]).startsWith('radix'));
    expect(await info(c)).toEqual(await info(theirs));
    await expect(c.restore('bad', 0, Buffer.concat([Buffer.from([19, 1]), payload.subarray(2)]))).rejects.toThrow(/Bad data format|checksum/);
  } finally {
    theirs.disconnect();
    await real.stop();
    c.disconnect();
    await srv.stop();
  }
});

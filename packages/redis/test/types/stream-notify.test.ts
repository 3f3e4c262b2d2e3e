// Keyspace notifications of the stream commands: the same events, in the same order, as
// redis-server publishes for the same command sequence.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis } from '../../src/listen';
import { RealRedis } from './harness';

const quiet = { warn: () => undefined, error: () => undefined };
jest.setTimeout(30000);

const SCRIPT: (string | number)[][] = [
  ['xadd', 's', 'MAXLEN', '2', '1-1', 'f', 'v'],
  ['xadd', 's', '2-1', 'f', 'v'],
  ['xadd', 's', 'MAXLEN', '1', '3-1', 'f', 'v'],
  ['xdel', 's', '3-1'],
  ['xdel', 's', '9-9'],
  ['xadd', 's', '4-1', 'f', 'v'],
  ['xadd', 's', '5-1', 'f', 'v'],
  ['xtrim', 's', 'MAXLEN', '1'],
  ['xtrim', 's', 'MAXLEN', '1'],
  ['xsetid', 's', '9-9'],
  ['xgroup', 'CREATE', 's', 'g', '0'],
  ['xgroup', 'CREATE', 'm', 'g', '$', 'MKSTREAM'],
  ['xgroup', 'CREATECONSUMER', 's', 'g', 'c1'],
  ['xgroup', 'CREATECONSUMER', 's', 'g', 'c1'],
  ['xreadgroup', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ['xclaim', 's', 'g', 'c3', '0', '5-1'],
  ['xautoclaim', 's', 'g', 'c4', '0', '0'],
  ['xgroup', 'SETID', 's', 'g', '0'],
  ['xgroup', 'DELCONSUMER', 's', 'g', 'c1'],
  ['xgroup', 'DESTROY', 's', 'g'],
  ['xgroup', 'DESTROY', 's', 'g'],
];

/** Runs the script on a server and returns the key-event channel of each event, in order. */
async function events(port: number): Promise<string[]> {
  const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  const sub = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  const seen: string[] = [];
  try {
    await c.flushall();
    await c.config('SET', 'notify-keyspace-events', 'KEA');
    await sub.psubscribe('__keyevent@0__:*');
    sub.on('pmessage', (_p: string, channel: string, key: string) => seen.push(`${channel.slice('__keyevent@0__:'.length)} ${key}`));
    for (const cmd of SCRIPT) await c.call(String(cmd[0]), ...cmd.slice(1).map(String));
    await c.publish('__keyevent@0__:end', 'end');
    for (let i = 0; i < 100 && !seen.includes('end end'); i++) await new Promise((r) => setTimeout(r, 10));
    return seen;
  } finally {
    await c.config('SET', 'notify-keyspace-events', '');
    c.disconnect();
    sub.disconnect();
  }
}

it('publishes what redis-server publishes for the stream commands', async () => {
  const real = await RealRedis.start();
  const nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  try {
    const want = await events(real.port);
    expect(want).toContain('xgroup-createconsumer s');
    expect(await events(nevio.port)).toEqual(want);
  } finally {
    await nevio.stop();
    await real.stop();
  }
});

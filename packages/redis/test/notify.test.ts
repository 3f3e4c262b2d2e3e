// Keyspace notifications: `notify-keyspace-events` parsing and CONFIG GET rendering, and the
// events the keyspace raises itself (new, expired, keymiss, evicted), compared with a real
// redis-server: the same script runs against both, a PSUBSCRIBE * client records what arrives.
import { recordEventsWith } from './support/events';
import Redis from 'ioredis';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { inprocServer, quietLog } from './support/inproc';
import { RawClient, RealRedis, show } from './types/harness';

let nevio: RunningRedis;
let real: RealRedis;

beforeAll(async () => {
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  real = await RealRedis.start();
}, 30000);
afterAll(async () => {
  await nevio.stop();
  await real.stop();
});


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('new, expired and keymiss events are those of redis-server', async () => {
  const script = async (c: Redis): Promise<void> => {
    // Only the classes the keyspace raises itself, so that commands' own events stay out.
    await c.config('SET', 'notify-keyspace-events', 'KEnxm');
    await c.set('k1', 'v');
    await c.set('k1', 'v2'); // exists already: no `new`
    await c.get('missing');
    await c.set(Buffer.from('bin\xff\x00', 'latin1'), 'v');
    await c.set('exp', 'v', 'PX', 30);
    await sleep(150);
    await c.get('exp');
    await c.select(3);
    await c.set('k3', 'v');
    await c.config('SET', 'notify-keyspace-events', 'En');
    await c.set('k4', 'v'); // keyevent only
    await c.config('SET', 'notify-keyspace-events', '');
    await c.set('k5', 'v'); // disabled: nothing
    await c.get('missing');
  };
  const expected = await recordEventsWith(real.port, script);
  const actual = await recordEventsWith(nevio.port, script);
  expect(expected).toContain('__keyevent@0__:expired exp');
  expect(actual).toEqual(expected);
}, 20000);

test('notify-keyspace-events parses and renders its letters as redis-server does', async () => {
  const values = ['KA', 'EA', 'gKE', '$lshzxeKE', 'AKE', 'An', 'nA', 'Am', 'KEA', 'mnKE', 'tdK', 'x', 'K', '', 'KEw', 'A A', 'g$lshzxetdK'];
  const [a, b] = await Promise.all([RawClient.connect(nevio.port), RawClient.connect(real.port)]);
  try {
    for (const v of values) {
      const set = ['CONFIG', 'SET', 'notify-keyspace-events', v];
      const get = ['CONFIG', 'GET', 'notify-keyspace-events'];
      const [mine, theirs] = [await a.send(set), await b.send(set)];
      expect([v, show(mine)]).toEqual([v, show(theirs)]);
      const [mineGet, theirsGet] = [await a.send(get), await b.send(get)];
      expect([v, show(mineGet)]).toEqual([v, show(theirsGet)]);
    }
    await a.send(['CONFIG', 'SET', 'notify-keyspace-events', '']);
    await b.send(['CONFIG', 'SET', 'notify-keyspace-events', '']);
  } finally {
    a.close();
    b.close();
  }
});

test('an evicted key raises `evicted`; a disabled class publishes nothing', () => {
  const { server, connect } = inprocServer();
  const sub = connect();
  const admin = connect();
  sub.send('PSUBSCRIBE *\r\n');
  expect(admin.send('CONFIG SET notify-keyspace-events Ee\r\n')).toBe('+OK\r\n');
  admin.send('SET victim v\r\n');
  server.dbs[0].delete('victim');
  server.evicted(server.dbs[0], 'victim');
  expect(sub.send('')).toBe('*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$22\r\n__keyevent@0__:evicted\r\n$6\r\nvictim\r\n');
  admin.send('CONFIG SET notify-keyspace-events Kx\r\n');
  server.evicted(server.dbs[0], 'victim');
  expect(sub.send('')).toBe('');
});

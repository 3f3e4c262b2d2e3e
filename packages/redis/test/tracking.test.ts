// Client-side caching (CLIENT TRACKING and friends) against a real redis-server: the same
// multi-connection scenarios, every frame compared (RESP3 pushes, RESP2 redirects to
// __redis__:invalidate, BCAST prefixes, NOLOOP, OPTIN/OPTOUT, flushes, broken redirects,
// tracking-table-max-keys), plus node-redis's own client-side cache driving the RESP2 redirect.
import { createClient } from 'redis';
import { useTranscripts, type Named, type Stage } from './support/transcript';

const rig = useTranscripts();
jest.setTimeout(30000);

async function same(scenario: (s: Stage) => Promise<void>): Promise<void> {
  const [theirs, ours] = await rig.both(scenario);
  expect(ours).toEqual(theirs);
}

/** Opens `names` in order and empties the dataset from the last one. */
async function openFlushed(s: Stage, ...names: string[]): Promise<Named[]> {
  const conns: Named[] = [];
  for (const n of names) conns.push(await s.open(n));
  await conns[conns.length - 1].call('FLUSHALL');
  return conns;
}

/** `redir` subscribed to __redis__:invalidate (RESP2 redirects), a reader `r`, a writer `sg`. */
async function redirectStage(s: Stage): Promise<Named[]> {
  const conns = await openFlushed(s, 'redir', 'r', 'sg');
  await conns[0].call('SUBSCRIBE', '__redis__:invalidate');
  return conns;
}

/** A RESP3 reader `r` and a second connection (`sg`) on an empty dataset. */
async function resp3Stage(s: Stage, other = 'sg'): Promise<Named[]> {
  const conns = await openFlushed(s, 'r', other);
  await conns[0].call('HELLO', '3');
  s.lines.pop(); // the server versions differ
  return conns;
}

test('default mode with a RESP2 redirect to a subscribed client', () =>
  same(async (s) => {
    const [redir, r, sg] = await redirectStage(s);
    await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(redir.id));
    await sg.call('SET', 'a', '1');
    await sg.call('SET', 'b', '1');
    await r.call('GET', 'a');
    await sg.call('INCR', 'b'); // not read by r: no invalidation
    await sg.call('INCR', 'a');
    await redir.read();
    await r.call('MGET', 'a', 'b', 'c');
    await sg.call('DEL', 'a', 'b', 'c');
    await redir.read();
    await redir.read();
    await redir.quiet();
    await r.callIds('CLIENT', 'GETREDIR');
    await r.callIds('CLIENT', 'TRACKINGINFO');
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'GETREDIR');
    await sg.call('SET', 'a', '2');
    await redir.quiet();
  }));

test('BCAST with prefixes, NOLOOP, and the order of prefixes', () =>
  same(async (s) => {
    const [redir, r, sg] = await redirectStage(s);
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', String(redir.id), 'PREFIX', 'a:', 'PREFIX', 'b:');
    await r.callIds('CLIENT', 'TRACKINGINFO');
    await sg.call('MSET', 'a:1', 'x', 'b:1', 'y', 'c:1', 'z');
    await redir.read();
    await redir.read();
    await redir.quiet();
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:x');
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b');
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c:', 'PREFIX', 'c:d');
    await r.call('CLIENT', 'TRACKING', 'on', 'PREFIX', 'c:');
    await r.call('CLIENT', 'TRACKING', 'on');
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN');
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'REDIRECT', String(redir.id));
    await sg.call('SET', 'other1', '1');
    await redir.read();
    await r.call('SET', 'mine', '1'); // NOLOOP: not sent back
    await sg.call('SET', 'other2', '1');
    await redir.read();
    await redir.quiet();
  }));

test('RESP3 pushes: own writes after the reply, NOLOOP, MULTI, flushes, OPTIN and OPTOUT', () =>
  same(async (s) => {
    const [r, sg] = await resp3Stage(s);
    await r.call('CLIENT', 'TRACKING', 'on');
    await sg.call('SET', 'k', '1');
    await r.call('GET', 'k');
    await sg.call('SET', 'k', '2');
    await r.read();
    await r.call('HSET', 'h', 'f', '1');
    await r.call('HGET', 'h', 'f');
    await r.call('HDEL', 'h', 'f'); // the reply, then the invalidation
    await r.read();
    await r.call('MSET', 'x', '1', 'y', '2');
    await r.call('GET', 'x');
    await r.call('MULTI');
    await r.call('INCR', 'x');
    await r.call('GET', 'y');
    await r.call('EXEC');
    await r.read();
    await r.call('GET', 'k');
    await sg.call('FLUSHALL');
    await r.read();
    await r.call('GET', 'k');
    await r.call('FLUSHDB');
    await r.read();
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await r.call('GET', 'n');
    await r.call('SET', 'n', '1');
    await r.quiet();
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
    await r.call('CLIENT', 'CACHING', 'no');
    await r.call('GET', 'o1');
    await sg.call('SET', 'o1', '1');
    await r.quiet();
    await r.call('CLIENT', 'CACHING', 'yes');
    await r.call('CLIENT', 'TRACKINGINFO');
    await r.call('GET', 'o1');
    await r.call('CLIENT', 'TRACKINGINFO');
    await sg.call('SET', 'o1', '2');
    await r.read();
    await r.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
    await r.call('CLIENT', 'CACHING', 'yes');
    await r.call('CLIENT', 'CACHING', 'no');
    await r.call('GET', 'o2');
    await sg.call('SET', 'o2', '1');
    await r.quiet();
    await r.call('GET', 'o2');
    await sg.call('SET', 'o2', '2');
    await r.read();
    await r.call('CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT');
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'CACHING', 'yes');
    await r.call('CLIENT', 'CACHING', 'maybe');
    await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999');
    await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x');
    await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(sg.id), 'REDIRECT', String(sg.id));
    await r.call('CLIENT', 'TRACKING', 'maybe');
    await r.call('CLIENT', 'TRACKING', 'on', 'bogus');
  }));

test('scripts: the declared keys are tracked once the script ran a read command; NOLOOP covers its writes', () =>
  same(async (s) => {
    const [r, sg] = await resp3Stage(s);
    await r.call('CLIENT', 'TRACKING', 'on');
    await r.call('EVAL', "redis.call('set', 'k3', 'bar')", '2', 'k1', 'k2');
    await sg.call('MSET', 'k2', '1', 'k1', '1');
    await r.quiet();
    await r.call('EVAL', "redis.call('get', 'k3')", '2', 'k1', 'k2');
    await sg.call('MSET', 'k2', '2', 'k1', '2');
    await r.read();
    await r.read();
    await r.call('EVAL_RO', "redis.call('ping')", '2', 'k1', 'k2');
    await sg.call('MSET', 'k2', '3', 'k1', '3');
    await r.quiet();
    await r.call('EVAL_RO', "redis.call('get', 'k1')", '2', 'k1', 'k2');
    await sg.call('MSET', 'k2', '4', 'k1', '4');
    await r.read();
    await r.read();
    await r.call('CLIENT', 'TRACKING', 'off');
    await r.call('CLIENT', 'TRACKING', 'on', 'NOLOOP');
    await r.call('GET', 'k1');
    await r.call('EVAL', "return redis.call('set', 'k1', '5')", '1', 'k1');
    await r.quiet();
    await r.call('GET', 'k1');
  }));

test('a redirect client that leaves: tracking-redir-broken, and the broken_redirect flag', () =>
  same(async (s) => {
    const [r, sg] = await resp3Stage(s);
    const gone = await s.open('gone');
    await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(gone.id));
    await r.call('GET', 'k');
    await gone.call('QUIT');
    await new Promise((res) => setTimeout(res, 100));
    await sg.call('SET', 'k', '1');
    await r.readIds();
    await r.callIds('CLIENT', 'TRACKINGINFO');
    await r.callIds('CLIENT', 'GETREDIR');
  }));

test('tracking-table-max-keys forgets keys before the next command, and INFO counts them', () =>
  same(async (s) => {
    const [r, admin] = await resp3Stage(s, 'admin');
    await r.call('CLIENT', 'TRACKING', 'on');
    await r.call('MGET', 'k1', 'k2', 'k3', 'k4', 'k5');
    const info = String(await admin.conn.call('INFO', 'stats'));
    s.note(`keys ${/tracking_total_keys:(\d+)/.exec(info)?.[1]} items ${/tracking_total_items:(\d+)/.exec(info)?.[1]}`);
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
    r.send('PING');
    // Which keys go is the server's choice (Redis picks at random): count the invalidations.
    let invalidations = 0;
    for (;;) {
      const f = await r.conn.read();
      if (f === 'PONG') break;
      invalidations++;
    }
    s.note(`${invalidations} invalidations before PONG`);
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    // Empty the table (one null invalidation): which two keys survived above was Redis's random
    // choice, and what follows must not depend on it.
    await admin.call('FLUSHALL');
    const flushed = await r.conn.read();
    s.note(`flush ${typeof flushed === 'object' && flushed !== null && 'push' in flushed ? String(flushed.push[0]) : String(flushed)}`);
    // With no command at all, the periodic job enforces the limit too.
    await r.call('MGET', 'k1', 'k2', 'k3');
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
    for (let i = 0; i < 2; i++) {
      const f = await r.conn.read();
      s.note(`pushed ${typeof f === 'object' && f !== null && 'push' in f ? String(f.push[0]) : String(f)}`);
    }
    await r.quiet();
    await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
  }));

test('node-redis: a RESP2 client invalidated through a subscribed redirect connection', async () => {
  const port = rig.nevio.port;
  const reader = createClient({ socket: { host: '127.0.0.1', port } });
  const sub = reader.duplicate();
  const writer = reader.duplicate();
  await Promise.all([reader.connect(), sub.connect(), writer.connect()]);
  try {
    const invalidated: string[] = [];
    await sub.subscribe('__redis__:invalidate', (message) => invalidated.push(message));
    // node-redis forbids commands on a subscribed connection: find its id through CLIENT LIST.
    const line = String(await writer.sendCommand(['CLIENT', 'LIST']))
      .split('\n')
      .find((l) => / sub=1 /.test(l));
    const id = Number(/id=(\d+)/.exec(line ?? '')?.[1]);
    expect(await reader.sendCommand(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)])).toBe('OK');
    await writer.set('nr:key', 'v1');
    expect(await reader.get('nr:key')).toBe('v1');
    await writer.set('nr:key', 'v2');
    for (let i = 0; i < 50 && invalidated.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
    expect(invalidated.length).toBe(1);
  } finally {
    await Promise.allSettled([reader.quit(), sub.quit(), writer.quit()]);
  }
});

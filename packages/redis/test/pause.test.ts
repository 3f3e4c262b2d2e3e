// CLIENT PAUSE / UNPAUSE against a real redis-server: which commands wait (writes, PUBLISH,
// EXEC of a transaction with a write) and which run (reads, read-only transactions, errors),
// the order replies arrive once unpaused, timeouts, and that keys do not expire meanwhile.
import { useTranscripts, type Named, type Stage } from './support/transcript';

const rig = useTranscripts();
jest.setTimeout(30000);

async function same(scenario: (s: Stage) => Promise<void>): Promise<void> {
  const [theirs, ours] = await rig.both(scenario);
  expect(ours).toEqual(theirs);
}

/** Records blocked_clients once it reaches `n` (or what it is after ~2 s). */
async function blockedClients(s: Stage, admin: Named, n: number): Promise<void> {
  let v = -1;
  for (let i = 0; i < 100; i++) {
    v = Number(/blocked_clients:(\d+)/.exec(String(await admin.conn.call('INFO', 'clients')))?.[1]);
    if (v === n) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  s.note(`blocked_clients ${v}`);
}

test('WRITE pauses writes and PUBLISH, not reads; UNPAUSE runs them in order', () =>
  same(async (s) => {
    const admin = await s.open('admin');
    const w1 = await s.open('w1');
    const w2 = await s.open('w2');
    const rd = await s.open('rd');
    await admin.call('FLUSHALL');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await rd.call('GET', 'foo');
    await rd.call('PING');
    await rd.call('SET', 'foo'); // an arity error answers at once
    w1.send('SET', 'foo', 'bar');
    w1.send('GET', 'foo'); // pipelined behind the paused SET
    w2.send('PUBLISH', 'ch', 'x');
    await blockedClients(s, admin, 2);
    await rd.call('GET', 'foo');
    await admin.call('CLIENT', 'UNPAUSE');
    await w1.read();
    await w1.read();
    await w2.read();
    await blockedClients(s, admin, 0);
  }));

test('transactions: read-only EXEC runs, EXEC with a write waits; a pause inside MULTI starts after EXEC', () =>
  same(async (s) => {
    const admin = await s.open('admin');
    const t = await s.open('t');
    const u = await s.open('u');
    await admin.call('FLUSHALL');
    await t.call('MULTI');
    await t.call('SET', 'a', '1');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await u.call('MULTI');
    await u.call('PING');
    await u.call('GET', 'a');
    await u.call('EXEC');
    t.send('EXEC');
    await blockedClients(s, admin, 1);
    await admin.call('CLIENT', 'UNPAUSE');
    await t.read();
    await admin.call('MULTI');
    await admin.call('SET', 'b', '1');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await admin.call('SET', 'c', '1');
    await admin.call('EXEC');
    u.send('SET', 'd', '1');
    await blockedClients(s, admin, 1);
    await admin.call('MGET', 'b', 'c', 'd');
    await admin.call('CLIENT', 'UNPAUSE');
    await u.read();
  }));

test('scripts: no-writes scripts run, others (no shebang, writes declared) wait, in and out of MULTI', () =>
  same(async (s) => {
    const admin = await s.open('admin');
    const a = await s.open('a');
    const b = await s.open('b');
    await admin.call('FLUSHALL');
    const ro = '#!lua flags=no-writes\nreturn 12';
    const sha = String(await admin.call('SCRIPT', 'LOAD', ro));
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await a.call('EVAL', ro, '0');
    await a.call('EVALSHA', sha, '0');
    await a.call('EVAL_RO', "return redis.call('get', 'x')", '1', 'x');
    await a.call('MULTI');
    await a.call('EVAL', ro, '0');
    await a.call('EXEC');
    b.send('EVAL', 'return 1', '0');
    await blockedClients(s, admin, 1);
    a.send('EVAL', '#!lua\nreturn 2', '0');
    await blockedClients(s, admin, 2);
    await admin.call('CLIENT', 'UNPAUSE');
    await b.read();
    await a.read();
  }));

test('ALL pauses every command; the pause ends by itself; bad arguments', () =>
  same(async (s) => {
    const admin = await s.open('admin');
    const rd = await s.open('rd');
    await admin.call('CLIENT', 'PAUSE', '300', 'ALL');
    rd.send('GET', 'x');
    await rd.quiet(100);
    await rd.read(); // after the 300 ms are over
    await admin.call('CLIENT', 'PAUSE', '-1');
    await admin.call('CLIENT', 'PAUSE', 'abc');
    await admin.call('CLIENT', 'PAUSE', '10', 'READ');
    await admin.call('CLIENT', 'PAUSE', '9223372036854775807');
    await admin.call('CLIENT', 'PAUSE', '10', 'ALL', 'x');
    await admin.call('CLIENT', 'UNPAUSE');
  }));

test('keys neither expire lazily nor actively during a pause', () =>
  same(async (s) => {
    const admin = await s.open('admin');
    await admin.call('FLUSHALL');
    await admin.call('CONFIG', 'RESETSTAT');
    await admin.call('MULTI');
    await admin.call('SET', 'e1', 'v', 'PX', '20');
    await admin.call('SET', 'e2', 'v', 'PX', '20');
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await admin.call('EXEC');
    await new Promise((r) => setTimeout(r, 300));
    await admin.call('GET', 'e1');
    await admin.call('EXISTS', 'e2');
    s.note(`expired_keys ${/expired_keys:(\d+)/.exec(String(await admin.conn.call('INFO', 'stats')))?.[1]}`);
    await admin.call('CLIENT', 'UNPAUSE');
    await admin.call('GET', 'e1');
    await admin.call('GET', 'e2');
    s.note(`expired_keys ${/expired_keys:(\d+)/.exec(String(await admin.conn.call('INFO', 'stats')))?.[1]}`);
  }));

test('a postponed client that disconnects is forgotten', async () => {
  const { RespConn } = await import('./support/resp');
  const port = rig.nevio.port;
  const admin = await RespConn.connect(port);
  const w = await RespConn.connect(port);
  try {
    expect(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('OK');
    w.send('SET', 'gone', '1');
    for (let i = 0; i < 100 && rig.nevio.server.blockedClients !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rig.nevio.server.blockedClients).toBe(1);
    w.close();
    for (let i = 0; i < 100 && rig.nevio.server.blockedClients !== 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rig.nevio.server.blockedClients).toBe(0);
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('OK');
    expect(await admin.call('EXISTS', 'gone')).toBe(0);
  } finally {
    admin.close();
    w.close();
  }
});

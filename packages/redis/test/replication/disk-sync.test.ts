// A nevio master's full sync through the RDB file (repl-diskless-sync no), as Redis's
// disk-target BGSAVE for SYNC: the save runs in the background (rdb_bgsave_in_progress, the
// replicas in wait_bgsave), writes made meanwhile reach the replicas after the file, a second
// replica joins the running save, and a save no replica waits for is stopped unless save points
// want it. The replicas are Debian's redis-server 7.0 and nevio.
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(120000);

afterEach(cleanup);

/** slave<i>'s state field in the master's INFO replication. */
function states(fields: Map<string, string>): string[] {
  const out: string[] = [];
  for (let i = 0; fields.has(`slave${i}`); i++) out.push(/state=([a-z_]+)/.exec(fields.get(`slave${i}`)!)?.[1] ?? '');
  return out;
}

test('two replicas share one background save; the writes made during it follow the file', async () => {
  // 30 keys at 100 ms each: the save takes about 3 s.
  const master = await nevioServer(['--repl-diskless-sync', 'no', '--save', '', '--rdb-key-save-delay', '100000']);
  const m = client(master.port);
  for (let i = 0; i < 30; i++) await m.set(`k${i}`, `v${i}`);
  const a = await redisServer(['--replicaof', '127.0.0.1', String(master.port)]);
  await waitFor('the save for the first replica', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '1');
  const b = await nevioServer(['--replicaof', '127.0.0.1', String(master.port)]);
  await waitFor('both replicas waiting for the file', async () => {
    const s = states(await info(m));
    return s.length === 2 && s.every((x) => x === 'wait_bgsave');
  });
  await m.set('during', 'the save');
  await m.del('k0');
  const ra = client(a.port);
  const rb = client(b.port);
  await waitFor('both online', async () => states(await info(m)).join() === 'online,online', 30000);
  await waitFor('a caught up', () => caughtUp(m, ra));
  await waitFor('b caught up', () => caughtUp(m, rb));
  expect(await ra.get('during')).toBe('the save');
  expect(await rb.exists('k0')).toBe(0);
  expect(await digest(ra)).toBe(await digest(m));
  expect(await digest(rb)).toBe(await digest(m));
  const persistence = await info(m, 'persistence');
  expect(persistence.get('rdb_saves')).toBe('1');
  expect((await info(m, 'stats')).get('sync_full')).toBe('2');
});

test('a save no replica waits for is stopped; with save points it goes on', async () => {
  const master = await nevioServer(['--repl-diskless-sync', 'no', '--save', '', '--rdb-key-save-delay', '1000000']);
  const m = client(master.port);
  for (let i = 0; i < 10; i++) await m.set(`k${i}`, 'v');
  const replica = await nevioServer();
  const r = client(replica.port);
  await r.call('replicaof', '127.0.0.1', String(master.port));
  await waitFor('the save', async () => states(await info(m)).join() === 'wait_bgsave');
  await r.call('replicaof', 'no', 'one');
  await waitFor('the save stopped', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '0', 5000);

  await m.call('config', 'set', 'save', '900 1');
  await r.call('replicaof', '127.0.0.1', String(master.port));
  await waitFor('the save again', async () => states(await info(m)).join() === 'wait_bgsave');
  await r.call('replicaof', 'no', 'one');
  await new Promise((res) => setTimeout(res, 300));
  expect((await info(m, 'persistence')).get('rdb_bgsave_in_progress')).toBe('1');
});

// A nevio master's diskless full sync (repl-diskless-sync yes, the default), as Redis's
// rdbSaveToSlavesSockets: a background save streamed to the replicas' sockets while the master
// keeps serving (rdb_bgsave_in_progress, the replicas in wait_bgsave, PING answered meanwhile),
// the writes made during it reaching the replicas after the file, replicas that come meanwhile
// waiting for the next transfer, and a transfer nobody receives any more stopped. The replicas
// are Debian's redis-server 7.0 and nevio. Also: a replica whose command would get a reply on
// the replication link is disconnected, as Redis does.
import { createConnection } from 'node:net';
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(120000);

afterEach(cleanup);

/** slave<i>'s state field in the master's INFO replication. */
function states(fields: Map<string, string>): string[] {
  const out: string[] = [];
  for (let i = 0; fields.has(`slave${i}`); i++) out.push(/state=([a-z_]+)/.exec(fields.get(`slave${i}`)!)?.[1] ?? '');
  return out;
}

test('the snapshot streams to the replicas while the master serves; writes made meanwhile follow it', async () => {
  // 20 keys at 100 ms each: the transfer takes about 2 s.
  const master = await nevioServer(['--save', '', '--repl-diskless-sync-delay', '0', '--rdb-key-save-delay', '100000']);
  const m = client(master.port);
  for (let i = 0; i < 20; i++) await m.set(`k${i}`, `v${i}`);
  const a = await redisServer(['--replicaof', '127.0.0.1', String(master.port)]);
  await waitFor('the transfer', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '1');
  expect(states(await info(m))).toEqual(['wait_bgsave']);
  // The loop is not held by the transfer: commands are answered while it runs.
  const started = Date.now();
  expect(await m.ping()).toBe('PONG');
  expect(Date.now() - started).toBeLessThan(500);
  await m.set('during', 'the transfer');
  await m.del('k0');
  // A replica that comes now waits for the next transfer.
  const b = await nevioServer(['--replicaof', '127.0.0.1', String(master.port)]);
  const ra = client(a.port);
  const rb = client(b.port);
  await waitFor('both online', async () => states(await info(m)).join() === 'online,online', 30000);
  await waitFor('a caught up', () => caughtUp(m, ra));
  await waitFor('b caught up', () => caughtUp(m, rb));
  expect(await ra.get('during')).toBe('the transfer');
  expect(await ra.exists('k0')).toBe(0);
  expect(await digest(ra)).toBe(await digest(m));
  expect(await digest(rb)).toBe(await digest(m));
  // A transfer is no save: the save history did not change.
  const persistence = await info(m, 'persistence');
  expect(persistence.get('rdb_saves')).toBe('0');
  expect(persistence.get('rdb_last_bgsave_status')).toBe('ok');
  expect((await info(m, 'stats')).get('sync_full')).toBe('2');
  expect(master.output()).toContain('Background RDB transfer terminated with success');
});

test('a transfer whose last replica goes away is stopped', async () => {
  const master = await nevioServer(['--save', '', '--repl-diskless-sync-delay', '0', '--rdb-key-save-delay', '1000000']);
  const m = client(master.port);
  for (let i = 0; i < 10; i++) await m.set(`k${i}`, 'v');
  const replica = await nevioServer();
  const r = client(replica.port);
  await r.call('replicaof', '127.0.0.1', String(master.port));
  await waitFor('the transfer', async () => states(await info(m)).join() === 'wait_bgsave');
  await r.call('replicaof', 'no', 'one');
  await waitFor('the transfer stopped', async () => (await info(m, 'persistence')).get('rdb_bgsave_in_progress') === '0', 5000);
  expect(master.output()).toContain('Diskless rdb transfer, last replica dropped');
});

test('a replica whose command gets a reply is disconnected instead', async () => {
  const master = await nevioServer(['--save', '']);
  const m = client(master.port);
  await m.set('foo', 'bar');
  const sock = createConnection(master.port, '127.0.0.1');
  let received = '';
  sock.on('data', (d) => (received += d.toString('latin1')));
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  sock.write('PSYNC ? -1\r\n');
  await waitFor('the full resync', () => received.startsWith('+FULLRESYNC'));
  await waitFor('attached', async () => states(await info(m)).length === 1);
  sock.write('GET foo\r\n');
  await closed;
  expect(received).not.toContain("Replica can't interact with the keyspace");
  expect(master.output()).toContain("== CRITICAL == This master is sending an error to its replica: 'ERR Replica can't interact with the keyspace' after processing the command 'get'");
  expect(master.output()).toMatch(/Replica generated a reply to command 'get', disconnecting it: id=\d+/);
  expect(await m.ping()).toBe('PONG');
});

test('PSYNC with an offset that is not a number is refused and logged', async () => {
  const master = await nevioServer(['--save', '']);
  const m = client(master.port);
  await expect(m.call('psync', 'replicationid', 'offset_str')).rejects.toThrow('ERR value is not an integer or out of range');
  // The log line is written before the reply, but the two reach this process through different
  // pipes, so the reply can arrive first.
  await waitFor('the log line', () => /Replica \S* asks for synchronization but with a wrong offset/.test(master.output()));
  expect(states(await info(m))).toEqual([]);
});

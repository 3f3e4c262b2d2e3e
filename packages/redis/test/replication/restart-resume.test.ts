// A restart keeps the replication history through the RDB file's aux fields (repl-id,
// repl-offset, repl-stream-db), as Redis 7.0's psync2-master-restart and psync2 units expect:
// a restarted master takes the saved id as its secondary one, valid up to offset + 1, so its
// replicas continue with +CONTINUE; the keys that expired while it was down are deleted and
// their DELs reach the replicas through the backlog. A restarted replica continues its master's
// history with PSYNC <saved id> <offset + 1>. The peers are Debian's redis-server 7.0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(120000);

/** The directory both runs of the restarted server use (a Proc's own is removed when it stops). */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nevio-restart-'));
});
afterEach(async () => {
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test('a nevio master restarted from its RDB: a redis-server replica continues with a partial resync, expired keys deleted on both', async () => {
  let master = await nevioServer(['--dir', dir, '--save', '3600 1']);
  const port = master.port;
  let m = client(port);
  const replica = await redisServer(['--replicaof', '127.0.0.1', String(port)]);
  const r = client(replica.port);
  await waitFor('the first sync', async () => (await info(r)).get('master_link_status') === 'up');
  await m.call('debug', 'set-active-expire', '0');
  for (let i = 0; i < 200; i++) await m.set(`k${i}`, `v${i}`);
  for (let i = 0; i < 50; i++) await m.set(`short${i}`, 'x', 'PX', 50);
  await waitFor('the replica caught up', () => caughtUp(m, r));
  const before = await info(m);
  await new Promise((res) => setTimeout(res, 100));
  await master.stop('SIGTERM');

  master = await nevioServer(['--dir', dir, '--save', '3600 1'], port);
  m = client(port);
  await waitFor('the replica reconnected', async () => (await info(r)).get('master_link_status') === 'up' && (await info(m)).get('connected_slaves') === '1');
  const after = await info(m);
  expect(after.get('master_replid2')).toBe(before.get('master_replid'));
  expect(after.get('second_repl_offset')).toBe(String(Number(before.get('master_repl_offset')) + 1));
  expect(after.get('master_replid')).not.toBe(before.get('master_replid'));
  const stats = await info(m, 'stats');
  expect(stats.get('sync_partial_ok')).toBe('1');
  expect(stats.get('sync_full')).toBe('0');
  expect((await info(m, 'persistence')).get('rdb_last_load_keys_expired')).toBe('50');
  await waitFor('the DELs reached the replica', async () => (await r.dbsize()) === 200);
  expect(await r.get('k7')).toBe('v7');
  expect(await digest(r)).toBe(await digest(m));
});

test('a nevio replica restarted from its RDB continues its redis-server master with PSYNC <saved id> <offset+1>', async () => {
  const master = await redisServer();
  const m = client(master.port);
  let replica = await nevioServer(['--dir', dir, '--replicaof', '127.0.0.1', String(master.port), '--save', '3600 1']);
  const rport = replica.port;
  let r = client(rport);
  await waitFor('the first sync', async () => (await info(r)).get('master_link_status') === 'up');
  for (let i = 0; i < 100; i++) await m.hset('h', `f${i}`, i);
  await waitFor('the replica caught up', () => caughtUp(m, r));
  await replica.stop('SIGTERM');
  await m.set('while-down', '1');

  replica = await nevioServer(['--dir', dir, '--replicaof', '127.0.0.1', String(master.port), '--save', '3600 1'], rport);
  r = client(rport);
  await waitFor('the replica reconnected', async () => (await info(r)).get('master_link_status') === 'up');
  const stats = await info(m, 'stats');
  expect(stats.get('sync_full')).toBe('1');
  expect(stats.get('sync_partial_ok')).toBe('1');
  await waitFor('the write made while it was down', async () => (await r.get('while-down')) === '1');
  expect(await r.hlen('h')).toBe(100);
});

test('CONFIG RESETSTAT clears sync_full, sync_partial_ok and sync_partial_err', async () => {
  const master = await nevioServer();
  const m = client(master.port);
  const replica = await redisServer(['--replicaof', '127.0.0.1', String(master.port)]);
  const r = client(replica.port);
  await waitFor('the sync', async () => (await info(r)).get('master_link_status') === 'up');
  expect((await info(m, 'stats')).get('sync_full')).toBe('1');
  await m.call('config', 'resetstat');
  const stats = await info(m, 'stats');
  expect([stats.get('sync_full'), stats.get('sync_partial_ok'), stats.get('sync_partial_err')]).toEqual(['0', '0', '0']);
});

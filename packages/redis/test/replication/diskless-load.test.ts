// A nevio replica's diskless load (repl-diskless-load swapdb / on-empty-db): the master's
// streamed payload is loaded as it arrives into databases of its own. Meanwhile INFO says
// loading:1 and commands get -LOADING (INFO itself still answers); a transfer cut halfway
// leaves the old data; a complete one replaces it. Masters: nevio and Debian's redis-server 7.0,
// both sending diskless, made slow with rdb-key-save-delay.
import { randomBytes } from 'node:crypto';
import { cleanup, client, digest, info, nevioServer, redisServer, waitFor, type Proc } from './procs';

jest.setTimeout(120000);

afterEach(cleanup);

async function slowMaster(kind: 'nevio' | 'redis', keys: number): Promise<Proc> {
  // 20 ms per key: the transfer of `keys` keys takes keys / 50 seconds.
  const args = ['--save', '', '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0', '--rdb-key-save-delay', '20000'];
  const master = kind === 'nevio' ? await nevioServer(args) : await redisServer(args);
  const m = client(master.port);
  // Values of 1 KB that LZF cannot shrink: redis-server's child writes the payload (its $EOF
  // header too) through a 16 KB buffer, so a replica sees nothing of a smaller transfer until its end.
  for (let i = 0; i < keys; i++) await m.set(`m${i}`, randomBytes(500).toString('hex'));
  return master;
}

describe.each(['nevio', 'redis'] as const)('from a %s master', (kind) => {
  test('a transfer cut halfway leaves the old data; the next one replaces it', async () => {
    const master = await slowMaster(kind, 100);
    const m = client(master.port);
    const replica = await nevioServer(['--save', '', '--repl-diskless-load', 'swapdb']);
    const r = client(replica.port);
    await r.set('mine', 'old');
    await r.call('replicaof', '127.0.0.1', String(master.port));
    await waitFor('loading', async () => (await info(r, 'persistence')).get('loading') === '1', 10000);
    expect((await info(r, 'persistence')).get('async_loading')).toBe('0');
    await expect(r.get('mine')).rejects.toThrow('LOADING Redis is loading the dataset in memory');
    // The master drops the link mid-transfer: the partial load goes, the old data is back.
    await m.call('client', 'kill', 'type', 'replica');
    await waitFor('loading over', async () => (await info(r, 'persistence')).get('loading') === '0', 10000);
    expect(await r.get('mine')).toBe('old');
    expect(await r.dbsize()).toBe(1);
    expect(replica.output()).toContain('Internal error in RDB');
    // The next sync completes (faster now): the master's data replaces ours.
    await m.call('config', 'set', 'rdb-key-save-delay', '0');
    await waitFor('in sync', async () => (await info(r)).get('master_link_status') === 'up', 30000);
    await waitFor('all keys', async () => (await r.dbsize()) === 100);
    expect(await r.exists('mine')).toBe(0);
    expect(await digest(r)).toBe(await digest(m));
  });
});

test('on-empty-db loads as it arrives only into an empty replica; one with data loads the file at its end', async () => {
  const master = await slowMaster('nevio', 50);
  const m = client(master.port);
  const empty = await nevioServer(['--save', '', '--repl-diskless-load', 'on-empty-db']);
  const e = client(empty.port);
  await e.call('replicaof', '127.0.0.1', String(master.port));
  await waitFor('loading', async () => (await info(e, 'persistence')).get('loading') === '1', 10000);
  await waitFor('in sync', async () => (await info(e)).get('master_link_status') === 'up', 30000);
  expect(await digest(e)).toBe(await digest(m));

  const full = await nevioServer(['--save', '', '--repl-diskless-load', 'on-empty-db']);
  const f = client(full.port);
  await f.set('mine', 'old');
  await f.call('replicaof', '127.0.0.1', String(master.port));
  // Not loading meanwhile: the old data is served until the file is in.
  await waitFor('the transfer', async () => (await info(m)).get('slave0') !== undefined && (await info(m)).get('slave1') !== undefined);
  expect((await info(f, 'persistence')).get('loading')).toBe('0');
  expect(await f.get('mine')).toBe('old');
  await waitFor('in sync', async () => (await info(f)).get('master_link_status') === 'up', 30000);
  expect(await f.exists('mine')).toBe(0);
  expect(await digest(f)).toBe(await digest(m));
});

test('key-load-delay slows the load without holding the replica: INFO answers at once meanwhile', async () => {
  const master = await nevioServer(['--save', '', '--repl-diskless-sync-delay', '0']);
  const m = client(master.port);
  for (let i = 0; i < 200; i++) await m.set(`k${i}`, 'x'.repeat(1000));
  // 10 ms per key: 2 s for the load.
  const replica = await nevioServer(['--save', '', '--repl-diskless-load', 'swapdb', '--key-load-delay', '10000']);
  const r = client(replica.port);
  await r.call('replicaof', '127.0.0.1', String(master.port));
  await waitFor('loading', async () => (await info(r, 'persistence')).get('loading') === '1', 10000);
  const started = Date.now();
  await r.info('persistence');
  expect(Date.now() - started).toBeLessThan(200);
  await waitFor('in sync', async () => (await info(r)).get('master_link_status') === 'up', 30000);
  expect(await digest(r)).toBe(await digest(m));
});

// nevio-redis as the master of real redis-server 7.0 replicas (and of nevio replicas): full
// sync, the stream, the backlog and +CONTINUE after a broken link, WAIT, min-replicas-to-write,
// INFO replication and ROLE, and a replica SIGKILLed in the middle of its sync.
import type Redis from 'ioredis';
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor, type Proc } from './procs';

jest.setTimeout(120000);

afterEach(cleanup);

/** A nevio master with one replica of `kind`, linked and caught up. */
async function pair(kind: 'redis' | 'nevio', masterArgs: string[] = []): Promise<{ master: Proc; replica: Proc; m: Redis; r: Redis }> {
  const master = await nevioServer(masterArgs);
  const replica = kind === 'redis' ? await redisServer() : await nevioServer();
  const m = client(master.port);
  const r = client(replica.port);
  await r.call('REPLICAOF', '127.0.0.1', String(master.port));
  await waitFor('the link to come up', () => caughtUp(m, r));
  return { master, replica, m, r };
}

/** Writes of every type, a transaction, a script, several databases. */
async function writeEverything(m: Redis, tag: string): Promise<void> {
  await m.set(`${tag}:s`, 'hello');
  await m.append(`${tag}:s`, ' world');
  await m.incrby(`${tag}:n`, 41);
  await m.rpush(`${tag}:l`, 'a', 'b', 'c');
  await m.sadd(`${tag}:set`, 'x', 'y', '7');
  await m.spop(`${tag}:set`);
  await m.hset(`${tag}:h`, 'f1', 'v1', 'f2', 'v2');
  await m.zadd(`${tag}:z`, '1', 'one', '2.5', 'two');
  await m.xadd(`${tag}:x`, '*', 'field', 'value');
  await m.pfadd(`${tag}:hll`, 'a', 'b', 'c');
  await m.expire(`${tag}:s`, 10000);
  await m.multi().incr(`${tag}:c`).incr(`${tag}:c`).exec();
  await m.eval("redis.call('set', KEYS[1], 'from lua'); return redis.call('incr', KEYS[2])", 2, `${tag}:lua`, `${tag}:c`);
  await m.select(5);
  await m.set(`${tag}:db5`, 'five');
  await m.select(0);
}

describe('redis-server replica of nevio', () => {
  it('a full sync carries every type, expiries and several databases', async () => {
    const master = await nevioServer();
    const m = client(master.port);
    await writeEverything(m, 'full');
    const replica = await redisServer();
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await digest(r)).toBe(await digest(m));
    expect(await r.ttl('full:s')).toBeGreaterThan(9000);
  });

  it('syncs, gets the stream of every type, acknowledges the offsets', async () => {
    const { replica, m, r } = await pair('redis');
    await writeEverything(m, 'a');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await digest(r)).toBe(await digest(m));
    const fields = await info(m);
    expect(fields.get('role')).toBe('master');
    expect(fields.get('connected_slaves')).toBe('1');
    await waitFor('the ACK', async () => (await info(m)).get('slave0') === `ip=127.0.0.1,port=${replica.port},state=online,offset=${(await info(m)).get('master_repl_offset')},lag=0`);
    expect([...fields.keys()]).toEqual([
      'role', 'connected_slaves', 'slave0', 'master_failover_state', 'master_replid', 'master_replid2', 'master_repl_offset',
      'second_repl_offset', 'repl_backlog_active', 'repl_backlog_size', 'repl_backlog_first_byte_offset', 'repl_backlog_histlen',
    ]);
    expect(fields.get('repl_backlog_active')).toBe('1');
    const role = (await m.call('ROLE')) as unknown[];
    expect(role[0]).toBe('master');
    expect(role[2]).toEqual([['127.0.0.1', String(replica.port), expect.stringMatching(/^\d+$/)]]);
    expect((await info(r)).get('master_replid')).toBe(fields.get('master_replid'));
  });

  it('WAIT counts the replicas that acknowledged, and times out with the count', async () => {
    const { m } = await pair('redis');
    await m.set('w', '1');
    expect(await m.call('WAIT', '1', '5000')).toBe(1);
    const started = Date.now();
    expect(await m.call('WAIT', '2', '300')).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await m.multi().set('w', '2').call('WAIT', '5', '0').exec()).toEqual([[null, 'OK'], [null, 1]]);
    await expect(m.call('WAIT', '1', '-1')).rejects.toThrow('ERR timeout is negative');
    await expect(m.call('WAIT', '1', 'x')).rejects.toThrow('ERR timeout is not an integer or out of range');
    await expect(m.call('WAIT', 'x', '1')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(m.call('WAIT', '1', '9223372036854775807')).rejects.toThrow('ERR timeout is out of range');
  });

  it('min-replicas-to-write refuses writes without enough good replicas', async () => {
    const { m } = await pair('redis');
    await m.config('SET', 'min-replicas-to-write', '1');
    expect(await m.set('ok', '1')).toBe('OK');
    // The old name works too (CONFIG SET of an alias).
    await m.config('SET', 'min-slaves-to-write', '2');
    await expect(m.set('no', '1')).rejects.toThrow('NOREPLICAS Not enough good replicas to write.');
    // Writes queued while allowed: EXEC after the state changed is discarded as a whole
    // (Redis's execCommandAbort).
    const admin = client((m.options.port as number) ?? 0);
    await admin.config('SET', 'min-replicas-to-write', '1');
    await m.multi({ pipeline: false });
    await m.incr('no');
    await admin.config('SET', 'min-replicas-to-write', '2');
    await expect(m.exec()).rejects.toThrow(/EXECABORT Transaction discarded because of: NOREPLICAS/);
    expect(await m.exists('no')).toBe(0);
    expect(await m.get('ok')).toBe('1');
    expect((await info(m)).get('min_slaves_good_slaves')).toBe('1');
  });

  it('a replica whose link is closed mid-stream continues from the backlog, nothing lost or doubled', async () => {
    const { m, r } = await pair('redis');
    const writer = client((m.options.port as number) ?? 0);
    let stop = false;
    let n = 0;
    const load = (async () => {
      while (!stop) {
        await writer.multi().incr('counter').rpush('log', String(n)).exec();
        n++;
      }
    })();
    await waitFor('some writes', () => n > 200);
    await r.call('CLIENT', 'KILL', 'TYPE', 'master');
    await waitFor('some more writes', () => n > 600);
    stop = true;
    await load;
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    const stats = await info(m, 'stats');
    expect(stats.get('sync_partial_ok')).toBe('1');
    expect(stats.get('sync_full')).toBe('1');
    expect(await r.get('counter')).toBe(String(n));
    expect(await r.llen('log')).toBe(n);
    expect(await digest(r)).toBe(await digest(m));
  });

  it('repl-backlog-ttl frees the backlog of a master left without replicas: the PSYNC gets a full resync', async () => {
    const { m, r } = await pair('redis', ['--repl-backlog-ttl', '1']);
    await m.set('k', '1');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    const before = (await info(m)).get('master_replid');
    // A fresh redis-server PSYNCs with an id of its own first: that is one partial_err already.
    const errs = Number((await info(m, 'stats')).get('sync_partial_err'));
    // The replica stays away for 3 seconds (the suite's integration/replication-psync does this).
    await r.multi().call('CLIENT', 'KILL', 'TYPE', 'master').call('DEBUG', 'SLEEP', '3').exec();
    await m.set('k', '2');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    const stats = await info(m, 'stats');
    expect([stats.get('sync_partial_ok'), Number(stats.get('sync_partial_err')) - errs, stats.get('sync_full')]).toEqual(['0', 1, '2']);
    expect((await info(m)).get('master_replid')).not.toBe(before);
    expect(await r.get('k')).toBe('2');
    expect(await digest(r)).toBe(await digest(m));
  });

  it('a replica SIGKILLed during its full sync leaves the master serving; a new one syncs', async () => {
    const master = await nevioServer();
    const m = client(master.port);
    // A few MB of data, so that the sync takes a while.
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 20; i++) {
      const p = m.pipeline();
      for (let j = 0; j < 1000; j++) p.set(`k${i}:${j}`, value);
      await p.exec();
    }
    const doomed = await redisServer();
    await client(doomed.port).call('REPLICAOF', '127.0.0.1', String(master.port));
    await waitFor('the sync to start', async () => (await info(m)).get('connected_slaves') === '1', 10000);
    await doomed.stop('SIGKILL');
    await waitFor('the master to drop it', async () => (await info(m)).get('connected_slaves') === '0');
    expect(await m.set('still', 'serving')).toBe('OK');
    const replica = await redisServer();
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await waitFor('the new replica to catch up', () => caughtUp(m, r));
    expect(await r.dbsize()).toBe(20001);
    expect(await digest(r)).toBe(await digest(m));
  });
});

describe('nevio replica of nevio', () => {
  it('keys expire on the replica by the master\'s DELs, and the datasets stay equal', async () => {
    const { m, r } = await pair('nevio');
    for (let i = 0; i < 50; i++) await m.set(`short${i}`, 'v', 'PX', 100 + i * 5);
    await m.set('kept', 'v');
    // Expired on the replica's clock but not deleted yet: reads see nothing, the key is there.
    await waitFor('the master to expire them', async () => (await m.dbsize()) === 1);
    await waitFor('the replica to get the DELs', async () => (await caughtUp(m, r)) && (await r.dbsize()) === 1);
    expect(await digest(r)).toBe(await digest(m));
  });

  it('syncs and follows the stream; a chained replica gets the same offsets', async () => {
    const { m, r, replica } = await pair('nevio');
    const chained = await nevioServer();
    const c = client(chained.port);
    await c.call('REPLICAOF', '127.0.0.1', String(replica.port));
    await waitFor('the chained replica', () => caughtUp(r, c));
    await writeEverything(m, 'b');
    await waitFor('both replicas to catch up', async () => (await caughtUp(m, r)) && (await caughtUp(r, c)));
    const d = await digest(m);
    expect(await digest(r)).toBe(d);
    expect(await digest(c)).toBe(d);
    expect((await info(c)).get('master_repl_offset')).toBe((await info(m)).get('master_repl_offset'));
  });

  it('after REPLICAOF NO ONE on the replica, a redis-server replica of it continues with +CONTINUE', async () => {
    const { master, m, r, replica } = await pair('nevio');
    const sub = await redisServer();
    const s = client(sub.port);
    await s.call('REPLICAOF', '127.0.0.1', String(replica.port));
    await waitFor('the sub-replica to sync', () => caughtUp(r, s));
    await m.set('before', 'promotion');
    await waitFor('the chain to catch up', async () => (await caughtUp(m, r)) && (await caughtUp(r, s)));
    await master.stop('SIGKILL');
    await r.call('REPLICAOF', 'NO', 'ONE');
    await r.set('after', 'promotion');
    await waitFor('the sub-replica to continue', () => caughtUp(r, s));
    expect(await s.get('after')).toBe('promotion');
    expect((await info(r, 'stats')).get('sync_partial_ok')).toBe('1');
  });
});

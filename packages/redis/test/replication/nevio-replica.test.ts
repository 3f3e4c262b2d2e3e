// nevio-redis as a replica of a real redis-server 7.0 master: the PSYNC2 handshake, the full
// sync, the command stream (every type, transactions, SELECT, expiry), offsets and ACKs that
// the master sees, the replica's read-only and stale-data rules, INFO replication and ROLE, and
// a partial resync after the link breaks mid-stream.
import type Redis from 'ioredis';
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor, type Proc } from './procs';

jest.setTimeout(120000);

afterEach(cleanup);

/** A redis-server master and a nevio replica of it, linked and caught up. */
async function pair(masterArgs: string[] = [], replicaArgs: string[] = []): Promise<{ master: Proc; replica: Proc; m: Redis; r: Redis }> {
  const master = await redisServer(masterArgs);
  const replica = await nevioServer(replicaArgs);
  const m = client(master.port);
  const r = client(replica.port);
  await r.call('REPLICAOF', '127.0.0.1', String(master.port));
  await waitFor('the link to come up', () => caughtUp(m, r));
  return { master, replica, m, r };
}

/** Writes of every type, a transaction, several databases, expiries. */
async function writeEverything(m: Redis, tag: string): Promise<void> {
  await m.set(`${tag}:s`, 'hello');
  await m.set(`${tag}:int`, '12345');
  await m.append(`${tag}:s`, ' world');
  await m.rpush(`${tag}:l`, 'a', 'b', 'c', '1', '2');
  await m.lpop(`${tag}:l`);
  await m.sadd(`${tag}:set`, 'x', 'y', 'z');
  await m.sadd(`${tag}:iset`, '1', '2', '3');
  await m.hset(`${tag}:h`, 'f1', 'v1', 'f2', 'v2');
  await m.zadd(`${tag}:z`, '1', 'one', '2.5', 'two');
  await m.xadd(`${tag}:x`, '1-1', 'field', 'value');
  await m.xgroup('CREATE', `${tag}:x`, 'g', '0');
  await m.pfadd(`${tag}:hll`, 'a', 'b', 'c');
  await m.set(`${tag}:ttl`, 'v', 'PX', 100000);
  await m.multi().incr(`${tag}:counter`).incr(`${tag}:counter`).sadd(`${tag}:set`, 'w').exec();
  await m.select(3);
  await m.set(`${tag}:db3`, 'in db 3');
  await m.select(0);
  await m.del(`${tag}:int`);
}

describe('nevio replica of redis-server', () => {
  it('a full sync loads every type, expiries and several databases (disk and diskless)', async () => {
    for (const diskless of ['no', 'yes']) {
      const master = await redisServer(['--repl-diskless-sync', diskless, '--repl-diskless-sync-delay', '0']);
      const m = client(master.port);
      await writeEverything(m, 'full');
      const replica = await nevioServer();
      const r = client(replica.port);
      await r.call('REPLICAOF', '127.0.0.1', String(master.port));
      await waitFor('the replica to catch up', () => caughtUp(m, r));
      expect(await digest(r)).toBe(await digest(m));
      expect(await r.pttl('full:ttl')).toBeGreaterThan(90000);
      // Then the stream.
      await writeEverything(m, 'after');
      await waitFor('the replica to catch up', () => caughtUp(m, r));
      expect(await digest(r)).toBe(await digest(m));
    }
  });

  it('syncs, applies the stream of every type and reports the same offset and digest', async () => {
    const { m, r } = await pair();
    await writeEverything(m, 'a');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await digest(r)).toBe(await digest(m));
    const db3 = client((r.options.port as number) ?? 0);
    await db3.select(3);
    expect(await db3.get('a:db3')).toBe('in db 3');
    // The master sees our ACKs: slave0 online at our offset.
    await waitFor('the master to see our ACK', async () => {
      const mi = await info(m);
      return (mi.get('slave0') ?? '').includes('state=online') && (mi.get('slave0') ?? '').includes(`offset=${mi.get('master_repl_offset')}`);
    });
  });

  it('is read-only, answers ROLE and INFO replication in Redis shape, and WAIT is refused', async () => {
    const { master, m, r } = await pair();
    await expect(r.set('k', 'v')).rejects.toThrow("READONLY You can't write against a read only replica.");
    const multi = await r.multi().set('k', 'v').exec().catch((e: Error) => e.message);
    expect(String(multi)).toMatch(/EXECABORT/);
    expect(await r.get('k')).toBeNull();
    await expect(r.call('WAIT', '1', '0')).rejects.toThrow(/WAIT cannot be used with replica instances/);
    const role = (await r.call('ROLE')) as unknown[];
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', master.port, 'connected']);
    const fields = [...(await info(r)).keys()];
    expect(fields).toEqual([
      'role', 'master_host', 'master_port', 'master_link_status', 'master_last_io_seconds_ago', 'master_sync_in_progress',
      'slave_read_repl_offset', 'slave_repl_offset', 'slave_priority', 'slave_read_only', 'replica_announced', 'connected_slaves',
      'master_failover_state', 'master_replid', 'master_replid2', 'master_repl_offset', 'second_repl_offset', 'repl_backlog_active',
      'repl_backlog_size', 'repl_backlog_first_byte_offset', 'repl_backlog_histlen',
    ]);
    expect((await info(r)).get('master_replid')).toBe((await info(m)).get('master_replid'));
    await r.config('SET', 'replica-read-only', 'no');
    expect(await r.set('local', '1')).toBe('OK');
  });

  it('serves stale data or answers MASTERDOWN while the link is down, as configured', async () => {
    const { master, r } = await pair();
    await master.stop('SIGKILL');
    await waitFor('the link to go down', async () => (await info(r)).get('master_link_status') === 'down');
    expect(await r.get('x')).toBeNull();
    await r.multi({ pipeline: false });
    await r.get('x');
    await client((r.options.port as number) ?? 0).config('SET', 'replica-serve-stale-data', 'no');
    // Queued while allowed, EXEC after the change: discarded as a whole, as Redis.
    await expect(r.exec()).rejects.toThrow(/EXECABORT Transaction discarded because of: MASTERDOWN/);
    await expect(r.get('x')).rejects.toThrow("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    // Commands flagged stale still run (PING is not one, in Redis either).
    await expect(r.ping()).rejects.toThrow(/^MASTERDOWN/);
    const fields = await info(r);
    expect(fields.has('master_link_down_since_seconds')).toBe(true);
  });

  it('continues with +CONTINUE after the link is closed mid-stream, nothing lost or applied twice', async () => {
    const { m, r } = await pair(['--repl-backlog-size', '10mb']);
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
    const before = Number((await info(m, 'stats')).get('sync_partial_ok'));
    await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await waitFor('some more writes', () => n > 600);
    stop = true;
    await load;
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(Number((await info(m, 'stats')).get('sync_partial_ok'))).toBe(before + 1);
    expect(Number((await info(m, 'stats')).get('sync_full'))).toBe(1);
    expect(await r.get('counter')).toBe(String(n));
    expect(await r.llen('log')).toBe(n);
    expect(await digest(r)).toBe(await digest(m));
  });

  it('REPLICAOF NO ONE makes it a master that keeps the data and a new history', async () => {
    const { m, r } = await pair();
    await m.set('kept', '1');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    const old = (await info(r)).get('master_replid');
    expect(await r.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const fields = await info(r);
    expect(fields.get('role')).toBe('master');
    expect(fields.get('master_replid2')).toBe(old);
    expect(Number(fields.get('second_repl_offset'))).toBe(Number(fields.get('master_repl_offset')) + 1);
    expect(await r.get('kept')).toBe('1');
    expect(await r.set('now', 'writable')).toBe('OK');
  });

  it('authenticates with masterauth and masteruser', async () => {
    const master = await redisServer(['--requirepass', 's3cret']);
    const replica = await nevioServer(['--masterauth', 's3cret']);
    const m = client(master.port, false, 's3cret');
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await waitFor('the link to come up', () => caughtUp(m, r));
    await m.set('secret', 'data');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await r.get('secret')).toBe('data');
  });

  it('starts as a replica from --replicaof, and rejects bad REPLICAOF arguments as Redis', async () => {
    const master = await redisServer();
    const m = client(master.port);
    await m.set('before', 'start');
    const replica = await nevioServer(['--replicaof', '127.0.0.1', String(master.port)]);
    const r = client(replica.port);
    await waitFor('the link to come up', () => caughtUp(m, r));
    await m.set('after', 'start');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await r.get('after')).toBe('start');
    expect(await r.get('before')).toBe('start');
    await expect(r.call('REPLICAOF', '127.0.0.1', '99999')).rejects.toThrow('ERR Invalid master port');
    await expect(r.call('REPLICAOF', '127.0.0.1', '-1')).rejects.toThrow('ERR Invalid master port');
    await expect(r.call('REPLICAOF', '127.0.0.1', 'x')).rejects.toThrow('ERR Invalid master port');
    expect(await r.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK Already connected to specified master');
    expect(await r.config('GET', 'replicaof')).toEqual(['replicaof', `127.0.0.1 ${master.port}`]);
  });

  it('CLIENT KILL <master ip:port> on the replica drops the link, which continues with PSYNC', async () => {
    const { master, m, r } = await pair();
    await m.set('k', '1');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    const list = String(await r.call('CLIENT', 'LIST', 'TYPE', 'master'));
    expect(list).toContain(`addr=127.0.0.1:${master.port} `);
    expect(await r.call('CLIENT', 'KILL', `127.0.0.1:${master.port}`)).toBe('OK');
    await waitFor('a partial resync', async () => (await info(m, 'stats')).get('sync_partial_ok') === '1');
    await m.set('k', '2');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await r.get('k')).toBe('2');
    expect((await info(m, 'stats')).get('sync_full')).toBe('1');
  });

  it('a writable replica expires the keys it wrote with a TTL, and a write sees an expired key of the master as absent', async () => {
    const { m, r } = await pair();
    await r.config('SET', 'replica-read-only', 'no');
    await r.set('own', 'v', 'PX', 300);
    // The master's key outlives its TTL on the replica: the master does not expire it.
    await m.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await m.set('theirs', '5', 'PX', 50);
    await m.set('theirs2', '5', 'PX', 50);
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    // Our own key goes by the replica's sweep (once a second), the master's keys stay.
    await waitFor('our key to be reclaimed', async () => (await r.dbsize()) === 2, 5000);
    expect(await r.incr('theirs')).toBe(1);
    expect(await r.ttl('theirs')).toBe(-1);
    expect(await r.get('theirs2')).toBeNull();
    expect(await r.dbsize()).toBe(2);
  });
});

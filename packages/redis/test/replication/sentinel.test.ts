// Debian's redis-sentinel in front of a nevio-redis master with a nevio and a redis-server
// replica: it discovers the replicas from INFO, sees the master die (SIGKILL), promotes a replica
// (SLAVEOF NO ONE in a MULTI), points the other at it, and ioredis clients that ask Sentinel
// follow the failover.
import Redis from 'ioredis';
import { caughtUp, cleanup, client, info, nevioServer, redisServer, sentinel, waitFor } from './procs';

jest.setTimeout(180000);

afterAll(cleanup);

it('Sentinel fails a nevio master over to a replica, and ioredis follows', async () => {
  const master = await nevioServer();
  const m = client(master.port);
  const replicas = [await nevioServer(), await redisServer()];
  // Sentinel kills the normal clients of the replica it promotes: these connect again.
  const rs = replicas.map((p) => client(p.port, true));
  for (const r of rs) await r.call('REPLICAOF', '127.0.0.1', String(master.port));
  await waitFor('both replicas to sync', async () => (await caughtUp(m, rs[0])) && (await caughtUp(m, rs[1])));

  const s = await sentinel('mymaster', master.port, 1, 1000);
  const sc = client(s.port);
  await waitFor('Sentinel to discover both replicas', async () => ((await sc.call('SENTINEL', 'REPLICAS', 'mymaster')) as unknown[]).length === 2, 30000);

  const viaSentinel = new Redis({ sentinels: [{ host: '127.0.0.1', port: s.port }], name: 'mymaster', maxRetriesPerRequest: 1 });
  viaSentinel.on('error', () => undefined);
  try {
    expect(await viaSentinel.set('before', 'failover')).toBe('OK');
    await waitFor('the replicas to have the write', async () => (await rs[0].get('before')) === 'failover' && (await rs[1].get('before')) === 'failover');

    await master.stop('SIGKILL');
    const ports = replicas.map((p) => p.port);
    let promoted = -1;
    await waitFor(
      'Sentinel to promote a replica',
      async () => {
        const addr = (await sc.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
        promoted = ports.indexOf(Number(addr[1]));
        return promoted >= 0 && (await info(rs[promoted])).get('role') === 'master';
      },
      60000,
    );
    const other = 1 - promoted;
    await waitFor('the other replica to follow the new master', async () => (await info(rs[other])).get('master_port') === String(ports[promoted]) && (await caughtUp(rs[promoted], rs[other])), 60000);

    // ioredis asks Sentinel again once its connection is gone, and writes to the new master.
    await waitFor('ioredis to write to the new master', async () => (await viaSentinel.set('after', 'failover').catch(() => null)) === 'OK', 60000);
    expect(await rs[promoted].get('after')).toBe('failover');
    await waitFor('the other replica to get it', async () => (await rs[other].get('after')) === 'failover');
    expect(await rs[other].get('before')).toBe('failover');
  } finally {
    viaSentinel.disconnect();
  }
});

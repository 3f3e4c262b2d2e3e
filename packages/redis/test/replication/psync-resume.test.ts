// What a replica must carry across a broken link for +CONTINUE to resume the stream exactly
// (Redis's cached master client): the database the stream had selected, since the master does
// not select it again; and an offset that stops before a transaction whose EXEC has not arrived,
// since the queued commands die with the link and the master resends them from that offset.
// (Redis's own integration/replication-psync found both: its writers use databases 9, 11, 12.)
import type Redis from 'ioredis';
import { caughtUp, cleanup, client, digest, info, nevioServer, redisServer, waitFor, type Proc } from './procs';
import { EMPTY_RDB, FakeMaster, stream } from './fake-master';

jest.setTimeout(120000);

let fake: FakeMaster | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
  await cleanup();
});

/** `c`'s key `key` in database `db` (the connection is left in database 0). */
async function getIn(c: Redis, db: number, key: string): Promise<string | null> {
  await c.select(db);
  try {
    return await c.get(key);
  } finally {
    await c.select(0);
  }
}

describe('nevio replica of a scripted master', () => {
  it('a transaction cut by the link is not counted; +CONTINUE resends it and keeps the database', async () => {
    fake = await FakeMaster.start();
    const replica = await nevioServer();
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(fake.port));
    const first = await fake.psync(1);
    expect([first.replid, first.offset]).toEqual(['?', -1]);
    const applied = stream(['SELECT', '9'], ['SET', 'a', '1']);
    const cut = stream(['MULTI'], ['SET', 'b', '1']);
    first.socket.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${fake.replid} 0\r\n$${EMPTY_RDB.length}\r\n`, 'latin1'), EMPTY_RDB, applied, cut]));
    await waitFor('the first write', async () => (await getIn(r, 9, 'a')) === '1');
    expect((await info(r)).get('slave_repl_offset')).toBe(String(applied.length));
    first.socket.destroy();

    const second = await fake.psync(2);
    expect([second.replid, second.offset]).toEqual([fake.replid, applied.length + 1]);
    // No SELECT: the master's stream is still in database 9.
    const rest = Buffer.concat([cut, stream(['EXEC'], ['SET', 'c', '1'])]);
    second.socket.write(Buffer.concat([Buffer.from(`+CONTINUE ${fake.replid}\r\n`, 'latin1'), rest]));
    await waitFor('the stream to be applied', async () => (await info(r)).get('slave_repl_offset') === String(applied.length + rest.length));
    expect([await getIn(r, 9, 'a'), await getIn(r, 9, 'b'), await getIn(r, 9, 'c')]).toEqual(['1', '1', '1']);
    expect(await r.dbsize()).toBe(0);
  });
});

/** A master and a replica of the given kinds, linked and caught up. */
async function pair(masterKind: 'redis' | 'nevio', replicaKind: 'redis' | 'nevio'): Promise<{ master: Proc; m: Redis; r: Redis }> {
  const master = masterKind === 'redis' ? await redisServer(['--repl-backlog-size', '10mb']) : await nevioServer(['--repl-backlog-size', '10mb']);
  const replica = replicaKind === 'redis' ? await redisServer() : await nevioServer();
  const m = client(master.port);
  const r = client(replica.port);
  await r.call('REPLICAOF', '127.0.0.1', String(master.port));
  await waitFor('the link to come up', () => caughtUp(m, r));
  return { master, m, r };
}

describe.each([
  ['nevio', 'nevio'],
  ['redis', 'nevio'],
  ['nevio', 'redis'],
] as const)('%s master, %s replica', (masterKind, replicaKind) => {
  it('the database the stream selected stays selected after +CONTINUE', async () => {
    const { m, r } = await pair(masterKind, replicaKind);
    await m.select(9);
    await m.set('before', '1');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    await r.call('CLIENT', 'KILL', 'TYPE', 'master');
    await waitFor('a partial resync', async () => (await info(m, 'stats')).get('sync_partial_ok') === '1');
    await m.set('after', '2');
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect(await getIn(r, 9, 'after')).toBe('2');
    expect(await r.dbsize()).toBe(0);
    expect(await digest(r)).toBe(await digest(m));
  });
});

describe('nevio master, nevio replica, under load', () => {
  it('writers in three databases, transactions, the link broken from both sides: the same data, no full resync', async () => {
    const { m, r } = await pair('nevio', 'nevio');
    const port = m.options.port as number;
    let stop = false;
    const writers = [9, 11, 12].map(async (db) => {
      const w = client(port);
      await w.select(db);
      for (let n = 0; !stop; n++) {
        const k = `k${n % 97}`;
        if (n % 3 === 0) await w.multi().incr(k).rpush(`l${n % 13}`, String(n)).sadd(`s${n % 7}`, String(n)).exec();
        else if (n % 3 === 1) await w.set(k, String(n));
        else await w.del(`s${n % 7}`);
      }
    });
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (i % 2 === 0) await r.call('CLIENT', 'KILL', 'TYPE', 'master');
      else await m.call('CLIENT', 'KILL', 'TYPE', 'replica');
      await waitFor('a partial resync', async () => Number((await info(m, 'stats')).get('sync_partial_ok')) === i + 1);
    }
    stop = true;
    await Promise.all(writers);
    await waitFor('the replica to catch up', () => caughtUp(m, r));
    expect((await info(m, 'stats')).get('sync_full')).toBe('1');
    expect(await r.dbsize()).toBe(0);
    expect(await digest(r)).toBe(await digest(m));
  });
});

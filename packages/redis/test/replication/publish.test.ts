// PUBLISH reaches the replicas (Redis propagates it to them, not to the AOF): a subscriber on a
// real redis-server replica of nevio gets the master's messages, also from inside MULTI.
import type Redis from 'ioredis';
import { caughtUp, cleanup, client, nevioServer, redisServer, waitFor } from './procs';

jest.setTimeout(60000);

afterEach(cleanup);

test("a replica's subscribers get what is published on the master, inside MULTI too", async () => {
  const master = await nevioServer();
  const replica = await redisServer();
  const m = client(master.port);
  const r = client(replica.port);
  await r.call('REPLICAOF', '127.0.0.1', String(master.port));
  await waitFor('the link to come up', () => caughtUp(m, r));
  const sub: Redis = client(replica.port);
  const got: string[] = [];
  sub.on('message', (channel: string, message: string) => got.push(`${channel}:${message}`));
  await sub.subscribe('news');
  await m.publish('news', 'one');
  await m.multi().publish('news', 'two').set('k', 'v').exec();
  await waitFor('both messages on the replica', async () => got.length === 2);
  expect(got).toEqual(['news:one', 'news:two']);
  expect(await r.get('k')).toBe('v');
  sub.disconnect();
});

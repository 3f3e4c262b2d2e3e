// A work queue on a stream with a consumer group, as applications run one with ioredis and with
// node-redis: a producer adds jobs, two workers on their own connections read and acknowledge
// them, one worker dies (its connection closes) with jobs pending, and a survivor claims them
// once idle (XCLAIM with ioredis, XAUTOCLAIM with node-redis) and finishes them. The same script
// runs against nevio and redis-server and must see the same things.
import Redis from 'ioredis';
import { createClient } from 'redis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { RealRedis } from './harness';

const quiet = { warn: () => undefined, error: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long a pending job must have been idle before a survivor may take it. */
const MIN_IDLE_MS = 50;

let srv: RunningRedis;
let real: RealRedis;

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  real = await RealRedis.start();
});
afterAll(async () => {
  await real.stop();
  await srv.stop();
});
jest.setTimeout(60000);

type Entry = [string, string[]];
type ReadReply = [string, Entry[]][] | null;

/** What the ioredis script observed, with IDs made relative (they are time-based). */
async function ioredisQueue(port: number): Promise<unknown> {
  const open = (): Redis => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
  const producer = open();
  const alice = open();
  const bob = open();
  try {
    await producer.del('jobs');
    await producer.xgroup('CREATE', 'jobs', 'workers', '$', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await producer.xadd('jobs', '*', 'job', `j${i}`, 'attempt', '1')) as string);
    const rel = (id: string): number => ids.indexOf(id);
    const aliceRead = (await alice.xreadgroup('GROUP', 'workers', 'alice', 'COUNT', 3, 'STREAMS', 'jobs', '>')) as ReadReply;
    const bobRead = (await bob.xreadgroup('GROUP', 'workers', 'bob', 'COUNT', 2, 'STREAMS', 'jobs', '>')) as ReadReply;
    const aliceIds = (aliceRead?.[0][1] ?? []).map(([id]) => id);
    const bobIds = (bobRead?.[0][1] ?? []).map(([id]) => id);
    // Alice finishes one job, then dies with two pending.
    const aliceAcked = await alice.xack('jobs', 'workers', aliceIds[0]);
    alice.disconnect();
    const bobAcked = await bob.xack('jobs', 'workers', ...bobIds);
    await sleep(MIN_IDLE_MS + 20);
    const pendingBefore = (await bob.xpending('jobs', 'workers', 'IDLE', MIN_IDLE_MS, '-', '+', 10)) as [string, string, number, number][];
    const claimed = (await bob.xclaim('jobs', 'workers', 'bob', MIN_IDLE_MS, ...pendingBefore.map(([id]) => id))) as Entry[];
    const bobLast = (await bob.xreadgroup('GROUP', 'workers', 'bob', 'COUNT', 10, 'STREAMS', 'jobs', '>')) as ReadReply;
    const finished = await bob.xack('jobs', 'workers', ...claimed.map(([id]) => id), ...(bobLast?.[0][1] ?? []).map(([id]) => id));
    const summary = (await bob.xpending('jobs', 'workers')) as [number, string | null, string | null, unknown];
    const consumers = ((await bob.xinfo('CONSUMERS', 'jobs', 'workers')) as unknown[][]).map((c) => [c[1], c[3]]);
    return {
      aliceRead: aliceIds.map(rel),
      bobRead: bobIds.map(rel),
      aliceAcked,
      bobAcked,
      pendingBefore: pendingBefore.map(([id, owner, , count]) => [rel(id), owner, count]),
      claimed: claimed.map(([id, fields]) => [rel(id), fields]),
      bobLast: (bobLast?.[0][1] ?? []).map(([id, fields]) => [rel(id), fields]),
      finished,
      summary: summary[0],
      consumers,
    };
  } finally {
    producer.disconnect();
    alice.disconnect();
    bob.disconnect();
  }
}

/** The same queue through node-redis's stream API, the survivor using XAUTOCLAIM. */
async function nodeRedisQueue(port: number): Promise<unknown> {
  const open = async (): Promise<ReturnType<typeof createClient>> => {
    const c = createClient({ socket: { host: '127.0.0.1', port } });
    await c.connect();
    return c;
  };
  const producer = await open();
  const c1 = await open();
  const c2 = await open();
  try {
    await producer.del('events');
    await producer.xGroupCreate('events', 'g', '$', { MKSTREAM: true });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await producer.xAdd('events', '*', { kind: i % 2 ? 'paid' : 'created', n: String(i) }));
    const rel = (id: string): number => ids.indexOf(id);
    const first = await c1.xReadGroup('g', 'c1', { key: 'events', id: '>' }, { COUNT: 4 });
    const read = JSON.parse(JSON.stringify(first)) as { name: string; messages: { id: string; message: Record<string, string> }[] }[];
    const c1Ids = read[0].messages.map((m) => m.id);
    const acked = await c1.xAck('events', 'g', c1Ids[0]);
    // c1 dies: its connection is gone, its three other entries stay pending.
    c1.destroy();
    await sleep(MIN_IDLE_MS + 20);
    const claim = await c2.xAutoClaim('events', 'g', 'c2', MIN_IDLE_MS, '0-0', { COUNT: 10 });
    const claimedIds = claim.messages.map((m) => (m === null ? null : m.id));
    const rest = await c2.xReadGroup('g', 'c2', { key: 'events', id: '>' }, { COUNT: 10 });
    const restIds = (JSON.parse(JSON.stringify(rest)) as typeof read)[0].messages.map((m) => m.id);
    const pendingRows = await c2.xPendingRange('events', 'g', '-', '+', 10);
    const finished = await c2.xAck('events', 'g', [...claimedIds.filter((id): id is string => id !== null), ...restIds]);
    const summary = await c2.xPending('events', 'g');
    const groups = await c2.xInfoGroups('events');
    return {
      read: read[0].messages.map((m) => [rel(m.id), m.message]),
      acked,
      claimed: claimedIds.map((id) => (id === null ? null : rel(id))),
      nextId: claim.nextId,
      rest: restIds.map(rel),
      pending: pendingRows.map((p) => [rel(p.id), p.consumer, p.deliveriesCounter]),
      finished,
      summary: summary.pending,
      groups: groups.map((g) => [g.name, g.consumers, g.pending, g.lag]),
    };
  } finally {
    await producer.quit();
    await c2.quit();
  }
}

it('ioredis: workers read and ack; a dead worker’s jobs are claimed and finished', async () => {
  const mine = await ioredisQueue(srv.port);
  expect(mine).toMatchObject({ aliceRead: [0, 1, 2], bobRead: [3, 4], aliceAcked: 1, bobAcked: 2, summary: 0 });
  expect(mine).toMatchObject({ pendingBefore: [[1, 'alice', 1], [2, 'alice', 1]], finished: 3 });
  expect(mine).toEqual(await ioredisQueue(real.port));
});

it('node-redis: workers read and ack; XAUTOCLAIM hands a dead worker’s jobs over', async () => {
  const mine = await nodeRedisQueue(srv.port);
  expect(mine).toMatchObject({ acked: 1, claimed: [1, 2, 3], nextId: '0-0', rest: [4], finished: 4, summary: 0 });
  expect(mine).toEqual(await nodeRedisQueue(real.port));
});

// Output bounds while replies are produced: a pipeline of GETs of a 1 MB value, sent in one go
// by a client that does not read, queues about a megabyte, not the whole answer (the rest of
// the pipeline waits for the output to drain, and is all answered once the client reads);
// `client-output-buffer-limit` disconnects normal, pubsub and replica clients over their hard limit.
import net from 'node:net';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { scratchDir } from './support/scratch-dir';
import { RawClient, encode } from './types/harness';

jest.setTimeout(60000);

const MB = 1024 * 1024;
let srv: RunningRedis;
let admin: RawClient;
const warnings: string[] = [];

beforeAll(async () => {
  // A replica's full sync saves an RDB file (repl-diskless-sync no): into a scratch directory.
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir: scratchDir() }, { notice: () => {}, warn: (m) => warnings.push(m), error: () => {} });
  admin = await RawClient.connect(srv.port);
  await admin.send(['SET', 'big', Buffer.alloc(MB, 'x')]);
});

afterAll(async () => {
  admin.close();
  await srv.stop();
});

async function connect(): Promise<net.Socket> {
  const s = net.createConnection({ host: '127.0.0.1', port: srv.port });
  await new Promise<void>((resolve) => s.once('connect', () => resolve()));
  return s;
}

async function pingMs(): Promise<number> {
  const t0 = performance.now();
  expect((await admin.send(['PING'])).toString()).toBe('+PONG\r\n');
  return performance.now() - t0;
}

test('300 pipelined GETs of 1 MB from a client that does not read queue about a megabyte, then all arrive', async () => {
  const n = 300;
  const s = await connect();
  s.pause();
  const before = process.memoryUsage().rss;
  s.write(Buffer.concat(Array.from({ length: n }, () => encode(['GET', 'big']))));
  await new Promise((r) => setTimeout(r, 500));
  expect(await pingMs()).toBeLessThan(100);
  const grown = process.memoryUsage().rss - before;
  // Unbounded, the replies would take 300 MB here; the pause keeps a few.
  expect(grown).toBeLessThan(100 * MB);
  const reply = `$${MB}\r\n`.length + MB + 2;
  const got = await new Promise<number>((resolve) => {
    let bytes = 0;
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      if (bytes >= n * reply) resolve(bytes);
    });
    s.resume();
  });
  expect(got).toBe(n * reply);
  s.destroy();
});

test('client-output-buffer-limit normal: a client over the hard limit is disconnected, others are not', async () => {
  await admin.send(['SET', 'mid', Buffer.alloc(100 * 1024, 'y')]);
  expect((await admin.send(['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 262144 0 0'])).toString()).toBe('+OK\r\n');
  try {
    const s = await connect();
    s.pause();
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.on('error', () => {});
    // Sent a few at a time, so that each batch's replies are checked against what is still pending.
    for (let i = 0; i < 120 && !s.destroyed; i++) {
      s.write(encode(['GET', 'mid']));
      await new Promise((r) => setTimeout(r, 5));
    }
    s.resume();
    await closed;
    expect(warnings.some((w) => /scheduled to be closed ASAP for overcoming of output buffer limits/.test(w))).toBe(true);
    expect(await pingMs()).toBeLessThan(1000);
    expect((await admin.send(['GET', 'mid'])).length).toBe(100 * 1024 + 11);
  } finally {
    await admin.send(['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0']);
  }
});

test('client-output-buffer-limit pubsub: a subscriber that does not read is disconnected past the hard limit', async () => {
  expect((await admin.send(['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 131072 0 0'])).toString()).toBe('+OK\r\n');
  try {
    const s = await connect();
    s.write(encode(['SUBSCRIBE', 'ch']));
    await new Promise((r) => setTimeout(r, 50));
    s.pause();
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.on('error', () => {});
    const payload = Buffer.alloc(64 * 1024, 'z');
    let delivered = 0;
    for (let i = 0; i < 300 && !s.destroyed; i++) {
      delivered += Number((await admin.send(['PUBLISH', 'ch', payload])).toString().slice(1));
      await new Promise((r) => setTimeout(r, 2));
    }
    s.resume();
    await closed;
    // Some messages went out before the limit was reached, far from all 300.
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(300);
  } finally {
    await admin.send(['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60']);
  }
});

/** A replica that attaches with PSYNC and never reads its stream; resolves once the full sync started. */
async function stalledReplica(): Promise<net.Socket> {
  const s = await connect();
  s.on('error', () => {});
  s.write(Buffer.concat([encode(['REPLCONF', 'listening-port', '1']), encode(['PSYNC', '?', '-1'])]));
  await new Promise<void>((resolve) => s.once('data', () => resolve()));
  s.pause();
  return s;
}

async function connectedReplicas(): Promise<number> {
  const info = (await admin.send(['INFO', 'replication'])).toString();
  return Number(/connected_slaves:(\d+)/.exec(info)![1]);
}

test('client-output-buffer-limit replica: a replica that does not read is dropped past the hard limit, never below repl-backlog-size', async () => {
  const value = Buffer.alloc(256 * 1024, 'r');
  const feed = async (s: net.Socket, n: number): Promise<void> => {
    for (let i = 0; i < n && !s.destroyed; i++) {
      await admin.send(['SET', `repl:${i}`, value]);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  try {
    // A backlog of 64 MB raises a 1 MB limit to 64 MB: 16 MB of stream does not drop the replica.
    expect((await admin.send(['CONFIG', 'SET', 'repl-backlog-size', String(64 * MB), 'client-output-buffer-limit', 'replica 1048576 0 0'])).toString()).toBe('+OK\r\n');
    const kept = await stalledReplica();
    await feed(kept, 64);
    expect(kept.destroyed).toBe(false);
    expect(await connectedReplicas()).toBe(1);
    kept.destroy();
    await new Promise((r) => setTimeout(r, 100));
    // With a 16 KB backlog the 1 MB limit holds: the replica is dropped, and logged.
    warnings.length = 0;
    await admin.send(['CONFIG', 'SET', 'repl-backlog-size', '16384']);
    const dropped = await stalledReplica();
    const closed = new Promise<void>((resolve) => dropped.once('close', () => resolve()));
    await feed(dropped, 64);
    dropped.resume();
    await closed;
    expect(warnings.some((w) => /scheduled to be closed ASAP for overcoming of output buffer limits/.test(w))).toBe(true);
    expect(await connectedReplicas()).toBe(0);
    expect(await pingMs()).toBeLessThan(1000);
  } finally {
    await admin.send(['CONFIG', 'SET', 'repl-backlog-size', '1048576', 'client-output-buffer-limit', 'slave 268435456 67108864 60']);
  }
});

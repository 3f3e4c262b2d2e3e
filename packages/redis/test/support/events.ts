// Records keyspace events: a script runs on one connection while another PSUBSCRIBEs *, against
// any server (nevio or a real redis-server), so event tests can compare the two byte for byte.
import net from 'node:net';
import Redis from 'ioredis';
import { RawClient, RealRedis, encode } from '../types/harness';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from './inproc';
import { cmds } from '../types/diff';

/** Runs `script` (one command a line, `cmds` syntax) after FLUSHALL; returns the raw pushes seen. */
export async function recordEvents(port: number, script: string): Promise<string> {
  const sub = net.createConnection({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  sub.on('data', (d: Buffer) => chunks.push(d));
  await new Promise<void>((resolve) => sub.once('connect', () => resolve()));
  const c = await RawClient.connect(port);
  await c.send(['flushall']);
  sub.write(encode(['psubscribe', '*']));
  // The subscription is confirmed before the script starts.
  while (!Buffer.concat(chunks).includes('psubscribe')) await new Promise((r) => setTimeout(r, 10));
  for (const cmd of cmds(script)) await c.send(cmd);
  await c.send(['publish', 'test:done', '']);
  while (!Buffer.concat(chunks).includes('test:done')) await new Promise((r) => setTimeout(r, 10));
  c.close();
  sub.destroy();
  return Buffer.concat(chunks).toString('latin1');
}

/**
 * Runs `script` (as {@link recordEvents}) on both servers: redis-server must raise
 * `__keyevent@0__:<sample>` (the script does reach that event), nevio the same events in its order.
 */
export async function expectSameEvents(both: BothServers, script: string, sample: string): Promise<void> {
  const expected = await recordEvents(both.real.port, script);
  const actual = await recordEvents(both.nevio.port, script);
  expect(expected).toContain(`__keyevent@0__:${sample}`);
  expect(actual.split('\r\n')).toEqual(expected.split('\r\n'));
}

/** Runs `script` (an ioredis client) with a PSUBSCRIBE * client attached; returns the messages it received, in order. */
export async function recordEventsWith(port: number, script: (c: Redis) => Promise<void>): Promise<string[]> {
  // No ready check on the subscriber: a late one (slow under ASan) sends INFO in subscriber mode,
  // which ioredis treats as fatal and answers by reconnecting, losing the events in between.
  const sub = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableReadyCheck: false });
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await Promise.all([sub.connect(), c.connect()]);
  const got: string[] = [];
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  sub.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
    const ch = channel.toString('latin1');
    if (ch === 'test:done') finished();
    else got.push(`${ch} ${message.toString('latin1')}`);
  });
  await sub.psubscribe('*');
  try {
    await c.flushall();
    await script(c);
    await c.publish('test:done', '');
    await done;
  } finally {
    await c.config('SET', 'notify-keyspace-events', '');
    sub.disconnect();
    c.disconnect();
  }
  return got;
}

/** The two servers an event test compares: nevio in-process and a real redis-server. */
export interface BothServers {
  nevio: RunningRedis;
  real: RealRedis;
}

/** Starts both servers before the file's tests and stops them after; fields are set in beforeAll. */
export function bothServers(): BothServers {
  const both = {} as BothServers;
  beforeAll(async () => {
    both.nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
    both.real = await RealRedis.start();
  }, 30000);
  afterAll(async () => {
    await both.nevio.stop();
    await both.real.stop();
  });
  return both;
}

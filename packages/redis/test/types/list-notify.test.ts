// The keyspace events of the list commands (t_list.c's notifyKeyspaceEvent calls: lpush, rpush,
// linsert, lset, lrem, ltrim, lpop, rpop, then `del` when a list empties), in Redis's order,
// compared with a real redis-server: the same commands run against both while a PSUBSCRIBE *
// client records what arrives.
import net from 'node:net';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RawClient, RealRedis, encode } from './harness';
import { cmds } from './diff';

let nevio: RunningRedis;
let real: RealRedis;

beforeAll(async () => {
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  real = await RealRedis.start();
}, 30000);

afterAll(async () => {
  await nevio.stop();
  await real.stop();
});

const SCRIPT = `
config set notify-keyspace-events KEA
rpush l a b c
lpush l z
rpushx l d
lpushx nokey x
linsert l before b x
linsert l after nope y
lset l 0 first
lrem l 1 x
lrem l 0 nope
ltrim l 0 2
lpop l
rpop l 5
rpush l a b c d e
lmpop 1 l right count 2
lmove l l left right
lmove l dst right left
rpush one v
lmove one one left left
lmove one other left right
rpoplpush other other
blpop other 0
rpush l2 a
blmpop 0 1 l2 left count 3
rpush l3 a b
brpoplpush l3 d3 0
blmove l3 d3 left right 0
ltrim d3 5 10
config set notify-keyspace-events ''
`;

/** Sends SCRIPT on one connection while another PSUBSCRIBEs *; returns the raw pushes seen. */
async function record(port: number): Promise<string> {
  const sub = net.createConnection({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  sub.on('data', (d: Buffer) => chunks.push(d));
  await new Promise<void>((resolve) => sub.once('connect', () => resolve()));
  const c = await RawClient.connect(port);
  await c.send(['flushall']);
  sub.write(encode(['psubscribe', '*']));
  // The subscription is confirmed before the script starts.
  while (!Buffer.concat(chunks).includes('psubscribe')) await new Promise((r) => setTimeout(r, 10));
  for (const cmd of cmds(SCRIPT)) await c.send(cmd);
  await c.send(['publish', 'test:done', '']);
  while (!Buffer.concat(chunks).includes('test:done')) await new Promise((r) => setTimeout(r, 10));
  c.close();
  sub.destroy();
  return Buffer.concat(chunks).toString('latin1');
}

test('list commands raise the events redis-server raises, in its order', async () => {
  const expected = await record(real.port);
  const actual = await record(nevio.port);
  expect(expected).toContain('__keyevent@0__:linsert');
  expect(actual.split('\r\n')).toEqual(expected.split('\r\n'));
}, 30000);

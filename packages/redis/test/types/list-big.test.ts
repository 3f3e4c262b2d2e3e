// LRANGE of a big list is streamed: a client that does not read holds about the reactor's write
// watermark of output, not the whole reply; other clients are answered meanwhile; a reading
// client gets the complete reply, in order with its pipelined commands.
import net from 'node:net';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RawClient, encode } from './harness';

/** 200,000 elements of 100 bytes: a 21.6 MB LRANGE reply. */
const ELEMENTS = 200_000;
const ELEMENT = 'e'.repeat(100);
/** `$100\r\n` + 100 bytes + `\r\n`. */
const ELEMENT_BYTES = 108;
const REPLY_BYTES = `*${ELEMENTS}\r\n`.length + ELEMENTS * ELEMENT_BYTES;

let srv: RunningRedis;
let setup: RawClient;

jest.setTimeout(60000);

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quietLog);
  setup = await RawClient.connect(srv.port);
  const batch = new Array<string>(1000).fill(ELEMENT);
  for (let i = 0; i < ELEMENTS; i += batch.length) await setup.send(['RPUSH', 'big', ...batch]);
  expect((await setup.send(['LLEN', 'big'])).toString()).toBe(`:${ELEMENTS}\r\n`);
});

afterAll(async () => {
  setup.close();
  await srv.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host: '127.0.0.1', port: srv.port }, () => resolve(s));
  });
}

/** The most output any client of the server has queued and not yet sent. */
function maxQueued(): number {
  let max = 0;
  for (const c of srv.server.clients.values()) max = Math.max(max, c.conn?.outboundBuffered ?? 0);
  return max;
}

test('a client that does not read holds a bounded part of the reply; PING elsewhere is answered', async () => {
  const s = await connect();
  s.pause();
  s.write(encode(['LRANGE', 'big', '0', '-1']));
  await sleep(500);
  // Built whole, the reply would sit in the connection's output: 21.6 MB. Streamed, the server
  // stops producing at the write high watermark (1 MiB) plus one piece.
  expect(maxQueued()).toBeLessThan(REPLY_BYTES / 4);
  const t0 = performance.now();
  expect((await setup.send(['PING'])).toString()).toBe('+PONG\r\n');
  expect(performance.now() - t0).toBeLessThan(100);
  s.destroy();
  const until = Date.now() + 5000;
  while (srv.server.clients.size > 1 && Date.now() < until) await sleep(20);
  expect(srv.server.clients.size).toBe(1);
});

test('a reading client gets every element, then its pipelined PING', async () => {
  const s = await connect();
  let received = 0;
  let tail = Buffer.alloc(0);
  const done = new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      tail = Buffer.concat([tail, d]).subarray(-256);
      if (received >= REPLY_BYTES + 7) resolve();
    });
  });
  s.write(Buffer.concat([encode(['LRANGE', 'big', '0', '-1']), encode(['PING'])]));
  await done;
  s.destroy();
  expect(received).toBe(REPLY_BYTES + '+PONG\r\n'.length);
  expect(tail.toString('latin1').endsWith(`$100\r\n${ELEMENT}\r\n+PONG\r\n`)).toBe(true);
});

test('the streamed reply is the list as it was: a change right after does not show', async () => {
  const s = await connect();
  const chunks: Buffer[] = [];
  let started: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (started = resolve));
  const done = new Promise<void>((resolve) => {
    let n = 0;
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      n += d.length;
      started();
      if (n >= REPLY_BYTES) resolve();
    });
  });
  s.write(encode(['LRANGE', 'big', '0', '-1']));
  // Once the reply has begun, another client trims the list and changes its one element.
  await first;
  await setup.send(['LTRIM', 'big', '0', '0']);
  await setup.send(['LSET', 'big', '0', 'changed']);
  await done;
  const reply = Buffer.concat(chunks);
  s.destroy();
  expect(reply.length).toBe(REPLY_BYTES);
  expect(reply.includes('changed')).toBe(false);
});

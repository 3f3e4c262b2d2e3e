// Strings changed in place (APPEND, SETRANGE, SETBIT, BITFIELD keep a growable form) survive both
// AOF replay of the commands as sent and a BGREWRITEAOF (strings' TypeOps.rewrite), byte for byte.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-strings-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function withServer<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir }, quietLog);
  const c = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
  try {
    return await fn(c);
  } finally {
    c.disconnect();
    await srv.stop();
  }
}

async function build(c: Redis): Promise<void> {
  for (let i = 0; i < 50; i++) await c.append('log', `line ${i}\n`);
  await c.set('patched', 'hello world');
  await c.setrange('patched', 6, 'WORLD!!');
  await c.setbit('bits', 1000, 1);
  await c.setbit('bits', 3, 1);
  await c.bitfield('counters', 'INCRBY', 'u16', '#2', 300);
  await c.copy('log', 'log-copy');
  await c.append('log-copy', 'only in the copy');
}

async function snapshot(c: Redis): Promise<(Buffer | null)[]> {
  return Promise.all(['log', 'patched', 'bits', 'counters', 'log-copy'].map((k) => c.getBuffer(k)));
}

test('replay of the commands as sent', async () => {
  const want = await withServer(async (c) => {
    await build(c);
    return snapshot(c);
  });
  expect(want[0]!.toString()).toContain('line 49\n');
  expect(want[1]!.toString()).toBe('hello WORLD!!');
  expect(want[4]!.toString().endsWith('only in the copy')).toBe(true);
  expect(want[0]!.toString().endsWith('only in the copy')).toBe(false);
  const got = await withServer(snapshot);
  expect(got).toEqual(want);
});

test('BGREWRITEAOF writes the current bytes of growable values', async () => {
  const want = await withServer(async (c) => {
    await build(c);
    await c.bgrewriteaof();
    for (let i = 0; i < 100 && (await c.info('persistence')).includes('aof_rewrite_in_progress:1'); i++) await new Promise((r) => setTimeout(r, 20));
    return snapshot(c);
  });
  const aofDir = path.join(dir, 'appendonlydir');
  const file = fs.readdirSync(aofDir).map((f) => fs.readFileSync(path.join(aofDir, f), 'latin1')).join('');
  // Compacted: the 50 APPENDs became part of the new base (and its incr file is empty).
  expect(file).not.toContain('APPEND');
  const got = await withServer(snapshot);
  expect(got).toEqual(want);
});

// FUNCTION libraries are part of the data: they survive a restart from the AOF, both when the
// file still holds the FUNCTION LOAD as sent and after BGREWRITEAOF compacted it (the rewrite
// writes every library, as Redis's rewriteFunctions does), and a library deleted during a
// rewrite stays deleted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';

jest.setTimeout(60000);

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-functions-aof-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const library = (name: string, fn: string, value: string): string =>
  `#!lua name=${name}\nredis.register_function('${fn}', function(keys, args) return '${value}' end)`;

async function withServer<T>(body: (c: Redis, srv: RunningRedis) => Promise<T>): Promise<T> {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir }, quietLog);
  const c = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
  try {
    return await body(c, srv);
  } finally {
    c.disconnect();
    await srv.stop();
  }
}

async function rewriteDone(srv: RunningRedis): Promise<void> {
  for (let i = 0; i < 250 && srv.server.aof!.rewriteInProgress; i++) await new Promise((r) => setTimeout(r, 20));
  expect(srv.server.aof!.rewriteInProgress).toBe(false);
}

test('a library loaded before a restart is there after it (AOF replay)', async () => {
  await withServer(async (c) => {
    expect(await c.function('LOAD', library('lib1', 'f1', 'one'))).toBe('lib1');
    await c.set('k', 'v');
  });
  await withServer(async (c) => {
    expect(await c.fcall('f1', 0)).toBe('one');
    expect(await c.get('k')).toBe('v');
  });
});

test('BGREWRITEAOF keeps the libraries: the base as the rewrite began, the incr file the changes made meanwhile', async () => {
  await withServer(async (c, srv) => {
    await c.function('LOAD', library('kept', 'fkept', 'kept'));
    await c.function('LOAD', library('gone', 'fgone', 'gone'));
    for (let i = 0; i < 3000; i++) void c.set(`key:${i}`, String(i));
    await c.ping();
    // Racing the rewrite (one batch: the rewrite's first slice runs after it): one library
    // goes, one is replaced, one comes.
    const replies = await c
      .pipeline()
      .bgrewriteaof()
      .call('FUNCTION', 'DELETE', 'gone')
      .call('FUNCTION', 'LOAD', 'REPLACE', library('kept', 'fkept', 'replaced'))
      .call('FUNCTION', 'LOAD', library('late', 'flate', 'late'))
      .exec();
    expect(replies).toEqual([
      [null, 'Background append only file rewriting started'],
      [null, 'OK'],
      [null, 'kept'],
      [null, 'late'],
    ]);
    await rewriteDone(srv);
    // The changes racing the rewrite are in the incr file it opened (seq 2), replayed after the base.
    const incr = fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.2.incr.aof'), 'latin1');
    expect(incr).toContain('$8\r\nfunction\r\n$6\r\nDELETE\r\n$4\r\ngone\r\n');
  });
  await withServer(async (c) => {
    expect(await c.fcall('fkept', 0)).toBe('replaced');
    expect(await c.fcall('flate', 0)).toBe('late');
    await expect(c.fcall('fgone', 0)).rejects.toThrow('Function not found');
    expect(await c.get('key:2999')).toBe('2999');
  });
});

test('FUNCTION FLUSH before a rewrite leaves no library after the restart', async () => {
  await withServer(async (c, srv) => {
    await c.function('LOAD', library('lib1', 'f1', 'one'));
    await c.function('FLUSH');
    await c.bgrewriteaof();
    await rewriteDone(srv);
  });
  await withServer(async (c) => {
    expect(await c.function('LIST')).toEqual([]);
  });
});

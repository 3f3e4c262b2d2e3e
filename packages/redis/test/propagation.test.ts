// What reaches the AOF for lazily expired keys met by SCAN (each as its own DEL) and for
// RESTORE (as sent with ABSTTL; a relative TTL rewritten as absolute with ABSTTL appended,
// the other options kept), as Redis propagates them (unit/expire's replication-stream tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog } from './support/inproc';
import { RawClient } from './types/harness';

let srv: RunningRedis;
let c: RawClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-propagation-'));
// The incr file the server opened at its start (Redis 7's multi-part AOF).
const aof = (): string => fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');

beforeAll(async () => {
  srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, dir, 'enable-debug-command': 'yes' }, quietLog);
  c = await RawClient.connect(srv.port);
});

afterAll(async () => {
  c.close();
  await srv.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('SCAN deletes the expired keys it meets, each logged as a DEL', async () => {
  await c.send(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  await c.send(['SET', 'foo1', 'bar', 'PX', '1']);
  await c.send(['SET', 'foo2', 'bar', 'PX', '1']);
  await new Promise((r) => setTimeout(r, 20));
  expect((await c.send(['SCAN', '0'])).toString()).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  await c.send(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
  await c.send(['PING']);
  expect(aof()).toContain('*2\r\n$3\r\nDEL\r\n$4\r\nfoo1\r\n');
  expect(aof()).toContain('*2\r\n$3\r\nDEL\r\n$4\r\nfoo2\r\n');
});

test('RESTORE: ABSTTL as sent; a relative TTL becomes absolute, options kept', async () => {
  await c.send(['SET', 'src', 'v']);
  const payload = await c.send(['DUMP', 'src']);
  const bytes = payload.subarray(payload.indexOf('\r\n') + 2, payload.length - 2);
  const at = String(Date.now() + 100000);
  expect((await c.send(['RESTORE', 'a', at, bytes, 'absttl'])).toString()).toBe('+OK\r\n');
  expect((await c.send(['RESTORE', 'b', '100000', bytes, 'IDLETIME', '5'])).toString()).toBe('+OK\r\n');
  await c.send(['PING']);
  const log = aof();
  expect(log).toContain(`$${at.length}\r\n${at}\r\n$${bytes.length}\r\n`);
  expect(log).toMatch(/\$6\r\nabsttl\r\n/);
  expect(log).toMatch(/\$1\r\nb\r\n\$13\r\n\d{13}\r\n\$\d+\r\n[\s\S]*?\$8\r\nIDLETIME\r\n\$1\r\n5\r\n\$6\r\nABSTTL\r\n/);
});

test('DEBUG POPULATE creates prefix:N keys (values padded to size), skips existing ones and logs nothing', async () => {
  await c.send(['SET', 'pop:1', 'mine']);
  const before = aof().length;
  expect((await c.send(['DEBUG', 'POPULATE', '3', 'pop', '10'])).toString()).toBe('+OK\r\n');
  expect((await c.send(['GET', 'pop:0'])).toString()).toBe('$10\r\nvalue:0\0\0\0\r\n');
  expect((await c.send(['GET', 'pop:1'])).toString()).toBe('$4\r\nmine\r\n');
  expect((await c.send(['GET', 'pop:2'])).toString()).toBe('$10\r\nvalue:2\0\0\0\r\n');
  expect((await c.send(['DEBUG', 'POPULATE', '-1'])).toString()).toBe('-ERR value is out of range, must be positive\r\n');
  await c.send(['PING']);
  expect(aof().length).toBe(before);
});

// Persistence: nothing acknowledged is lost. A nevio-redis process with `appendfsync always` is
// SIGKILLed while a client streams writes; after a restart every acknowledged key is there.
// Also: replay of a truncated or corrupt file, BGREWRITEAOF, SHUTDOWN/SIGTERM flushing the AOF.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { AofLoadError } from '../src/aof';
import { defaultConfig } from '../src/config';
import { startRedis } from '../src/listen';
import { startCli, type Child } from './support/process';
import { quietLog, resp } from './support/inproc';

let dir: string;
const children: Child[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-aof-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
});

async function cliServer(...extra: string[]): Promise<Child> {
  const c = await startCli(['--port', '0', '--bind', '127.0.0.1', '--appendonly', 'yes', '--dir', dir, ...extra]);
  children.push(c);
  return c;
}

// Under `everysec` the log is still written (to the page cache) before each batch's replies
// leave, so a killed process (unlike a crashed kernel) loses nothing acknowledged either.
test.each(['always', 'everysec'])('SIGKILL mid-stream under appendfsync %s loses no acknowledged write', async (policy) => {
  const first = await cliServer('--appendfsync', policy);
  const acked: number[] = [];
  const sock = net.connect(first.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let next = 0;
  let inFlight = 0;
  let buffered = '';
  const pending: number[] = [];
  const pump = (): void => {
    while (inFlight < 16) {
      const i = next++;
      pending.push(i);
      inFlight++;
      sock.write(resp('SET', `key:${i}`, `value:${i}`));
    }
  };
  sock.on('data', (d) => {
    buffered += d.toString('latin1');
    let at: number;
    while ((at = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 2);
      const i = pending.shift()!;
      inFlight--;
      if (line === '+OK') acked.push(i);
    }
    pump();
  });
  sock.on('error', () => {});
  pump();
  await new Promise((r) => setTimeout(r, 400));
  first.proc.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  sock.destroy();
  expect(acked.length).toBeGreaterThan(50);

  const second = await cliServer('--appendfsync', policy);
  const c = new Redis({ host: '127.0.0.1', port: second.port, retryStrategy: () => null });
  try {
    const values = await c.mget(...acked.map((i) => `key:${i}`));
    const missing = acked.filter((i, n) => values[n] !== `value:${i}`);
    expect(missing).toEqual([]);
  } finally {
    c.disconnect();
    second.proc.kill('SIGTERM');
    await second.exited;
  }
});

test('SIGTERM flushes the AOF (appendfsync no) and a config file is read', async () => {
  const conf = path.join(dir, 'nevio.conf');
  fs.writeFileSync(conf, `# test config\nport 0\nbind 127.0.0.1\nappendonly yes\nappendfsync no\ndir ${dir}\n`);
  const first = await startCli([conf]);
  children.push(first);
  const c = new Redis({ host: '127.0.0.1', port: first.port, retryStrategy: () => null });
  await c.set('persisted', 'yes');
  await c.expire('persisted', 1000);
  await c.rpush('list', 'a', 'b');
  c.disconnect();
  first.proc.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  expect(first.output()).toMatch(/listening on tcp:\/\/127\.0\.0\.1:\d+/);
  expect(first.output()).toContain(`PID: ${first.proc.pid}`);

  const second = await startCli([conf]);
  children.push(second);
  const d = new Redis({ host: '127.0.0.1', port: second.port, retryStrategy: () => null });
  expect(await d.get('persisted')).toBe('yes');
  expect(await d.ttl('persisted')).toBeGreaterThan(900);
  expect(await d.lrange('list', 0, -1)).toEqual(['a', 'b']);
  await d.shutdown().catch(() => undefined);
  d.disconnect();
  expect(await second.exited).toBe(0);
});

/** Bytes of every file in the AOF directory. */
function aofBytes(): number {
  const aofDir = path.join(dir, 'appendonlydir');
  return fs.readdirSync(aofDir).reduce((n, f) => n + fs.statSync(path.join(aofDir, f)).size, 0);
}

/** An AOF directory with one incr file holding `records`, as a crashed server leaves it. */
function writeIncrOnly(records: Buffer): string {
  const aofDir = path.join(dir, 'appendonlydir');
  fs.mkdirSync(aofDir);
  fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
  const file = path.join(aofDir, 'appendonly.aof.1.incr.aof');
  fs.writeFileSync(file, records);
  return file;
}

test('a truncated last record is cut with a warning; the rest loads', async () => {
  const good = Buffer.concat([resp('SELECT', '0'), resp('SET', 'a', '1'), resp('SET', 'b', '2')]);
  const file = writeIncrOnly(Buffer.concat([good, resp('SET', 'c', '3').subarray(0, 12)]));
  const warnings: string[] = [];
  const srv = await startRedis(
    { ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, dir },
    { warn: (m) => warnings.push(m), error: () => {} },
  );
  try {
    expect(warnings.join('\n')).toContain(`Truncating the AOF appendonly.aof.1.incr.aof at offset ${good.length}`);
    expect(fs.statSync(file).size).toBe(good.length);
    const c = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
    expect(await c.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
    c.disconnect();
  } finally {
    await srv.stop();
  }
});

async function startError(): Promise<{ error: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  const error = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, dir }, { warn: (m) => warnings.push(m), error: () => {} }).then(
    (srv) => srv.stop().then(() => null),
    (e: unknown) => e,
  );
  return { error, warnings };
}

test('corruption in the middle stops the start with the bad-format error of Redis as the last log line', async () => {
  writeIncrOnly(Buffer.concat([resp('SET', 'a', '1'), Buffer.from('garbage\r\n'), resp('SET', 'b', '2')]));
  const { error, warnings } = await startError();
  expect(error).toBeInstanceOf(AofLoadError);
  expect(warnings[warnings.length - 1]).toMatch(/^Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof/);
});

test('a header line whose CR is not followed by LF stops the start (read as Redis reads it)', async () => {
  const damaged = resp('SET', 'key', 'value');
  // `*3\r\n$3\r\nSET\r\n$3\r` then the LF replaced: the bulk header of the key swallows the key.
  const at = damaged.indexOf('$3\r', 8) + 3;
  damaged[at] = 0x58;
  writeIncrOnly(Buffer.concat([resp('SET', 'a', '1'), damaged, resp('SET', 'b', '2')]));
  const { error, warnings } = await startError();
  expect(error).toBeInstanceOf(AofLoadError);
  expect(warnings[warnings.length - 1]).toMatch(/^Bad file format reading the append only file/);
});

test.each([
  ['', 'Found an empty AOF manifest'],
  ['file appendonly.aof.1.incr.aof seq 1 type i\n\nfile appendonly.aof.2.incr.aof seq 2 type i\n', 'Invalid AOF manifest file format'],
  ['file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n', 'Found a non-monotonic sequence number'],
  ['file a.1.base.aof seq 1 type b\nfile a.2.base.aof seq 2 type b\n', 'Found duplicate base file information'],
  ['file appendonly.aof.1.incr.aof seq 1 type x\n', 'Unknown AOF file type'],
  ['file appendonly.aof.1.incr.aof seq 1 type i', 'The AOF manifest file contains too long line'],
  ['file appendonly.aof.1.incr.aof seq 1 type i newkey\n', 'Invalid AOF manifest file format'],
  ['file ../x.aof seq 1 type i\n', "File can't be a path, just a filename"],
])('a malformed manifest (%j) stops the start: %s', async (manifest, reason) => {
  const aofDir = path.join(dir, 'appendonlydir');
  fs.mkdirSync(aofDir);
  fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), manifest);
  const { error, warnings } = await startError();
  expect(error).toBeInstanceOf(AofLoadError);
  expect(warnings[0]).toBe('*** FATAL AOF MANIFEST FILE ERROR ***');
  expect(warnings[warnings.length - 1]).toBe(reason);
});

test('a file the manifest names but the directory lacks stops the start', async () => {
  const aofDir = path.join(dir, 'appendonlydir');
  fs.mkdirSync(aofDir);
  fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
  const { error, warnings } = await startError();
  expect(error).toBeInstanceOf(AofLoadError);
  expect(warnings.join('\n')).toMatch(/appendonly\.aof\.1\.incr\.aof.*no such file or directory/i);
});

test('BGREWRITEAOF compacts the file and keeps writes made during the rewrite', async () => {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, appendfsync: 'always', dir }, quietLog);
  const c = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
  try {
    for (let round = 0; round < 20; round++) {
      const p = c.pipeline();
      for (let i = 0; i < 500; i++) p.set(`k${i}`, `v${round}`);
      await p.exec();
    }
    await c.select(3);
    await c.set('in3', 'x', 'PX', 1000000);
    await c.select(0);
    const before = aofBytes();
    expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
    // Writes racing the rewrite.
    await c.set('k1', 'during');
    await c.del('k2');
    await c.set('new', 'n');
    for (let i = 0; i < 100 && srv.server.aof!.rewriteInProgress; i++) await new Promise((r) => setTimeout(r, 20));
    expect(srv.server.aof!.rewriteInProgress).toBe(false);
    await c.set('after', 'a');
    expect(aofBytes()).toBeLessThan(before / 5);
    // The new base and incr file replace the old ones, which are deleted (history).
    expect(fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(
      'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    expect(fs.readdirSync(path.join(dir, 'appendonlydir')).sort()).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
  } finally {
    c.disconnect();
    await srv.stop();
  }
  const again = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, dir }, quietLog);
  const d = new Redis({ host: '127.0.0.1', port: again.port, retryStrategy: () => null });
  try {
    expect(await d.mget('k1', 'k2', 'k3', 'new', 'after')).toEqual(['during', null, 'v19', 'n', 'a']);
    expect(await d.dbsize()).toBe(501);
    await d.select(3);
    expect(await d.pttl('in3')).toBeGreaterThan(900000);
  } finally {
    d.disconnect();
    await again.stop();
  }
});

// Redis 7 loads the files a BGREWRITEAOF left whatever `appendonly` says (the suite's
// "Same dataset digest if saving/reloading as AOF?" does exactly this).
test('DEBUG LOADAOF with the AOF off loads what BGREWRITEAOF wrote, and refuses when there is no file', async () => {
  const srv = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir, 'enable-debug-command': 'yes' }, quietLog);
  const c = new Redis({ host: '127.0.0.1', port: srv.port, retryStrategy: () => null });
  try {
    await c.set('k', 'before');
    await expect(c.call('DEBUG', 'LOADAOF')).rejects.toThrow(/no append only file to load/);
    expect(await c.get('k')).toBe('before');
    await c.bgrewriteaof();
    for (let i = 0; i < 100 && srv.server.aof !== null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(srv.server.aof).toBeNull();
    // Written after the rewrite, with no AOF attached: the reload drops it.
    await c.set('k', 'after');
    await c.set('extra', '1');
    expect(await c.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await c.mget('k', 'extra')).toEqual(['before', null]);
    expect(srv.server.aof).toBeNull();
    // Nothing the reload replayed was logged: the file is what the rewrite wrote.
    const size = aofBytes();
    await c.call('DEBUG', 'LOADAOF');
    expect(aofBytes()).toBe(size);
  } finally {
    c.disconnect();
    await srv.stop();
  }
});

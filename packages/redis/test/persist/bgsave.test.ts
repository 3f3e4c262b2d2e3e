// BGSAVE without fork: the file is the dataset of the moment BGSAVE began (checked by loading it
// into redis-server and comparing DEBUG DIGEST), whatever clients change, delete, create, expire,
// swap or flush meanwhile; the longest pause a client sees while 1M keys are saved, next to
// redis-server's fork pause; save points, BGSAVE SCHEDULE, LASTSAVE, INFO persistence, SHUTDOWN.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { startCli, type Child } from '../support/process';
import { freePort } from '../support/ports';

let dir: string;
const children: Child[] = [];
const oracles: ChildProcess[] = [];
const clients: Redis[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-bgsave-'));
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  for (const o of oracles) if (o.exitCode === null) o.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A nevio-redis in its own directory. */
async function nevio(name: string, ...args: string[]): Promise<{ child: Child; r: Redis; dir: string }> {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  const child = await startCli(['--port', '0', '--dir', d, '--enable-debug-command', 'yes', ...args]);
  children.push(child);
  const r = new Redis({ port: child.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  clients.push(r);
  return { child, r, dir: d };
}

/** Starts redis-server on `rdbDir` (loading its dump.rdb) and returns a client. */
async function redisServer(rdbDir: string, ...args: string[]): Promise<Redis> {
  const port = await freePort();
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', rdbDir, '--enable-debug-command', 'yes', ...args], { stdio: 'ignore', env });
  oracles.push(proc);
  const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  for (let i = 0; ; i++) {
    try {
      await r.connect();
      // Still loading: LOADING errors until the file is in.
      await r.ping();
      break;
    } catch (e) {
      if (i > 600) throw e;
      r.disconnect();
      await sleep(50);
    }
  }
  clients.push(r);
  return r;
}

async function info(r: Redis, field: string): Promise<string> {
  const text = await r.info('persistence');
  const m = new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${field} in INFO`);
  return m[1].trim();
}

async function waitSaved(r: Redis, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await info(r, 'rdb_bgsave_in_progress')) !== '0') {
    if (Date.now() > until) throw new Error('BGSAVE did not finish');
    await sleep(20);
  }
}

/** Sets `n` keys `key:i` = `value:i` in pipelines of 10 000. */
async function populate(r: Redis, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(n, i + 10_000); j++) p.set(`key:${j}`, `value:${j}`);
    await p.exec();
  }
}

test('the file holds the dataset of the moment BGSAVE began, whatever changes meanwhile (every type, TTLs, SWAPDB, FLUSHDB)', async () => {
  const { r, dir: d } = await nevio('cow');
  await populate(r, 2000);
  await r.rpush('list', 'a', 'b', 'c');
  await r.hset('hash', 'f1', 'v1', 'f2', 'v2');
  await r.sadd('set', '1', '2', '3');
  await r.zadd('zset', 1, 'one', 2, 'two');
  await r.set('ttl', 'x', 'EX', 1000);
  await r.select(1);
  await r.set('db1', 'one');
  await r.select(2);
  await r.set('db2', 'two');
  await r.select(0);
  // 2 000 keys at 500 us each: the save takes a second or more, while this client changes everything.
  await r.config('SET', 'rdb-key-save-delay', '500');
  const digest = await r.call('DEBUG', 'DIGEST');
  expect(await r.bgsave()).toBe('Background saving started');
  expect(await info(r, 'rdb_bgsave_in_progress')).toBe('1');
  await expect(r.bgsave()).rejects.toThrow('Background save already in progress');
  const p = r.pipeline();
  for (let i = 0; i < 2000; i += 3) p.set(`key:${i}`, 'changed');
  for (let i = 1; i < 2000; i += 7) p.del(`key:${i}`);
  for (let i = 0; i < 500; i++) p.set(`new:${i}`, 'new');
  p.rpush('list', 'd').hset('hash', 'f3', 'v3').srem('set', '2').zadd('zset', 3, 'three');
  p.persist('ttl').expire('key:2', 5).rename('key:5', 'renamed');
  p.swapdb(1, 2);
  await p.exec();
  await r.select(1);
  await r.flushdb();
  await r.select(0);
  await waitSaved(r);
  expect(await info(r, 'rdb_last_bgsave_status')).toBe('ok');
  const loaded = await redisServer(d);
  expect(await loaded.call('DEBUG', 'DIGEST')).toBe(digest);
  expect(await loaded.dbsize()).toBe(2005);
  expect(await loaded.get('key:0')).toBe('value:0');
  expect(await loaded.exists('new:0')).toBe(0);
  expect(await loaded.lrange('list', 0, -1)).toEqual(['a', 'b', 'c']);
  await loaded.select(1);
  expect(await loaded.get('db1')).toBe('one');
}, 180_000);

test('BGSAVE of 1M keys while a client writes: the snapshot is the moment BGSAVE began; the longest pause a client sees, next to redis-server fork pause', async () => {
  const N = 1_000_000;
  const { r, dir: d, child } = await nevio('million');
  await populate(r, N);
  const pinger = new Redis({ port: child.port });
  clients.push(pinger);
  /** PING round trips (ms) for `ms` milliseconds, or while `more()` holds. */
  const pings = async (more: () => Promise<boolean>): Promise<number[]> => {
    const times: number[] = [];
    while (await more()) {
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        await pinger.ping();
        times.push(performance.now() - t0);
      }
    }
    return times.sort((x, y) => x - y);
  };
  const summary = (t: number[]): string => `max ${t[t.length - 1].toFixed(1)} ms, p99 ${t[Math.floor(t.length * 0.99)].toFixed(1)} ms over ${t.length} PINGs`;
  // One connection writes: its INCR replies before and after BGSAVE mark the snapshot's moment.
  let counter = 0;
  let stopWriting = false;
  let startSave = false;
  let bgsaveAt = -1;
  const writer = (async () => {
    for (let i = 0; !stopWriting; i++) {
      counter = await r.incr('counter');
      if (startSave && bgsaveAt < 0) {
        await r.bgsave();
        bgsaveAt = counter;
      } else if (bgsaveAt >= 0) {
        await r.set(`key:${(i * 7919) % N}`, 'changed');
        await r.set(`new:${i}`, 'new');
      }
    }
  })();
  // The same load without a save first: what a client sees of the loop (and of GC) anyway.
  const baseEnd = Date.now() + 3000;
  const baseline = await pings(async () => Date.now() < baseEnd);
  startSave = true;
  while (bgsaveAt < 0) await sleep(5);
  const saving = await pings(async () => (await info(pinger, 'rdb_bgsave_in_progress')) === '1');
  stopWriting = true;
  await writer;
  expect(await info(r, 'rdb_last_bgsave_status')).toBe('ok');
  const loaded = await redisServer(d);
  expect(await loaded.dbsize()).toBe(N + 1);
  expect(Number(await loaded.get('counter'))).toBe(bgsaveAt);
  expect(await loaded.get('key:0')).toBe('value:0');
  expect(await loaded.exists('new:0')).toBe(0);
  // redis-server's pause for the same save: its fork (INFO stats latest_fork_usec).
  const reference = await redisServer(fs.mkdtempSync(path.join(dir, 'ref-')));
  await populate(reference, N);
  await reference.bgsave();
  await waitSaved(reference);
  const fork = /latest_fork_usec:(\d+)/.exec(await reference.info('stats'))?.[1];
  console.log(`BGSAVE of ${N} keys while writing: PING ${summary(saving)} (without a save: ${summary(baseline)}); redis-server's fork: ${Number(fork) / 1000} ms`);
  expect(saving.length).toBeGreaterThan(0);
}, 600_000);

test('save points start a BGSAVE; LASTSAVE and INFO follow; BGSAVE SCHEDULE and inside MULTI are scheduled', async () => {
  const { r, dir: d } = await nevio('points', '--save', '1 1');
  const before = await r.lastsave();
  expect(await info(r, 'rdb_saves')).toBe('0');
  await r.set('a', '1');
  expect(Number(await info(r, 'rdb_changes_since_last_save'))).toBe(1);
  const until = Date.now() + 10_000;
  while ((await info(r, 'rdb_saves')) === '0' && Date.now() < until) await sleep(50);
  await waitSaved(r);
  expect(await info(r, 'rdb_saves')).toBe('1');
  expect(await info(r, 'rdb_changes_since_last_save')).toBe('0');
  expect(await r.lastsave()).toBeGreaterThanOrEqual(before);
  expect(fs.existsSync(path.join(d, 'dump.rdb'))).toBe(true);
  const m = await r.multi().bgsave().exec();
  expect(m).toEqual([[null, 'Background saving scheduled']]);
  const until2 = Date.now() + 10_000;
  while ((await info(r, 'rdb_saves')) === '1' && Date.now() < until2) await sleep(50);
  await waitSaved(r);
  expect(await info(r, 'rdb_saves')).toBe('2');
  await expect(r.call('BGSAVE', 'LATER')).rejects.toThrow('ERR syntax error');
}, 60_000);

test('SHUTDOWN saves with save points, NOSAVE does not, a failed save keeps the server running; SIGTERM saves too', async () => {
  const { r, child, dir: d } = await nevio('shutdown', '--save', '3600 1');
  await r.set('k', 'v');
  // A directory in the way of dump.rdb: the rename fails, SHUTDOWN reports it and the server stays.
  fs.mkdirSync(path.join(d, 'dump.rdb'));
  await expect(r.call('SHUTDOWN')).rejects.toThrow('ERR Errors trying to SHUTDOWN. Check logs.');
  expect(await r.ping()).toBe('PONG');
  fs.rmdirSync(path.join(d, 'dump.rdb'));
  await r.call('SHUTDOWN').catch(() => undefined);
  expect(await child.exited).toBe(0);
  const loaded = await redisServer(d);
  expect(await loaded.get('k')).toBe('v');
  const second = await nevio('sigterm', '--save', '3600 1');
  await second.r.set('s', 'saved by SIGTERM');
  second.child.proc.kill('SIGTERM');
  expect(await second.child.exited).toBe(0);
  expect(second.child.output()).toContain('Saving the final RDB snapshot before exiting.');
  expect(await (await redisServer(second.dir)).get('s')).toBe('saved by SIGTERM');
  const third = await nevio('nosave', '--save', '3600 1');
  await third.r.set('n', '1');
  await third.r.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
  expect(await third.child.exited).toBe(0);
  expect(fs.existsSync(path.join(third.dir, 'dump.rdb'))).toBe(false);
}, 60_000);

// Redis's "SHUTDOWN ABORT can cancel SIGTERM", then the signal that follows: a stop the server
// declined is not a stop in progress, so the next SIGTERM saves and exits gracefully (status 0)
// instead of being taken as the impatient second signal (status 1, nothing saved).
test('after SHUTDOWN ABORT cancelled a SIGTERM, the next SIGTERM stops gracefully and saves', async () => {
  const { r, child, dir: d } = await nevio('abort', '--save', '3600 1');
  await r.set('kept', 'by the second SIGTERM');
  await r.call('DEBUG', 'PAUSE-CRON', '1');
  child.proc.kill('SIGTERM');
  await sleep(50);
  expect(await r.call('SHUTDOWN', 'ABORT')).toBe('OK');
  await r.call('DEBUG', 'PAUSE-CRON', '0');
  expect(await r.ping()).toBe('PONG');
  await sleep(200);
  expect(child.proc.exitCode).toBeNull();
  child.proc.kill('SIGTERM');
  expect(await child.exited).toBe(0);
  expect(child.output()).not.toContain('exiting at once');
  expect(child.output()).toContain('Shutdown manually aborted');
  expect(await (await redisServer(d)).get('kept')).toBe('by the second SIGTERM');
}, 30_000);

test('FLUSHALL stops a running BGSAVE without counting it failed; the temporary file is removed', async () => {
  const { r, dir: d } = await nevio('flushall');
  await populate(r, 1000);
  await r.config('SET', 'rdb-key-save-delay', '1000');
  await r.bgsave();
  expect(fs.readdirSync(d).some((f) => f.startsWith('temp-'))).toBe(true);
  await r.flushall();
  await waitSaved(r, 5000);
  expect(Number(await info(r, 'rdb_changes_since_last_save'))).toBeGreaterThan(999);
  expect(await info(r, 'rdb_last_bgsave_status')).toBe('ok');
  expect(fs.readdirSync(d).some((f) => f.startsWith('temp-'))).toBe(false);
}, 60_000);

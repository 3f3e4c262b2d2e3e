// Server behaviour beyond single replies: inline commands, AUTH, databases, CLIENT, INFO,
// CONFIG, expiry (lazy and active), maxmemory, RESP3 replies against redis-server, SHUTDOWN.
import net from 'node:net';
import Redis from 'ioredis';
import { defaultConfig, type Config } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { scratchDir } from './support/scratch-dir';
import { cmds, startRig } from './types/diff';
import { quietLog } from './support/inproc';

const running: RunningRedis[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => (c.status === 'ready' ? c.quit().catch(() => undefined) : c.status === 'end' ? undefined : c.disconnect())));
  await Promise.all(running.map((r) => r.stop()));
});

async function server(cfg: Partial<Config> = {}): Promise<RunningRedis> {
  const r = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], ...cfg }, quietLog);
  running.push(r);
  return r;
}

function connect(r: RunningRedis, opts: Record<string, unknown> = {}): Redis {
  const c = new Redis({ host: '127.0.0.1', port: r.port, maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
  clients.push(c);
  return c;
}

/** A raw telnet-like exchange: writes `text`, returns what arrives within `ms`. */
/**
 * Sends `text` and collects the answer: until the server closes the connection, or `ms` after
 * the last bytes arrived (the first may take long on a loaded or sanitizer-instrumented run:
 * up to 10 s).
 */
function telnet(port: number, text: string, ms = 200): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
    let out = '';
    let timer = setTimeout(finish, 10_000);
    function finish(): void {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    }
    sock.on('data', (d) => {
      out += d.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(finish, ms);
    });
    sock.on('close', finish);
    sock.on('error', () => {});
  });
}

test('inline commands, as typed in telnet, and QUIT', async () => {
  const r = await server();
  expect(await telnet(r.port, 'PING\r\nset "a key" \'it\\\'s\'\nGET "a key"\r\n\r\nQUIT\r\nPING\r\n')).toBe("+PONG\r\n+OK\r\n$4\r\nit's\r\n+OK\r\n");
});

test('requirepass: NOAUTH before AUTH, WRONGPASS, then access', async () => {
  const r = await server({ requirepass: 'sekret' });
  expect(await telnet(r.port, 'GET a\r\nAUTH nope\r\nAUTH sekret\r\nSET a 1\r\nGET a\r\n')).toBe(
    '-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+OK\r\n$1\r\n1\r\n',
  );
  const c = connect(r, { password: 'sekret' });
  expect(await c.get('a')).toBe('1');
  // Before AUTH, a large request is a protocol error (Redis's limit for unauthenticated peers).
  expect(await telnet(r.port, '*20\r\n')).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
});

test('16 databases, SELECT, SWAPDB, FLUSHDB/FLUSHALL, DBSIZE', async () => {
  const r = await server();
  const c = connect(r);
  await c.set('k', 'db0');
  await c.select(15);
  await c.set('k', 'db15');
  expect(await c.dbsize()).toBe(1);
  await expect(c.select(16)).rejects.toThrow('ERR DB index is out of range');
  await c.swapdb(0, 15);
  expect(await c.get('k')).toBe('db0');
  await c.flushdb();
  expect(await c.dbsize()).toBe(0);
  await c.select(0);
  expect(await c.get('k')).toBe('db15');
  await c.flushall();
  expect(await c.dbsize()).toBe(0);
});

test('CLIENT ID/SETNAME/GETNAME/LIST/INFO/KILL', async () => {
  const r = await server();
  const a = connect(r);
  const b = connect(r);
  await a.client('SETNAME', 'alpha');
  expect(await a.client('GETNAME')).toBe('alpha');
  const idB = (await b.client('ID')) as number;
  const list = (await a.client('LIST')) as string;
  expect(list).toMatch(/id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ .*name=alpha .*cmd=client/);
  expect(list.trim().split('\n')).toHaveLength(2);
  expect(await a.client('INFO')).toMatch(/name=alpha/);
  expect(await a.client('KILL', 'ID', String(idB))).toBe(1);
  await new Promise((res) => setTimeout(res, 50));
  expect(r.server.clients.size).toBe(1);
  await expect(a.client('KILL', '1.2.3.4:5')).rejects.toThrow('ERR No such client');
});

test('INFO sections, CONFIG GET/SET', async () => {
  const r = await server();
  const c = connect(r);
  await c.set('x', '1');
  const info = await c.info();
  for (const section of ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Keyspace']) expect(info).toContain(section);
  expect(info).toMatch(/used_memory:\d+/);
  expect(info).toContain('db0:keys=1,expires=0');
  expect(await c.info('keyspace')).not.toContain('# Server');
  // Redis 7.0's table has five maxmemory* parameters; the pattern finds all, these among them.
  const mm = (await c.config('GET', 'maxmemory*')) as string[];
  expect(mm.length).toBe(10);
  expect(mm.join(' ')).toContain('maxmemory 0');
  expect(mm.join(' ')).toContain('maxmemory-policy noeviction');
  expect(await c.config('SET', 'maxmemory', '100mb')).toBe('OK');
  expect(await c.config('GET', 'maxmemory')).toEqual(['maxmemory', String(100 * 1024 * 1024)]);
  await expect(c.config('SET', 'appendfsync', 'sometimes')).rejects.toThrow(/must be one of the following/);
  await expect(c.config('SET', 'databases', '8')).rejects.toThrow(/can't set immutable config/);
});

test('proto-max-bulk-len and client-query-buffer-limit set at run time apply to connected clients', async () => {
  const r = await server();
  const c = connect(r);
  // 1mb is the smallest limit Redis allows for both.
  const MB = 1024 * 1024;
  await c.config('SET', 'proto-max-bulk-len', '1mb');
  expect(await telnet(r.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${MB + 1}\r\n${'x'.repeat(MB + 1)}\r\n`)).toBe(
    '-ERR Protocol error: invalid bulk length\r\n',
  );
  expect(await telnet(r.port, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${MB}\r\n${'x'.repeat(MB)}\r\n`)).toBe('+OK\r\n');
  await c.config('SET', 'proto-max-bulk-len', '512mb');
  await c.config('SET', 'client-query-buffer-limit', '1mb');
  // A SET followed by 1.5 MB of a request with no end: the server replies to the SET, then
  // closes the connection instead of buffering more.
  const sock = net.connect(r.port, '127.0.0.1');
  let got = '';
  const ended = new Promise((res) => sock.on('close', res));
  sock.on('data', (d) => (got += d.toString()));
  sock.on('error', () => {});
  sock.write(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${2 * MB}\r\n${'y'.repeat(1.5 * MB)}`);
  await ended;
  expect(got).toBe('+OK\r\n');
  expect(r.server.clients.size).toBe(1);
});

test('lazy and active expiry', async () => {
  const r = await server({ hz: 50 });
  const c = connect(r);
  // The ticker is paused while the keys are written, so that a slow machine (writing 200 keys
  // may take longer than their 30 ms TTL under load) cannot expire some before they are counted.
  r.server.activeExpire = false;
  await c.set('lazy', 'v', 'PX', 30);
  const p = c.pipeline();
  for (let i = 0; i < 200; i++) p.set(`active:${i}`, 'v', 'PX', 30);
  await p.exec();
  await c.set('stays', 'v', 'EX', 100);
  // DBSIZE counts keys that expired but were not reclaimed yet, as Redis does.
  expect(await c.dbsize()).toBe(202);
  await new Promise((res) => setTimeout(res, 50));
  r.server.activeExpire = true;
  // Nobody touches the active:* keys: only the ticker can remove them. It gets several seconds
  // (it needs a few ticks of 20 ms on an idle machine), so a loaded one does not fail the test.
  const deadline = Date.now() + 10000;
  while (r.server.dbs[0].size > 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  expect(r.server.dbs[0].size).toBeLessThanOrEqual(2);
  expect(await c.get('lazy')).toBeNull();
  expect(await c.dbsize()).toBe(1);
  expect(r.server.stats.expiredKeys).toBeGreaterThanOrEqual(201);
});

test('maxmemory: OOM error under noeviction, evictions under allkeys-lru', async () => {
  const r = await server({ maxmemory: 1 });
  const c = connect(r);
  r.server.measureMemory();
  await expect(c.set('a', '1')).rejects.toThrow("OOM command not allowed when used memory > 'maxmemory'.");
  expect(await c.get('a')).toBeNull();
  await c.config('SET', 'maxmemory', '0');
  for (let i = 0; i < 100; i++) await c.set(`k${i}`, 'x'.repeat(100));
  await c.config('SET', 'maxmemory-policy', 'allkeys-lru');
  await c.config('SET', 'maxmemory', String(Math.floor(r.server.usedMemory / 2) || 1));
  r.server.measureMemory();
  await c.set('trigger', 'y');
  expect(r.server.stats.evictedKeys).toBeGreaterThan(0);
  expect(await c.dbsize()).toBeLessThan(101);
});

test('RESP3 replies (HELLO 3) match redis-server byte for byte', async () => {
  const rig = await startRig();
  try {
    await rig.both(['hello', '3']);
    const script = cmds(`
      flushall
      get nokey
      set k 1.5
      incrbyfloat k 1
      mget k nokey
      hset h a 1 b 2
      hgetall h
      config get maxmemory-policy
      zadd z 1.1 m
      zscore z m
      sadd s x
      smembers s
      exec
      multi
      exec
      pubsub numsub a
      subscribe ch
      get k
      unsubscribe ch
      ping
    `);
    expect(await rig.run(script)).toEqual([]);
  } finally {
    await rig.stop();
  }
});

test('RANDOMKEY returns live keys only', async () => {
  const r = await server();
  const c = connect(r);
  expect(await c.randomkey()).toBeNull();
  await c.mset('a', '1', 'b', '2', 'c', '3');
  await c.set('gone', 'x', 'PX', 1);
  await new Promise((res) => setTimeout(res, 10));
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add((await c.randomkey())!);
  expect([...seen].sort()).toEqual(['a', 'b', 'c']);
});

test('a subscriber that never reads is disconnected past 32 MB of pending messages', async () => {
  const r = await server();
  const pub = connect(r);
  const sock = net.connect(r.port, '127.0.0.1');
  await new Promise((res) => sock.once('connect', res));
  sock.on('error', () => {});
  sock.write('SUBSCRIBE firehose\r\n');
  await new Promise((res) => setTimeout(res, 50));
  sock.pause();
  const payload = 'x'.repeat(1024 * 1024);
  let receivers = 1;
  for (let i = 0; i < 200 && receivers > 0; i++) receivers = (await pub.publish('firehose', payload)) as number;
  expect(receivers).toBe(0);
  expect(r.server.channels.has('firehose')).toBe(false);
  sock.destroy();
});

test('idle clients are closed after `timeout` seconds, subscribers are not', async () => {
  const r = await server({ timeout: 1 });
  const idle = connect(r);
  const sub = connect(r);
  await idle.ping();
  await sub.subscribe('ch');
  expect(r.server.clients.size).toBe(2);
  await new Promise((res) => setTimeout(res, 2300));
  expect(r.server.clients.size).toBe(1);
  expect([...r.server.clients.values()][0].subscribed).toBe(true);
});

test('SHUTDOWN stops the server', async () => {
  // SHUTDOWN saves (the default save points): into a scratch directory, not the checkout.
  const r = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir: scratchDir() }, quietLog);
  const c = connect(r);
  await c.shutdown().catch(() => undefined);
  await r.done;
  await expect(new Promise((res, rej) => net.connect(r.port, '127.0.0.1').on('connect', res).on('error', rej))).rejects.toThrow();
});

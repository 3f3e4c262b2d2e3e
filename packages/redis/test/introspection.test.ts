// CONFIG, FUNCTION, DEBUG and SLOWLOG against redis-server 7.0 over TCP: replies byte for byte,
// errors included; DEBUG DIGEST must equal redis-server's digest of the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultConfig } from '../src/config';
import { scratchDir } from './support/scratch-dir';
import { startRedis, type RunningRedis } from '../src/listen';
import { RawClient, show, type Arg } from './types/harness';
import { freePort } from './support/ports';
import { cmds } from './types/diff';

jest.setTimeout(30000);

let proc: ChildProcess;
let redis: RawClient;
let nevio: RunningRedis;
let ours: RawClient;

beforeAll(async () => {
  const port = await freePort();
  // Its own directory: DEBUG RELOAD writes dump.rdb there, not into the checkout.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-redis-server-'));
  // Not under the sanitizer run's LD_PRELOAD: redis-server is the oracle, not code under test.
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--dir', dir], { stdio: 'ignore', env });
  proc.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 100 && redis === undefined; i++) {
    try {
      redis = await RawClient.connect(port);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const quiet = { warn: () => undefined, error: () => undefined };
  nevio = await startRedis({ ...defaultConfig(), dir: scratchDir(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, quiet);
  ours = await RawClient.connect(nevio.port);
});

afterAll(async () => {
  redis?.close();
  ours?.close();
  await nevio?.stop();
  await new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
});

async function diff(script: Arg[][]): Promise<string[]> {
  const bad: string[] = [];
  for (const cmd of script) {
    const want = await redis.send(cmd);
    const got = await ours.send(cmd);
    if (!want.equals(got)) bad.push(`${cmd.join(' ')}\n   redis: ${show(want)}\n   nevio: ${show(got)}`);
  }
  return bad;
}

async function both(cmd: Arg[]): Promise<[string, string]> {
  return [(await redis.send(cmd)).toString(), (await ours.send(cmd)).toString()];
}

test('CONFIG GET * lists every Redis 7.0 parameter with its default', async () => {
  const parse = (b: string): Map<string, string> => {
    const lines = b.split('\r\n').filter((l) => !l.startsWith('*') && !l.startsWith('$') && !l.startsWith('%'));
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < lines.length; i += 2) m.set(lines[i], lines[i + 1]);
    return m;
  };
  const [want, got] = (await both(['config', 'get', '*'])).map(parse);
  // nevio's own (multicore) and the per-server values (port, dir) aside, the same names and values.
  for (const name of ['port', 'dir', 'multicore']) {
    want.delete(name);
    got.delete(name);
  }
  expect(want.size).toBeGreaterThan(180);
  expect([...got].sort()).toEqual([...want].sort());
});

test('CONFIG SET and GET: errors, bounds, aliases, several pairs, rollback', async () => {
  const script = cmds(`
config set maxmemory-clients 200%
config set maxmemory-clients 10%
config get maxmemory-clients
config set maxmemory-clients 0
config set hz abc
config set hz -1
config set maxclients 0
config set unixsocketperm 777
config set activedefrag maybe
config set loglevel foo
config set nosuch 1
config set hz 10 hz 11
config set hz 11 nosuch 1
config set maxmemory 1kb
config get maxmemory
config set maxmemory 0 maxmemory-clients 300% hz 20
config get hz
config get maxmemory
config set maxmemory 0
config set shutdown-on-sigterm nosave
config get shutdown-on-sigterm
config set shutdown-on-sigterm default
config get HZ
config set hash-max-ziplist-entries 100
config get hash-max-listpack-entries
config get hash-max-ziplist-entries
config set hash-max-ziplist-entries 512
config get rdb-key-save-delay
config get rdb-key*
config set list-max-listpack-size -10
config set notify-keyspace-events KEA
config get notify-keyspace-events
config set notify-keyspace-events Kgx$
config get notify-keyspace-events
config set notify-keyspace-events ''
config set notify-keyspace-events Q
config set proto-max-bulk-len 100
config set slowlog-log-slower-than -2
config set client-output-buffer-limit x
config set dbfilename x.rdb
config rewrite
config resetstat
config get
config set a
config set a b c
config foo
`);
  expect(await diff(script)).toEqual([]);
});

test('CONFIG SET accepts what nevio does: save points and min-replicas-to-write', async () => {
  // Both are honoured now (BGSAVE in persist/bgsave.ts, NOREPLICAS in replication/index.ts).
  expect((await ours.send(['config', 'set', 'min-replicas-to-write', '1'])).toString()).toBe('+OK\r\n');
  expect((await ours.send(['config', 'set', 'min-replicas-to-write', '0'])).toString()).toBe('+OK\r\n');
  expect((await ours.send(['config', 'set', 'save', '100 10'])).toString()).toBe('+OK\r\n');
  expect((await ours.send(['config', 'set', 'save', ''])).toString()).toBe('+OK\r\n');
});

test('FUNCTION of an empty registry answers as redis-server; DUMP/RESTORE use Redis payloads', async () => {
  expect(await diff(cmds(`
function flush
function flush async
function flush foo
function list
function list withcode
function list foo
function dump
function restore abc
function delete x
function kill
function foo
`))).toEqual([]);
  const payload = await redis.send(['function', 'dump']);
  const body = payload.subarray(payload.indexOf('\r\n') + 2, payload.length - 2);
  expect((await ours.send(['function', 'restore', body])).toString()).toBe('+OK\r\n');
  // A library dumped by redis-server restores here and runs.
  const lib = "#!lua name=x\nredis.register_function('f', function() return 1 end)";
  expect((await redis.send(['function', 'load', lib])).toString()).toBe('$1\r\nx\r\n');
  const dumped = await redis.send(['function', 'dump']);
  await redis.send(['function', 'flush']);
  expect((await ours.send(['function', 'restore', dumped.subarray(dumped.indexOf('\r\n') + 2, dumped.length - 2)])).toString()).toBe('+OK\r\n');
  expect((await ours.send(['fcall', 'f', '0'])).toString()).toBe(':1\r\n');
  expect((await ours.send(['function', 'flush'])).toString()).toBe('+OK\r\n');
});

test('DEBUG DIGEST and DIGEST-VALUE equal redis-server\'s and change exactly with the data', async () => {
  const script = cmds(`
flushall
debug digest
set foo bar
rpush l a b c 1 2
sadd s 1 2 x
sadd i 1 2 3
hset h f v g w
zadd z 1.5 a 2 b 1e100 c inf d -0.1 e
set n 12345
expire foo 100
debug digest
debug digest-value foo l s i h z n nokey
set foo bar
debug digest
lpush l c
debug digest
lpop l
debug digest
persist foo
debug digest
select 3
set foo bar
debug digest
select 0
debug protocol bignum
debug protocol map
debug protocol attrib
debug protocol foo
debug object nokey
debug sleep 0
debug set-active-expire 1
debug quicklist-packed-threshold 0
debug error MYERR hi
debug foo
flushall
`);
  expect(await diff(script)).toEqual([]);
});

test('DEBUG is refused unless enable-debug-command allows it', async () => {
  const off = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => undefined, error: () => undefined });
  const c = await RawClient.connect(off.port);
  try {
    expect((await c.send(['debug', 'digest'])).toString()).toMatch(/^-ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/);
  } finally {
    c.close();
    await off.stop();
  }
});

test('SLOWLOG: thresholds, trimming of arguments, max length, reset', async () => {
  const script = cmds(`
config set slowlog-log-slower-than 0
slowlog reset
slowlog len
config set slowlog-max-len 3
set a b
slowlog len
slowlog get -2
slowlog get 0
slowlog foo
config set slowlog-max-len 128
config set slowlog-log-slower-than 10000
`);
  expect(await diff(script)).toEqual([]);
  await ours.send(['config', 'set', 'slowlog-log-slower-than', '0']);
  await ours.send(['slowlog', 'reset']);
  await ours.send(['set', 'k', 'x'.repeat(200)]);
  await ours.send(['sadd', 'set', ...Array.from({ length: 40 }, (_, i) => String(i))]);
  await ours.send(['config', 'set', 'requirepass', 'secret']);
  await ours.send(['config', 'set', 'requirepass', '']);
  const log = (await ours.send(['slowlog', 'get', '-1'])).toString();
  expect(log).toContain(`${'x'.repeat(128)}... (72 more bytes)`);
  expect(log).toContain('... (11 more arguments)');
  expect(log).toContain('(redacted)');
  expect(log).not.toContain('secret');
  await ours.send(['config', 'set', 'slowlog-log-slower-than', '10000']);
});

test('CONFIG REWRITE writes the settings back into the config file, keeping comments', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-rewrite-'));
  const file = path.join(dir, 'nevio.conf');
  fs.writeFileSync(file, '# my settings\nhz 20\ntimeout 5\nmaxmemory-samples 7\n');
  const { parseArgs } = await import('../src/config-file');
  const cfg = parseArgs([file, '--port', '0', '--dir', dir]);
  const srv = await startRedis(cfg, { warn: () => undefined, error: () => undefined });
  const c = await RawClient.connect(srv.port);
  try {
    expect((await c.send(['config', 'set', 'hz', '15', 'timeout', '0', 'tcp-keepalive', '100'])).toString()).toBe('+OK\r\n');
    expect((await c.send(['config', 'rewrite'])).toString()).toBe('+OK\r\n');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# my settings\nhz 15\n');
    expect(text).not.toContain('timeout');
    expect(text).toContain('maxmemory-samples 7');
    expect(text).toContain('# Generated by CONFIG REWRITE\n');
    expect(text).toContain('tcp-keepalive 100');
    // The rewritten file starts a server with the same settings.
    const again = parseArgs([file, '--port', '0']);
    expect([again.hz, again.timeout, again.stored?.get('tcp-keepalive'), again.stored?.get('maxmemory-samples')]).toEqual([15, 0, '100', '7']);
  } finally {
    c.close();
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile CONFIG GET patterns and CONFIG SET values: the server stays up and answers PING within 100 ms', async () => {
  const second = await RawClient.connect(nevio.port);
  try {
    const hostile: Arg[][] = [
      ['config', 'get', `${'*a'.repeat(5000)}b`],
      ['config', 'get', ...Array.from({ length: 2000 }, () => '*')],
      ['config', 'set', 'notify-keyspace-events', 'K'.repeat(1 << 20)],
      ['config', 'set', 'client-output-buffer-limit', 'normal 1 1 1 '.repeat(10000)],
      ['config', 'set', 'save', '1 '.repeat(100001)],
      ['debug', 'digest-value', ...Array.from({ length: 10000 }, (_, i) => `k${i}`)],
    ];
    for (const cmd of hostile) {
      const reply = await ours.send(cmd);
      expect(reply.length).toBeGreaterThan(0);
      const t0 = performance.now();
      expect((await second.send(['ping'])).toString()).toBe('+PONG\r\n');
      expect(performance.now() - t0).toBeLessThan(100);
    }
    await ours.send(['config', 'set', 'notify-keyspace-events', '']);
    await ours.send(['config', 'set', 'client-output-buffer-limit', 'normal 0 0 0']);
  } finally {
    second.close();
  }
});

test('LATENCY: events over latency-monitor-threshold, history, reset, histograms per command', async () => {
  expect(await diff(cmds(`
latency reset
latency latest
latency history blabla
latency reset blabla
latency graph blabla
latency histogram blabla
latency foo
`))).toEqual([]);
  await ours.send(['config', 'set', 'latency-monitor-threshold', '50']);
  await ours.send(['debug', 'sleep', '0.1']);
  const latest = (await ours.send(['latency', 'latest'])).toString().split('\r\n');
  expect(latest[3]).toBe('command');
  expect(Number(latest[5].slice(1))).toBeGreaterThanOrEqual(100);
  expect((await ours.send(['latency', 'reset'])).toString()).toBe(':1\r\n');
  await ours.send(['config', 'set', 'latency-monitor-threshold', '0']);
  await ours.send(['config', 'resetstat']);
  await ours.send(['set', 'a', 'b']);
  await ours.send(['set', 'a', 'c']);
  expect((await ours.send(['latency', 'histogram', 'set'])).toString()).toMatch(/^\*2\r\n\$3\r\nset\r\n\*4\r\n\$5\r\ncalls\r\n:2\r\n\$14\r\nhistogram_usec\r\n\*\d+\r\n/);
});

test('INFO prints every Redis 7.0 field name of the default sections, and sections as asked', async () => {
  const names = (text: string): string[] =>
    text
      .split('\r\n')
      .filter((l) => l.includes(':') && !l.startsWith('$') && !l.startsWith('='))
      .map((l) => l.slice(0, l.indexOf(':')))
      .filter((n) => !n.startsWith('db') && !n.startsWith('errorstat_'));
  const [want, got] = await both(['info']);
  const missing = names(want).filter((n) => !names(got).includes(n));
  expect(missing).toEqual([]);
  const cpu = (await ours.send(['info', 'cpu', 'sentinel'])).toString();
  expect(cpu).toContain('used_cpu_user:');
  expect(cpu).not.toContain('used_memory');
  const all = (await ours.send(['info', 'cpu', 'all'])).toString();
  expect(all.match(/used_cpu_user_children/g)?.length).toBe(1);
  expect(all).toContain('rejected_calls=');
  expect(all).toContain('master_repl_offset');
  expect((await ours.send(['info', 'default'])).toString()).not.toContain('rejected_calls');
  expect((await ours.send(['info', 'commandSTATS'])).toString()).toContain('cmdstat_info:calls=');
});

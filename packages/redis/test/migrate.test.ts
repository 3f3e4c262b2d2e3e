// MIGRATE between nevio-redis and a real redis-server, both ways: values, TTLs, COPY, REPLACE,
// KEYS, AUTH/AUTH2, the target's errors and Redis's IOERR texts, the connection cache, the
// caller waiting (not the server) while the target is slow, and MONITOR/SLOWLOG redaction.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { defaultConfig } from '../src/config';
import { startRedis, type RunningRedis } from '../src/listen';
import { quietLog } from './support/inproc';
import { freePort } from './support/ports';
import { RawClient, RealRedis, encode } from './types/harness';

jest.setTimeout(30000);

let nevio: RunningRedis;
let real: RealRedis;
let src: RawClient;
let dst: RawClient;
const aofDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-migrate-'));

beforeAll(async () => {
  nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], appendonly: true, dir: aofDir }, quietLog);
  real = await RealRedis.start();
  src = await RawClient.connect(nevio.port);
  dst = await RawClient.connect(real.port);
});

afterAll(async () => {
  src.close();
  dst.close();
  await nevio.stop();
  await real.stop();
  fs.rmSync(aofDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await src.send(['FLUSHALL']);
  await dst.send(['FLUSHALL']);
});

async function text(c: RawClient, args: string[]): Promise<string> {
  return (await c.send(args)).toString('latin1');
}

/** MIGRATE from nevio to redis-server with `rest` after the timeout. */
function migrate(key: string, db: string, timeout: string, ...rest: string[]): Promise<string> {
  return text(src, ['MIGRATE', '127.0.0.1', String(real.port), key, db, timeout, ...rest]);
}

test('each type moves to redis-server with its TTL; the source key is gone and logged as DEL', async () => {
  await src.send(['SET', 's', 'hello']);
  await src.send(['PEXPIRE', 's', '100000']);
  await src.send(['RPUSH', 'l', 'a', 'b', 'c']);
  await src.send(['HSET', 'h', 'f', 'v', 'g', 'w']);
  await src.send(['SADD', 'st', '1', '2', 'x']);
  await src.send(['ZADD', 'z', '1.5', 'm', '2', 'n']);
  for (const key of ['s', 'l', 'h', 'st', 'z']) expect(await migrate(key, '0', '5000')).toBe('+OK\r\n');
  expect(await text(src, ['EXISTS', 's', 'l', 'h', 'st', 'z'])).toBe(':0\r\n');
  expect(await text(dst, ['GET', 's'])).toBe('$5\r\nhello\r\n');
  const pttl = Number((await text(dst, ['PTTL', 's'])).slice(1));
  expect(pttl).toBeGreaterThan(90000);
  expect(pttl).toBeLessThanOrEqual(100000);
  expect(await text(dst, ['LRANGE', 'l', '0', '-1'])).toBe('*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
  expect(await text(dst, ['HGET', 'h', 'g'])).toBe('$1\r\nw\r\n');
  expect(await text(dst, ['SCARD', 'st'])).toBe(':3\r\n');
  expect(await text(dst, ['ZSCORE', 'z', 'm'])).toBe('$3\r\n1.5\r\n');
  expect(await text(dst, ['TTL', 'l'])).toBe(':-1\r\n');
  // Redis propagates a MIGRATE as the DEL of what the target took.
  const aof = fs.readFileSync(path.join(aofDir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
  expect(aof).toContain('*2\r\n$3\r\nDEL\r\n$1\r\nl\r\n');
});

test('COPY keeps the source; REPLACE is needed over an existing key (the target error, as Redis words it)', async () => {
  await src.send(['SET', 'k', 'v1']);
  expect(await migrate('k', '0', '5000', 'COPY')).toBe('+OK\r\n');
  expect(await text(src, ['GET', 'k'])).toBe('$2\r\nv1\r\n');
  await src.send(['SET', 'k', 'v2']);
  expect(await migrate('k', '0', '5000', 'COPY')).toBe('-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n');
  expect(await migrate('k', '0', '5000', 'COPY', 'REPLACE')).toBe('+OK\r\n');
  expect(await text(dst, ['GET', 'k'])).toBe('$2\r\nv2\r\n');
  expect(await text(src, ['GET', 'k'])).toBe('$2\r\nv2\r\n');
});

test('KEYS moves several keys to another database; missing keys are skipped, none at all is NOKEY', async () => {
  await src.send(['MSET', 'a', '1', 'b', '2']);
  expect(await migrate('', '3', '5000', 'KEYS', 'a', 'nosuch', 'b')).toBe('+OK\r\n');
  await dst.send(['SELECT', '3']);
  expect(await text(dst, ['MGET', 'a', 'b'])).toBe('*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
  await dst.send(['SELECT', '0']);
  expect(await migrate('', '3', '5000', 'KEYS', 'a', 'b')).toBe('+NOKEY\r\n');
  expect(await migrate('nosuch', '0', '5000')).toBe('+NOKEY\r\n');
});

test("argument errors are Redis's, checked before any connection", async () => {
  const cases: [string[], string][] = [
    [['x', '0', '5000', 'KEYS', 'a'], '-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n'],
    [['x', '0', '5000', 'AUTH'], '-ERR syntax error\r\n'],
    [['x', '0', '5000', 'AUTH2', 'user'], '-ERR syntax error\r\n'],
    [['x', '0', '5000', 'BOGUS'], '-ERR syntax error\r\n'],
    [['x', '0', 'soon'], '-ERR value is not an integer or out of range\r\n'],
    [['x', 'zero', '5000'], '-ERR value is not an integer or out of range\r\n'],
  ];
  for (const [args, want] of cases) expect(await text(src, ['MIGRATE', '127.0.0.1', '1', ...args])).toBe(want);
  expect(await text(src, ['MIGRATE', '127.0.0.1', '1', 'x', '0'])).toBe("-ERR wrong number of arguments for 'migrate' command\r\n");
});

test('a target database out of range is the target error; the next MIGRATE selects again', async () => {
  await src.send(['SET', 'k', 'v']);
  expect(await migrate('k', '99', '5000')).toBe('-ERR Target instance replied with error: ERR DB index is out of range\r\n');
  expect(await text(src, ['EXISTS', 'k'])).toBe(':1\r\n');
  expect(await migrate('k', '2', '5000')).toBe('+OK\r\n');
  await dst.send(['SELECT', '2']);
  expect(await text(dst, ['GET', 'k'])).toBe('$1\r\nv\r\n');
  await dst.send(['SELECT', '0']);
});

test('AUTH and AUTH2 log in on the target; without them the target says NOAUTH', async () => {
  await dst.send(['CONFIG', 'SET', 'requirepass', 'sesame']);
  try {
    await src.send(['MSET', 'a', '1', 'b', '2', 'c', '3']);
    // A new connection is dialed for this target address: the cached one logged in before the password existed.
    nevio.server.migrateLinks.closeAll();
    expect(await migrate('a', '0', '5000')).toBe('-ERR Target instance replied with error: NOAUTH Authentication required.\r\n');
    expect(await migrate('a', '0', '5000', 'AUTH', 'wrong')).toMatch(/^-ERR Target instance replied with error: WRONGPASS/);
    expect(await migrate('a', '0', '5000', 'AUTH', 'sesame')).toBe('+OK\r\n');
    expect(await migrate('b', '0', '5000', 'AUTH2', 'default', 'sesame')).toBe('+OK\r\n');
    expect(await text(src, ['EXISTS', 'a', 'b', 'c'])).toBe(':1\r\n');
  } finally {
    await dst.send(['AUTH', 'sesame']);
    await dst.send(['CONFIG', 'SET', 'requirepass', '']);
  }
});

test('an unreachable target is IOERR connecting; the connection is cached and reused (one SELECT)', async () => {
  const closed = await freePort();
  await src.send(['SET', 'k', 'v']);
  expect(await text(src, ['MIGRATE', '127.0.0.1', String(closed), 'k', '0', '1000'])).toBe('-IOERR error or timeout connecting to the client\r\n');
  expect(await text(src, ['MIGRATE', '127.0.0.1', 'notaport', 'k', '0', '1000'])).toBe('-IOERR error or timeout connecting to the client\r\n');
  nevio.server.migrateLinks.closeAll();
  await dst.send(['CONFIG', 'RESETSTAT']);
  await src.send(['MSET', 'a', '1', 'b', '2']);
  expect(await migrate('a', '5', '5000')).toBe('+OK\r\n');
  expect(await migrate('b', '5', '5000')).toBe('+OK\r\n');
  expect(await text(src, ['INFO', 'stats'])).toContain('migrate_cached_sockets:1\r\n');
  const stats = await text(dst, ['INFO', 'commandstats']);
  expect(stats).toMatch(/cmdstat_select:calls=1,/);
  expect(stats).toMatch(/cmdstat_restore:calls=2,/);
});

test('a target that does not answer in time is IOERR reading; meanwhile the server serves others', async () => {
  await src.send(['SET', 'k', 'v']);
  await dst.send(['CLIENT', 'PAUSE', '1500', 'ALL']);
  const t0 = performance.now();
  const pending = migrate('k', '0', '500');
  const other = await RawClient.connect(nevio.port);
  const p0 = performance.now();
  expect((await other.send(['PING'])).toString()).toBe('+PONG\r\n');
  expect(performance.now() - p0).toBeLessThan(100);
  other.close();
  expect(await pending).toBe('-IOERR error or timeout reading to target instance\r\n');
  expect(performance.now() - t0).toBeGreaterThanOrEqual(450);
  expect(await text(src, ['GET', 'k'])).toBe('$1\r\nv\r\n');
  await new Promise((r) => setTimeout(r, 1200));
});

test('a key written by another client while the target answers is kept at the source', async () => {
  await src.send(['SET', 'k', 'old']);
  await dst.send(['CLIENT', 'PAUSE', '300', 'ALL']);
  const pending = migrate('k', '0', '5000');
  await new Promise((r) => setTimeout(r, 50));
  const other = await RawClient.connect(nevio.port);
  expect((await other.send(['SET', 'k', 'new'])).toString()).toBe('+OK\r\n');
  other.close();
  expect(await pending).toBe('+OK\r\n');
  expect(await text(src, ['GET', 'k'])).toBe('$3\r\nnew\r\n');
  expect(await text(dst, ['GET', 'k'])).toBe('$3\r\nold\r\n');
});

test('a caller that leaves while waiting: what the target took is still deleted here', async () => {
  await src.send(['SET', 'k', 'v']);
  await dst.send(['CLIENT', 'PAUSE', '300', 'ALL']);
  const sock = net.createConnection({ host: '127.0.0.1', port: nevio.port });
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  sock.write(encode(['MIGRATE', '127.0.0.1', String(real.port), 'k', '0', '5000']));
  await new Promise((r) => setTimeout(r, 50));
  sock.destroy();
  const until = Date.now() + 5000;
  while ((await text(src, ['EXISTS', 'k'])) !== ':0\r\n' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  expect(await text(src, ['EXISTS', 'k'])).toBe(':0\r\n');
  expect(await text(dst, ['GET', 'k'])).toBe('$1\r\nv\r\n');
});

test('redis-server migrates to nevio: strings and hash tables arrive with their TTLs', async () => {
  await dst.send(['SET', 's', 'from redis']);
  await dst.send(['EXPIRE', 's', '100']);
  // A value over hash-max-listpack-value (64 bytes) makes it a hash table in redis-server too.
  const fields: string[] = ['long', 'v'.repeat(100)];
  for (let i = 0; i < 199; i++) fields.push(`f${i}`, `v${i}`);
  await dst.send(['HSET', 'big', ...fields]);
  for (const key of ['s', 'big']) expect(await text(dst, ['MIGRATE', '127.0.0.1', String(nevio.port), key, '0', '5000'])).toBe('+OK\r\n');
  expect(await text(src, ['GET', 's'])).toBe('$10\r\nfrom redis\r\n');
  expect(Number((await text(src, ['TTL', 's'])).slice(1))).toBeGreaterThan(90);
  expect(await text(src, ['HLEN', 'big'])).toBe(':200\r\n');
  expect(await text(src, ['HGET', 'big', 'f198'])).toBe('$4\r\nv198\r\n');
  expect(await text(dst, ['EXISTS', 's', 'big'])).toBe(':0\r\n');
  await dst.send(['SET', 's', 'again']);
  expect(await text(dst, ['MIGRATE', '127.0.0.1', String(nevio.port), 's', '0', '5000'])).toBe('-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n');
  expect(await text(dst, ['MIGRATE', '127.0.0.1', String(nevio.port), 's', '0', '5000', 'REPLACE'])).toBe('+OK\r\n');
  expect(await text(src, ['GET', 's'])).toBe('$5\r\nagain\r\n');
});

test('MONITOR and SLOWLOG show MIGRATE without its AUTH/AUTH2 secrets', async () => {
  const mon = net.createConnection({ host: '127.0.0.1', port: nevio.port });
  let seen = '';
  mon.on('data', (d: Buffer) => (seen += d.toString('latin1')));
  await new Promise<void>((resolve) => mon.once('connect', () => resolve()));
  mon.write(encode(['MONITOR']));
  while (!seen.includes('+OK')) await new Promise((r) => setTimeout(r, 10));
  await src.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  await src.send(['SLOWLOG', 'RESET']);
  const self = ['MIGRATE', '127.0.0.1', String(nevio.port), 'key', '9', '5000'];
  expect(await text(src, self)).toBe('+NOKEY\r\n');
  expect(await text(src, [...self, 'AUTH', 'pw'])).toBe('+NOKEY\r\n');
  expect(await text(src, [...self, 'AUTH2', 'user', 'pw', 'KEYS', 'pw'])).toBe('-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n');
  expect(await text(src, ['MIGRATE', '127.0.0.1', String(nevio.port), '', '9', '5000', 'AUTH2', 'user', 'pw', 'KEYS', 'pw'])).toBe('+NOKEY\r\n');
  await src.send(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  const until = Date.now() + 2000;
  while ((seen.match(/"migrate"/gi) ?? []).length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  mon.destroy();
  const lines = seen.split('\r\n').filter((l) => /"migrate"/i.test(l));
  expect(lines[0]).toMatch(/"key" "9" "5000"$/);
  expect(lines[1]).toMatch(/"key" "9" "5000" "AUTH" "\(redacted\)"$/);
  expect(lines[2]).toMatch(/"key" "9" "5000" "AUTH2" "\(redacted\)" "\(redacted\)" "KEYS" "pw"$/);
  // KEYS names keys, not secrets: its `pw` stays.
  expect(lines[3]).toMatch(/"" "9" "5000" "AUTH2" "\(redacted\)" "\(redacted\)" "KEYS" "pw"$/);
  const slow = await text(src, ['SLOWLOG', 'GET']);
  expect(slow).not.toMatch(/\r\nuser\r\n/);
  expect(slow).toContain('(redacted)');
});

// What a bad or odd RDB load leaves in the log and in INFO persistence, as Redis 7.0's
// corrupt-dump and rdb units look for it: the reason of a refused payload names its container
// ("Zset ziplist integrity check failed", "Duplicate stream consumer detected"), a file's empty
// keys are logged one by one and counted, a corrupt file's error names the place, and
// rdb_last_load_keys_loaded / _expired describe the last load. Real servers on real sockets;
// the files are Redis's own test assets.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { defaultConfig, type Config } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { removeDir, tempDir } from './servers';

const ASSETS = '/work/shared/redis-tests/tests/assets';

/** nevio-redis in process on `dir`, its log lines collected. */
async function start(dir: string, lines: string[], config: Partial<Config> = {}): Promise<{ running: RunningRedis; client: Redis }> {
  const log = { notice: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
  const running = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir, 'enable-debug-command': 'yes', ...config }, log);
  const client = new Redis({ port: running.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  return { running, client };
}

async function stop(s: { running: RunningRedis; client: Redis }): Promise<void> {
  s.client.disconnect();
  await s.running.stop();
}

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1];
}

let dir: string;
beforeEach(() => {
  dir = tempDir('reasons');
});
afterEach(() => removeDir(dir));

test('a refused payload logs the reason Redis gives, naming the container; the client gets Bad data format', async () => {
  const lines: string[] = [];
  const s = await start(dir, lines);
  try {
    await s.client.call('debug', 'set-skip-checksum-validation', '1');
    // corrupt-dump.tcl "zset ziplist invalid tail offset".
    const zset = Buffer.from('0C191900000002000000060000F102F102025F3104F202F302F3FF09004D727B97CD9A70C1', 'hex');
    await expect(s.client.call('restore', '_zset', '0', zset)).rejects.toThrow('Bad data format');
    expect(lines.some((l) => l.includes('Zset ziplist integrity check failed'))).toBe(true);
    // "stream with duplicate consumers": two consumers named "name".
    const stream = Buffer.from('0F0000000001076D7967726F75700000000204 6E616D652A4CAA9A7D01000000046E616D652B4CAA9A7D010000000A00CCED8CA762EEC7C8'.replace(/ /g, ''), 'hex');
    await expect(s.client.call('restore', 'key', '0', stream)).rejects.toThrow('Bad data format');
    expect(lines.some((l) => l.includes('Duplicate stream consumer detected'))).toBe(true);
    // "hash empty zipmap".
    await expect(s.client.call('restore', '_hash', '0', Buffer.from('090200FF0900C0F1B8674C16ACE3', 'hex'))).rejects.toThrow('Bad data format');
    expect(lines.some((l) => l.includes('Zipmap integrity check failed'))).toBe(true);
    expect(await s.client.ping()).toBe('PONG');
  } finally {
    await stop(s);
  }
});

test("a file's empty keys are skipped, each logged, and counted in the load's summary", async () => {
  copyFileSync(join(ASSETS, 'corrupt_empty_keys.rdb'), join(dir, 'dump.rdb'));
  const lines: string[] = [];
  const s = await start(dir, lines);
  try {
    expect(await s.client.dbsize()).toBe(0);
    for (const key of ['set', 'list_quicklist', 'list_quicklist_empty_ziplist', 'list_ziplist', 'hash', 'hash_ziplist', 'zset', 'zset_ziplist', 'zset_listpack']) {
      expect(lines).toContain(`rdbLoadObject skipping empty key: ${key}`);
    }
    expect(lines.some((l) => l.includes('empty keys skipped: 9'))).toBe(true);
  } finally {
    await stop(s);
  }
});

test('a corrupt file stops the start; the reason is logged with the place it was found', async () => {
  copyFileSync(join(ASSETS, 'corrupt_ziplist.rdb'), join(dir, 'dump.rdb'));
  const lines: string[] = [];
  await expect(start(dir, lines, { 'sanitize-dump-payload': 'no' } as Partial<Config>)).rejects.toThrow('Fatal error loading the DB');
  const reasons = lines.filter((l) => l.includes('integrity check failed'));
  expect(reasons.length).toBe(2);
  expect(reasons[1]).toMatch(/\[offset \d+\] reading key '[^']*' of type \d+/);
  expect(lines).toContain('Terminating server after rdb file reading failure.');
});

test('INFO persistence: rdb_last_load_keys_loaded and _expired describe the last load', async () => {
  const lines: string[] = [];
  let s = await start(dir, lines);
  try {
    await s.client.call('debug', 'set-active-expire', '0');
    for (let i = 0; i < 20; i++) await s.client.set(`k${i}`, 'v');
    for (let i = 0; i < 7; i++) await s.client.set(`gone${i}`, 'v', 'PX', 5);
    await new Promise((r) => setTimeout(r, 30));
    await s.client.call('save');
  } finally {
    await stop(s);
  }
  s = await start(dir, lines);
  try {
    const info = (await s.client.info('persistence')) as string;
    expect(infoField(info, 'rdb_last_load_keys_loaded')).toBe('20');
    expect(infoField(info, 'rdb_last_load_keys_expired')).toBe('7');
    expect(await s.client.dbsize()).toBe(20);
  } finally {
    await stop(s);
  }
});

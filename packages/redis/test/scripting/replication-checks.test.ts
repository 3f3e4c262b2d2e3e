// Scripts meet the replication checks of the commands they run, as in Redis 7.0
// (scriptVerifyWriteCommandAllow, getCommandFlags): with min-replicas-to-write unmet, a script
// whose shebang does not say no-writes is refused up front, a script without shebang only at its
// first write, and a read-only one runs.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

let redis: RunningRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => {}, error: () => {} });
  client = new Redis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

test('NOREPLICAS for writing scripts, none for reading ones', async () => {
  await client.set('x', 'some value');
  await client.config('SET', 'min-replicas-to-write', '1');
  try {
    expect(await client.eval("#!lua flags=no-writes\nreturn redis.call('get','x')", 1, 'x')).toBe('some value');
    expect(await client.eval("return redis.call('get','x')", 1, 'x')).toBe('some value');
    await expect(client.eval("#!lua\nreturn redis.call('get','x')", 1, 'x')).rejects.toThrow(/^NOREPLICAS Not enough good replicas to write/);
    await expect(client.eval("return redis.call('set','x', 1)", 1, 'x')).rejects.toThrow(/NOREPLICAS Not enough good replicas to write/);
    expect(await client.get('x')).toBe('some value');
  } finally {
    await client.config('SET', 'min-replicas-to-write', '0');
  }
  expect(await client.eval("return redis.call('set','x', 1)", 1, 'x')).toBe('OK');
});

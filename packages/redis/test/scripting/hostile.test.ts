// Bad input to the Lua engine: each gets an error reply (Redis's where it has one), none crashes
// the server, hangs it or takes its memory; the server answers normally afterwards.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';

jest.setTimeout(60000);

let redis: RunningRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, { warn: () => {}, error: () => {} });
  client = new Redis({ port: redis.port, host: '127.0.0.1' });
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

const CASES: [what: string, script: string, error: RegExp][] = [
  ['unbounded recursion', 'local function f(n) return f(n + 1) + 1 end return f(1)', /stack overflow/],
  ['cmsgpack: a 4-billion-element array header with no elements', "return cmsgpack.unpack('\\221\\255\\255\\255\\255')", /Missing bytes in input/],
  ['cmsgpack: 200,000 nested arrays', "return cmsgpack.unpack(string.rep('\\145', 200000) .. '\\192')", /nested too deep|stack/],
  ['cmsgpack: an unknown type byte', "return cmsgpack.unpack('\\193')", /Bad data format/],
  ['struct: unpacking past the end', "return struct.unpack('>i4', 'ab')", /data string too short/],
  ['struct: an int wider than 8 bytes', "return struct.pack('i16', 1)", /larger than limit/],
  ['a bytecode chunk', 'return loadstring(string.dump(function() return 1 end))()', /attempt to call a nil value/],
  ['yielding at the top level', 'coroutine.yield()', /attempt to yield from outside a coroutine/],
  ['redis.call with a table argument', "return redis.call('set', {}, 1)", /must be strings or integers/],
];

test.each(CASES)('%s gets an error reply', async (_what, script, error) => {
  await expect(client.eval(script, 0)).rejects.toThrow(error);
  expect(await client.ping()).toBe('PONG');
});

test('a bytecode body for EVAL is a compile error', async () => {
  await expect(client.eval(Buffer.from('\x1bLuaQ\x00\x01\x04\x08', 'latin1'), 0)).rejects.toThrow(/Error compiling script/);
});

test('a script growing past the memory cap (256 MiB) fails, and the interpreter gives the memory back', async () => {
  await expect(client.eval("local t = {} local s = string.rep('x', 2 ^ 20) for i = 1, 400 do t[i] = s .. i end", 0)).rejects.toThrow(/not enough memory/);
  await client.eval('collectgarbage() return 1', 0);
  const info = await client.info('memory');
  const lua = Number(/used_memory_lua:(\d+)/.exec(info)?.[1]);
  expect(lua).toBeLessThan(16 * 1024 * 1024);
});

// MEMORY against redis-server: the replies' shapes, the field names of MEMORY STATS, HELP and
// every error reply byte for byte (the sizes themselves are the allocator's and differ).
import { RawClient } from './types/harness';
import { bothServers } from './support/events';
import { RespConn } from './support/resp';

const both = bothServers();
let nevio: RawClient;
let real: RawClient;

beforeAll(async () => {
  [nevio, real] = await Promise.all([RawClient.connect(both.nevio.port), RawClient.connect(both.real.port)]);
  for (const c of [nevio, real]) {
    await c.send(['FLUSHALL']);
    await c.send(['SET', 'str', 'x'.repeat(100)]);
    await c.send(['RPUSH', 'list', 'a', 'b', 'c']);
    await c.send(['HSET', 'hash', 'f', 'v']);
  }
});

async function bothReply(...args: string[]): Promise<[string, string]> {
  const [a, b] = await Promise.all([nevio.send(args), real.send(args)]);
  return [a.toString('latin1'), b.toString('latin1')];
}

test('replies that carry no allocator figure are the same bytes', async () => {
  for (const cmd of [
    ['MEMORY', 'USAGE', 'missing'],
    ['MEMORY', 'USAGE'],
    ['MEMORY', 'USAGE', 'str', 'SAMPLES'],
    ['MEMORY', 'USAGE', 'str', 'SAMPLES', 'abc'],
    ['MEMORY', 'USAGE', 'str', 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', 'str', 'SAMPLES', '99999999999999999999'],
    ['MEMORY', 'USAGE', 'str', 'NOSUCHOPTION', '5'],
    ['MEMORY', 'PURGE'],
    ['MEMORY', 'PURGE', 'extra'],
    ['MEMORY', 'STATS', 'extra'],
    ['MEMORY', 'HELP'],
    ['MEMORY', 'NOSUCH'],
    ['MEMORY'],
  ]) {
    const [n, r] = await bothReply(...cmd);
    expect([cmd.join(' '), n]).toEqual([cmd.join(' '), r]);
  }
});

test('MEMORY USAGE answers an integer for every type, with or without SAMPLES', async () => {
  for (const cmd of [['MEMORY', 'USAGE', 'str'], ['MEMORY', 'USAGE', 'list', 'SAMPLES', '0'], ['MEMORY', 'USAGE', 'hash', 'SAMPLES', '5']]) {
    const [n, r] = await bothReply(...cmd);
    expect(r).toMatch(/^:\d+\r\n$/);
    expect(n).toMatch(/^:\d+\r\n$/);
    expect(Number(n.slice(1))).toBeGreaterThan(0);
  }
});

/** The field names of a MEMORY STATS reply (RESP2: name, value, name, value...). */
async function statNames(port: number): Promise<string[]> {
  const c = await RespConn.connect(port);
  try {
    c.send('MEMORY', 'STATS');
    const reply = await c.read();
    if (!Array.isArray(reply)) throw new Error(`MEMORY STATS answered ${String(reply)}`);
    return reply.filter((_, i) => i % 2 === 0).map(String);
  } finally {
    c.close();
  }
}

test('MEMORY STATS names the same fields, in the same order', async () => {
  const [n, r] = await Promise.all([statNames(both.nevio.port), statNames(both.real.port)]);
  expect(r).toContain('peak.allocated');
  expect(r).toContain('db.0');
  expect(n).toEqual(r);
});

test('MEMORY DOCTOR and MALLOC-STATS answer text', async () => {
  for (const sub of ['DOCTOR', 'MALLOC-STATS']) {
    const [n, r] = await bothReply('MEMORY', sub);
    expect(r[0]).toBe('$');
    expect(n[0]).toBe('$');
  }
});
